"""The Progress page, its selector and its API: daily values in the client's days, three charts,
summaries with n, and a fixed number of queries whatever the number of check-ins."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.consents.access import Viewer, care_access_for
from interlude.tracking.selectors import progress_series
from interlude.tracking.services import CheckInValues, checkin_create
from tests.factories import MembershipFactory, UserFactory, clinician_with_client

pytestmark = pytest.mark.django_db

# Noon in New York on Tuesday 10 March 2026 (EDT, UTC-4, since 8 March).
NOW = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)
# Statements per page, savepoints not counted: session, user, membership (tenant), client
# profile, the client's privacy row (the gate's CareAccess: module switches), observations (one
# query for all three kinds). The page also reads the consent state (the onboarding middleware)
# and its patterns panel. No session bookkeeping: the warm-up request wrote it within the minute
# (accounts/middleware.py).
PROGRESS_PAGE_QUERIES = 9
PROGRESS_API_QUERIES = 6


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pair():
    membership, client = clinician_with_client()
    return membership, client


def checkin(client, when: datetime, mood: int, *, anxiety=None, sleep=None, key=None):
    return checkin_create(
        client=client,
        actor=client.user,
        values=CheckInValues(mood=mood, anxiety=anxiety, sleep_hours=sleep),
        idempotency_key=key or f"k-{when.isoformat()}-{mood}",
        recorded_at=when,
    )[0]


def own(client):
    """The client's own view of their record (sees everything)."""
    return care_access_for(client=client, user=client.user, viewer=Viewer.SELF, membership=None)


def http_for(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


# --- the selector ---------------------------------------------------------------------------------
def test_a_check_in_at_2330_local_counts_for_that_local_day(pair, now):
    _, client = pair  # America/New_York
    # 23:30 on Sunday 8 March in New York is 03:30 on Monday 9 March in UTC.
    checkin(client, datetime(2026, 3, 9, 3, 30, tzinfo=UTC), 3)

    progress = progress_series(access=own(client), days=7)

    assert progress.start == date(2026, 3, 4)
    assert progress.end == TODAY
    assert progress.series["mood"] == [
        (date(2026, 3, 4), None),
        (date(2026, 3, 5), None),
        (date(2026, 3, 6), None),
        (date(2026, 3, 7), None),
        (date(2026, 3, 8), 3.0),
        (date(2026, 3, 9), None),
        (TODAY, None),
    ]


def test_values_of_one_day_are_averaged_and_kinds_kept_apart(pair, now):
    _, client = pair
    checkin(client, datetime(2026, 3, 10, 12, 0, tzinfo=UTC), 4, anxiety=6, sleep=Decimal("6.5"))
    checkin(client, datetime(2026, 3, 10, 15, 0, tzinfo=UTC), 7, anxiety=2)

    progress = progress_series(access=own(client), days=7)

    assert progress.series["mood"][-1] == (TODAY, 5.5)
    assert progress.series["anxiety"][-1] == (TODAY, 4.0)
    assert progress.series["sleep_hours"][-1] == (TODAY, 6.5)
    assert set(progress.series) == {"mood", "anxiety", "sleep_hours"}


def test_days_must_be_7_30_or_90(pair):
    with pytest.raises(ValueError, match="days"):
        progress_series(access=own(pair[1]), days=14)


def test_another_clients_check_ins_never_show(pair, now):
    _, client = pair
    _, other = clinician_with_client()
    checkin(other, datetime(2026, 3, 10, 12, 0, tzinfo=UTC), 9)

    progress = progress_series(access=own(client), days=7)

    assert all(v is None for _, v in progress.series["mood"])


# --- the page -------------------------------------------------------------------------------------
def test_progress_page_shows_three_charts_with_summaries_and_tables(pair, now):
    _, client = pair
    checkin(client, datetime(2026, 3, 6, 14, 0, tzinfo=UTC), 3, anxiety=7, sleep=Decimal("5"))
    checkin(client, datetime(2026, 3, 8, 14, 0, tzinfo=UTC), 6, anxiety=5, sleep=Decimal("7.5"))
    checkin(client, datetime(2026, 3, 10, 14, 0, tzinfo=UTC), 8)

    response = http_for(client.user).get("/progress/?days=7")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 3
    assert [c.summary for c in response.context["charts"]] == [
        "Mood averaged 5.7 over 3 days with a check-in; lowest 3, highest 8.",
        "Anxiety averaged 6.0 over 2 days with a check-in; lowest 5, highest 7.",
        "Sleep averaged 6.2 hours over 2 days with a check-in; lowest 5, highest 7.5.",
    ]
    for chart in response.context["charts"]:
        assert f'<p class="chart-summary">{chart.summary}</p>' in html
    assert '<a href="?days=7" aria-current="page">7 days</a>' in html
    assert re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]+)</td></tr>', html) == [
        ("Fri 6 Mar", "3"),
        ("Sun 8 Mar", "6"),
        ("Tue 10 Mar", "8"),
        ("Fri 6 Mar", "7"),
        ("Sun 8 Mar", "5"),
        ("Fri 6 Mar", "5"),
        ("Sun 8 Mar", "7.5"),
    ]
    assert "streak" not in html.lower()


def test_progress_defaults_to_30_days_and_ignores_other_values(pair, now):
    _, client = pair
    http = http_for(client.user)

    for query in ("", "?days=12", "?days=abc"):
        response = http.get(f"/progress/{query}")
        assert response.context["days"] == 30
        assert '<a href="?days=30" aria-current="page">30 days</a>' in response.content.decode()


def test_progress_without_check_ins_says_so_plainly(pair, now):
    html = http_for(pair[1].user).get("/progress/").content.decode()

    assert "Nothing to show for these 30 days yet." in html
    assert "Nothing recorded for mood in these 30 days." in html


def test_a_clinician_has_no_progress_page_of_their_own(pair):
    membership, _ = pair

    assert http_for(membership.user).get("/progress/").status_code == 404


# --- query counts ---------------------------------------------------------------------------------
def _client_with_checkins(count: int):
    _, client = clinician_with_client()
    for i in range(count):
        when = NOW - timedelta(hours=10 * i + 1)  # spread over the last 84 days
        checkin(client, when, i % 11, anxiety=(i * 3) % 11, sleep=Decimal(i % 10), key=f"k{i}")
    http = http_for(client.user)
    http.get("/today/")  # warm up: the session learns its kind on the first request
    return client, http


def _queries(http, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = http.get(path)
    assert response.status_code == 200
    return len(
        [
            q
            for q in ctx.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))
        ]
    )


def test_progress_page_query_count_is_the_same_for_10_and_200_check_ins(now):
    _, few = _client_with_checkins(10)
    many_client, many = _client_with_checkins(200)

    small = _queries(few, "/progress/?days=90")
    large = _queries(many, "/progress/?days=90")

    assert small == large == PROGRESS_PAGE_QUERIES
    series = progress_series(access=own(many_client), days=90)
    assert sum(v is not None for _, v in series.series["mood"]) == 84


def test_progress_api_query_count_is_the_same_for_10_and_200_check_ins(now):
    _, few = _client_with_checkins(10)
    _, many = _client_with_checkins(200)

    assert (
        _queries(few, "/api/v1/progress?days=90")
        == _queries(many, "/api/v1/progress?days=90")
        == PROGRESS_API_QUERIES
    )


# --- the API --------------------------------------------------------------------------------------
def test_progress_api_returns_one_value_or_null_per_day(pair, now):
    _, client = pair
    checkin(client, datetime(2026, 3, 9, 3, 30, tzinfo=UTC), 3, sleep=Decimal("7.25"))

    response = http_for(client.user).get("/api/v1/progress?days=7")

    assert response.status_code == 200
    body = response.json()
    assert (body["days"], body["start"], body["end"], body["time_zone"]) == (
        7,
        "2026-03-04",
        "2026-03-10",
        "America/New_York",
    )
    assert body["series"]["mood"][4] == {"date": "2026-03-08", "value": 3.0}
    assert body["series"]["sleep_hours"][4] == {"date": "2026-03-08", "value": 7.25}
    assert [d["value"] for d in body["series"]["anxiety"]] == [None] * 7


def test_progress_api_refuses_other_day_counts_with_422(pair):
    response = http_for(pair[1].user).get("/api/v1/progress?days=14")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "days"]


def test_care_team_clinician_reads_progress_through_the_gate_with_the_checkins_scope(pair, now):
    membership, client = pair

    response = http_for(membership.user).get(
        f"/api/v1/progress?days=7&client_id={client.public_id}"
    )

    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.CLIENT_RECORD_VIEWED)
    assert (event.actor, event.client, event.detail) == (
        membership.user,
        client,
        {"scope": "checkins"},
    )


def test_another_practices_clinician_gets_404_for_progress(pair):
    _, client = pair
    stranger = MembershipFactory(user=UserFactory(mfa_exempt=True))

    response = http_for(stranger.user).get(f"/api/v1/progress?client_id={client.public_id}")

    assert response.status_code == 404
