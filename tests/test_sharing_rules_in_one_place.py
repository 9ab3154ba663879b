"""Every privacy rule is written once, beside the gate (`interlude/consents/`): no selector, view,
API, panel or insights module elsewhere mentions a sharing flag.

What counts as a mention, found with `ast` (comments and docstrings do not count):
- reading an attribute named like a flag: `checkin.note_shared`, `entry.shared_at`,
  `access.categories`, `privacy.hidden_from`;
- a keyword argument or a Django lookup that names one: `.filter(note_shared=True)`,
  `Q(shared_at__isnull=False)`, `.exclude(client__privacy__consent_status="withdrawn")`;
- a string that names one as a field or lookup: `.only("note_shared")`, `.order_by("-shared_at")`,
  `F("shared_at")`, `row["shared_at"]`, `getattr(x, "modules_off")`.
A schema field declaration (`note_shared: bool` in a ninja schema) is not a read, and a longer
name that merely contains a flag (`"journal_latest_shared_at"`) is not a mention.

A selector asks the `CareAccess` instead: `can_see`, `not_shared`, `scope`, `shows`, `module_on`,
`hidden_categories`. Services are not scanned: they write the flags when the client makes a
choice. The short ALLOWED list names the places that show the client their own choice, where
reading a flag decides nobody's view.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "interlude"

# note_shared, shared_at: a check-in note's and a journal entry's own switch (consents.rules
# ITEM_RULES). categories, hidden_from, consent_status, modules_off: the client's ClientPrivacy
# row, and the matching fields of the CareAccess the gate returns.
FLAGS = frozenset(
    {"note_shared", "shared_at", "hidden_from", "categories", "consent_status", "modules_off"}
)

# (path under interlude/, flag): why reading it there decides nobody's view.
ALLOWED: dict[tuple[str, str], str] = {
    ("tracking/views_checkin.py", "note_shared"): (
        "the client's own check-in form shows and saves their note's switch"
    ),
    ("tracking/api.py", "note_shared"): (
        "the client's own check-in API (access_own_client) takes and returns their note's switch"
    ),
    ("exercises/views_worksheets.py", "shared_at"): (
        "the client's own journal page says whether the entry they just saved is shared"
    ),
    ("exercises/api_worksheets.py", "shared_at"): (
        "the client's own journal API (access_own_client) returns whether each entry is shared"
    ),
    ("rights/selectors.py", "note_shared"): (
        "the client's own export states, check-in by check-in, what they chose to share"
    ),
    ("rights/selectors.py", "shared_at"): (
        "the client's own export states, entry by entry, what they chose to share and when"
    ),
    ("rights/selectors.py", "categories"): (
        "the client's own export lists their own sharing switches, as their Sharing page does"
    ),
    ("insights/services.py", "categories"): (
        "ReportJob.categories records what the gate's CareAccess let the clinician see when "
        "the PDF was built (report_categories_seen asks the CareAccess), to refuse it if "
        "sharing shrinks"
    ),
}

_FIELD_PATH = re.compile(r"^-?[a-z][a-z0-9_]*(?:__[a-z0-9_]+)*$")


def _scanned_files() -> list[Path]:
    """Selectors, views, API modules and panels of every app, and all of insights, outside the
    gate's own app."""
    files = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        parts = rel.parts
        if parts[0] == "consents" or "tests" in parts or "migrations" in parts:
            continue
        name = path.stem
        if (
            name.startswith(("selectors", "views", "api"))
            or name.endswith("_selectors")
            or name == "panels"
            or "views" in parts[:-1]
            or parts[0] == "insights"
        ):
            files.append(path)
    return files


def _flags_in_path(text: str) -> set[str]:
    """The flags a field name or lookup path names: "client__privacy__categories" -> categories."""
    if not _FIELD_PATH.match(text):
        return set()
    return set(text.lstrip("-").split("__")) & FLAGS


def find_mentions(source: str) -> list[tuple[int, str, str]]:
    """(line, flag, how) for every mention of a flag in one module's source."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in FLAGS:
            found.append((node.lineno, node.attr, f"reads .{node.attr}"))
        elif isinstance(node, ast.keyword) and node.arg:
            for flag in sorted(_flags_in_path(node.arg)):
                found.append((node.lineno, flag, f"keyword {node.arg}="))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            for flag in sorted(_flags_in_path(node.value)):
                found.append((node.lineno, flag, f"string {node.value!r}"))
    return sorted(found)


def test_the_scanner_finds_reads_lookups_and_field_names_but_not_declarations():
    source = '''
"""A docstring may say note_shared."""
from ninja import Schema

class CheckInOut(Schema):
    note_shared: bool = False

def notes(checkins, access, entries):
    visible = [c for c in checkins if c.note_shared]
    entries.filter(shared_at__isnull=False).only("title", "shared_at")
    entries.exclude(client__privacy__consent_status="withdrawn").order_by("-shared_at")
    summary = {"journal_latest_shared_at": None}
    return visible, access.categories, summary
'''

    assert find_mentions(source) == [
        (9, "note_shared", "reads .note_shared"),
        (10, "shared_at", "keyword shared_at__isnull="),
        (10, "shared_at", "string 'shared_at'"),
        (11, "consent_status", "keyword client__privacy__consent_status="),
        (11, "shared_at", "string '-shared_at'"),
        (13, "categories", "reads .categories"),
    ]


def test_no_selector_view_or_panel_outside_the_gate_mentions_a_sharing_flag():
    files = _scanned_files()
    offenders = []
    used_allowances = set()
    for path in files:
        rel = path.relative_to(PACKAGE).as_posix()
        for line, flag, how in find_mentions(path.read_text()):
            if (rel, flag) in ALLOWED:
                used_allowances.add((rel, flag))
                continue
            offenders.append(f"interlude/{rel}:{line}: {flag} ({how})")
    print(f"scanned {len(files)} modules; {len(offenders)} mentions outside the gate")
    for offender in offenders:
        print("  " + offender)

    assert offenders == [], (
        "Ask the CareAccess (can_see, not_shared, scope, shows, module_on) instead, or write the "
        "rule in interlude/consents/rules.py:\n" + "\n".join(offenders)
    )
    stale = sorted(set(ALLOWED) - used_allowances)
    assert stale == [], f"Allowed mentions that no longer exist (remove them): {stale}"
