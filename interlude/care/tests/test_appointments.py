"""Appointments on the client record: typed in the client's time zone, stored as an instant,
audited, through the gate; adding one opens its "before each appointment" questionnaires."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.test import Client as HttpClient

from interlude.audit.enums import AuditAction, AuditOutcome
from interlude.audit.models import AuditEvent
from interlude.care.models import Appointment, AppointmentStatus
from interlude.care.services import appointment_create
from interlude.care.views_appointments import appointments_panel_context
from interlude.consents.access import Viewer, care_access_for
from interlude.core.errors import ApplicationError
from interlude.measures.models import DueStatus, Frequency, QuestionnaireDue
from interlude.measures.services import (
    appointment_add,
    appointment_status_change,
    schedule_create,
)
from interlude.practices.enums import Role
from tests.factories import MembershipFactory, UserFactory, clinician_with_client

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday 10:00 in New York (EST, UTC-5)
BODY = {"day": "2026-03-10", "start": "14:00", "duration_minutes": "50"}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pair():
    return clinician_with_client()


def logged_in(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def add_url(client) -> str:
    return f"/clinic/clients/{client.public_id}/appointments/add/"


def status_url(client, appointment) -> str:
    return f"/clinic/clients/{client.public_id}/appointments/{appointment.public_id}/status/"


def _last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def _errors(response) -> dict[str, list[str]]:
    return {k: list(v) for k, v in response.context["appointment_form"].errors.items()}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_the_form_says_which_time_zone_the_time_is_in(pair):
    membership, client = pair

    response = logged_in(membership.user).get(add_url(client))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_start">Start time (America/New_York)</label>' in html
    assert 'name="duration_minutes" value="50"' in html


def test_adding_a_session_stores_the_instant_from_the_clients_wall_clock_and_audits_it(pair):
    membership, client = pair
    http = logged_in(membership.user)
    mark = _last_seq()

    response = http.post(add_url(client), BODY)

    assert response.status_code == 302
    assert response["Location"] == f"/clinic/clients/{client.public_id}/#appointments"
    appointment = Appointment.objects.get(client=client)
    # 10 March is after the US change to daylight saving time (8 March 2026): UTC-4.
    assert (
        appointment.starts_at,
        appointment.duration_minutes,
        appointment.status,
        appointment.clinician_id,
        appointment.created_by_id,
    ) == (
        datetime(2026, 3, 10, 18, 0, tzinfo=UTC),
        50,
        AppointmentStatus.SCHEDULED,
        membership.pk,
        membership.user.pk,
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Session added: Tue 10 March 2026, 14:00 (America/New_York)."
    ]
    events = list(
        AuditEvent.objects.filter(seq__gt=mark)
        .order_by("seq")
        .values_list("action", "client_id", "object_type", "object_id", "detail")
    )
    assert events == [
        (
            AuditAction.CLIENT_RECORD_VIEWED,
            client.pk,
            "client",
            str(client.pk),
            {"scope": "profile"},
        ),
        (
            AuditAction.APPOINTMENT_CHANGED,
            client.pk,
            "appointment",
            str(appointment.public_id),
            {"status": "scheduled"},
        ),
    ]


def test_adding_a_session_opens_the_before_appointment_questionnaires(pair):
    membership, client = pair
    gad7 = schedule_create(
        actor=membership.user,
        client=client,
        instrument_code="gad7",
        frequency=Frequency.BEFORE_APPOINTMENT,
        window_days=3,
    )
    schedule_create(
        actor=membership.user,
        client=client,
        instrument_code="phq9",
        frequency=Frequency.EVERY_N_DAYS,
        interval_days=14,
    )
    assert QuestionnaireDue.objects.filter(schedule=gad7).count() == 0

    logged_in(membership.user).post(add_url(client), BODY)

    appointment = Appointment.objects.get()
    due = QuestionnaireDue.objects.get(schedule=gad7)
    assert (due.appointment_id, due.opens_at, due.closes_at, due.status) == (
        appointment.pk,
        # 14:00 on the client's clock three days before the 14:00 EDT session: 14:00 EST.
        datetime(2026, 3, 7, 19, 0, tzinfo=UTC),
        datetime(2026, 3, 10, 18, 0, tzinfo=UTC),
        DueStatus.DUE,
    )
    assert QuestionnaireDue.objects.filter(instrument_code="phq9").count() == 1


def test_appointment_add_opens_each_session_once_and_refuses_another_practices_clinician(pair):
    membership, client = pair
    schedule_create(
        actor=membership.user,
        client=client,
        instrument_code="gad7",
        frequency=Frequency.BEFORE_APPOINTMENT,
    )
    for days in (7, 14):
        appointment_add(
            actor=membership.user,
            client=client,
            clinician=membership,
            starts_at=NOW + timedelta(days=days),
            duration_minutes=50,
        )
    assert QuestionnaireDue.objects.count() == 2
    other_practice, _ = clinician_with_client()
    with pytest.raises(ApplicationError, match=r"Choose a clinician of this practice\."):
        appointment_add(
            actor=membership.user,
            client=client,
            clinician=other_practice,
            starts_at=NOW + timedelta(days=21),
            duration_minutes=50,
        )
    assert (Appointment.objects.count(), QuestionnaireDue.objects.count()) == (2, 2)


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        (
            {"day": "2026-03-08", "start": "02:30"},
            {
                "start": [
                    "02:30 does not exist on 8 March 2026 in America/New_York: the clocks go "
                    "forward then. Choose another time."
                ]
            },
        ),
        ({"day": ""}, {"day": ["Enter the date of the session."]}),
        ({"day": "2026-02-30"}, {"day": ["Enter a real date, like 2026-03-02."]}),
        ({"start": "25:00"}, {"start": ["Enter a time like 14:00."]}),
        ({"duration_minutes": "5"}, {"duration_minutes": ["A session lasts 10 to 240 minutes."]}),
        (
            {"duration_minutes": ""},
            {"duration_minutes": ["Enter the length of the session in minutes, like 50."]},
        ),
        ({"day": "2029-01-01"}, {"day": ["Enter a date in the next two years."]}),
    ],
)
def test_mistakes_are_shown_beside_the_field_and_nothing_is_stored(pair, change, errors):
    membership, client = pair

    response = logged_in(membership.user).post(add_url(client), {**BODY, **change})

    assert response.status_code == 200
    assert _errors(response) == errors
    assert "There is a problem" in response.content.decode()
    assert Appointment.objects.count() == 0
    assert not AuditEvent.objects.filter(action=AuditAction.APPOINTMENT_CHANGED).exists()


def test_a_past_session_can_be_recorded(pair):
    membership, client = pair

    logged_in(membership.user).post(add_url(client), {**BODY, "day": "2026-02-23"})

    assert Appointment.objects.get().starts_at == datetime(2026, 2, 23, 19, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "words"),
    [("attended", "attended"), ("cancelled", "cancelled"), ("missed", "did not attend")],
)
def test_marking_a_session_changes_its_status_and_audits_it(pair, status, words):
    membership, client = pair
    appointment = appointment_create(
        actor=membership.user,
        client=client,
        clinician=membership,
        starts_at=datetime(2026, 2, 27, 15, 0, tzinfo=UTC),
    )
    http = logged_in(membership.user)
    mark = _last_seq()

    response = http.post(status_url(client, appointment), {"status": status})

    assert response.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.status, appointment.updated_by_id) == (status, membership.user.pk)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Session on Fri 27 February 2026, 10:00 (America/New_York) marked {words}."
    ]
    event = AuditEvent.objects.get(seq__gt=mark, action=AuditAction.APPOINTMENT_CHANGED)
    assert (event.actor_id, event.object_id, event.detail) == (
        membership.user.pk,
        str(appointment.public_id),
        {"status": status},
    )


def test_an_unknown_status_changes_nothing(pair):
    membership, client = pair
    appointment = appointment_create(
        actor=membership.user, client=client, clinician=membership, starts_at=NOW
    )
    http = logged_in(membership.user)

    response = http.post(status_url(client, appointment), {"status": "lost"})

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Choose attended, cancelled or did not attend."
    ]
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SCHEDULED
    assert http.get(status_url(client, appointment)).status_code == 405


def test_someone_elses_client_or_appointment_is_a_404_and_nothing_changes(pair):
    membership, client = pair
    other_membership, other = clinician_with_client()
    theirs = appointment_create(
        actor=other_membership.user, client=other, clinician=other_membership, starts_at=NOW
    )
    http = logged_in(membership.user)

    assert http.get(add_url(other)).status_code == 404
    assert http.post(add_url(other), BODY).status_code == 404
    assert http.post(status_url(other, theirs), {"status": "missed"}).status_code == 404
    # My client's id with their appointment's id.
    assert http.post(status_url(client, theirs), {"status": "missed"}).status_code == 404

    theirs.refresh_from_db()
    assert theirs.status == AppointmentStatus.SCHEDULED
    assert Appointment.objects.count() == 1
    denied = AuditEvent.objects.filter(action=AuditAction.CLIENT_ACCESS_DENIED)
    assert set(denied.values_list("actor_id", "client_id", "outcome")) == {
        (membership.user.pk, other.pk, AuditOutcome.DENIED)
    }
    assert denied.count() == 3


def test_the_client_and_a_practice_admin_cannot_add_sessions(pair):
    membership, client = pair
    admin = MembershipFactory(
        practice=membership.practice, role=Role.ADMIN, user=UserFactory(mfa_exempt=True)
    )
    for user in (client.user, admin.user):
        assert logged_in(user).post(add_url(client), BODY).status_code == 404
    assert Appointment.objects.count() == 0


def test_the_panel_splits_upcoming_and_recent_in_the_clients_time_zone(pair):
    membership, client = pair
    for starts_at, status in (
        (datetime(2026, 2, 16, 15, 0, tzinfo=UTC), AppointmentStatus.ATTENDED),
        (datetime(2026, 2, 23, 15, 0, tzinfo=UTC), AppointmentStatus.MISSED),
        (datetime(2026, 3, 9, 14, 0, tzinfo=UTC), AppointmentStatus.SCHEDULED),
    ):
        a = appointment_create(
            actor=membership.user, client=client, clinician=membership, starts_at=starts_at
        )
        a.status = status
        a.save()
    membership.user.full_name = "Dr. Alex Rivera"
    membership.user.save()
    care = care_access_for(
        client=client, user=membership.user, viewer=Viewer.CARE_TEAM, membership=membership
    )
    context = {"client": client, **appointments_panel_context(access=care)}

    html = render_to_string("care/_record_appointments.html", context)

    text = _text(html)
    assert (
        "Upcoming When Length With How Status Change status Mon 9 Mar 2026, 10:00 50 min "
        "Dr. Alex Rivera In person Scheduled Place or link : session on Mon 9 Mar 2026, 10:00 "
        "Cancel : session on Mon 9 Mar 2026, 10:00 Recent"
    ) in text
    assert (
        "Mon 23 Feb 2026, 10:00 50 min Dr. Alex Rivera In person Did not attend "
        "Attended : session on Mon 23 Feb 2026, 10:00 Cancelled : session on Mon 23 Feb 2026, 10:00"
    ) in text
    assert "Mon 16 Feb 2026, 10:00 50 min Dr. Alex Rivera In person Attended Did not attend" in text
    assert text.index("23 Feb") < text.index("16 Feb")  # recent: latest first
    assert f'action="{add_url(client)}"' in html


def test_the_panel_without_the_extra_context_lists_every_session_and_links_to_the_form(pair):
    membership, client = pair
    appointment_create(
        actor=membership.user,
        client=client,
        clinician=membership,
        starts_at=datetime(2026, 3, 9, 14, 0, tzinfo=UTC),
    )
    from interlude.care.selectors import appointment_list

    care = care_access_for(
        client=client, user=membership.user, viewer=Viewer.CARE_TEAM, membership=membership
    )
    html = render_to_string(
        "care/_record_appointments.html",
        {"client": client, "appointments": appointment_list(access=care)},
    )

    assert "Mon 9 Mar 2026, 10:00" in _text(html)
    assert f'href="{add_url(client)}"' in html


def test_cancelling_a_session_withdraws_its_questionnaire():
    membership, client = clinician_with_client()
    schedule_create(
        actor=membership.user,
        client=client,
        instrument_code="phq9",
        frequency=Frequency.BEFORE_APPOINTMENT,
        window_days=2,
    )
    appointment = appointment_add(
        actor=membership.user,
        client=client,
        clinician=membership,
        starts_at=datetime.now(UTC) + timedelta(days=1),
        duration_minutes=50,
    )
    due = QuestionnaireDue.objects.get(appointment=appointment)
    assert due.status == DueStatus.DUE
    appointment_status_change(
        actor=membership.user, appointment=appointment, status=AppointmentStatus.CANCELLED
    )
    due.refresh_from_db()
    assert due.status == DueStatus.CANCELLED
