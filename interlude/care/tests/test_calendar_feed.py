"""A clinician's private calendar feed: made on /clinic/calendar/ (token shown once, only its
SHA-256 stored, audited), revoked (then 404), fetched without signing in, through the gate with
one audit event, with initials or the practice's label and nothing that names a client."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.care.calendar_selectors import client_initials
from interlude.care.calendar_services import calendar_feed_create
from interlude.care.models import AppointmentStatus, CalendarFeed, PracticeCalendarSettings
from interlude.care.services import appointment_create, appointment_logistics_set
from interlude.consents.models import ClientPrivacy, ConsentStatus
from interlude.measures.services import appointment_status_change
from interlude.practices.enums import Role
from tests.factories import (
    CareTeamMemberFactory,
    ClientFactory,
    MembershipFactory,
    PracticeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 25, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def clinician():
    return MembershipFactory(
        practice=PracticeFactory(name="Harbour Counselling", time_zone="Europe/Berlin"),
        user=UserFactory(full_name="Dr. Alex Rivera", mfa_exempt=True),
    )


def new_client(clinician, full_name="Jordan Ellis", email="jordan.ellis@example.org", **kw):
    c = ClientFactory(
        practice=clinician.practice,
        full_name=full_name,
        email=email,
        time_zone="Europe/Berlin",
        user=UserFactory(full_name=full_name, email=email),
        **kw,
    )
    CareTeamMemberFactory(client=c, membership=clinician)
    return c


@pytest.fixture
def client(clinician):
    return new_client(clinician)


def book(clinician, client, starts_at, **logistics):
    appointment = appointment_create(
        actor=clinician.user, client=client, clinician=clinician, starts_at=starts_at
    )
    if logistics:
        appointment_logistics_set(actor=clinician.user, appointment=appointment, **logistics)
    return appointment


def logged_in(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def feed_url(token: str) -> str:
    return f"/calendar/{token}.ics"


def _events(body: bytes):
    return list(Calendar.from_ical(body).walk("VEVENT"))


# --- the settings page ---------------------------------------------------------------------------
def test_making_a_link_shows_the_token_once_and_stores_only_its_hash(clinician):
    http = logged_in(clinician.user)

    response = http.post("/clinic/calendar/new/")

    assert response.status_code == 200
    assert set(response["Cache-Control"].split(", ")) == {"private", "no-store"}
    url = re.search(r'value="(http://testserver/calendar/[^"]+\.ics)"', response.content.decode())
    assert url is not None
    token = url.group(1).removeprefix("http://testserver/calendar/").removesuffix(".ics")
    feed = CalendarFeed.objects.get(membership=clinician)
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(CalendarFeed.objects.values().get())
    event = AuditEvent.objects.get(action=AuditAction.CALENDAR_FEED_CREATED)
    assert (event.actor_id, event.object_id) == (clinician.user_id, str(feed.public_id))
    # Reloading the settings page never shows it again.
    assert token not in http.get("/clinic/calendar/").content.decode()


def test_revoking_the_link_makes_the_feed_404_and_is_audited(clinician, client):
    _feed, token = calendar_feed_create(actor=clinician.user, membership=clinician)
    assert HttpClient().get(feed_url(token)).status_code == 200

    response = logged_in(clinician.user).post("/clinic/calendar/revoke/")

    assert response.status_code == 302
    assert HttpClient().get(feed_url(token)).status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.CALENDAR_FEED_REVOKED).count() == 1


def test_a_new_link_revokes_the_old_one(clinician, client):
    _old, first = calendar_feed_create(actor=clinician.user, membership=clinician)
    _new, second = calendar_feed_create(actor=clinician.user, membership=clinician)

    assert HttpClient().get(feed_url(first)).status_code == 404
    assert HttpClient().get(feed_url(second)).status_code == 200
    assert CalendarFeed.objects.filter(revoked_at__isnull=True).count() == 1


def test_the_settings_page_shows_when_the_link_was_last_used(clinician, client):
    _feed, token = calendar_feed_create(actor=clinician.user, membership=clinician)
    http = logged_in(clinician.user)
    assert "Not yet" in http.get("/clinic/calendar/").content.decode()

    HttpClient().get(feed_url(token))

    html = http.get("/clinic/calendar/").content.decode()
    assert "Last used by a calendar app</dt><dd>25 March 2026, 13:00</dd>" in html


def test_an_admin_has_no_calendar_page():
    admin = MembershipFactory(role=Role.ADMIN, user=UserFactory(mfa_exempt=True))

    assert logged_in(admin.user).get("/clinic/calendar/").status_code == 404


def test_the_owner_sets_the_practice_label_and_a_clinician_cannot(clinician, client):
    owner = MembershipFactory(
        practice=clinician.practice, role=Role.OWNER, user=UserFactory(mfa_exempt=True)
    )

    assert (
        logged_in(clinician.user).post("/clinic/calendar/label/", {"event_label": "x"}).status_code
        == 404
    )
    too_long = logged_in(owner.user).post("/clinic/calendar/label/", {"event_label": "x" * 61})
    assert too_long.status_code == 422
    assert "Ensure this value has at most 60 characters" in too_long.content.decode()
    response = logged_in(owner.user).post(
        "/clinic/calendar/label/", {"event_label": "  Client   session "}
    )

    assert response.status_code == 302
    assert PracticeCalendarSettings.objects.get(practice=clinician.practice).event_label == (
        "Client session"
    )


# --- the feed ----------------------------------------------------------------------------------
def test_the_feed_has_initials_times_and_modality_and_nothing_that_names_the_client(
    clinician, client
):
    book(
        clinician,
        client,
        NOW + timedelta(days=2),
        modality="video",
        location="",
        join_url="https://meet.example.org/jordan-ellis",
    )
    book(
        clinician,
        client,
        NOW + timedelta(days=9),
        modality="in_person",
        location="14 Jordan Street, Hamburg",
        join_url="",
    )
    _feed, token = calendar_feed_create(actor=clinician.user, membership=clinician)

    response = HttpClient().get(feed_url(token))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-cache"
    body = response.content.decode()
    for secret in ("Jordan", "Ellis", "jordan.ellis@example.org", "meet.example.org", "Hamburg"):
        assert secret not in body
    events = _events(response.content)
    assert [str(e["summary"]) for e in events] == ["J.E.", "J.E."]
    assert [str(e["description"]) for e in events] == ["Video call.", "In person."]
    assert [e.decoded("dtstart") for e in events] == [
        NOW + timedelta(days=2),
        NOW + timedelta(days=9),
    ]
    assert all("location" not in e and "url" not in e for e in events)


def test_the_feed_uses_the_practice_label_when_one_is_set(clinician, client):
    PracticeCalendarSettings.objects.create(practice=clinician.practice, event_label="Session")
    book(clinician, client, NOW + timedelta(days=2))
    _feed, token = calendar_feed_create(actor=clinician.user, membership=clinician)

    response = HttpClient().get(feed_url(token))

    assert [str(e["summary"]) for e in _events(response.content)] == ["Session"]
    assert "J.E." not in response.content.decode()


def test_the_feed_window_is_30_days_back_to_a_year_ahead_and_cancelled_sessions_say_so(
    clinician, client
):
    book(clinician, client, NOW - timedelta(days=31))
    kept_past = book(clinician, client, NOW - timedelta(days=29))
    cancelled = book(clinician, client, NOW + timedelta(days=3))
    appointment_status_change(
        actor=clinician.user, appointment=cancelled, status=AppointmentStatus.CANCELLED
    )
    book(clinician, client, NOW + timedelta(days=367))
    _feed, token = calendar_feed_create(actor=clinician.user, membership=clinician)

    events = _events(HttpClient().get(feed_url(token)).content)

    assert [(str(e["uid"]).split("@")[0], str(e["status"])) for e in events] == [
        (str(kept_past.public_id), "CONFIRMED"),
        (str(cancelled.public_id), "CANCELLED"),
    ]


def test_the_feed_lists_only_this_clinicians_sessions_with_clients_on_their_care_teams(
    clinician, client
):
    colleague = MembershipFactory(practice=clinician.practice, user=UserFactory(mfa_exempt=True))
    CareTeamMemberFactory(client=client, membership=colleague, is_primary=False)
    book(clinician, client, NOW + timedelta(days=1))
    book(colleague, client, NOW + timedelta(days=2))
    stranger_client = ClientFactory(practice=clinician.practice, full_name="Casey Stone")
    CareTeamMemberFactory(client=stranger_client, membership=colleague)
    # Booked by the clinician once, but the client is no longer on their care team.
    appointment_create(
        actor=colleague.user,
        client=stranger_client,
        clinician=clinician,
        starts_at=NOW + timedelta(days=4),
    )
    _feed, token = calendar_feed_create(actor=clinician.user, membership=clinician)

    events = _events(HttpClient().get(feed_url(token)).content)

    assert [e.decoded("dtstart") for e in events] == [NOW + timedelta(days=1)]


def test_a_feed_fetch_is_audited_once_naming_the_clinician_and_the_count(clinician, client):
    new_client(clinician, full_name="Sam Other", email="sam@example.org")
    book(clinician, client, NOW + timedelta(days=1))
    _feed, token = calendar_feed_create(actor=clinician.user, membership=clinician)
    before = AuditEvent.objects.count()

    HttpClient().get(feed_url(token))

    [event] = AuditEvent.objects.order_by("seq")[before:]
    assert (event.action, event.actor_id, event.detail) == (
        AuditAction.CASELOAD_VIEWED,
        clinician.user_id,
        {"clients": 2},
    )
    assert event.actor_label == clinician.user.email


def test_unknown_and_revoked_tokens_are_404(clinician, client):
    feed, token = calendar_feed_create(actor=clinician.user, membership=clinician)
    feed.revoked_at = NOW
    feed.save()

    assert HttpClient().get(feed_url(token)).status_code == 404
    assert HttpClient().get(feed_url("not-a-real-token")).status_code == 404
    assert HttpClient().get(feed_url("x" * 300)).status_code == 404


@pytest.mark.parametrize("change", ["deactivated", "user_disabled", "now_admin"])
def test_a_feed_whose_clinician_may_no_longer_see_clients_is_404(clinician, client, change):
    _feed, token = calendar_feed_create(actor=clinician.user, membership=clinician)
    if change == "deactivated":
        clinician.is_active = False
        clinician.save()
    elif change == "user_disabled":
        clinician.user.is_active = False
        clinician.user.save()
    else:
        clinician.role = Role.ADMIN
        clinician.save()

    assert HttpClient().get(feed_url(token)).status_code == 404


def test_the_feed_needs_no_sign_in_and_is_not_sent_to_onboarding(clinician):
    # A signed-in client with a pending consent question is redirected from client pages; the
    # feed is a public route, so neither the sign-in nor the consent redirect touches it.
    pending = new_client(clinician, full_name="Pat Pending", email="pat@example.org")
    ClientPrivacy.objects.filter(client=pending).update(consent_status=ConsentStatus.PENDING)
    _feed, token = calendar_feed_create(actor=clinician.user, membership=clinician)

    assert HttpClient().get(feed_url(token)).status_code == 200
    assert logged_in(pending.user).get(feed_url(token)).status_code == 200


def test_the_feed_is_rate_limited(clinician, client, settings):
    _feed, token = calendar_feed_create(actor=clinician.user, membership=clinician)
    http = HttpClient()
    codes = [http.get(feed_url(token)).status_code for _ in range(31)]

    assert codes[:30] == [200] * 30
    assert codes[30] == 429


def test_the_feed_costs_the_same_queries_however_many_sessions(
    clinician, client, django_assert_num_queries
):
    _feed, token = calendar_feed_create(actor=clinician.user, membership=clinician)
    book(clinician, client, NOW + timedelta(days=1))
    http = HttpClient()

    # Ten minutes apart, so both fetches write "last used".
    with (
        time_machine.travel(NOW + timedelta(minutes=10), tick=False),
        CaptureQueriesContext(connection) as few,
    ):
        assert http.get(feed_url(token)).status_code == 200
    for n in range(2, 8):
        other = new_client(clinician, full_name=f"Client Number{n}", email=f"c{n}@example.org")
        book(clinician, other, NOW + timedelta(days=n))
        book(clinician, client, NOW + timedelta(days=n, hours=3))

    with (
        time_machine.travel(NOW + timedelta(minutes=20), tick=False),
        django_assert_num_queries(len(few.captured_queries)),
    ):
        response = http.get(feed_url(token))
    assert len(_events(response.content)) == 13


def test_client_initials():
    assert client_initials("Jordan Ellis") == "J.E."
    assert client_initials("Mary Ann de la Cruz") == "M.C."
    assert client_initials("Cher") == "C."
    assert client_initials("  ") == "Client"
    assert client_initials("élodie ümit") == "É.Ü."
