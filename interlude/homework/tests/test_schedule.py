"""Recurrences on the client's wall-clock calendar: daily, weekdays, chosen weekdays, until a
date, N times a week; strict validation naming the field."""

from __future__ import annotations

from datetime import date

import pytest

from interlude.core.errors import ApplicationError
from interlude.homework.schedule import (
    Schedule,
    is_occurrence,
    occurrence_days,
    rrule_for,
    rrule_parse,
)


def _rule(rule: str, start: date) -> Schedule:
    return Schedule(schedule="rrule", starts_on=start, rrule=rule)


def test_daily_yields_each_date_once_across_the_spring_dst_change():
    # 29 March 2026: Europe clocks go forward; 8 March 2026: the US. Dates, not instants.
    s = _rule("FREQ=DAILY", date(2026, 3, 27))
    assert occurrence_days(s, date(2026, 3, 27), date(2026, 3, 31)) == [
        date(2026, 3, 27),
        date(2026, 3, 28),
        date(2026, 3, 29),
        date(2026, 3, 30),
        date(2026, 3, 31),
    ]


def test_daily_across_the_autumn_dst_change_has_no_repeat():
    s = _rule("FREQ=DAILY", date(2026, 10, 24))
    days = occurrence_days(s, date(2026, 10, 24), date(2026, 10, 27))
    assert days == [date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26), date(2026, 10, 27)]


def test_weekdays_skip_the_weekend():
    s = _rule(rrule_for(freq="weekdays"), date(2026, 3, 26))  # a Thursday
    assert occurrence_days(s, date(2026, 3, 26), date(2026, 4, 1)) == [
        date(2026, 3, 26),
        date(2026, 3, 27),
        date(2026, 3, 30),
        date(2026, 3, 31),
        date(2026, 4, 1),
    ]


def test_chosen_weekdays_until_a_date_stop_on_that_date():
    rule = rrule_for(freq="weekly", weekdays=["MO", "TH"], until=date(2026, 4, 9))
    assert rule == "FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20260409"
    s = _rule(rule, date(2026, 3, 26))
    assert occurrence_days(s, date(2026, 3, 1), date(2026, 5, 1)) == [
        date(2026, 3, 26),
        date(2026, 3, 30),
        date(2026, 4, 2),
        date(2026, 4, 6),
        date(2026, 4, 9),
    ]


def test_weekly_count_occurrences_are_weeks_from_the_start():
    s = Schedule(
        schedule="weekly_count",
        starts_on=date(2026, 3, 25),
        times_per_week=3,
        until=date(2026, 4, 14),
    )
    assert occurrence_days(s, date(2026, 3, 25), date(2026, 4, 30)) == [
        date(2026, 3, 25),
        date(2026, 4, 1),
        date(2026, 4, 8),
    ]
    assert is_occurrence(s, date(2026, 3, 29))
    assert not is_occurrence(s, date(2026, 4, 15))
    assert not is_occurrence(s, date(2026, 3, 24))


def test_once_is_its_due_date_only():
    s = Schedule(schedule="once", starts_on=date(2026, 3, 1), due_on=date(2026, 3, 5))
    assert occurrence_days(s, date(2026, 3, 1), date(2026, 3, 31)) == [date(2026, 3, 5)]
    assert is_occurrence(s, date(2026, 3, 5))
    assert not is_occurrence(s, date(2026, 3, 4))


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("", "Choose how often it repeats."),
        ("FREQ=HOURLY", "Homework repeats daily or weekly (FREQ=DAILY or WEEKLY)."),
        (
            "FREQ=DAILY;BYHOUR=9",
            "The repeat rule can only use FREQ, INTERVAL, BYDAY, UNTIL and COUNT, not BYHOUR.",
        ),
        ("FREQ=DAILY;UNTIL=20260301", "The repeat ends (UNTIL) before it starts."),
        ("FREQ=DAILY;COUNT=100000", "COUNT must be from 1 to 366."),
        ("FREQ=DAILY;COUNT=0", "COUNT must be from 1 to 366."),
        ("FREQ=DAILY;INTERVAL=30", "INTERVAL must be from 1 to 4."),
        ("FREQ=WEEKLY;BYDAY=XX", "BYDAY lists weekdays once each, like MO,WE,FR."),
        ("FREQ=DAILY;UNTIL=2026-04-01", "UNTIL must be a date like 20260430."),
        ("FREQ=DAILY;UNTIL=20300101", "A repeat can run for two years at most."),
        ("FREQ=DAILY;UNTIL=20260401;COUNT=3", "Use either UNTIL or COUNT, not both."),
        ("garbage", "“garbage” is not a NAME=value part of a repeat rule."),
    ],
)
def test_bad_rules_are_refused_naming_the_field(rule, message):
    with pytest.raises(ApplicationError) as exc:
        rrule_parse(rule, starts_on=date(2026, 3, 10))
    assert exc.value.field == "rrule"
    assert exc.value.message == message
