"""Fixtures shared by every test suite.

`INTERLUDE_TEST_NOW` (an ISO 8601 instant with a zone, e.g. `2026-03-28T23:30:00+00:00`) starts the
whole session at that instant, with the clock ticking from there. CI runs the date-sensitive suites
under instants on both sides of UTC midnight and on daylight-saving days, so a test that reads the
wall clock where it should set "now" fails in CI rather than at some hours of the day.

`INTERLUDE_TEST_INSTANTS=<n>` (what CI sets) instead starts each test at one of `AWKWARD_INSTANTS`,
chosen from its id and shifted by n, so one pass of the suite covers every instant and a second
pass with another n puts each test at a second one. Browser and worker tests keep the real clock:
Chromium and the worker processes read their own.
"""

from __future__ import annotations

import os
import time
import zlib
from datetime import datetime

import pytest

from tests.factories import clinician_with_client

_TRAVELLER = None

# Both sides of UTC midnight (a day ahead in Auckland, a day behind in Los Angeles), the European
# daylight-saving change (29 March 2026, 01:00 UTC) and the US one (1 November 2026, 09:00 UTC).
AWKWARD_INSTANTS = (
    "2026-03-28T23:30:00+00:00",
    "2026-03-29T00:30:00+00:00",
    "2026-03-29T01:30:00+00:00",
    "2026-11-01T08:30:00+00:00",
)
# Tests whose other processes (Chromium, task workers) read the real clock.
REAL_CLOCK_TESTS = (
    "tests/e2e/",
    "tests/test_workers.py",
    "tests/test_reminder_workers.py",
    "tests/test_import_worker_kill.py",
)


def awkward_instant(nodeid: str, shift: int) -> str:
    """The instant a test starts at under INTERLUDE_TEST_INSTANTS=shift (stable across runs)."""
    return AWKWARD_INSTANTS[(zlib.crc32(nodeid.encode()) + shift) % len(AWKWARD_INSTANTS)]


def _test_now() -> datetime | None:
    raw = os.environ.get("INTERLUDE_TEST_NOW", "").strip()
    if not raw:
        return None
    try:
        instant = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise pytest.UsageError(f"INTERLUDE_TEST_NOW is not an ISO 8601 instant: {raw!r}") from exc
    if instant.tzinfo is None:
        raise pytest.UsageError(
            f"INTERLUDE_TEST_NOW needs a zone (e.g. {raw}+00:00), or it would mean the machine's"
        )
    return instant


def pytest_configure(config: pytest.Config) -> None:
    global _TRAVELLER
    instant = _test_now()
    if instant is not None and _TRAVELLER is None:
        import time_machine

        _TRAVELLER = time_machine.travel(instant, tick=True)
        _TRAVELLER.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    global _TRAVELLER
    if _TRAVELLER is not None:
        _TRAVELLER.stop()
        _TRAVELLER = None


def pytest_report_header(config: pytest.Config) -> str | None:
    instant = _test_now()
    shift = os.environ.get("INTERLUDE_TEST_INSTANTS", "").strip()
    if instant is None and shift:
        count = len(AWKWARD_INSTANTS)
        return f"interlude: each test starts at one of {count} instants (shift {shift})"
    if instant is None:
        return None
    tz = os.environ.get("TZ", "")
    return f"interlude: session starts at {instant.isoformat()} (INTERLUDE_TEST_NOW), TZ={tz}"


@pytest.fixture(autouse=True, scope="session")
def _flush_past_the_audit_truncate_trigger():
    """PostgreSQL refuses TRUNCATE of audit events (audit migration 0004), and Django flushes the
    database between transactional tests with TRUNCATE. The test role (a superuser, like the
    owner who could drop the trigger anyway) skips triggers for that one flush transaction."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        if "audit_auditevent" in tables:
            return ["SET LOCAL session_replication_role = replica;", *statements]
        return statements

    def execute_sql_flush(self, sql_list):
        # A browser test's live server may still be answering a last request (an htmx poll) while
        # the flush takes its exclusive locks; PostgreSQL then breaks the deadlock by aborting one
        # side. If that is the flush, try again once the request has finished.
        from django.db import OperationalError

        for attempt in range(3):
            try:
                return original_execute(self, sql_list)
            except OperationalError as exc:
                if "deadlock detected" not in str(exc) or attempt == 2:
                    raise
                time.sleep(0.5)
        return None

    original_execute = DatabaseOperations.execute_sql_flush
    DatabaseOperations.sql_flush = sql_flush
    DatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    DatabaseOperations.sql_flush = original
    DatabaseOperations.execute_sql_flush = original_execute


@pytest.fixture(autouse=True)
def _start_at_an_awkward_instant(request):
    raw = os.environ.get("INTERLUDE_TEST_INSTANTS", "").strip()
    nodeid = request.node.nodeid
    if not raw or _TRAVELLER is not None or nodeid.startswith(REAL_CLOCK_TESTS):
        yield
        return
    try:
        shift = int(raw)
    except ValueError as exc:
        raise pytest.UsageError(f"INTERLUDE_TEST_INSTANTS is not a whole number: {raw!r}") from exc
    import time_machine

    instant = awkward_instant(nodeid, shift)
    # Shown with a failure, so it can be repeated with INTERLUDE_TEST_NOW=<instant>.
    request.node.add_report_section("setup", "instant", f"this test started at {instant}")
    with time_machine.travel(datetime.fromisoformat(instant), tick=True):
        yield


@pytest.fixture(autouse=True)
def _clean_cache():
    """Rate limits, allauth state and data keys live in caches; each test starts with empty ones."""
    from django.core.cache import cache

    from interlude.core.data_keys import cache_clear

    cache.clear()
    # Unwrapped data keys are remembered per process; a test database rolled back may hand the
    # next test the same client id with no key row behind it.
    cache_clear()
    yield
    cache.clear()
    cache_clear()


@pytest.fixture
def care_pair(db):
    """(membership, client): a clinician with one client on their care team."""
    return clinician_with_client()
