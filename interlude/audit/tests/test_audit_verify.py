"""`manage.py audit_verify` and `audit_checkpoint` against the real database (SR-32, ADR 0015).

To play an attacker with write access to the database file or server (but not the HMAC key, which
lives outside it, nor the checkpoint file shipped off the server), the tests switch off the
append-only triggers first (SQLite: drop it; PostgreSQL: disable them, as the table's owner can),
then edit, delete, insert, truncate, rehash and move the head. Each case runs on both databases.
"""

from __future__ import annotations

import gc
import hashlib
import importlib
import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from io import StringIO

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client as HttpClient

from interlude.audit.chain import GENESIS_HASH, event_hash, legacy_event_hash
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


@pytest.fixture
def checkpoint_file(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"
    return settings.AUDIT_CHECKPOINT_FILE


def _checkpoint() -> str:
    out = StringIO()
    call_command("audit_checkpoint", stdout=out)
    return out.getvalue()


def _broken() -> str:
    with pytest.raises(CommandError) as excinfo:
        _verify()
    return str(excinfo.value)


def _row_id(seq: int) -> int:
    return AuditEvent.objects.get(seq=seq).pk


def _fields(event: AuditEvent) -> dict:
    return {
        "seq": event.seq,
        "occurred_at": event.occurred_at,
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "outcome": event.outcome,
        "practice_id": event.practice_id,
        "client_id": event.client_id,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "request_id": event.request_id,
        "ip": event.ip,
        "detail": event.detail,
        "key_id": event.key_id,
    }


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
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
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
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")


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

    assert _broken() == (
        f"Audit chain broken at event 2 (row id {_row_id(2)}): event 2 was altered after it was "
        "written. 1 events before it are intact."
    )


def test_audit_verify_names_a_deleted_event(trigger_off):
    _events(4)
    AuditEvent.objects.filter(seq=3).delete()

    assert _broken() == (
        f"Audit chain broken at event 3: event 3 is missing (next stored event is 4, row id "
        f"{_row_id(4)}). 2 events before it are intact."
    )


def test_audit_verify_detects_an_event_rehashed_without_the_key_and_the_head_moved(trigger_off):
    """Edit event 2, recompute it and every later hash with plain SHA-256 (all one can do
    without the key), relink, and move the head to match: the MAC gives it away."""
    _events(4)
    prev = AuditEvent.objects.get(seq=1).hash
    for seq in (2, 3, 4):
        event = AuditEvent.objects.get(seq=seq)
        fields = _fields(event)
        if seq == 2:
            fields["actor_label"] = "nobody@example.org"
        digest = hashlib.sha256((prev + json.dumps(fields, default=str)).encode()).hexdigest()
        AuditEvent.objects.filter(seq=seq).update(
            actor_label=fields["actor_label"], prev_hash=prev, hash=digest
        )
        prev = digest
    AuditChainHead.objects.filter(pk=1).update(hash=prev)

    assert _broken() == (
        f"Audit chain broken at event 2 (row id {_row_id(2)}): event 2 was altered after it was "
        "written. 1 events before it are intact."
    )


def test_audit_verify_detects_events_rewritten_as_unkeyed_legacy_ones(trigger_off):
    """The downgrade: mark events as written before the keys existed and rehash them the old
    way. Unkeyed events are accepted only at the start of the chain."""
    _events(3)
    event = AuditEvent.objects.get(seq=3)
    fields = {**_fields(event), "actor_label": "nobody@example.org", "key_id": 0}
    digest = legacy_event_hash(prev_hash=event.prev_hash, fields=fields)
    AuditEvent.objects.filter(seq=3).update(actor_label="nobody@example.org", key_id=0, hash=digest)
    AuditChainHead.objects.filter(pk=1).update(hash=digest)

    assert _broken() == (
        f"Audit chain broken at event 3 (row id {_row_id(3)}): event 3 carries an unkeyed hash "
        "after keyed events. 2 events before it are intact."
    )


def test_audit_verify_detects_an_event_inserted_with_the_head_moved(trigger_off):
    """Insert an event past the end and move the head to it: a guessed key gives a wrong MAC."""
    last = _events(2)[-1]
    forged = {**_fields(last), "seq": 3, "actor_label": "forged", "key_id": last.key_id}
    digest = event_hash(prev_hash=last.hash, fields=forged, key=b"guessed key 32 bytes long......")
    AuditEvent.objects.create(prev_hash=last.hash, hash=digest, **forged)
    AuditChainHead.objects.filter(pk=1).update(seq=3, hash=digest)

    assert _broken() == (
        f"Audit chain broken at event 3 (row id {_row_id(3)}): event 3 was altered after it was "
        "written. 2 events before it are intact."
    )


def test_audit_verify_detects_an_event_inserted_behind_the_heads_back():
    last = _events(2)[-1]
    forged = {**_fields(last), "seq": 3, "actor_label": "forged"}
    AuditEvent.objects.create(prev_hash=last.hash, hash="f" * 64, **forged)

    assert _broken() == (
        f"Audit chain broken at event 3 (row id {_row_id(3)}): the chain head records 2 events "
        "but 3 are stored (event 3 and later were added outside the audit service). "
        "2 events before it are intact."
    )


def test_audit_verify_detects_a_truncated_tail(trigger_off):
    _events(4)
    AuditEvent.objects.filter(seq__gte=3).delete()

    assert _broken() == (
        "Audit chain broken at event 3: the chain head records 4 events but 2 are stored "
        "(events were removed from the end). 2 events before it are intact."
    )


def test_audit_verify_detects_a_relinked_event(trigger_off):
    _events(3)
    AuditEvent.objects.filter(seq=3).update(prev_hash="f" * 64)

    assert _broken() == (
        f"Audit chain broken at event 3 (row id {_row_id(3)}): event 3 does not link to event 2. "
        "2 events before it are intact."
    )


def test_audit_verify_detects_a_rewound_head(trigger_off):
    events = _events(3)
    AuditChainHead.objects.filter(pk=1).update(seq=3, hash=events[1].hash)

    assert _broken() == (
        f"Audit chain broken at event 3 (row id {_row_id(3)}): the chain head does not match "
        "the last event. 3 events before it are intact."
    )


# --- against the signed checkpoint: truncation and a moved head ----------------------------------
@time_machine.travel(datetime(2026, 11, 26, 9, 30, tzinfo=UTC), tick=False)
def test_audit_checkpoint_writes_one_signed_line_and_audit_verify_matches_it(checkpoint_file):
    events = _events(3)

    assert _checkpoint() == "Checkpoint written at event 3.\n"
    line = json.loads(checkpoint_file.read_text())
    assert {k: line[k] for k in ("seq", "hash", "time", "key_id")} == {
        "seq": 3,
        "hash": events[-1].hash,
        "time": "2026-11-26T09:30:00+00:00",
        "key_id": max(django_settings.AUDIT_HMAC_KEYS),
    }
    assert oct(checkpoint_file.stat().st_mode & 0o777) == "0o600"
    _events(1)
    assert _checkpoint() == "Checkpoint written at event 4.\n"
    assert len(checkpoint_file.read_text().splitlines()) == 2
    assert _verify() == (
        "Audit chain intact: 4 events verified; the latest of 2 signed checkpoints "
        "(event 4, 2026-11-26T09:30:00+00:00) matches.\n"
    )


@time_machine.travel(datetime(2026, 11, 26, 9, 30, tzinfo=UTC), tick=False)
def test_audit_verify_detects_a_truncated_table_against_the_checkpoint(
    checkpoint_file, trigger_off
):
    _events(4)
    _checkpoint()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks on the table
        # TRUNCATE where the database has it (its trigger is off), DELETE on SQLite.
        cursor.execute(
            "TRUNCATE audit_auditevent"
            if connection.vendor == "postgresql"
            else "DELETE FROM audit_auditevent"
        )
    AuditChainHead.objects.filter(pk=1).update(seq=0, hash=GENESIS_HASH)

    assert AuditEvent.objects.count() == 0
    assert _broken() == (
        "Audit chain broken at event 1: the signed checkpoint of 2026-11-26T09:30:00+00:00 "
        "records 4 events but only 0 are stored (events were removed from the end). "
        "0 events before it are intact."
    )


@time_machine.travel(datetime(2026, 11, 26, 9, 30, tzinfo=UTC), tick=False)
def test_audit_verify_detects_a_cut_tail_with_the_head_moved_back(checkpoint_file, trigger_off):
    events = _events(5)
    _checkpoint()
    AuditEvent.objects.filter(seq__gte=3).delete()
    AuditChainHead.objects.filter(pk=1).update(seq=2, hash=events[1].hash)

    assert _broken() == (
        "Audit chain broken at event 3: the signed checkpoint of 2026-11-26T09:30:00+00:00 "
        "records 5 events but only 2 are stored (events were removed from the end). "
        "2 events before it are intact."
    )


def test_audit_checkpoint_refuses_to_sign_a_broken_chain(checkpoint_file, trigger_off):
    _events(2)
    _checkpoint()
    _events(2)
    AuditEvent.objects.filter(seq=4).update(actor_label="nobody@example.org")

    with pytest.raises(CommandError) as excinfo:
        _checkpoint()

    assert str(excinfo.value) == (
        f"No checkpoint written: Audit chain broken at event 4 (row id {_row_id(4)}): event 4 "
        "was altered after it was written."
    )
    assert len(checkpoint_file.read_text().splitlines()) == 1


def test_audit_checkpoint_refuses_a_head_moved_behind_the_last_checkpoint(
    checkpoint_file, trigger_off
):
    events = _events(3)
    _checkpoint()
    AuditEvent.objects.filter(seq=3).delete()
    AuditChainHead.objects.filter(pk=1).update(seq=2, hash=events[1].hash)

    with pytest.raises(CommandError) as excinfo:
        _checkpoint()

    assert "the chain head records 2 events but the signed checkpoint of" in str(excinfo.value)
    assert len(checkpoint_file.read_text().splitlines()) == 1


def test_audit_verify_refuses_a_forged_checkpoint_file(checkpoint_file):
    _events(2)
    _checkpoint()
    text = checkpoint_file.read_text()
    checkpoint_file.write_text(text.replace('"seq":2', '"seq":1'))

    assert _broken() == (
        f"Audit checkpoints at {checkpoint_file} cannot be trusted: checkpoint line 1 has a "
        "signature that does not match (forged or altered)."
    )


def test_audit_verify_reads_a_shipped_syslog_copy_given_on_the_command_line(
    checkpoint_file, tmp_path
):
    _events(2)
    _checkpoint()
    shipped = tmp_path / "syslog"
    shipped.write_text(
        "Nov 26 09:30:00 host sshd[7]: unrelated\n"
        f"Nov 26 09:30:01 host interlude: interlude-audit-checkpoint: {checkpoint_file.read_text()}"
    )
    checkpoint_file.unlink()
    out = StringIO()

    call_command("audit_verify", "--checkpoints", str(shipped), stdout=out)

    assert out.getvalue().startswith("Audit chain intact: 2 events verified; the latest of 1 ")


def test_audit_checkpoint_sends_the_same_line_to_syslog(checkpoint_file, settings):
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(5)
    settings.AUDIT_SYSLOG_ADDRESS = f"udp://127.0.0.1:{receiver.getsockname()[1]}"
    _events(1)
    try:
        _checkpoint()
        datagram = receiver.recv(4096).decode()
    finally:
        receiver.close()

    line = checkpoint_file.read_text().strip()
    # <86>: facility authpriv (10) * 8 + severity info (6).
    assert datagram == f"<86>interlude-audit-checkpoint: {line}\x00"


def test_audit_verify_without_a_checkpoint_says_what_it_cannot_see():
    _events(1)
    out, err = StringIO(), StringIO()

    call_command("audit_verify", stdout=out, stderr=err)

    assert out.getvalue() == "Audit chain intact: 1 event verified.\n"
    assert "No signed checkpoint at " in err.getvalue()
