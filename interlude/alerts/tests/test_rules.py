"""The sharp-mood-drop rule (alerts/rules.py): pure, so every threshold is checked exactly.

Recent window: the last `recent_days` days up to and including today. Baseline: the
`baseline_days` days before it. Raised when the baseline has at least `min_baseline_days` days,
the recent window at least 2, and baseline mean - recent mean >= max(min_points, k * baseline SD).
"""

from __future__ import annotations

import statistics
from datetime import date, timedelta

import pytest

from interlude.alerts.rules import MoodDrop, mood_drop

TODAY = date(2026, 3, 20)


def _days(values: list[float], *, end_days_ago: int) -> dict[date, float]:
    """Consecutive days ending `end_days_ago` days before TODAY, oldest first."""
    start = TODAY - timedelta(days=end_days_ago + len(values) - 1)
    return {start + timedelta(days=i): v for i, v in enumerate(values)}


def _series(baseline: list[float], recent: list[float]) -> dict[date, float]:
    # Recent days are today and the days before it; the baseline ends the day before them.
    return {**_days(baseline, end_days_ago=3), **_days(recent, end_days_ago=0)}


def test_a_flat_baseline_drop_of_exactly_two_points_is_raised():
    drop = mood_drop(daily_means=_series([7.0] * 10, [5.0, 5.0, 5.0]), today=TODAY)
    assert drop == MoodDrop(
        baseline_mean=7.0,
        baseline_sd=0.0,
        baseline_days=10,
        recent_mean=5.0,
        recent_days=3,
        threshold=2.0,
    )
    assert drop.drop == 2.0


def test_a_drop_just_under_two_points_is_not_raised():
    assert mood_drop(daily_means=_series([7.0] * 10, [5.0, 5.0, 5.03]), today=TODAY) is None


def test_a_person_whose_mood_varies_a_lot_needs_a_bigger_drop():
    baseline = [5.0, 9.0] * 5  # mean 7, sample SD 2.108: threshold 1.5 x SD = 3.162
    sd = statistics.stdev(baseline)
    assert round(1.5 * sd, 3) == 3.162
    raised = mood_drop(daily_means=_series(baseline, [3.8, 3.8]), today=TODAY)
    assert raised is not None
    assert round(raised.threshold, 3) == 3.162
    assert (raised.baseline_mean, raised.recent_mean, raised.recent_days) == (7.0, 3.8, 2)
    assert mood_drop(daily_means=_series(baseline, [3.9, 3.9]), today=TODAY) is None


def test_the_sd_multiplier_and_minimum_points_are_settings():
    baseline = [5.0, 9.0] * 5
    series = _series(baseline, [4.5, 4.5])  # a drop of 2.5
    assert mood_drop(daily_means=series, today=TODAY) is None
    assert mood_drop(daily_means=series, today=TODAY, sd_multiplier=1.0) is not None  # 2.108
    assert mood_drop(daily_means=series, today=TODAY, sd_multiplier=1.2) is None  # 2.530
    flat = _series([7.0] * 10, [5.5, 5.5])
    assert mood_drop(daily_means=flat, today=TODAY) is None
    assert mood_drop(daily_means=flat, today=TODAY, min_points=1.5) is not None


def test_at_least_ten_baseline_days_are_needed():
    assert mood_drop(daily_means=_series([7.0] * 9, [2.0, 2.0]), today=TODAY) is None
    assert mood_drop(daily_means=_series([7.0] * 10, [2.0, 2.0]), today=TODAY) is not None
    assert (
        mood_drop(daily_means=_series([7.0] * 9, [2.0, 2.0]), today=TODAY, min_baseline_days=9)
        is not None
    )


def test_one_recent_day_is_not_enough():
    assert mood_drop(daily_means=_series([7.0] * 10, [2.0]), today=TODAY) is None


def test_the_windows_start_and_end_on_the_right_days():
    series = {TODAY - timedelta(days=3 + i): 7.0 for i in range(10)}  # baseline, days 3..12 ago
    # Two days ago is the oldest recent day; three days ago is already baseline.
    series[TODAY - timedelta(days=2)] = 4.0
    series[TODAY] = 4.0
    assert mood_drop(daily_means=series, today=TODAY) is not None
    moved = dict(series)
    del moved[TODAY - timedelta(days=2)]
    moved[TODAY - timedelta(days=3)] = 4.0  # now in the baseline, not the recent window
    assert mood_drop(daily_means=moved, today=TODAY) is None
    # The baseline is the 28 days before the recent window: day 31 ago counts, day 31+ does not.
    old = {TODAY - timedelta(days=d): 7.0 for d in range(21, 31)}  # 10 days, 21..30 ago
    old[TODAY - timedelta(days=2)] = 4.0
    old[TODAY] = 4.0
    assert mood_drop(daily_means=old, today=TODAY) is not None
    older = {TODAY - timedelta(days=d): 7.0 for d in range(22, 32)}  # day 31 falls outside
    older[TODAY - timedelta(days=2)] = 4.0
    older[TODAY] = 4.0
    assert mood_drop(daily_means=older, today=TODAY) is None


def test_days_after_today_are_ignored_and_a_rise_is_never_a_drop():
    series = _series([7.0] * 10, [9.0, 9.0])
    assert mood_drop(daily_means=series, today=TODAY) is None
    series[TODAY + timedelta(days=1)] = 0.0
    assert mood_drop(daily_means=series, today=TODAY) is None


def test_the_reason_states_the_numbers_and_the_rule():
    drop = mood_drop(daily_means=_series([7.0] * 10, [5.0, 5.0, 4.0]), today=TODAY)
    assert drop is not None
    assert drop.reason() == (
        "Mood averaged 4.7 over the last 3 days with a check-in, against 7.0 (SD 0.0, 10 days) "
        "before: a drop of 2.3 points (rule: 2.0 or more)."
    )


@pytest.mark.parametrize(
    ("recent", "expected"),
    [([5.0, 5.0], True), ([5.0, 5.0001], False)],
)
def test_the_comparison_is_at_least_not_more_than(recent, expected):
    assert (mood_drop(daily_means=_series([7.0] * 10, recent), today=TODAY) is not None) is expected
