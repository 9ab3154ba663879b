"""The client's "Who has seen my information" page: one entry per person and local day saying
what was seen, paged, refusals by outsiders without a name, and nothing the client does (reading
the page included) adds to it."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from interlude.alerts.models import Alert
from interlude.audit.models import AuditEvent
from interlude.audit.selectors import AccessHistoryGroup
from interlude.audit.services import event_alert_viewed_as_recipient, event_report_exported
from interlude.consents.access import access_client
from interlude.measures.services import response_submit
from interlude.practices.enums import Role, ShareScope
from interlude.tracking.services import CheckInValues, checkin_create
from tests.factories import (
    CareTeamMemberFactory,
    MembershipFactory,
    UserFactory,
    clinician_with_client,
)

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
RECORD = (ShareScope.MEASURES, ShareScope.CHECKINS, ShareScope.JOURNAL)
PAGE = "/me/who-has-seen/"


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _read(user, client, scope, at: str) -> None:
    with time_machine.travel(datetime.fromisoformat(at), tick=False):
        access_client(user=user, client_id=client.public_id, scope=scope)


def _local(at: str) -> datetime:
    return datetime.fromisoformat(at).astimezone(NEW_YORK)


@pytest.fixture
def care():
    membership, client = clinician_with_client()
    membership.user.full_name = "Dr Ada Lovelace"
    membership.user.save()
    client.time_zone = "America/New_York"
    client.save()
    return membership, client


def test_reads_are_grouped_by_person_and_the_clients_local_day_saying_what_was_seen(care):
    ada, client = care
    bo = MembershipFactory(
        practice=client.practice, user=UserFactory(full_name="Bo Chen", mfa_exempt=True)
    )
    CareTeamMemberFactory(client=client, membership=bo, is_primary=False)
    # New York is UTC-4 in March 2026 (after 8 March): 03:30 UTC on the 11th is still the 10th.
    _read(ada.user, client, RECORD, "2026-03-10T14:00:00+00:00")
    _read(ada.user, client, ShareScope.JOURNAL, "2026-03-10T15:00:00+00:00")
    _read(ada.user, client, RECORD, "2026-03-11T03:30:00+00:00")
    _read(ada.user, client, ShareScope.PROFILE, "2026-03-11T15:00:00+00:00")
    _read(bo.user, client, RECORD, "2026-03-10T18:00:00+00:00")
    with time_machine.travel(datetime.fromisoformat("2026-03-10T18:00:05+00:00"), tick=False):
        event_report_exported(actor=bo.user, client=client, kind="pdf")

    response = _as(client.user).get(PAGE)

    assert response.status_code == 200
    assert response.context["groups"] == [
        AccessHistoryGroup(
            day=date(2026, 3, 11),
            who="Dr Ada Lovelace",
            refused=False,
            seen=("your profile and safety plan",),
            did=(),
            times=1,
            first=_local("2026-03-11T15:00:00+00:00"),
            last=_local("2026-03-11T15:00:00+00:00"),
        ),
        AccessHistoryGroup(
            day=date(2026, 3, 10),
            who="Dr Ada Lovelace",
            refused=False,
            seen=("questionnaire scores", "check-ins and mood", "journal and worksheets"),
            did=(),
            times=3,
            first=_local("2026-03-10T14:00:00+00:00"),
            last=_local("2026-03-11T03:30:00+00:00"),
        ),
        AccessHistoryGroup(
            day=date(2026, 3, 10),
            who="Bo Chen",
            refused=False,
            seen=(
                "questionnaire scores",
                "check-ins and mood",
                "journal and worksheets",
                "a progress report (printed or downloaded)",
            ),
            did=(),
            times=1,
            first=_local("2026-03-10T18:00:00+00:00"),
            last=_local("2026-03-10T18:00:05+00:00"),
        ),
    ]
    body = response.content.decode()
    assert body.count("<h2 ") == 2  # one heading per day
    assert "Wednesday 11 March 2026" in body and "Tuesday 10 March 2026" in body
    assert "Looked at your information 3 times:" in body
    assert 'Between <time datetime="2026-03-10T10:00:00-04:00">10:00</time>' in body
    assert "<table" not in body


def test_a_refusal_by_someone_outside_the_care_team_shows_without_their_name(care):
    _, client = care
    stranger = MembershipFactory(
        user=UserFactory(full_name="Quinn Stranger", email="quinn@other.example", mfa_exempt=True)
    )
    # An admin of the client's own practice is not on the care team: the clinic route refuses.
    admin = MembershipFactory(
        practice=client.practice,
        role=Role.ADMIN,
        user=UserFactory(full_name="Pat Admin", email="pat@practice.example", mfa_exempt=True),
    )
    with time_machine.travel(datetime.fromisoformat("2026-03-10T14:00:00+00:00"), tick=False):
        assert _as(stranger.user).get(f"/clinic/clients/{client.public_id}/").status_code == 404
        assert _as(stranger.user).get(f"/clinic/clients/{client.public_id}/").status_code == 404
        assert _as(admin.user).get(f"/clinic/clients/{client.public_id}/").status_code == 404

    response = _as(client.user).get(PAGE)

    body = response.content.decode()
    for secret in ("Quinn", "Stranger", "quinn@other.example", "Pat Admin", "pat@practice"):
        assert secret not in body
    assert body.count("Someone outside your care team (refused)") == 2
    assert [(g.who, g.refused, g.times, g.seen) for g in response.context["groups"]] == [
        ("Someone outside your care team", True, 2, ()),
        ("Someone outside your care team", True, 1, ()),
    ]
    assert "Tried to open your information 2 times and was turned away." in body


def test_nothing_the_client_does_adds_to_the_page_and_reading_it_changes_nothing(care):
    ada, client = care
    _read(ada.user, client, RECORD, "2026-03-10T14:00:00+00:00")

    with time_machine.travel(datetime.fromisoformat("2026-03-12T14:00:00+00:00")):
        http = _as(client.user)
        first = http.get(PAGE).context["groups"]
        events_before = AuditEvent.objects.count()
        for _ in range(5):
            assert http.get(PAGE).context["groups"] == first
        assert AuditEvent.objects.count() == events_before  # reading the page writes nothing
        # The client's own actions: a check-in, a questionnaire with a risk answer (which raises
        # an alert for the care team), their own pages, and a clinician page naming themselves.
        checkin_create(
            client=client, actor=client.user, values=CheckInValues(mood=3), idempotency_key="c1"
        )
        response_submit(
            client=client,
            actor=client.user,
            instrument_code="phq9",
            answers=[2, 2, 2, 2, 2, 2, 2, 2, 1],
            idempotency_key="risk",
        )
        for path in ("/today/", "/progress/", "/me/", f"/clinic/clients/{client.public_id}/"):
            http.get(path)
        # The trail records them, naming the client ...
        assert AuditEvent.objects.filter(client=client).exclude(actor=ada.user).count() >= 3
        # ... but none of them is someone seeing the client's information.
        assert http.get(PAGE).context["groups"] == first
    assert [(g.who, g.times) for g in first] == [("Dr Ada Lovelace", 1)]


def test_an_alert_passed_to_someone_outside_the_care_team_shows_who_saw_it(care):
    _, client = care
    owner = MembershipFactory(
        practice=client.practice,
        role=Role.OWNER,
        user=UserFactory(full_name="Morgan Lee", mfa_exempt=True),
    )
    with time_machine.travel(datetime.fromisoformat("2026-03-10T14:00:00+00:00"), tick=False):
        response_submit(
            client=client,
            actor=client.user,
            instrument_code="phq9",
            answers=[2, 2, 2, 2, 2, 2, 2, 2, 1],
            idempotency_key="risk",
        )
        alert = Alert.objects.get(client=client)
        event_alert_viewed_as_recipient(actor=owner.user, alert=alert, via="escalation")

    groups = _as(client.user).get(PAGE).context["groups"]

    assert [(g.who, g.refused, g.seen, g.did, g.times) for g in groups] == [
        ("Morgan Lee", False, ("an alert about your answers",), (), 1)
    ]


def _history_of(client, user, days: int) -> None:
    for day in range(days):
        _read(user, client, ShareScope.PROFILE, f"2026-01-{1 + day % 28:02d}T15:00:00+00:00")
        if day >= 28:
            _read(user, client, ShareScope.JOURNAL, f"2026-02-{1 + day - 28:02d}T15:00:00+00:00")


def test_the_page_costs_the_same_queries_whatever_the_length_of_the_history(care):
    ada, client = care
    http = _as(client.user)
    _read(ada.user, client, RECORD, "2026-01-01T15:00:00+00:00")
    http.get(PAGE)  # warm the session and the content type caches
    with CaptureQueriesContext(connection) as short:
        http.get(PAGE)

    others = [
        MembershipFactory(practice=client.practice, user=UserFactory(mfa_exempt=True))
        for _ in range(3)
    ]
    for other in others:
        CareTeamMemberFactory(client=client, membership=other, is_primary=False)
        _history_of(client, other.user, 40)
    with CaptureQueriesContext(connection) as long:
        response = http.get(PAGE)

    assert len(response.context["groups"]) == 20
    assert len(long.captured_queries) == len(short.captured_queries)


def test_the_history_is_paged_twenty_entries_at_a_time_with_older_and_newer_links(care):
    ada, client = care
    for day in range(1, 26):
        _read(ada.user, client, RECORD, f"2026-01-{day:02d}T15:00:00+00:00")
    http = _as(client.user)

    first = http.get(PAGE)
    second = http.get(PAGE, {"page": "2"})

    assert [g.day for g in first.context["groups"]] == [date(2026, 1, d) for d in range(25, 5, -1)]
    assert [g.day for g in second.context["groups"]] == [date(2026, 1, d) for d in range(5, 0, -1)]
    assert 'rel="next" href="?page=2">Older</a>' in first.content.decode()
    assert "Newer</a>" not in first.content.decode()
    assert 'rel="prev" href="?page=1">Newer</a>' in second.content.decode()
    assert "Older</a>" not in second.content.decode()
    assert "Page 2 of 2" in second.content.decode()


@pytest.mark.parametrize("page", ["0", "-1", "two", "1.5"])
def test_a_page_number_that_is_not_a_whole_number_from_one_is_a_422(care, page):
    _, client = care

    response = _as(client.user).get(PAGE, {"page": page})

    assert response.status_code == 422
    assert "The page number must be a whole number from 1." in response.content.decode()
