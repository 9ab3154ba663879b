"""Alert services: acknowledge, resolve, notify, escalate, and the periodic sweep (overdue
questionnaires, no check-in with automatic resolution, sharp mood drop). Every step is audited;
emails say only that something needs attention."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from interlude.alerts.emails import SUBJECT, SUBJECT_ESCALATED
from interlude.alerts.models import Alert, AlertKind, AlertSettings, AlertStatus, Severity
from interlude.alerts.services import (
    alert_acknowledge,
    alert_notify_send,
    alert_raise,
    alert_resolve,
    alerts_escalate,
    alerts_sweep,
    alerts_sweep_checkins,
    alerts_sweep_overdue,
)
from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.core.clock import client_date, client_today
from interlude.core.errors import ApplicationError
from interlude.measures.models import DueStatus, Frequency, QuestionnaireDraft, QuestionnaireDue
from interlude.measures.selectors import instrument_definition_get
from interlude.measures.services import (
    questionnaire_draft_answer,
    questionnaire_draft_start,
    response_submit,
    schedule_create,
)
from interlude.practices.enums import Role
from interlude.tracking.services import CheckInValues, checkin_create
from tests.factories import MembershipFactory, UserFactory, clinician_with_client

pytestmark = pytest.mark.django_db

NOTE_REQUIRED = (
    "Write a short note saying what you did or will do, e.g. 'Called, safety plan reviewed, "
    "session moved to Thursday.'"
)


def _critical(client, key="risk") -> Alert:
    response, _ = response_submit(
        client=client,
        actor=client.user,
        instrument_code="phq9",
        answers=[2, 2, 2, 2, 2, 2, 2, 2, 1],
        idempotency_key=key,
    )
    return Alert.objects.get(response=response, kind=AlertKind.CRITICAL_ITEM)


def _low(client, key="low") -> Alert:
    alert, _ = alert_raise(
        client=client,
        kind=AlertKind.NO_CHECKIN,
        severity=Severity.LOW,
        reason="No check-in for 8 days.",
        dedupe_key=key,
        actor=client.user,
    )
    return alert


def _events(action: AuditAction) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def _assert_no_clinical_content(message, client) -> None:
    text = f"{message.subject}\n{message.body}"
    for secret in (client.full_name, client.email, "PHQ", "item 9", "score", "mood", "dead"):
        assert secret.lower() not in text.lower(), secret
    assert "/clinic/alerts/" in message.body


# --- acknowledge and resolve ----------------------------------------------------------------------
@pytest.mark.parametrize("note", ["", "   \n "])
def test_acknowledge_needs_a_note(note):
    membership, client = clinician_with_client()
    alert = _critical(client)
    with pytest.raises(ApplicationError) as exc:
        alert_acknowledge(actor=membership.user, alert=alert, note=note)
    assert (exc.value.field, exc.value.message) == ("note", NOTE_REQUIRED)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    assert _events(AuditAction.ALERT_ACKNOWLEDGED) == []


def test_a_note_over_2000_characters_is_refused():
    membership, client = clinician_with_client()
    alert = _low(client)
    with pytest.raises(ApplicationError) as exc:
        alert_acknowledge(actor=membership.user, alert=alert, note="x" * 2001)
    assert exc.value.message == "Keep the note under 2000 characters."
    alert_acknowledge(actor=membership.user, alert=alert, note="x" * 2000)


def test_acknowledge_records_who_when_and_the_note_and_is_audited_without_the_note():
    membership, client = clinician_with_client()
    alert = _critical(client)
    before = timezone.now()
    done = alert_acknowledge(actor=membership.user, alert=alert, note="  Called; plan reviewed. ")
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by_id, alert.acknowledge_note) == (
        AlertStatus.ACKNOWLEDGED,
        membership.user_id,
        "Called; plan reviewed.",
    )
    assert alert.acknowledged_at is not None and alert.acknowledged_at >= before
    assert done.pk == alert.pk
    [event] = _events(AuditAction.ALERT_ACKNOWLEDGED)
    assert (event.actor_id, event.client_id, event.object_type, event.object_id) == (
        membership.user_id,
        client.pk,
        "alert",
        str(alert.public_id),
    )
    assert event.detail == {"kind": "critical_item", "severity": "critical"}


def test_acknowledging_twice_or_after_resolving_is_refused():
    membership, client = clinician_with_client()
    alert = _low(client)
    alert_acknowledge(actor=membership.user, alert=alert, note="Seen.")
    with pytest.raises(ApplicationError) as exc:
        alert_acknowledge(actor=membership.user, alert=alert, note="Again.")
    assert exc.value.message == (
        "This alert was already acknowledged; add what happened when you resolve it."
    )
    alert_resolve(actor=membership.user, alert=alert)
    with pytest.raises(ApplicationError) as exc:
        alert_acknowledge(actor=membership.user, alert=alert, note="Late.")
    assert exc.value.message == "This alert is already resolved."
    assert len(_events(AuditAction.ALERT_ACKNOWLEDGED)) == 1


def test_a_critical_alert_needs_a_note_to_be_resolved_unless_already_acknowledged():
    membership, client = clinician_with_client()
    alert = _critical(client)
    with pytest.raises(ApplicationError) as exc:
        alert_resolve(actor=membership.user, alert=alert, note="")
    assert exc.value.message == (
        "A critical alert needs a note before it is resolved: say what was done."
    )
    alert_acknowledge(actor=membership.user, alert=alert, note="Called.")
    resolved = alert_resolve(actor=membership.user, alert=alert, note="")
    assert (resolved.status, resolved.resolved_by_id, resolved.resolve_note) == (
        AlertStatus.RESOLVED,
        membership.user_id,
        None,
    )
    [event] = _events(AuditAction.ALERT_RESOLVED)
    assert (event.actor_id, event.detail) == (
        membership.user_id,
        {"kind": "critical_item", "severity": "critical", "automatic": False},
    )
    with pytest.raises(ApplicationError):
        alert_resolve(actor=membership.user, alert=alert, note="Twice.")


def test_resolving_an_open_alert_also_records_it_as_seen():
    membership, client = clinician_with_client()
    alert = alert_resolve(actor=membership.user, alert=_low(client), note="Holiday, known.")
    assert (alert.acknowledged_by_id, alert.resolved_by_id, alert.resolve_note) == (
        membership.user_id,
        membership.user_id,
        "Holiday, known.",
    )
    assert alert.acknowledged_at == alert.resolved_at


# --- notify and escalate --------------------------------------------------------------------------
def test_a_critical_alert_emails_the_care_team_once_without_clinical_content(
    django_capture_on_commit_callbacks,
):
    membership, client = clinician_with_client()
    with django_capture_on_commit_callbacks(execute=True):
        alert = _critical(client)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert (message.to, message.subject) == ([membership.user.email], SUBJECT)
    _assert_no_clinical_content(message, client)
    alert.refresh_from_db()
    assert alert.notified_at is not None
    [event] = _events(AuditAction.ALERT_NOTIFIED)
    assert event.detail == {"kind": "critical_item", "severity": "critical", "recipients": 1}
    assert alert_notify_send(alert_id=alert.pk) is False
    assert len(mail.outbox) == 1


def test_low_alerts_send_no_email(django_capture_on_commit_callbacks):
    _membership, client = clinician_with_client()
    with django_capture_on_commit_callbacks(execute=True):
        _low(client)
    assert mail.outbox == []


def test_a_critical_alert_nobody_acknowledged_in_time_goes_to_the_owners_once():
    membership, client = clinician_with_client()
    owner = MembershipFactory(practice=membership.practice, role=Role.OWNER, user=UserFactory())
    alert = _critical(client)
    mail.outbox.clear()
    created = alert.created_at
    assert alerts_escalate(now=created + timedelta(minutes=119)) == 0
    assert alerts_escalate(now=created + timedelta(minutes=120)) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert (message.to, message.subject) == ([owner.user.email], SUBJECT_ESCALATED)
    _assert_no_clinical_content(message, client)
    alert.refresh_from_db()
    assert alert.escalated_at == created + timedelta(minutes=120)
    [event] = _events(AuditAction.ALERT_ESCALATED)
    assert (event.actor_id, event.actor_label, event.client_id) == (None, "system", client.pk)
    assert event.detail == {"kind": "critical_item", "severity": "critical", "recipients": 1}
    assert alerts_escalate(now=created + timedelta(minutes=500)) == 0
    assert len(mail.outbox) == 1


def test_escalation_follows_the_practice_setting_and_skips_acknowledged_alerts():
    membership, client = clinician_with_client()
    MembershipFactory(practice=membership.practice, role=Role.OWNER, user=UserFactory())
    AlertSettings.objects.create(practice=membership.practice, escalation_minutes=30)
    waiting = _critical(client, key="a")
    seen = _critical(client, key="b")
    alert_acknowledge(actor=membership.user, alert=seen, note="Called.")
    assert alerts_escalate(now=waiting.created_at + timedelta(minutes=29)) == 0
    assert alerts_escalate(now=waiting.created_at + timedelta(minutes=31)) == 1
    seen.refresh_from_db()
    assert seen.escalated_at is None


# --- the sweep ------------------------------------------------------------------------------------
def test_an_overdue_questionnaire_raises_one_low_alert_and_is_marked_missed():
    membership, client = clinician_with_client()
    now = timezone.now()
    schedule_create(
        actor=membership.user,
        client=client,
        instrument_code="phq9",
        frequency=Frequency.ONCE,
        window_days=3,
        starts_at=now - timedelta(days=10),
    )
    recent = schedule_create(
        actor=membership.user,
        client=client,
        instrument_code="gad7",
        frequency=Frequency.ONCE,
        window_days=3,
        starts_at=now - timedelta(days=4),  # closed 1 day ago: not overdue for 2 days yet
    )
    assert alerts_sweep_overdue(now=now) == 1
    alert = Alert.objects.get(client=client, kind=AlertKind.QUESTIONNAIRE_OVERDUE)
    assert (alert.severity, alert.status, alert.instrument_code) == ("low", "open", "phq9")
    opened = client_date(now - timedelta(days=10), client)  # the client's day
    assert alert.reason.startswith(f"The questionnaire due {opened:%d %b} was not answered")
    assert QuestionnaireDue.objects.get(instrument_code="phq9").status == DueStatus.MISSED
    assert QuestionnaireDue.objects.get(schedule=recent).status == DueStatus.DUE
    assert alerts_sweep_overdue(now=now) == 0
    assert Alert.objects.filter(kind=AlertKind.QUESTIONNAIRE_OVERDUE).count() == 1
    [event] = _events(AuditAction.ALERT_RAISED)
    assert (event.actor_id, event.actor_label, event.client_id, event.detail) == (
        None,
        "system",
        client.pk,
        {"kind": "questionnaire_overdue", "severity": "low"},
    )


def test_a_questionnaire_being_answered_is_not_marked_missed_so_the_answers_are_kept():
    """The window closed days ago, but the client is answering right now (their draft was saved
    10 minutes ago): the sweep leaves it, the draft survives and the answers can be sent. An hour
    after their last answer it counts as overdue again."""
    membership, client = clinician_with_client()
    now = timezone.now()
    schedule_create(
        actor=membership.user,
        client=client,
        instrument_code="phq2",
        frequency=Frequency.ONCE,
        window_days=3,
        starts_at=now - timedelta(days=10),
    )
    due = QuestionnaireDue.objects.get(client=client)
    definition = instrument_definition_get(practice=client.practice, code="phq2")
    with time_machine.travel(now - timedelta(minutes=10), tick=False):
        draft = questionnaire_draft_start(
            actor=client.user, client=client, due=due, definition=definition
        )
        questionnaire_draft_answer(
            actor=client.user, draft=draft, definition=definition, item=1, value=2
        )

    assert alerts_sweep_overdue(now=now) == 0
    due.refresh_from_db()
    assert due.status == DueStatus.DUE
    assert QuestionnaireDraft.objects.get(due=due).answers == [2, None]

    assert alerts_sweep_overdue(now=now + timedelta(minutes=51)) == 1
    due.refresh_from_db()
    assert due.status == DueStatus.MISSED
    assert not QuestionnaireDraft.objects.filter(due=due).exists()


def test_no_checkin_is_raised_once_and_resolves_itself_when_the_client_checks_in():
    _membership, client = clinician_with_client()
    client.started_on = client_today(client) - timedelta(days=10)
    client.save()
    now = timezone.now()
    assert alerts_sweep_checkins(now=now) == 1
    alert = Alert.objects.get(client=client, kind=AlertKind.NO_CHECKIN)
    assert alert.reason == "No check-in yet, 10 days after starting."
    assert alerts_sweep_checkins(now=now) == 0
    checkin_create(
        client=client, actor=client.user, values=CheckInValues(mood=6), idempotency_key="c1"
    )
    assert alerts_sweep_checkins(now=timezone.now()) == 0
    alert.refresh_from_db()
    assert (alert.status, alert.resolved_by_id, alert.resolve_note) == (
        AlertStatus.RESOLVED,
        None,
        "Resolved automatically: checked in again.",
    )
    [event] = _events(AuditAction.ALERT_RESOLVED)
    assert (event.actor_id, event.actor_label, event.detail) == (
        None,
        "system",
        {"kind": "no_checkin", "severity": "low", "automatic": True},
    )


def test_no_checkin_for_the_set_number_of_days_since_the_last_one():
    membership, client = clinician_with_client()
    client.started_on = client_today(client) - timedelta(days=60)
    client.save()
    now = timezone.now()
    checkin_create(
        client=client,
        actor=client.user,
        values=CheckInValues(mood=6),
        idempotency_key="old",
        recorded_at=now - timedelta(days=6, hours=23),
    )
    assert alerts_sweep_checkins(now=now) == 0
    assert alerts_sweep_checkins(now=now + timedelta(hours=2)) == 1
    assert Alert.objects.get(kind=AlertKind.NO_CHECKIN).reason == "No check-in for 7 days."
    AlertSettings.objects.create(practice=membership.practice, no_checkin_days=14)
    _other_membership, other = clinician_with_client(practice=membership.practice)
    other.started_on = client_today(other) - timedelta(days=13)
    other.save()
    alerts_sweep_checkins(now=now)
    assert not Alert.objects.filter(client=other).exists()


def test_a_sharp_mood_drop_raises_one_medium_alert_with_the_numbers():
    _membership, client = clinician_with_client()
    now = timezone.now()
    for days_ago in range(3, 13):  # ten baseline days at 7
        checkin_create(
            client=client,
            actor=client.user,
            values=CheckInValues(mood=7),
            idempotency_key=f"b{days_ago}",
            recorded_at=now - timedelta(days=days_ago),
        )
    for days_ago in (1, 0):  # two recent days at 4
        checkin_create(
            client=client,
            actor=client.user,
            values=CheckInValues(mood=4),
            idempotency_key=f"r{days_ago}",
            recorded_at=now - timedelta(days=days_ago, minutes=1),
        )
    assert alerts_sweep_checkins(now=now) == 1
    alert = Alert.objects.get(client=client, kind=AlertKind.MOOD_DROP)
    assert (alert.severity, alert.status) == ("medium", "open")
    assert alert.reason == (
        "Mood averaged 4.0 over the last 2 days with a check-in, against 7.0 (SD 0.0, 10 days) "
        "before: a drop of 3.0 points (rule: 2.0 or more)."
    )
    # While it is open, the sweep does not raise it again, even on a later day.
    assert alerts_sweep_checkins(now=now + timedelta(hours=25)) == 0
    assert Alert.objects.filter(kind=AlertKind.MOOD_DROP).count() == 1
    assert [e.detail for e in _events(AuditAction.ALERT_RAISED)] == [
        {"kind": "mood_drop", "severity": "medium"}
    ]


def test_the_whole_sweep_reports_what_it_did_and_is_safe_to_run_twice():
    membership, client = clinician_with_client()
    MembershipFactory(practice=membership.practice, role=Role.OWNER, user=UserFactory())
    client.started_on = client_today(client) - timedelta(days=30)
    client.save()
    alert = _critical(client)
    later = alert.created_at + timedelta(hours=3)
    assert alerts_sweep(now=later) == {"escalated": 1, "overdue": 0, "checkins": 1}
    assert alerts_sweep(now=later) == {"escalated": 0, "overdue": 0, "checkins": 0}
