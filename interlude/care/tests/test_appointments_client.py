"""The client's own appointments: the list in their zone, "Add to calendar" (.ics) for their own
sessions only, cancelled sessions marked, and "Your next appointment" on Today."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client as HttpClient
from icalendar import Calendar

from interlude.care.models import AppointmentStatus
from interlude.care.services import appointment_create, appointment_logistics_set
from interlude.measures.services import appointment_status_change
from tests.factories import (
    CareTeamMemberFactory,
    ClientFactory,
    MembershipFactory,
    PracticeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 25, 12, 0, tzinfo=UTC)  # Wednesday; Berlin moves to CEST on Sunday 29th
BEFORE_DST = datetime(2026, 3, 27, 9, 0, tzinfo=UTC)  # Friday 10:00 in Berlin (CET, UTC+1)
AFTER_DST = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)  # Monday 10:00 in Berlin (CEST, UTC+2)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def clinician():
    return MembershipFactory(
        practice=PracticeFactory(name="Harbour Counselling", time_zone="Europe/Berlin"),
        user=UserFactory(full_name="Dr. Alex Rivera", mfa_exempt=True),
    )


@pytest.fixture
def client(clinician):
    c = ClientFactory(
        practice=clinician.practice,
        full_name="Jordan Ellis",
        time_zone="Europe/Berlin",
        user=UserFactory(full_name="Jordan Ellis"),
    )
    CareTeamMemberFactory(client=c, membership=clinician)
    return c


def book(clinician, client, starts_at, **logistics):
    appointment = appointment_create(
        actor=clinician.user, client=client, clinician=clinician, starts_at=starts_at
    )
    if logistics:
        appointment_logistics_set(
            actor=clinician.user,
            appointment=appointment,
            modality=logistics.get("modality", "in_person"),
            location=logistics.get("location", ""),
            join_url=logistics.get("join_url", ""),
        )
    return appointment


def logged_in(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def ics_url(appointment) -> str:
    return f"/appointments/{appointment.public_id}/calendar.ics"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _events(body: bytes):
    return list(Calendar.from_ical(body).walk("VEVENT"))


def test_the_ics_is_valid_and_in_utc_on_either_side_of_the_dst_change(clinician, client):
    before = book(clinician, client, BEFORE_DST, location="Room 3, 12 Hafenstraße, Hamburg")
    after = book(
        clinician, client, AFTER_DST, modality="video", join_url="https://meet.example.org/r7"
    )
    http = logged_in(client.user)

    first = http.get(ics_url(before))
    second = http.get(ics_url(after))

    assert first.status_code == 200
    assert first["Content-Type"] == "text/calendar; charset=utf-8"
    assert first["Content-Disposition"] == 'attachment; filename="appointment.ics"'
    assert "DTSTART:20260327T090000Z" in first.content.decode()
    assert "DTSTART:20260330T080000Z" in second.content.decode()
    [event] = _events(first.content)
    assert event.decoded("dtstart") == BEFORE_DST
    assert event.decoded("duration") == timedelta(minutes=50)
    assert str(event["uid"]) == f"{before.public_id}@testserver"
    assert str(event["summary"]) == "Appointment with Dr. Alex Rivera"
    assert str(event["location"]) == "Room 3, 12 Hafenstraße, Hamburg"
    assert "url" not in event
    assert str(event["status"]) == "CONFIRMED"
    [video] = _events(second.content)
    assert video.decoded("dtstart") == AFTER_DST
    assert str(video["url"]) == "https://meet.example.org/r7"
    assert "location" not in video
    assert str(video["description"]) == "Video call.\nJoin: https://meet.example.org/r7"


def test_a_cancelled_session_downloads_as_cancelled_with_a_higher_sequence(clinician, client):
    appointment = book(
        clinician, client, AFTER_DST, modality="video", join_url="https://meet.example.org/r7"
    )
    http = logged_in(client.user)
    first = _events(http.get(ics_url(appointment)).content)[0]

    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        appointment_status_change(
            actor=clinician.user, appointment=appointment, status=AppointmentStatus.CANCELLED
        )
        again = _events(http.get(ics_url(appointment)).content)[0]

    assert str(first["url"]) == "https://meet.example.org/r7"
    assert str(again["status"]) == "CANCELLED"
    assert "url" not in again  # a cancelled session keeps no way in
    assert str(again["uid"]) == str(first["uid"])
    assert int(again["sequence"]) > int(first["sequence"])


def test_a_client_cannot_download_another_clients_session(clinician, client):
    other = ClientFactory(practice=clinician.practice, user=UserFactory())
    CareTeamMemberFactory(client=other, membership=clinician)
    theirs = book(clinician, other, AFTER_DST)

    response = logged_in(client.user).get(ics_url(theirs))

    assert response.status_code == 404


def test_a_clinician_has_no_client_download(clinician, client):
    appointment = book(clinician, client, AFTER_DST)

    response = logged_in(clinician.user).get(ics_url(appointment))

    assert response.status_code == 404


def test_the_page_lists_own_sessions_in_the_clients_zone_with_cancelled_marked(clinician, client):
    book(clinician, client, NOW - timedelta(days=7))
    book(clinician, client, BEFORE_DST, location="Room 3, 12 Hafenstraße")
    cancelled = book(clinician, client, AFTER_DST, modality="video", join_url="https://m.example/x")
    appointment_status_change(
        actor=clinician.user, appointment=cancelled, status=AppointmentStatus.CANCELLED
    )
    other = ClientFactory(practice=clinician.practice, user=UserFactory(), full_name="Sam Other")
    CareTeamMemberFactory(client=other, membership=clinician)
    book(clinician, other, AFTER_DST + timedelta(days=1))

    response = logged_in(client.user).get("/appointments/")

    assert response.status_code == 200
    text = _text(response.content.decode())
    assert "Times are in your time zone, Europe/Berlin." in text
    assert (
        "Friday 27 March, 10:00 50 minutes, Europe/Berlin time · with Dr. Alex Rivera "
        "In person: Room 3, 12 Hafenstraße. Add to calendar (session on Friday 27 March, 10:00)"
    ) in text
    assert (
        "Monday 30 March, 10:00 Cancelled This session is cancelled. 50 minutes, "
        "Europe/Berlin time · with Dr. Alex Rivera Add to calendar (session on Monday 30 March"
    ) in text  # 08:00Z is 10:00 in Berlin after the change
    assert "https://m.example/x" not in response.content.decode()  # no link for a cancelled one
    assert "Past appointments (1)" in text
    assert "Wed 18 Mar 2026, 13:00 with Dr. Alex Rivera" in text
    assert "Sam Other" not in text
    assert len(response.context["upcoming"]) == 2


def test_today_shows_the_next_session_within_a_week(clinician, client):
    book(clinician, client, BEFORE_DST, modality="video", join_url="https://meet.example.org/r7")

    response = logged_in(client.user).get("/today/")

    assert response.status_code == 200
    text = _text(response.content.decode())
    assert "Your next appointment Friday 27 March, 10:00" in text
    assert 'href="https://meet.example.org/r7"' in response.content.decode()
    assert "All your appointments" in text


def test_today_has_no_appointment_panel_without_a_session_in_the_next_week(clinician, client):
    book(clinician, client, NOW + timedelta(days=9))
    gone = book(clinician, client, BEFORE_DST)
    appointment_status_change(
        actor=clinician.user, appointment=gone, status=AppointmentStatus.CANCELLED
    )

    response = logged_in(client.user).get("/today/")

    assert response.status_code == 200
    assert "Your next appointment" not in response.content.decode()
