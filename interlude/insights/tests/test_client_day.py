"""A check-in or answer made at 23:30 in the client's zone is on that local day everywhere: the
charts, the tables, the sentences and the PDF, for the client and the care team alike.

The client lives in Los Angeles, where 23:30 on 2 March is already 3 March in UTC and in the
practice's Berlin; every date the product shows must say 2 March."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client as HttpClient

from interlude.core.clock import add_local_days, client_date, local_date, local_midnight
from interlude.insights.charts import ChartPoint, instrument_chart_svg
from interlude.measures.services import response_submit
from interlude.tracking.services import CheckInValues, checkin_create
from tests.factories import (
    CareTeamMemberFactory,
    ClientFactory,
    MembershipFactory,
    PracticeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 3, 12, 18, 0, tzinfo=UTC)  # 11:00 in Los Angeles, 19:00 in Berlin
LATE_2_MARCH = datetime(2026, 3, 2, 23, 30, tzinfo=LA)  # 07:30 UTC on 3 March
LATE_9_MARCH = datetime(2026, 3, 9, 23, 30, tzinfo=LA)


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def _pair():
    practice = PracticeFactory(time_zone="Europe/Berlin")
    membership = MembershipFactory(
        practice=practice, user=UserFactory(full_name="Dr Ada Lovelace", mfa_exempt=True)
    )
    client = ClientFactory(practice=practice, time_zone="America/Los_Angeles", user=UserFactory())
    CareTeamMemberFactory(client=client, membership=membership)
    return membership, client


def _submit(client, answers, when):
    response_submit(
        client=client,
        actor=client.user,
        instrument_code="phq9",
        answers=answers,
        idempotency_key=str(uuid.uuid4()),
        submitted_at=when,
    )


def _svg_texts(html: str, chart_id: str) -> list[str]:
    svg = re.search(rf'<svg[^>]*aria-labelledby="{chart_id}-title[^>]*>.*?</svg>', html, re.S)
    assert svg is not None, chart_id
    return [unescape(t) for t in re.findall(r">([^<>]+)<", svg.group(0))]


# --- the one helper -------------------------------------------------------------------------------
def test_an_instant_is_dated_on_the_clients_day_or_where_the_record_was_made():
    instant = LATE_2_MARCH.astimezone(UTC)

    assert instant.date().isoformat() == "2026-03-03"
    assert local_date(instant, "America/Los_Angeles").isoformat() == "2026-03-02"
    assert local_date(instant, LA).isoformat() == "2026-03-02"
    # Recorded while the client was in Berlin: dated where they were.
    assert local_date(instant, LA, record_zone="Europe/Berlin").isoformat() == "2026-03-03"
    # An unknown stored zone falls back to the client's.
    assert local_date(instant, LA, record_zone="Mars/Olympus").isoformat() == "2026-03-02"

    class Someone:
        time_zone = "Not/AZone"

    assert client_date(instant, Someone()).isoformat() == "2026-03-03"  # UTC, not a crash


def test_whole_days_move_on_the_clients_wall_clock_across_daylight_saving():
    # Los Angeles moves its clocks forward on 8 March 2026.
    nine = datetime(2026, 3, 5, 9, 0, tzinfo=LA)

    later = add_local_days(nine, 7, LA)

    assert later.astimezone(LA).strftime("%d %H:%M") == "12 09:00"
    # 167 real hours, not 168: the clocks went forward in between.
    assert (later.astimezone(UTC) - nine.astimezone(UTC)).total_seconds() == 167 * 3600
    assert local_midnight(datetime(2026, 3, 29).date(), "Europe/Berlin").isoformat() == (
        "2026-03-29T00:00:00+01:00"
    )


# --- charts and their text ------------------------------------------------------------------------
def test_the_chart_dates_a_late_evening_answer_on_the_clients_day():
    svg = instrument_chart_svg(
        [ChartPoint(at=LATE_2_MARCH.astimezone(UTC), value=9)],
        chart_id="phq9",
        title="PHQ-9",
        description="PHQ-9 9",
        low=0,
        high=27,
        zone=LA,
    )

    texts = re.findall(r">([^<>]+)<", svg)
    assert "2 Mar 2026" in texts  # the date under the point
    assert "2 Mar 2026: 9" in texts  # the point's title
    assert not any("3 Mar" in t for t in texts)


def test_clinician_record_chart_table_and_summary_agree_on_the_clients_day(now):
    membership, client = _pair()
    _submit(client, [2, 2, 2, 2, 2, 2, 2, 2, 0], LATE_2_MARCH)
    _submit(client, [1, 1, 1, 1, 1, 1, 1, 2, 0], LATE_9_MARCH)
    http = HttpClient()
    http.force_login(membership.user)
    http.get("/clinic/")

    html = http.get(f"/clinic/clients/{client.public_id}/").content.decode()

    texts = _svg_texts(html, "instrument-phq9")
    assert texts[-4:] == [
        "2 Mar 2026",
        "9 Mar 2026",
        "2 Mar 2026: 16, moderately severe",
        "9 Mar 2026: 9, mild; recovered",
    ]
    assert "(16, 2 Mar 2026)" in texts[1]
    assert not any("3 Mar" in t or "10 Mar" in t for t in texts)
    table = re.search(r"<table.*?</table>", html[html.index('id="questionnaires"') :], re.S)
    assert table is not None
    days = re.findall(r"<time [^>]*>([^<]+)</time>", table.group(0))
    assert days == ["9 Mar 2026", "2 Mar 2026"]
    assert "scored answers from 2 Mar 2026 to 9 Mar 2026" in unescape(html)


def test_clients_progress_chart_dates_match_its_sentence(now):
    _, client = _pair()
    _submit(client, [2, 2, 2, 2, 2, 2, 2, 2, 0], LATE_2_MARCH)
    _submit(client, [1, 1, 1, 1, 1, 1, 1, 2, 0], LATE_9_MARCH)
    http = HttpClient()
    http.force_login(client.user)

    html = http.get("/questionnaires/").content.decode()

    texts = _svg_texts(html, "my-phq9")
    assert "From 16 on 2 March to 9 on 9 March" in unescape(html)
    assert "2 Mar 2026" in texts and "9 Mar 2026" in texts
    assert not any("3 Mar" in t or "10 Mar" in t for t in texts)


def test_a_late_evening_check_in_is_on_that_day_in_the_chart_and_the_timeline(now):
    membership, client = _pair()
    checkin_create(
        client=client,
        actor=client.user,
        values=CheckInValues(
            mood=3,
            anxiety=None,
            sleep_hours=None,
            emotions=[],
            activities=[],
            note=None,
            note_shared=False,
        ),
        idempotency_key=str(uuid.uuid4()),
        recorded_at=LATE_9_MARCH,
    )
    http = HttpClient()
    http.force_login(membership.user)
    http.get("/clinic/")

    html = unescape(http.get(f"/clinic/clients/{client.public_id}/").content.decode())

    timeline = html[html.index('id="timeline"') : html.index('id="patterns"')]
    words = " ".join(re.sub(r"<[^>]+>", " ", timeline).split())
    assert "Monday 9 March 23:30 Check-in Mood 3/10" in words
    assert "10 March" not in words
