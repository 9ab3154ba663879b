"""Fixtures shared by every test suite.

`INTERLUDE_TEST_NOW` (an ISO 8601 instant with a zone, e.g. `2026-03-28T23:30:00+00:00`) starts the
whole session at that instant, with the clock ticking from there. CI runs the date-sensitive suites
under instants on both sides of UTC midnight and on daylight-saving days, so a test that reads the
wall clock where it should set "now" fails in CI rather than at some hours of the day.
"""

from __future__ import annotations

import os
import time
from datetime import datetime

import pytest

from tests.factories import clinician_with_client

_TRAVELLER = None


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
