"""Derived sleep diary values (exercises/sleep.py): time in bed, total sleep time, efficiency."""

from __future__ import annotations

from datetime import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interlude.core.errors import ApplicationError
from interlude.exercises.sleep import (
    SleepAverages,
    SleepDerived,
    efficiency_percent,
    format_minutes,
    format_minutes_short,
    night_name,
    sleep_averages,
    sleep_derived,
)


def derive(into, tried, sol, waso, final, out):
    return sleep_derived(
        into_bed=time.fromisoformat(into),
        tried_to_sleep=time.fromisoformat(tried),
        minutes_to_fall_asleep=sol,
        minutes_awake_after_onset=waso,
        final_awakening=time.fromisoformat(final),
        out_of_bed=time.fromisoformat(out),
    )


def test_typical_night_across_midnight():
    d = derive("22:30", "23:00", 20, 30, "06:30", "07:00")

    assert d == SleepDerived(
        time_in_bed=510,
        total_sleep_time=400,
        sleep_efficiency=78.4,
        tried_to_sleep_offset=30,
        final_awakening_offset=480,
        out_of_bed_offset=510,
    )


def test_getting_into_bed_after_midnight():
    d = derive("00:30", "00:45", 10, 5, "07:45", "08:00")

    assert (d.time_in_bed, d.total_sleep_time, d.sleep_efficiency) == (450, 405, 90.0)


def test_into_bed_before_midnight_and_trying_to_sleep_after_it():
    d = derive("23:50", "00:10", 0, 0, "06:00", "06:00")

    assert (d.time_in_bed, d.total_sleep_time, d.sleep_efficiency) == (370, 350, 94.6)


def test_daytime_sleep_of_a_night_shift_worker_stays_on_one_day():
    d = derive("08:00", "08:15", 15, 0, "15:00", "15:30")

    assert (d.time_in_bed, d.total_sleep_time, d.sleep_efficiency) == (450, 390, 86.7)


def test_asleep_the_whole_time_in_bed_is_100_percent():
    d = derive("23:00", "23:00", 0, 0, "07:00", "07:00")

    assert (d.time_in_bed, d.total_sleep_time, d.sleep_efficiency) == (480, 480, 100.0)


def test_awake_all_night_is_zero_sleep_and_zero_percent():
    d = derive("23:00", "23:00", 300, 180, "07:00", "07:30")

    assert (d.time_in_bed, d.total_sleep_time, d.sleep_efficiency) == (510, 0, 0.0)


def test_time_in_bed_before_trying_and_after_waking_is_not_sleep():
    d = derive("21:00", "23:00", 0, 0, "06:00", "09:00")

    assert (d.time_in_bed, d.total_sleep_time, d.sleep_efficiency) == (720, 420, 58.3)


def test_efficiency_rounds_half_up_to_one_decimal():
    # 402 / 480 = 0.8375 exactly: 83.75 rounds up to 83.8 (binary floats and banker's rounding
    # would both be tempted to give 83.7).
    assert efficiency_percent(402, 480) == 83.8
    assert efficiency_percent(1, 16) == 6.3
    assert efficiency_percent(2, 3) == 66.7
    assert efficiency_percent(1, 3) == 33.3


def test_seconds_in_a_time_are_ignored():
    d = sleep_derived(
        into_bed=time(22, 0, 59),
        tried_to_sleep=time(22, 0, 1),
        minutes_to_fall_asleep=0,
        minutes_awake_after_onset=0,
        final_awakening=time(6, 0, 30),
        out_of_bed=time(6, 0, 0),
    )

    assert (d.time_in_bed, d.total_sleep_time) == (480, 480)


@pytest.mark.parametrize(
    ("times", "field", "message"),
    [
        (
            ("22:00", "22:00", 0, 0, "22:00", "22:00"),
            "out_of_bed",
            "The time you got out of bed must be later than the time you got into bed.",
        ),
        (
            ("22:00", "08:00", 0, 0, "09:00", "07:00"),
            "tried_to_sleep",
            "The time you tried to sleep must be between getting into bed and getting up.",
        ),
        (
            ("22:00", "23:00", 0, 0, "22:30", "07:00"),
            "final_awakening",
            "Your final awakening must be after the time you tried to go to sleep.",
        ),
        (
            ("22:00", "22:30", 0, 0, "07:30", "07:00"),
            "final_awakening",
            "Your final awakening can't be after the time you got out of bed.",
        ),
        (
            ("22:00", "23:00", 481, 0, "07:00", "07:00"),
            "minutes_to_fall_asleep",
            "Minutes to fall asleep can't be more than the time from trying to sleep to your "
            "final awakening (8 h 0 min).",
        ),
        (
            ("22:00", "23:00", 400, 81, "07:00", "07:00"),
            "minutes_awake_after_onset",
            "Minutes awake in the night plus minutes to fall asleep can't be more than the time "
            "from trying to sleep to your final awakening (8 h 0 min).",
        ),
        (
            ("22:00", "23:00", -1, 0, "07:00", "07:00"),
            "minutes_to_fall_asleep",
            "Minutes to fall asleep can't be less than 0.",
        ),
        (
            ("22:00", "23:00", 0, -5, "07:00", "07:00"),
            "minutes_awake_after_onset",
            "Minutes awake in the night can't be less than 0.",
        ),
    ],
)
def test_impossible_nights_are_refused_naming_the_field(times, field, message):
    with pytest.raises(ApplicationError) as caught:
        derive(*times)

    assert caught.value.field == field
    assert caught.value.message == message


def test_format_minutes_short_for_narrow_tables():
    assert format_minutes_short(400) == "6h 40m"
    assert format_minutes_short(45) == "45m"
    assert format_minutes_short(None) == ""


def test_format_minutes():
    assert format_minutes(480) == "8 h 0 min"
    assert format_minutes(405) == "6 h 45 min"
    assert format_minutes(45) == "45 min"
    assert format_minutes(0) == "0 min"
    assert format_minutes(None) == ""


def test_night_name_is_the_weekday_and_date_the_night_began():
    from datetime import date

    assert night_name(date(2026, 3, 2)) == "Monday 2 March"


def test_averages_are_means_of_nightly_values():
    nights = [
        derive("22:30", "23:00", 20, 30, "06:30", "07:00"),  # 510, 400, 78.4
        derive("00:30", "00:45", 10, 5, "07:45", "08:00"),  # 450, 405, 90.0
        derive("23:50", "00:10", 0, 0, "06:00", "06:00"),  # 370, 350, 94.6
    ]

    assert sleep_averages(nights) == SleepAverages(
        nights=3, time_in_bed=443, total_sleep_time=385, sleep_efficiency=87.7
    )


def test_averages_of_no_nights_are_empty():
    assert sleep_averages([]) == SleepAverages(
        nights=0, time_in_bed=None, total_sleep_time=None, sleep_efficiency=None
    )


# --- properties ----------------------------------------------------------------------------------
clock = st.builds(time, st.integers(0, 23), st.integers(0, 59))
minutes = st.integers(0, 720)


@given(clock, clock, minutes, minutes, clock, clock)
def test_any_accepted_night_has_tst_within_tib_and_efficiency_0_to_100(
    into, tried, sol, waso, final, out
):
    try:
        d = sleep_derived(
            into_bed=into,
            tried_to_sleep=tried,
            minutes_to_fall_asleep=sol,
            minutes_awake_after_onset=waso,
            final_awakening=final,
            out_of_bed=out,
        )
    except ApplicationError as exc:
        assert exc.field in {
            "out_of_bed",
            "tried_to_sleep",
            "final_awakening",
            "minutes_to_fall_asleep",
            "minutes_awake_after_onset",
        }
        return
    assert 0 < d.time_in_bed < 24 * 60
    assert 0 <= d.total_sleep_time <= d.time_in_bed
    assert 0.0 <= d.sleep_efficiency <= 100.0


@st.composite
def valid_nights(draw):
    """Nights built to be valid: into ≤ tried ≤ final ≤ out, SOL + WASO within the window."""
    start = draw(st.integers(0, 24 * 60 - 1))
    out = draw(st.integers(1, 24 * 60 - 1))
    final = draw(st.integers(0, out))
    tried = draw(st.integers(0, final))
    sol = draw(st.integers(0, final - tried))
    waso = draw(st.integers(0, final - tried - sol))

    def at(offset):
        m = (start + offset) % (24 * 60)
        return time(m // 60, m % 60)

    return (at(0), at(tried), sol, waso, at(final), at(out)), (out, final - tried - sol - waso)


@given(valid_nights())
def test_every_valid_night_is_accepted_with_the_defined_values(night):
    (into, tried, sol, waso, final, out), (tib, tst) = night

    d = sleep_derived(
        into_bed=into,
        tried_to_sleep=tried,
        minutes_to_fall_asleep=sol,
        minutes_awake_after_onset=waso,
        final_awakening=final,
        out_of_bed=out,
    )

    assert (d.time_in_bed, d.total_sleep_time) == (tib, tst)
    assert 0 <= d.total_sleep_time <= d.time_in_bed
    assert 0.0 <= d.sleep_efficiency <= 100.0
    assert d.sleep_efficiency == efficiency_percent(tst, tib)
