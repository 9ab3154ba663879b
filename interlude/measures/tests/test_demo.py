"""The demo's questionnaires, sessions and alerts: real scores through the services, idempotent,
and telling the stories the screens show (Jordan recovered, Sam not on track with a risk alert)."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from interlude.accounts.models import User
from interlude.alerts.access import access_alert_inbox
from interlude.alerts.models import Alert, AlertKind, AlertStatus
from interlude.care.models import Appointment, AppointmentStatus
from interlude.care.selectors import appointment_next
from interlude.clinic.demo import demo_seed
from interlude.consents.access import Viewer, care_access_for
from interlude.measures.models import (
    QuestionnaireDue,
    QuestionnaireResponse,
    QuestionnaireSchedule,
)
from interlude.measures.selectors import due_list_open, response_series
from interlude.practices.models import Client, Membership
from interlude.tracking.models import CheckIn

pytestmark = pytest.mark.django_db

MODELS = (
    QuestionnaireResponse,
    QuestionnaireSchedule,
    QuestionnaireDue,
    Appointment,
    Alert,
    CheckIn,
)


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


def _latest(client: Client, code: str) -> QuestionnaireResponse:
    return QuestionnaireResponse.objects.filter(client=client, instrument_code=code).latest(
        "submitted_at"
    )


def test_seeding_twice_creates_the_questionnaires_sessions_and_alerts_once():
    demo_seed()
    first = _counts()
    demo_seed()

    assert _counts() == first
    assert {k: v for k, v in first.items() if k != "CheckIn"} == {
        "QuestionnaireResponse": 35,  # Jordan 9 + 9 + 4, Sam 5 + 5, Priya 3
        "QuestionnaireSchedule": 9,
        "QuestionnaireDue": 18,
        "Appointment": 31,  # Jordan 18, Sam 10, Priya 3
        "Alert": 4,
    }


def test_jordan_reliably_improved_then_recovered_and_has_a_questionnaire_due_now():
    demo_seed()
    jordan = Client.objects.get(full_name="Jordan Ellis")
    own = care_access_for(client=jordan, user=jordan.user, viewer=Viewer.SELF, membership=None)
    series = {s.definition.code: s for s in response_series(access=own)}

    phq9 = [(r.total, r.classification) for r in series["phq9"].responses]
    assert phq9 == [
        (17.0, "baseline"),
        (16.0, "no_reliable_change"),
        (14.0, "no_reliable_change"),
        (12.0, "no_reliable_change"),
        (11.0, "reliably_improved"),
        (10.0, "reliably_improved"),
        (9.0, "recovered"),
        (8.0, "recovered"),
        (7.0, "recovered"),
    ]
    latest = _latest(jordan, "phq9")
    assert (latest.classification, latest.track_status, latest.band_label) == (
        "recovered",
        "on_track",
        "Mild",
    )
    assert [r.total for r in series["gad7"].responses][::4] == [14.0, 10.0, 6.0]
    assert _latest(jordan, "gad7").classification == "recovered"
    assert [(r.total, r.classification) for r in series["who5"].responses] == [
        (28.0, "baseline"),
        (40.0, "reliably_improved"),
        (52.0, "recovered"),
        (60.0, "recovered"),
    ]
    assert [d.instrument_code for d in due_list_open(client=jordan)] == ["who5"]
    assert Alert.objects.filter(client=jordan).count() == 0
    # Answers are spread over the story: every 14 days from 120 days ago.
    first = series["phq9"].responses[0].submitted_at
    assert timedelta(days=119) < timezone.now() - first < timedelta(days=122)


def test_jordan_has_weekly_sessions_attended_and_the_next_in_two_days():
    demo_seed()
    jordan = Client.objects.get(full_name="Jordan Ellis")
    sessions = list(Appointment.objects.filter(client=jordan).order_by("starts_at"))
    upcoming = appointment_next(client=jordan)

    assert len(sessions) == 18
    assert {s.status for s in sessions[:-1]} == {AppointmentStatus.ATTENDED}
    assert upcoming == sessions[-1]
    assert (upcoming.starts_at.date() - timezone.localdate()).days in (1, 2, 3)
    assert {(b.starts_at - a.starts_at).days for a, b in itertools.pairwise(sessions)} <= {6, 7}


def test_sam_is_not_on_track_with_a_critical_alert_still_open():
    demo_seed()
    sam = Client.objects.get(full_name="Samira Haddad")
    latest = _latest(sam, "phq9")

    assert (latest.total, latest.classification, latest.track_status) == (
        18.0,
        "reliably_deteriorated",
        "not_on_track",
    )
    assert latest.answers[8] == 1
    assert latest.is_critical
    open_kinds = {
        a.kind: a.severity for a in Alert.objects.filter(client=sam, status=AlertStatus.OPEN)
    }
    assert open_kinds == {
        AlertKind.CRITICAL_ITEM: "critical",
        AlertKind.RELIABLE_DETERIORATION: "high",
        AlertKind.MOOD_DROP: "medium",
        AlertKind.QUESTIONNAIRE_OVERDUE: "low",
    }
    critical = Alert.objects.get(client=sam, kind=AlertKind.CRITICAL_ITEM)
    assert critical.response_id == latest.pk
    assert critical.created_at == latest.submitted_at
    assert {
        r.total for r in QuestionnaireResponse.objects.filter(client=sam, instrument_code="gad7")
    } == {
        15.0,
        16.0,
    }
    assert QuestionnaireDue.objects.filter(client=sam, status="missed").count() == 1
    assert Appointment.objects.filter(client=sam, status=AppointmentStatus.MISSED).count() == 1


def test_the_mood_drop_alert_follows_the_documented_rule():
    demo_seed()
    sam = Client.objects.get(full_name="Samira Haddad")
    alert = Alert.objects.get(client=sam, kind=AlertKind.MOOD_DROP)

    assert alert.reason.startswith("Mood averaged ")
    assert "(rule: " in alert.reason
    assert timedelta(days=1) < timezone.now() - alert.created_at < timedelta(days=9)


def test_priya_has_baselines_only():
    demo_seed()
    priya = Client.objects.get(full_name="Priya Natarajan")
    rows = QuestionnaireResponse.objects.filter(client=priya).order_by("instrument_code")

    assert [(r.instrument_code, r.total, r.classification) for r in rows] == [
        ("gad7", 13.0, "baseline"),
        ("pcl5", 38.0, "baseline"),
        ("phq9", 14.0, "baseline"),
    ]


def test_the_clinicians_inbox_lists_sams_critical_alert_first():
    demo_seed()
    therapist = User.objects.get(email="therapist@demo.interlude.test")
    membership = Membership.objects.get(user=therapist)

    alerts = access_alert_inbox(user=therapist, membership=membership)

    assert [(a.client.full_name, a.kind) for a in alerts] == [
        ("Samira Haddad", AlertKind.CRITICAL_ITEM),
        ("Samira Haddad", AlertKind.RELIABLE_DETERIORATION),
        ("Samira Haddad", AlertKind.MOOD_DROP),
        ("Samira Haddad", AlertKind.QUESTIONNAIRE_OVERDUE),
    ]


def test_last_activity_is_the_latest_entry_not_the_seeding_time():
    demo_seed()
    for client in Client.objects.filter(
        full_name__in=["Jordan Ellis", "Samira Haddad", "Priya Natarajan"]
    ):
        entries = [
            *CheckIn.objects.filter(client=client).values_list("recorded_at", flat=True),
            *QuestionnaireResponse.objects.filter(client=client).values_list(
                "submitted_at", flat=True
            ),
        ]
        assert client.last_activity_at == max(entries), client.full_name
