"""patterns_for_client on real records, the client's Progress page section and the clinician's
panel: exact numbers from check-ins and relaxation sessions, the 90-day look-back, a fixed number
of queries whatever the amount of data, and words that never claim a cause."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from interlude.consents.access import Viewer, care_access_for
from interlude.exercises.relaxation_services import relaxation_session_create
from interlude.insights.patterns import Factor
from interlude.insights.selectors_patterns import PATTERN_QUERIES, patterns_for_client
from interlude.tracking.services import CheckInValues, checkin_create
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db

# Noon in New York on Tuesday 10 March 2026 (EDT, UTC-4).
NOW = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)
NEW_YORK = ZoneInfo("America/New_York")
# Days 1-7 ago: a walk, 8 hours' sleep, a relaxation exercise; days 8-15 ago: work, 6 hours.
WITH_WEEK = [6, 7, 7, 8, 6, 7, 8]  # mean 7, s² = 2/3
WITHOUT_EIGHT = [5, 5, 6, 4, 6, 5, 4, 5]  # mean 5, s² = 4/7
BANNED = re.compile(r"\b(because|leads? to|led to|due to|results? in|thanks to)\b", re.I)


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pair():
    return clinician_with_client()


def evening(days_ago: int, hour: int = 20) -> datetime:
    day = TODAY - timedelta(days=days_ago)
    return datetime.combine(day, time(hour, 0), tzinfo=NEW_YORK)


def checkin(client, when, mood, *, activities=(), sleep=None, key=None):
    checkin_create(
        client=client,
        actor=client.user,
        values=CheckInValues(mood=mood, sleep_hours=sleep, activities=list(activities)),
        idempotency_key=key or f"k-{when.isoformat()}",
        recorded_at=when,
    )


def relax(client, when, seconds=300):
    relaxation_session_create(
        client=client,
        actor=client.user,
        kind="box",
        started_at=when,
        seconds_practised=seconds,
        idempotency_key=f"r-{when.isoformat()}",
    )


def fifteen_days(client, *, friends: tuple[int, ...] = ()) -> None:
    """Also "Friends" on the days `friends` ago, when given."""
    for days_ago, mood in enumerate(WITH_WEEK, start=1):
        activities = ["Walk", "Friends"] if days_ago in friends else ["Walk"]
        checkin(client, evening(days_ago), mood, activities=activities, sleep=Decimal("8"))
        relax(client, evening(days_ago, 9))
    for days_ago, mood in enumerate(WITHOUT_EIGHT, start=8):
        activities = ["Work", "Friends"] if days_ago in friends else ["Work"]
        checkin(client, evening(days_ago), mood, activities=activities, sleep=Decimal("6"))


def own(client):
    """The client's own CareAccess (they see all of their record), as the gate builds it."""
    return care_access_for(client=client, user=client.user, viewer=Viewer.SELF, membership=None)


def http_for(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


# --- the selector ---------------------------------------------------------------------------------
def test_patterns_for_client_compares_mood_by_the_clients_local_days(pair, now):
    _, client = pair
    fifteen_days(client)

    report = patterns_for_client(access=own(client))

    assert report.mood_days == 15
    assert report.start == TODAY - timedelta(days=89)
    assert report.end == TODAY
    assert report.tested == 4
    # all four split the days the same way (+2.0 or -2.0, interval 1.1 to 2.9 points from
    # zero); ties go sleep, relaxation, then activities by name
    assert [(p.factor, p.label) for p in report] == [
        (Factor.SLEEP, ""),
        (Factor.RELAXATION, ""),
        (Factor.ACTIVITY, "Walk"),
        (Factor.ACTIVITY, "Work"),
    ]
    walk = report[2]
    assert (walk.n_with, walk.n_without) == (7, 8)
    assert walk.interval is not None
    assert walk.interval.difference == 2.0
    assert walk.interval.df == pytest.approx(1029 / 83, abs=1e-12)
    assert (round(walk.interval.low, 2), round(walk.interval.high, 2)) == (1.11, 2.89)
    assert report[3].interval is not None
    assert report[3].interval.difference == -2.0
    assert report.waiting == []


def test_only_the_last_90_days_and_only_this_client_count(pair, now):
    _, client = pair
    fifteen_days(client)
    # 90 days ago is outside the look-back (today is day 0): a very low walk day there is ignored
    checkin(client, evening(90), 0, activities=["Walk"], sleep=Decimal("9"))
    checkin(client, evening(89), 5, activities=["Work"], key="day-89")
    _, other = clinician_with_client()
    for days_ago in range(1, 30):
        checkin(other, evening(days_ago), 0, activities=["Walk"], sleep=Decimal("9"))

    report = patterns_for_client(access=own(client))

    assert report.mood_days == 16
    walk = next(p for p in report if p.label == "Walk")
    assert (walk.n_with, walk.n_without) == (7, 9)


def test_few_days_leave_comparisons_waiting_with_what_they_need(pair, now):
    _, client = pair
    for days_ago in range(1, 6):
        checkin(client, evening(days_ago), 6, activities=["Walk"], sleep=Decimal("7.5"))

    report = patterns_for_client(access=own(client))

    assert list(report) == []
    assert report.tested == 0
    assert report.mood_days_needed == 9
    assert [p.client_waiting for p in report.waiting] == [
        "Sleep: 2 more days after a night of 7 hours or more and 7 more after a shorter night.",
        "“Walk”: 2 more days with it and 7 more without it.",
    ]


def test_the_minimum_and_the_sleep_threshold_are_parameters(pair, now):
    _, client = pair
    fifteen_days(client)

    report = patterns_for_client(access=own(client), min_days=8, sleep_threshold=9)

    assert report.min_days == 8
    assert report.tested == 0  # the walk has 7 days: one short
    sleep = next(p for p in report.waiting if p.factor == Factor.SLEEP)
    assert (sleep.n_with, sleep.n_without) == (0, 15)


def _count_queries(client) -> int:
    access = own(client)
    with CaptureQueriesContext(connection) as ctx:
        patterns_for_client(access=access)
    return len(ctx.captured_queries)


def _days_of_data(days: int):
    _, client = clinician_with_client()
    for days_ago in range(days):
        checkin(
            client,
            evening(days_ago, 8),
            days_ago % 11,
            activities=["Walk", "Work"][: 1 + days_ago % 2],
            sleep=Decimal(str(5 + days_ago % 4)),
        )
        if days_ago % 3 == 0:
            relax(client, evening(days_ago, 9))
    return client


def test_patterns_for_client_makes_the_same_two_queries_for_20_and_200_days(now):
    few, many = _days_of_data(20), _days_of_data(200)

    assert _count_queries(few) == _count_queries(many) == PATTERN_QUERIES == 2
    assert patterns_for_client(access=own(many)).mood_days == 90


# --- the client's Progress page ---------------------------------------------------------------
def _section(html: str) -> str:
    start = html.index('<section class="patterns patterns-client"')
    return html[start : html.index("</section>", start)]


def test_progress_page_shows_what_goes_together_with_numbers_and_uncertainty(pair, now):
    _, client = pair
    fifteen_days(client)

    response = http_for(client.user).get("/progress/")

    assert response.status_code == 200
    html = response.content.decode()
    section = _section(html)
    assert '<h2 id="patterns-heading">What goes together in your data</h2>' in section
    assert "This shows what tends to go together, not what causes what." in section
    assert (
        "On days with “Walk”, your mood averaged 2.0 points higher (7 days with, 8 without)."
        in section
    )
    assert "The true difference could be anywhere from 1.1 to 2.9 points higher." in section
    assert (
        "On days after a night of 7 hours&#x27; sleep or more, your mood averaged 2.0 points "
        "higher than after shorter nights (7 days after 7 hours or more, 8 after less)."
    ) in section
    assert "We compared 4 things. When we compare many things, a few will look notable" in section
    assert section.count('<li class="pattern-card">') == 4
    # the section comes after the charts, at the end of the page
    assert html.index('id="patterns-heading"') > html.rindex('class="chart-card"')
    words = re.sub(r"<[^>]+>", " ", section).replace("not what causes what", "")
    assert not BANNED.search(words)
    assert not re.search(r"\bcauses?\b", words)


def test_progress_page_without_enough_days_says_how_many_more_kindly(pair, now):
    _, client = pair
    checkin(client, evening(1), 5, activities=["Walk"])

    section = _section(http_for(client.user).get("/progress/").content.decode())

    assert (
        "Patterns show up once you have at least 14 days with a check-in in the last 90 days. "
        "You have 1 so far, so 13 more to go. There is no rush."
    ) in section
    assert "“Walk”: 6 more days with it and 7 more without it." in section


def test_progress_page_patterns_use_a_fixed_number_of_queries(now):
    def page_queries(client) -> int:
        http = http_for(client.user)
        http.get("/today/")  # warm up the session
        with CaptureQueriesContext(connection) as ctx:
            assert http.get("/progress/").status_code == 200
        return len(
            [q for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"].split(" ", 2)[:2]]
        )

    assert page_queries(_days_of_data(20)) == page_queries(_days_of_data(200))


# --- the clinician's panel ------------------------------------------------------------------------
def test_clinician_panel_shows_mean_difference_ci_n_and_welch(pair, now):
    _, client = pair
    # a fifth comparison whose interval includes zero: friends on days 1, 3, ... 15 ago
    # (mood 6 7 6 8 5 4 5 5, mean 5.75) against days 2, 4, ... 14 ago (7 8 7 5 6 6 4, mean 6.14)
    fifteen_days(client, friends=(1, 3, 5, 7, 9, 11, 13, 15))

    html = render_to_string(
        "insights/_patterns.html", {"patterns": patterns_for_client(access=own(client))}
    )

    assert '<h2 id="patterns-title">Mood associations' in html
    assert "Welch" in html
    assert "Mean difference" in html
    assert "95% CI" in html
    rows = re.findall(r'<tr>\s*<th scope="row">([^<]+)<span', html)
    assert rows == [
        "Sleep ≥ 7 h",
        "Relaxation practice",
        "Activity: Walk",
        "Activity: Work",
        "Activity: Friends",
    ]
    assert "\u22122.0" in html  # work days: a real minus sign
    assert "+1.1 to +2.9" in html
    assert html.count("includes 0") == 1
    assert '5.8 <span class="muted">(8)</span>' in html
    assert '6.1 <span class="muted">(7)</span>' in html
    assert "\u22120.4" in html
    assert "5 comparisons tested; 95% CIs not adjusted for multiple comparisons" in html
    assert "not causal effects" in html


def test_clinician_panel_without_enough_data_says_so(pair, now):
    _, client = pair
    checkin(client, evening(1), 5, activities=["Walk"])

    html = render_to_string(
        "insights/_patterns.html", {"patterns": patterns_for_client(access=own(client))}
    )

    assert "No comparison has ≥ 7 days in each group yet" in html
    assert "(at least 13 more days with mood needed)" in html
    assert "Insufficient data (n with / without): Activity: Walk 1/0." in html


def test_clinician_panel_renders_with_a_plain_empty_list():
    html = render_to_string("insights/_patterns.html", {"patterns": []})

    assert "No comparison has ≥ 7 days in each group yet" in html
