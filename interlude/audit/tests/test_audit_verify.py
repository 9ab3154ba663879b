"""`python manage.py audit_verify` against the real database (SR-32).

To play an attacker with write access to the database file or server, the tests switch off the
append-only trigger first (SQLite: drop it; PostgreSQL: disable it), then edit or delete rows.
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client as HttpClient

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditChainHead, AuditEvent
from interlude.audit.services import event_login, event_logout
from interlude.core.context import RequestContext, reset_request_context, set_request_context
from tests.factories import UserFactory, clinician_with_client

pytestmark = pytest.mark.django_db

append_only = importlib.import_module("interlude.audit.migrations.0002_append_only")


def _verify() -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def _events(n: int) -> list[AuditEvent]:
    user = UserFactory()
    return [event_login(user=user) if i % 2 == 0 else event_logout(user=user) for i in range(n)]


@pytest.fixture
def trigger_off() -> Iterator[None]:
    """Switch the append-only trigger off, as someone with raw database access could."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_event_no_update")
        elif connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        else:  # pragma: no cover - the suite runs on these two only
            pytest.fail(f"no tamper recipe for {connection.vendor}")
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                append_only.SQLITE_FORWARD.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS")
            )
        else:
            # The command's server-side cursor (left open where it stopped) and deferred
            # foreign-key checks must both be gone before the table can be altered again.
            gc.collect()
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")


def test_audit_verify_passes_on_an_intact_chain_and_reports_the_count():
    _events(3)

    assert _verify() == "Audit chain intact: 3 events verified.\n"


def test_audit_verify_passes_on_an_empty_chain():
    assert AuditEvent.objects.count() == 0

    assert _verify() == "Audit chain intact: 0 events verified.\n"


def test_audit_verify_passes_on_events_written_by_real_requests():
    """Round trip through the database (datetimes, JSON, IP, request id) keeps hashes valid."""
    membership, client = clinician_with_client()
    http = HttpClient(REMOTE_ADDR="198.51.100.23")
    http.force_login(membership.user)
    assert http.get("/clinic/", HTTP_X_REQUEST_ID="abc123").status_code == 200
    assert http.get(f"/clinic/clients/{client.public_id}/").status_code == 200
    assert http.get(f"/api/v1/clients/{client.public_id}").status_code == 200
    assert http.get("/clinic/clients/00000000-0000-0000-0000-000000000000/").status_code == 404

    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions == [
        AuditAction.LOGIN,
        AuditAction.CASELOAD_VIEWED,
        AuditAction.CLIENT_RECORD_VIEWED,
        AuditAction.CLIENT_RECORD_VIEWED,
        AuditAction.CLIENT_ACCESS_DENIED,
    ]
    assert AuditEvent.objects.get(action=AuditAction.CASELOAD_VIEWED).request_id == "abc123"
    assert _verify() == "Audit chain intact: 5 events verified.\n"


@pytest.mark.parametrize(
    ("ip", "stored"),
    [
        ("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ("192.0.2.44", "192.0.2.44"),
    ],
)
def test_audit_verify_passes_whatever_spelling_of_the_client_ip_was_recorded(ip, stored):
    token = set_request_context(RequestContext(request_id="r1", ip=ip))
    try:
        _events(2)
    finally:
        reset_request_context(token)

    assert list(AuditEvent.objects.values_list("ip", flat=True)) == [stored, stored]
    assert _verify() == "Audit chain intact: 2 events verified.\n"


def test_orm_update_of_an_audit_event_is_refused_while_the_trigger_is_on():
    _events(2)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=2).update(actor_label="nobody@example.org")

    assert AuditEvent.objects.get(seq=2).actor_label != "nobody@example.org"
    assert _verify() == "Audit chain intact: 2 events verified.\n"


def test_audit_verify_names_the_first_edited_event(trigger_off):
    _events(4)
    AuditEvent.objects.filter(seq=2).update(actor_label="nobody@example.org")
    AuditEvent.objects.filter(seq=3).update(request_id="rewritten")

    with pytest.raises(CommandError) as excinfo:
        _verify()

    assert str(excinfo.value) == (
        "Audit chain broken at event 2: event 2 was altered after it was written. "
        "1 events before it are intact."
    )


def test_audit_verify_names_a_deleted_event(trigger_off):
    _events(4)
    AuditEvent.objects.filter(seq=3).delete()

    with pytest.raises(CommandError) as excinfo:
        _verify()

    assert str(excinfo.value) == (
        "Audit chain broken at event 3: event 3 is missing (next stored event is 4). "
        "2 events before it are intact."
    )


def test_audit_verify_detects_a_truncated_tail(trigger_off):
    _events(4)
    AuditEvent.objects.filter(seq__gte=3).delete()

    with pytest.raises(CommandError) as excinfo:
        _verify()

    assert str(excinfo.value) == (
        "Audit chain broken at event 3: the chain head records 4 events but 2 are stored "
        "(events were removed from the end). 2 events before it are intact."
    )


def test_audit_verify_detects_a_relinked_event(trigger_off):
    _events(3)
    AuditEvent.objects.filter(seq=3).update(prev_hash="f" * 64)

    with pytest.raises(CommandError) as excinfo:
        _verify()

    assert str(excinfo.value) == (
        "Audit chain broken at event 3: event 3 does not link to event 2. "
        "2 events before it are intact."
    )


def test_audit_verify_detects_an_event_inserted_behind_the_heads_back():
    from interlude.audit.chain import event_hash

    _events(2)
    last = AuditEvent.objects.get(seq=2)
    forged = {
        "seq": 3,
        "occurred_at": last.occurred_at,
        "actor_id": None,
        "actor_label": "forged",
        "action": str(AuditAction.LOGIN),
        "outcome": "success",
        "practice_id": None,
        "client_id": None,
        "object_type": "",
        "object_id": "",
        "request_id": "",
        "ip": None,
        "detail": {},
    }
    AuditEvent.objects.create(
        prev_hash=last.hash, hash=event_hash(prev_hash=last.hash, fields=forged), **forged
    )

    with pytest.raises(CommandError) as excinfo:
        _verify()

    assert str(excinfo.value) == (
        "Audit chain broken at event 3: the chain head records 2 events but 3 are stored "
        "(event 3 and later were added outside the audit service). 2 events before it are intact."
    )


def test_audit_verify_detects_a_rewound_head(trigger_off):
    events = _events(3)
    AuditChainHead.objects.filter(pk=1).update(seq=3, hash=events[1].hash)

    with pytest.raises(CommandError) as excinfo:
        _verify()

    assert str(excinfo.value) == (
        "Audit chain broken at event 3: the chain head does not match the last event. "
        "3 events before it are intact."
    )
