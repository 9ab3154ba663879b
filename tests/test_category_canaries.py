"""Each sharing category, switched off in turn, disappears from everything the care team can
open: every clinician page and every API route from the URL resolver, for one client whose record
holds a canary word in every category.

The client shares everything; then each switchable category is turned off (the client's own
Sharing switch, `sharing_update`) and every route is requested as the client's clinician. The
category's canary must appear nowhere, and every other category's canary must still appear
somewhere (so the test cannot pass by showing nothing). The PDF report is checked through the
HTML it is made from.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.test import Client as HttpClient

from interlude.consents import rules
from interlude.consents.sharing_services import sharing_update
from interlude.core.policy import Access
from interlude.insights import report
from interlude.practices.enums import ShareScope
from tests.client_data import ALWAYS_CANARY, CANARIES, seed_client_record
from tests.factories import clinician_with_client
from tests.routes import all_routes, api_methods, fill, methods_for

pytestmark = pytest.mark.django_db

# Categories no canary can be planted in yet, and why. A new switchable category must be added
# to CANARIES (tests/client_data.py) or here, or this test fails.
NO_CANARY: dict[ShareScope, str] = {}
# Routes that are not about a client's record: the API's own documentation and the practice's
# questionnaire definitions (a practice's own questionnaire, with its bands, is configuration).
NOT_CLIENT_DATA = {"api/v1/", "api/v1/docs", "api/v1/openapi.json", "api/v1/instruments"}


def _clinician_routes() -> list[str]:
    """Every route a clinician can open that may carry a client's data: the clinician pages and
    every GET of the API. (Client-only and practice-settings pages are refused to a clinician
    by their rule before any data is read; the authorisation matrix covers them.)"""
    api = api_methods()
    out = []
    for route in all_routes():
        if route.pattern in NOT_CLIENT_DATA:
            continue
        if route.rule == Access.CLINICIAN or (route.is_api and "GET" in methods_for(route, api)):
            out.append(route)
    return out


@pytest.fixture
def world(monkeypatch):
    membership, client = clinician_with_client()
    seeded = seed_client_record(client=client, clinician=membership)
    sharing_update(
        client=client, actor=client.user, categories={c.value: True for c in rules.SWITCHABLE}
    )
    # The PDF is checked through its HTML (text inside a PDF is compressed).
    html_of_pdfs: list[str] = []

    def spy(html: str, *, base_url: str) -> bytes:
        html_of_pdfs.append(html)
        return b"%PDF-1.7 (not rendered in this test)"

    monkeypatch.setattr(report, "pdf_render", spy)
    # A page that fails answers 500 (nothing shown) instead of stopping the walk; the failures
    # are listed by the tests below.
    http = HttpClient(raise_request_exception=False)
    http.force_login(membership.user)
    return membership, client, seeded, http, html_of_pdfs


def _bodies(world, errors: set[str] | None = None) -> dict[str, str]:
    """Every clinician-facing route for the client, as path -> what came back (pages that
    failed with a server error are added to `errors`)."""
    _, _, seeded, http, html_of_pdfs = world
    out = {}
    for route in _clinician_routes():
        path = fill(route, seeded.ids)
        html_of_pdfs.clear()
        response = http.get(path)
        if response.status_code >= 500 and errors is not None:
            errors.add(path)
        body = response.content.decode(errors="replace")
        out[path] = body + "".join(html_of_pdfs)
    return out


def _where(bodies: dict[str, str], word: str) -> list[str]:
    return sorted(path for path, body in bodies.items() if word in body)


def test_every_switchable_category_has_a_canary_or_a_reason():
    assert set(CANARIES) | set(NO_CANARY) == set(rules.SWITCHABLE)
    assert not set(CANARIES) & set(NO_CANARY)


def test_with_everything_shared_every_canary_reaches_the_care_team(world):
    errors: set[str] = set()
    bodies = _bodies(world, errors)

    missing = [c.value for c, word in CANARIES.items() if not _where(bodies, word)]

    assert len(bodies) > 20
    assert sorted(errors) == []
    assert missing == []
    assert _where(bodies, ALWAYS_CANARY)


def test_a_category_switched_off_leaves_no_trace_on_any_clinician_route(world):
    _, client, _, _, _ = world
    leaks: dict[str, list[str]] = defaultdict(list)
    vanished: dict[str, list[str]] = defaultdict(list)
    requests = 0
    errors: set[str] = set()
    for category in CANARIES:
        sharing_update(client=client, actor=client.user, categories={category.value: False})
        bodies = _bodies(world, errors)
        requests += len(bodies)
        for path in _where(bodies, CANARIES[category]):
            leaks[category.value].append(path)
        for other, word in CANARIES.items():
            if other is not category and not _where(bodies, word):
                vanished[category.value].append(other.value)
        if not _where(bodies, ALWAYS_CANARY):
            vanished[category.value].append("safety plan (never hidden)")
        sharing_update(client=client, actor=client.user, categories={category.value: True})

    report_lines = [
        f"{cat} off: its canary on {path}" for cat, paths in leaks.items() for path in paths
    ]
    print(f"requests {requests}, leaks {sum(len(p) for p in leaks.values())}")
    print("\n".join(report_lines))
    print("server errors (nothing shown, so not counted as leaks):", sorted(errors))
    assert dict(vanished) == {}, "other categories vanished too (the test would be vacuous)"
    assert dict(leaks) == {}, "\n".join(report_lines)
