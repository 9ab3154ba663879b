"""CI starts each unit and integration test at an awkward instant (conftest.py): check the rotation.

CI runs the suite twice (SQLite with INTERLUDE_TEST_INSTANTS=0, PostgreSQL with 2), so every test
meets two of the four instants, and the four between them are all met by every pass.
"""

from __future__ import annotations

import os
from datetime import datetime

from django.utils import timezone

from conftest import AWKWARD_INSTANTS, REAL_CLOCK_TESTS, awkward_instant


def test_one_pass_meets_every_instant_and_a_second_pass_moves_each_test() -> None:
    ids = [f"interlude/x/tests/test_{n}.py::test_{n}" for n in range(40)]
    assert {awkward_instant(i, 0) for i in ids} == set(AWKWARD_INSTANTS)
    assert all(awkward_instant(i, 0) != awkward_instant(i, 2) for i in ids)
    # The same id always gets the same instant, so a failure can be repeated.
    assert awkward_instant(ids[0], 0) == awkward_instant(ids[0], 4)


def test_the_instants_are_the_documented_ones() -> None:
    assert AWKWARD_INSTANTS == (
        "2026-03-28T23:30:00+00:00",
        "2026-03-29T00:30:00+00:00",
        "2026-03-29T01:30:00+00:00",
        "2026-11-01T08:30:00+00:00",
    )
    assert "tests/e2e/" in REAL_CLOCK_TESTS


def test_this_test_started_at_its_instant(request) -> None:
    shift = os.environ.get("INTERLUDE_TEST_INSTANTS", "").strip()
    noted = [text for _when, key, text in request.node._report_sections if key == "instant"]
    if not shift or os.environ.get("INTERLUDE_TEST_NOW"):
        # Outside CI's passes nothing moves the clock per test.
        assert noted == []
        return
    assert noted == [f"this test started at {awkward_instant(request.node.nodeid, int(shift))}"]
    expected = datetime.fromisoformat(awkward_instant(request.node.nodeid, int(shift)))
    drift = (timezone.now() - expected).total_seconds()
    assert 0 <= drift < 60
