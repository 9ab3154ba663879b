"""How and where a session happens: the clinician sets modality, address or an https join link
when booking or later; one check refuses bad input with a message beside the field."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client as HttpClient

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.care.models import Appointment, AppointmentModality
from interlude.care.services import appointment_create, appointment_logistics_check
from interlude.core.errors import ApplicationError
from tests.factories import CareTeamMemberFactory, clinician_with_client

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
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


def change_url(client, appointment) -> str:
    return f"/clinic/clients/{client.public_id}/appointments/{appointment.public_id}/change/"


def _errors(response, form="appointment_form") -> dict[str, list[str]]:
    return {k: list(v) for k, v in response.context[form].errors.items()}


@pytest.mark.parametrize(
    ("join_url", "message"),
    [
        ("", "Enter the link the client uses to join the video call, starting with https://."),
        (
            "http://meet.example.org/abc",
            "Enter a secure link that starts with https://, like https://meet.example.org/abc.",
        ),
        (
            "javascript:alert(1)",
            "Enter a secure link that starts with https://, like https://meet.example.org/abc.",
        ),
        ("https://", "Enter a whole link, like https://meet.example.org/abc."),
        ("https://meet example.org", "Enter a whole link, like https://meet.example.org/abc."),
        (
            "https://bob:secret@meet.example.org/abc",
            "Remove the user name or password from the link.",
        ),
        ("https://meet.example.org/" + "a" * 480, "Keep the link to 500 characters."),
    ],
)
def test_a_video_call_needs_a_whole_https_join_link(join_url, message):
    with pytest.raises(ApplicationError) as caught:
        appointment_logistics_check(modality="video", location="", join_url=join_url)

    assert (caught.value.field, caught.value.message) == ("join_url", message)


def test_an_address_and_a_link_that_disagree_with_the_modality_are_refused():
    with pytest.raises(ApplicationError) as caught:
        appointment_logistics_check(
            modality="video", location="12 High St", join_url="https://meet.example.org/a"
        )
    assert (caught.value.field, caught.value.message) == (
        "location",
        "An address is for sessions in person: remove it, or choose In person.",
    )
    with pytest.raises(ApplicationError) as caught:
        appointment_logistics_check(
            modality="phone", location="", join_url="https://meet.example.org/a"
        )
    assert (caught.value.field, caught.value.message) == (
        "join_url",
        "A join link is for video calls: remove it, or choose Video call.",
    )
    with pytest.raises(ApplicationError) as caught:
        appointment_logistics_check(modality="carrier pigeon", location="", join_url="")
    assert caught.value.field == "modality"


def test_the_check_trims_and_returns_the_cleaned_values():
    assert appointment_logistics_check(
        modality="video", location="", join_url="  https://meet.example.org/room-7  "
    ) == (AppointmentModality.VIDEO, "", "https://meet.example.org/room-7")
    assert appointment_logistics_check(
        modality="in_person", location=" Room 3, 12 High St ", join_url=""
    ) == (AppointmentModality.IN_PERSON, "Room 3, 12 High St", "")


def test_booking_a_video_call_stores_its_link_and_audits(pair):
    membership, client = pair

    response = logged_in(membership.user).post(
        add_url(client),
        {**BODY, "modality": "video", "join_url": "https://meet.example.org/room-7"},
    )

    assert response.status_code == 302
    appointment = Appointment.objects.get(client=client)
    assert (appointment.modality, appointment.location, appointment.join_url) == (
        "video",
        "",
        "https://meet.example.org/room-7",
    )
    assert appointment.starts_at == datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.APPOINTMENT_CHANGED, object_id=str(appointment.public_id)
        ).count()
        == 2
    )  # booked, then its logistics, in one transaction


def test_booking_with_a_plain_http_link_shows_the_error_beside_the_field_and_books_nothing(pair):
    membership, client = pair

    response = logged_in(membership.user).post(
        add_url(client), {**BODY, "modality": "video", "join_url": "http://meet.example.org/a"}
    )

    assert response.status_code == 200
    assert _errors(response) == {
        "join_url": [
            "Enter a secure link that starts with https://, like https://meet.example.org/abc."
        ]
    }
    html = response.content.decode()
    assert 'href="#id_join_url"' in html  # the error summary links to the field
    assert not Appointment.objects.filter(client=client).exists()


def test_booking_without_a_modality_is_in_person_as_before(pair):
    membership, client = pair

    response = logged_in(membership.user).post(add_url(client), BODY)

    assert response.status_code == 302
    appointment = Appointment.objects.get(client=client)
    assert (appointment.modality, appointment.location, appointment.join_url) == (
        "in_person",
        "",
        "",
    )


def test_the_care_team_changes_a_sessions_place_to_a_video_call(pair):
    membership, client = pair
    appointment = appointment_create(
        actor=membership.user,
        client=client,
        clinician=membership,
        starts_at=datetime(2026, 3, 10, 18, 0, tzinfo=UTC),
    )
    http = logged_in(membership.user)

    page = http.get(change_url(client, appointment))
    assert page.status_code == 200
    checked = re.findall(r'<input[^>]*name="modality"[^>]*>', page.content.decode())
    assert [tag for tag in checked if "checked" in tag] == [
        next(tag for tag in checked if 'value="in_person"' in tag)
    ]

    bad = http.post(change_url(client, appointment), {"modality": "video", "join_url": ""})
    assert bad.status_code == 200
    assert _errors(bad, "form") == {
        "join_url": [
            "Enter the link the client uses to join the video call, starting with https://."
        ]
    }

    response = http.post(
        change_url(client, appointment),
        {"modality": "video", "join_url": "https://meet.example.org/room-7"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/clinic/clients/{client.public_id}/#appointments"
    appointment.refresh_from_db()
    assert (appointment.modality, appointment.join_url) == (
        "video",
        "https://meet.example.org/room-7",
    )


def test_someone_off_the_care_team_cannot_change_a_session(pair):
    membership, client = pair
    appointment = appointment_create(
        actor=membership.user,
        client=client,
        clinician=membership,
        starts_at=datetime(2026, 3, 10, 18, 0, tzinfo=UTC),
    )
    stranger, _ = clinician_with_client()

    response = logged_in(stranger.user).post(
        change_url(client, appointment),
        {"modality": "video", "join_url": "https://evil.example.org/"},
    )

    assert response.status_code == 404
    appointment.refresh_from_db()
    assert appointment.join_url == ""


def test_another_clients_appointment_id_is_404_on_the_change_page(pair):
    membership, client = pair
    other_client = clinician_with_client(practice=client.practice)[1]
    CareTeamMemberFactory(client=other_client, membership=membership)
    theirs = appointment_create(
        actor=membership.user,
        client=other_client,
        clinician=membership,
        starts_at=datetime(2026, 3, 10, 18, 0, tzinfo=UTC),
    )

    response = logged_in(membership.user).get(change_url(client, theirs))

    assert response.status_code == 404
