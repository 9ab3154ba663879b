"""response_submit: scoring, change against baseline, dues, idempotency and alerts together."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from interlude.alerts.models import Alert, AlertKind, AlertStatus, Severity
from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.core.errors import ApplicationError
from interlude.measures.models import DueStatus, Frequency, QuestionnaireDue
from interlude.measures.services import response_submit, schedule_create
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db

PHQ9_16 = [2, 2, 2, 2, 2, 2, 2, 2, 0]  # 16, item 9 not endorsed


def _submit(client, answers, key, code="phq9", when=None):
    return response_submit(
        client=client,
        actor=client.user,
        instrument_code=code,
        answers=answers,
        idempotency_key=key,
        submitted_at=when,
    )


def test_first_answer_is_the_baseline_and_later_ones_are_classified():
    _membership, client = clinician_with_client()
    start = timezone.now() - timedelta(days=30)
    first, created = _submit(client, PHQ9_16, "a", when=start)
    assert created is True
    assert (first.total, first.band_code, first.classification) == (
        16.0,
        "moderately_severe",
        "baseline",
    )
    second, _ = _submit(client, [1, 1, 1, 1, 1, 1, 1, 2, 0], "b", when=start + timedelta(days=14))
    assert second.total == 9.0
    assert second.baseline_id == first.pk
    assert second.change_from_baseline == -7.0
    assert second.change_from_previous == -7.0
    assert second.classification == "recovered"
    assert second.track_status == "on_track"
    assert second.scoring_meta["reliable_change"] == 6.0
    assert second.administration_number == 2


def test_same_key_returns_the_stored_response_and_a_reused_key_is_refused():
    _m, client = clinician_with_client()
    first, created = _submit(client, PHQ9_16, "same")
    again, created_again = _submit(client, PHQ9_16, "same")
    assert (created, created_again, again.pk) == (True, False, first.pk)
    with pytest.raises(ApplicationError) as exc:
        _submit(client, [0] * 9, "same")
    assert exc.value.field == "idempotency_key"


def test_answer_outside_the_range_names_the_item_and_stores_nothing():
    _m, client = clinician_with_client()
    with pytest.raises(ApplicationError) as exc:
        _submit(client, [0, 0, 4, 0, 0, 0, 0, 0, 0], "bad")
    assert exc.value.field == "answers[2]"
    assert exc.value.message == "Item 3: 4 is not an answer to this item; answers are 0 to 3."
    assert client.questionnaireresponse_set.count() if hasattr(client, "x") else True
    from interlude.measures.models import QuestionnaireResponse

    assert QuestionnaireResponse.objects.filter(client=client).count() == 0


def test_item_nine_raises_a_critical_alert_in_the_same_transaction_and_emails_without_content(
    django_capture_on_commit_callbacks,
):
    membership, client = clinician_with_client()
    with django_capture_on_commit_callbacks(execute=True):
        response, _ = _submit(client, [1, 1, 1, 1, 1, 1, 1, 1, 2], "risk")
    alert = Alert.objects.get(client=client, kind=AlertKind.CRITICAL_ITEM)
    assert alert.severity == Severity.CRITICAL
    assert alert.status == AlertStatus.OPEN
    assert alert.response_id == response.pk
    assert alert.reason.startswith("PHQ-9 item 9 answered \u201cMore than half the days\u201d (2).")
    assert response.flags == [{"flag": "critical_item", "item": 9, "value": 2, "critical": True}]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [membership.user.email]
    assert message.subject == "Interlude: something needs your attention"
    for secret in (client.full_name, "PHQ", "item 9", "self-harm"):
        assert secret not in message.body
    actions = list(
        AuditEvent.objects.filter(client=client).order_by("seq").values_list("action", flat=True)
    )
    assert actions == [
        AuditAction.QUESTIONNAIRE_SUBMITTED,
        AuditAction.ALERT_RAISED,
        AuditAction.ALERT_NOTIFIED,
    ]


def test_reliable_deterioration_raises_one_alert_until_it_is_resolved():
    _m, client = clinician_with_client()
    start = timezone.now() - timedelta(days=60)
    _submit(client, [1, 1, 1, 1, 1, 1, 1, 1, 0], "1", when=start)  # 8
    _submit(client, [2, 2, 2, 2, 2, 2, 1, 1, 0], "2", when=start + timedelta(days=14))  # 14
    _submit(client, [2, 2, 2, 2, 2, 2, 2, 1, 0], "3", when=start + timedelta(days=28))  # 15
    alerts = Alert.objects.filter(client=client, kind=AlertKind.RELIABLE_DETERIORATION)
    assert alerts.count() == 1
    assert alerts[0].severity == Severity.HIGH


@time_machine.travel(datetime(2026, 6, 10, 14, 0, tzinfo=UTC), tick=False)
def test_schedule_every_n_days_opens_a_due_and_answering_opens_the_next():
    # A day whose next 14 days have no daylight-saving change: whole days are 24 hours here
    # (test_schedule_wall_clock.py covers the days that are not).
    membership, client = clinician_with_client()
    schedule = schedule_create(
        actor=membership.user,
        client=client,
        instrument_code="gad7",
        frequency=Frequency.EVERY_N_DAYS,
        interval_days=14,
        window_days=3,
    )
    due = QuestionnaireDue.objects.get(schedule=schedule)
    assert due.status == DueStatus.DUE
    assert due.closes_at - due.opens_at == timedelta(days=3)
    response, _ = _submit(client, [1] * 7, "g1", code="gad7")
    due.refresh_from_db()
    assert due.status == DueStatus.COMPLETED
    assert response.due_id == due.pk
    following = QuestionnaireDue.objects.get(schedule=schedule, status=DueStatus.DUE)
    assert following.opens_at == due.opens_at + timedelta(days=14)
