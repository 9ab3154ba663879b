"""No page cites the project's own documents ("CLINICAL.md 1.4", "SR-29", "ADR 0006"): readers
cannot follow them. Pages cite the published source instead.

Two checks: every page the demo's clinician, owner and clients can reach by following links
(rendered from the seeded demo), and every text that can reach a page without a link leading to
it in the demo (templates and the shipped instrument definitions and crisis resources)."""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag

import pytest
from django.test import Client as HttpClient

from interlude.accounts.models import User
from interlude.clinic.demo import demo_seed

ROOT = Path(__file__).resolve().parent.parent
INTERNAL = re.compile(
    r"\b(?:CLINICAL|SECURITY|DESIGN|ARCHITECTURE|CONTEXT)\.md\b"
    r"|\bSR-\d+|\bADR[ -]?\d+|\b[Ss]ection \d+\.\d+"
)
HREF = re.compile(r"""href=["']([^"']+)["']""")
# Not pages: files, the PDF twin of the HTML report, and links that end the session.
SKIP = re.compile(r"^/(static|media)/|\.pdf$|^/accounts/logout|^/sw\.js|^/manifest")
MAX_PAGES = 250
# Pages of one kind (another client's record, another sleep diary night) render the same texts:
# two of each kind are enough, and keep the crawl quick.
PER_KIND = 2
IDS = re.compile(r"[0-9a-f]{8}-[0-9a-f-]{27}|\d{4}-\d{2}-\d{2}|(?<=/)\d+(?=/)")


def _hits(text: str) -> list[str]:
    return [text[max(0, m.start() - 60) : m.end() + 20] for m in INTERNAL.finditer(text)]


def _crawl(http: HttpClient, start: list[str]) -> Iterator[tuple[str, str]]:
    queue, seen = deque(start), set(start)
    kinds: dict[str, int] = {}
    while queue and len(seen) <= MAX_PAGES:
        path = queue.popleft()
        response = http.get(path, follow=True)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        body = response.content.decode()
        yield path, body
        for href in HREF.findall(body):
            link = urldefrag(href.replace("&amp;", "&"))[0]
            if not link.startswith("/") or link.startswith("//") or SKIP.search(link):
                continue
            kind = IDS.sub("<id>", link)
            if link not in seen and kinds.get(kind, 0) < PER_KIND:
                kinds[kind] = kinds.get(kind, 0) + 1
                seen.add(link)
                queue.append(link)


@pytest.mark.django_db
def test_no_page_the_demo_people_reach_cites_an_internal_document():
    demo_seed()
    found: dict[str, list[str]] = {}
    for email in (
        "therapist@demo.interlude.test",
        "owner@demo.interlude.test",
        "client@demo.interlude.test",
        "client2@demo.interlude.test",
    ):
        http = HttpClient()
        http.force_login(User.objects.get(email=email))
        pages = dict(_crawl(http, ["/", "/help/"]))
        pages["/api/v1/openapi.json"] = http.get("/api/v1/openapi.json").content.decode()
        assert len(pages) >= 5, email
        found |= {f"{email} {path}": _hits(body) for path, body in pages.items() if _hits(body)}

    assert found == {}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_no_template_or_shipped_text_shown_on_pages_cites_an_internal_document():
    templates = [p for p in (ROOT / "interlude").rglob("templates/**/*") if p.is_file()]
    data = [
        *(ROOT / "interlude/measures/definitions").glob("*.json"),
        ROOT / "interlude/practices/data/crisis_resources.json",
    ]
    found = {
        str(p.relative_to(ROOT)): _hits(p.read_text()) for p in templates if _hits(p.read_text())
    }
    for path in data:
        hits = [h for text in _strings(json.loads(path.read_text())) for h in _hits(text)]
        if hits:
            found[str(path.relative_to(ROOT))] = hits

    assert len(templates) > 50
    assert found == {}
