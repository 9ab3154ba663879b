"""Audit events cannot be changed through the application's database connection (SR-31).

PostgreSQL (production) refuses UPDATE, DELETE and TRUNCATE with triggers. SQLite (the embedded
trial database) refuses UPDATE; DELETE stays possible there so the test database can be flushed, and
audit_verify catches it. Each database runs the assertions that describe its own behaviour.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.audit.services import event_login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

IS_SQLITE = connection.vendor == "sqlite"
IS_POSTGRES = connection.vendor == "postgresql"
sqlite_only = pytest.mark.skipif(not IS_SQLITE, reason="SQLite behaviour; runs on SQLite")
postgres_only = pytest.mark.skipif(not IS_POSTGRES, reason="PostgreSQL behaviour; runs on PG")

UPDATE_REFUSED = r"audit events are append-only \(UPDATE refused\)"
DELETE_REFUSED = r"audit events are append-only \(DELETE refused\)"


@pytest.fixture
def events() -> list[AuditEvent]:
    user = UserFactory()
    return [event_login(user=user) for _ in range(3)]


def _snapshot() -> list[tuple]:
    return list(AuditEvent.objects.order_by("seq").values_list("seq", "actor_label", "hash"))


@contextmanager
def _refused(pattern: str) -> Iterator[None]:
    """Expect the database to refuse; the savepoint keeps the test's transaction usable."""
    with pytest.raises(DatabaseError, match=pattern), transaction.atomic():
        yield


def test_suite_runs_on_a_database_with_an_append_only_recipe():
    assert connection.vendor in {"sqlite", "postgresql"}


# --- both databases: UPDATE is refused -----------------------------------------------------------
def test_orm_queryset_update_of_audit_events_is_refused(events):
    before = _snapshot()

    with _refused(UPDATE_REFUSED):
        AuditEvent.objects.filter(seq=2).update(actor_label="nobody@example.org")

    assert _snapshot() == before


def test_orm_save_of_a_changed_audit_event_is_refused(events):
    before = _snapshot()
    event = AuditEvent.objects.get(seq=1)
    event.action = AuditAction.LOGOUT

    with _refused(UPDATE_REFUSED):
        event.save()

    assert _snapshot() == before


def test_raw_sql_update_of_audit_events_is_refused(events):
    before = _snapshot()

    with _refused(UPDATE_REFUSED), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET actor_label = 'x' WHERE seq = 1")

    assert _snapshot() == before


def test_bulk_update_of_every_audit_event_is_refused(events):
    before = _snapshot()

    with _refused(UPDATE_REFUSED):
        AuditEvent.objects.all().update(detail={"rewritten": True})

    assert _snapshot() == before


# --- PostgreSQL: DELETE is refused as well -------------------------------------------------------
@postgres_only
def test_postgres_orm_queryset_delete_of_audit_events_is_refused(events):
    before = _snapshot()

    with _refused(DELETE_REFUSED):
        AuditEvent.objects.filter(seq=2).delete()

    assert _snapshot() == before


@postgres_only
def test_postgres_orm_instance_delete_of_an_audit_event_is_refused(events):
    before = _snapshot()

    with _refused(DELETE_REFUSED):
        AuditEvent.objects.get(seq=3).delete()

    assert _snapshot() == before


@postgres_only
def test_postgres_raw_sql_delete_of_audit_events_is_refused(events):
    before = _snapshot()

    with _refused(DELETE_REFUSED), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")

    assert _snapshot() == before


@postgres_only
def test_postgres_trigger_guards_update_and_delete_for_each_row():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname, tgenabled, tgtype FROM pg_trigger "
            "WHERE tgrelid = 'audit_auditevent'::regclass AND NOT tgisinternal"
        )
        rows = cursor.fetchall()
    # tgtype bits: 1 ROW, 2 BEFORE, 8 DELETE, 16 UPDATE, 32 TRUNCATE. Row trigger: 1 + 2 + 8 + 16
    # = 27; the statement trigger for TRUNCATE: 2 + 32 = 34.
    assert sorted(rows) == [
        ("audit_event_append_only", "O", 27),
        ("audit_event_no_truncate", "O", 34),
    ]


@postgres_only
def test_postgres_truncate_of_audit_events_is_refused(events):
    before = _snapshot()

    with connection.cursor() as cursor:
        # The inserts' deferred foreign-key checks would block any TRUNCATE before the trigger.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with _refused(r"audit events are append-only \(TRUNCATE refused\)"), connection.cursor() as c:
        c.execute("TRUNCATE audit_auditevent")

    assert _snapshot() == before


# --- SQLite: DELETE is possible and shows up in audit_verify -------------------------------------
@sqlite_only
def test_sqlite_has_exactly_the_update_trigger_on_audit_events():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, tbl_name FROM sqlite_master "
            "WHERE type = 'trigger' AND tbl_name = 'audit_auditevent'"
        )
        rows = cursor.fetchall()

    assert rows == [("audit_event_no_update", "audit_auditevent")]


@sqlite_only
def test_sqlite_delete_of_an_audit_event_is_possible_but_detected(events):
    AuditEvent.objects.filter(seq=2).delete()

    assert [s for s, *_ in _snapshot()] == [1, 3]
    with pytest.raises(CommandError, match=r"^Audit chain broken at event 2: event 2 is missing"):
        call_command("audit_verify")
