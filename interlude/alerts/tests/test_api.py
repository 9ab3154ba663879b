"""/api/v1/alerts and /api/v1/alerts/{id}/acknowledge: a clinician's open alerts, via the gate."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from interlude.alerts.models import Alert, AlertKind, AlertStatus, Severity
from interlude.alerts.services import alert_raise, alert_resolve
from interlude.audit.enums import AuditAction, AuditOutcome
from interlude.audit.models import AuditEvent
from interlude.practices.enums import Role
from tests.factories import (
    CareTeamMemberFactory,
    ClientFactory,
    MembershipFactory,
    UserFactory,
    clinician_with_client,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/alerts"
RAISED = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _ack(http: HttpClient, alert_id, body: dict):
    return http.post(
        f"{URL}/{alert_id}/acknowledge", data=json.dumps(body), content_type="application/json"
    )


def _raise(client, kind=AlertKind.CRITICAL_ITEM, severity=Severity.CRITICAL, key="k", reason=""):
    with time_machine.travel(RAISED, tick=False):
        alert, _ = alert_raise(
            client=client,
            kind=kind,
            severity=severity,
            reason=reason or "PHQ-9 item 9 answered \u201cSeveral days\u201d (1).",
            dedupe_key=key,
            actor=client.user,
            instrument_code="phq9",
        )
    return alert


def _last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


@pytest.fixture
def pair():
    return clinician_with_client()


def test_the_inbox_lists_open_alerts_on_my_clients_with_exact_fields(pair):
    membership, client = pair
    alert = _raise(client)
    http = _as(membership.user)
    mark = _last_seq()

    response = http.get(URL)

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": str(alert.public_id),
            "client_id": str(client.public_id),
            "kind": "critical_item",
            "severity": "critical",
            "reason": "PHQ-9 item 9 answered \u201cSeveral days\u201d (1).",
            "status": "open",
            "created_at": "2026-03-02T15:00:00Z",
            "acknowledged_at": None,
            "acknowledged_by": None,
            "escalated_at": None,
            "handed_to": None,
            "handed_over_at": None,
            "reached_via": "care_team",
        }
    ]
    event = AuditEvent.objects.get(seq__gt=mark)
    assert (event.action, event.actor_id, event.practice_id, event.detail) == (
        AuditAction.ALERTS_VIEWED,
        membership.user.pk,
        membership.practice_id,
        {"alerts": 1},
    )


def test_the_inbox_is_most_severe_first_and_leaves_out_resolved_and_other_clinicians_alerts(pair):
    membership, client = pair
    medium = _raise(client, AlertKind.NOT_ON_TRACK, Severity.MEDIUM, "m", "At risk.")
    critical = _raise(client, key="c")
    resolved = _raise(client, AlertKind.MOOD_DROP, Severity.HIGH, "r", "Mood dropped.")
    alert_resolve(actor=membership.user, alert=resolved, note="Talked it through.")
    # A colleague's client in the same practice, and a client of another practice.
    colleague = MembershipFactory(practice=membership.practice, user=UserFactory(mfa_exempt=True))
    not_mine = ClientFactory(practice=membership.practice, user=UserFactory())
    CareTeamMemberFactory(client=not_mine, membership=colleague)
    _raise(not_mine, key="x")
    _, elsewhere = clinician_with_client()
    _raise(elsewhere, key="y")

    body = _as(membership.user).get(URL).json()

    assert [a["id"] for a in body] == [str(critical.public_id), str(medium.public_id)]


def test_the_inbox_uses_the_same_queries_for_3_and_30_alerts(pair):
    membership, client = pair
    http = _as(membership.user)
    http.get(URL)  # the first request after sign-in also records the session

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert http.get(URL).status_code == 200
        return len(ctx.captured_queries)

    for n in range(3):
        _raise(client, key=f"a{n}")
    small = count_queries()
    others = [ClientFactory(practice=membership.practice, user=UserFactory()) for _ in range(3)]
    for other in others:
        CareTeamMemberFactory(client=other, membership=membership)
    for n in range(27):
        alert = _raise(others[n % 3], AlertKind.MOOD_DROP, Severity.HIGH, f"b{n}", "Mood.")
        if n % 2:
            alert.status = AlertStatus.ACKNOWLEDGED
            alert.acknowledged_by = membership.user
            alert.save()
    large = count_queries()

    assert small == large


def test_a_client_or_a_practice_admin_gets_404_from_the_inbox(pair):
    membership, client = pair
    admin = MembershipFactory(
        practice=membership.practice, role=Role.ADMIN, user=UserFactory(mfa_exempt=True)
    )
    _raise(client)

    assert _as(client.user).get(URL).status_code == 404
    assert _as(admin.user).get(URL).status_code == 404
    assert _as(UserFactory()).get(URL).status_code == 404
    assert HttpClient().get(URL).status_code == 401
    assert not AuditEvent.objects.filter(action=AuditAction.ALERTS_VIEWED).exists()


def test_a_clinician_without_a_second_factor_gets_a_json_403():
    membership, client = clinician_with_client(mfa_exempt=False)
    alert = _raise(client)
    http = _as(membership.user)

    for response in (http.get(URL), _ack(http, alert.public_id, {"note": "Called."})):
        assert response.status_code == 403
        assert response.json() == {
            "detail": "Two-step verification must be set up before reading client data."
        }
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_acknowledging_with_a_note_answers_with_the_alert_and_audits_each_step(pair):
    membership, client = pair
    membership.user.full_name = "Dr. Alex Rivera"
    membership.user.save()
    alert = _raise(client)
    http = _as(membership.user)
    mark = _last_seq()

    with time_machine.travel(datetime(2026, 3, 2, 15, 20, tzinfo=UTC), tick=False):
        response = _ack(http, alert.public_id, {"note": "  Called; safety plan reviewed.  "})

    assert response.status_code == 200
    assert response.json() == {
        "id": str(alert.public_id),
        "client_id": str(client.public_id),
        "kind": "critical_item",
        "severity": "critical",
        "reason": "PHQ-9 item 9 answered \u201cSeveral days\u201d (1).",
        "status": "acknowledged",
        "created_at": "2026-03-02T15:00:00Z",
        "acknowledged_at": "2026-03-02T15:20:00Z",
        "acknowledged_by": "Dr. Alex Rivera",
        "escalated_at": None,
        "handed_to": None,
        "handed_over_at": None,
        "reached_via": "care_team",
    }
    alert.refresh_from_db()
    assert alert.acknowledge_note == "Called; safety plan reviewed."
    assert alert.acknowledged_by_id == membership.user.pk
    events = list(
        AuditEvent.objects.filter(seq__gt=mark)
        .order_by("seq")
        .values_list("action", "actor_id", "client_id", "object_type", "object_id", "detail")
    )
    assert events == [
        (
            AuditAction.CLIENT_RECORD_VIEWED,
            membership.user.pk,
            client.pk,
            "alert",
            str(alert.public_id),
            {"scope": "measures"},
        ),
        (
            AuditAction.ALERT_ACKNOWLEDGED,
            membership.user.pk,
            client.pk,
            "alert",
            str(alert.public_id),
            {"kind": "critical_item", "severity": "critical"},
        ),
    ]
    assert "safety plan" not in json.dumps([e[-1] for e in events])


@pytest.mark.parametrize("body", [{"note": ""}, {"note": "   "}, {}])
def test_an_empty_note_is_a_422_naming_the_note_and_changes_nothing(pair, body):
    membership, client = pair
    alert = _raise(client)

    response = _ack(_as(membership.user), alert.public_id, body)

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "payload", "note"],
                "msg": "Write a short note saying what you did or will do, e.g. 'Called, safety "
                "plan reviewed, session moved to Thursday.'",
                "type": "value_error",
            }
        ]
    }
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledge_note) == (AlertStatus.OPEN, None)
    assert not AuditEvent.objects.filter(action=AuditAction.ALERT_ACKNOWLEDGED).exists()


def test_acknowledging_twice_is_a_422_and_keeps_the_first_note(pair):
    membership, client = pair
    alert = _raise(client)
    http = _as(membership.user)
    _ack(http, alert.public_id, {"note": "First."})

    response = _ack(http, alert.public_id, {"note": "Second."})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "payload", "note"]
    alert.refresh_from_db()
    assert alert.acknowledge_note == "First."


def test_someone_elses_alert_is_a_404_and_the_refusal_is_audited(pair):
    membership, _ = pair
    _, elsewhere = clinician_with_client()
    alert = _raise(elsewhere)

    response = _ack(_as(membership.user), alert.public_id, {"note": "Called."})

    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    denied = AuditEvent.objects.get(action=AuditAction.CLIENT_ACCESS_DENIED)
    assert (denied.actor_id, denied.client_id, denied.outcome) == (
        membership.user.pk,
        elsewhere.pk,
        AuditOutcome.DENIED,
    )


def test_a_client_cannot_acknowledge_their_own_alert(pair):
    _, client = pair
    alert = _raise(client)

    response = _ack(_as(client.user), alert.public_id, {"note": "I'm fine."})

    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_an_unknown_alert_id_is_a_404(pair):
    membership, _ = pair
    http = _as(membership.user)
    assert _ack(http, uuid.uuid4(), {"note": "Called."}).status_code == 404
    assert _ack(http, "not-a-uuid", {"note": "Called."}).status_code == 422
    assert Alert.objects.count() == 0
