"""insights/patterns.py: the statistics, the days and the words, on plain values (no database).

Expected numbers are worked out by hand in the comments; t quantiles come from published tables
(two decimals or better) and from the closed forms for 1 and 2 degrees of freedom."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta
from statistics import NormalDist

import pytest

from interlude.insights.patterns import (
    CHANCE_NOTE,
    LOOKBACK_DAYS,
    MAX_SHOWN,
    MIN_DAYS,
    SLEEP_THRESHOLD_HOURS,
    DailyData,
    Factor,
    Pattern,
    PatternReport,
    WelchInterval,
    comparisons,
    daily_data,
    find_patterns,
    local_day,
    mean,
    regularized_incomplete_beta,
    sample_variance,
    t_cdf,
    t_quantile,
    welch_interval,
)

START = date(2026, 1, 1)
END = START + timedelta(days=LOOKBACK_DAYS - 1)
BANNED = re.compile(
    r"\b(because|causes?|caused|leads? to|led to|due to|results? in|effects?|improves?|"
    r"boosts?|makes? you|helps?|thanks to)\b",
    re.IGNORECASE,
)


# --- means and variances --------------------------------------------------------------------------
def test_mean_and_sample_variance_are_exact():
    assert mean([1, 2, 3, 4]) == 2.5
    # deviations from 7: -2, 0, 2 -> SS 8, over n - 1 = 2
    assert sample_variance([5, 7, 9]) == 4.0
    assert sample_variance([4, 5, 6, 5]) == pytest.approx(2 / 3, abs=1e-15)


def test_mean_of_nothing_and_variance_of_one_value_are_refused():
    with pytest.raises(ValueError):
        mean([])
    with pytest.raises(ValueError):
        sample_variance([3.0])


# --- the t distribution ---------------------------------------------------------------------------
# Two-sided 95% (p = 0.975), one-sided 95% (0.95) and two-sided 99% (0.995), from the standard
# printed table of Student's t critical values.
T_TABLE = [
    (0.975, 1, 12.706),
    (0.975, 2, 4.303),
    (0.975, 3, 3.182),
    (0.975, 4, 2.776),
    (0.975, 5, 2.571),
    (0.975, 6, 2.447),
    (0.975, 7, 2.365),
    (0.975, 8, 2.306),
    (0.975, 9, 2.262),
    (0.975, 10, 2.228),
    (0.975, 12, 2.179),
    (0.975, 15, 2.131),
    (0.975, 20, 2.086),
    (0.975, 25, 2.060),
    (0.975, 30, 2.042),
    (0.975, 40, 2.021),
    (0.975, 60, 2.000),
    (0.975, 120, 1.980),
    (0.95, 1, 6.314),
    (0.95, 5, 2.015),
    (0.95, 10, 1.812),
    (0.95, 30, 1.697),
    (0.995, 5, 4.032),
    (0.995, 10, 3.169),
    (0.995, 30, 2.750),
]


@pytest.mark.parametrize(("p", "df", "expected"), T_TABLE)
def test_t_quantile_matches_the_printed_table_to_three_decimals(p, df, expected):
    assert round(t_quantile(p, df), 3) == expected


def test_t_quantile_matches_the_closed_forms_for_1_and_2_degrees_of_freedom():
    for p in (0.6, 0.9, 0.975, 0.995):
        # df = 1 is the Cauchy distribution: t = tan(pi (p - 1/2))
        assert t_quantile(p, 1) == pytest.approx(math.tan(math.pi * (p - 0.5)), abs=1e-8)
        # df = 2: t = (2p - 1) / sqrt(2 p (1 - p))
        assert t_quantile(p, 2) == pytest.approx((2 * p - 1) / math.sqrt(2 * p * (1 - p)), abs=1e-9)


def test_t_quantile_tends_to_the_normal_quantile_for_large_df():
    assert t_quantile(0.975, 10_000_000) == pytest.approx(NormalDist().inv_cdf(0.975), abs=1e-6)
    assert round(t_quantile(0.975, 10_000_000), 2) == 1.96


def test_t_quantile_is_symmetric_and_zero_at_the_median():
    assert t_quantile(0.5, 7.3) == 0.0
    assert t_quantile(0.025, 5) == pytest.approx(-t_quantile(0.975, 5), abs=1e-12)


def _t_density(x: float, df: float) -> float:
    log_c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(log_c - (df + 1) / 2 * math.log1p(x * x / df))


def _area_from_zero(upper: float, df: float, steps: int = 4000) -> float:
    """Simpson's rule for the t density from 0 to `upper`: a check independent of the code."""
    h = upper / steps
    total = _t_density(0, df) + _t_density(upper, df)
    for i in range(1, steps):
        total += (4 if i % 2 else 2) * _t_density(i * h, df)
    return total * h / 3


@pytest.mark.parametrize("df", [2.5051546391752577, 7.5, 12.397590361445783, 41.3])
def test_t_quantile_for_welch_fractional_df_agrees_with_numerical_integration(df):
    q = t_quantile(0.975, df)
    assert _area_from_zero(q, df) == pytest.approx(0.475, abs=1e-9)
    # and it lies between the table values of the whole df either side
    assert t_quantile(0.975, math.ceil(df)) < q < t_quantile(0.975, math.floor(df))


def test_t_cdf_and_incomplete_beta_known_values():
    assert t_cdf(0.0, 5) == 0.5
    assert t_cdf(2.228, 10) == pytest.approx(0.975, abs=1e-4)
    assert t_cdf(-2.228, 10) == pytest.approx(0.025, abs=1e-4)
    # I_x(1, 1) = x; I_x(2, 1) = x²
    assert regularized_incomplete_beta(1, 1, 0.3) == pytest.approx(0.3, abs=1e-14)
    assert regularized_incomplete_beta(2, 1, 0.3) == pytest.approx(0.09, abs=1e-14)


@pytest.mark.parametrize(("p", "df"), [(0.0, 5), (1.0, 5), (1.2, 5), (0.975, 0), (0.975, -1)])
def test_t_quantile_refuses_impossible_arguments(p, df):
    with pytest.raises(ValueError):
        t_quantile(p, df)


# --- Welch's interval -----------------------------------------------------------------------------
def test_welch_interval_with_equal_sizes_and_spreads_has_df_2n_minus_2():
    # means 2 and 5, variances 1 and 1, n 3 and 3: se² = 1/3 + 1/3, df = 4, t(0.975, 4) = 2.776
    interval = welch_interval([1, 2, 3], [4, 5, 6])
    assert interval is not None
    assert interval.difference == -3.0
    assert interval.df == pytest.approx(4.0, abs=1e-12)
    assert interval.standard_error == pytest.approx(math.sqrt(2 / 3), abs=1e-15)
    # -3 ± 2.7764451 · 0.8164966 = -3 ± 2.2669579
    assert round(interval.low, 4) == -5.2670
    assert round(interval.high, 4) == -0.7330
    assert not interval.includes_zero
    assert interval.distance_from_zero == pytest.approx(0.7330421, abs=1e-6)


def test_welch_interval_with_unequal_spreads_uses_welch_satterthwaite_df():
    # s1²/n1 = 4/3, s2²/n2 = (2/3)/4 = 1/6; se² = 3/2;
    # df = (3/2)² / ((4/3)²/2 + (1/6)²/3) = (9/4) / (97/108) = 243/97
    interval = welch_interval([5, 7, 9], [4, 5, 6, 5])
    assert interval is not None
    assert interval.difference == 2.0
    assert interval.standard_error == pytest.approx(math.sqrt(1.5), abs=1e-15)
    assert interval.df == pytest.approx(243 / 97, abs=1e-12)
    assert interval.includes_zero
    assert round(interval.low, 2) == -2.37
    assert round(interval.high, 2) == 6.37


def test_welch_interval_of_a_week_against_eight_days():
    # with: mean 7, SS 4, s² = 2/3; without: mean 5, SS 4, s² = 4/7
    # s1²/n1 = 2/21, s2²/n2 = 1/14, se² = 1/6;
    # df = (1/36) / ((2/21)²/6 + (1/14)²/7) = (1/36) / (2/1323 + 1/1372) = 1029/83 = 12.398
    # t(0.975, 12.398) = 2.1706 (between 2.179 at 12 and 2.160 at 13); margin 0.886
    interval = welch_interval([6, 7, 7, 8, 6, 7, 8], [5, 5, 6, 4, 6, 5, 4, 5])
    assert interval is not None
    assert interval.difference == 2.0
    assert interval.standard_error == pytest.approx(math.sqrt(1 / 6), abs=1e-15)
    assert interval.df == pytest.approx(1029 / 83, abs=1e-12)
    assert round(t_quantile(0.975, interval.df), 3) == 2.171
    assert round(interval.low, 2) == 1.11
    assert round(interval.high, 2) == 2.89


def test_welch_interval_at_other_confidence_levels():
    interval = welch_interval([1, 2, 3], [4, 5, 6], confidence=0.99)
    assert interval is not None
    # t(0.995, 4) = 4.604; -3 ± 4.6040922 · 0.8164966
    assert round(interval.low, 3) == -6.759
    assert interval.confidence == 0.99


def test_welch_interval_needs_two_values_and_some_spread():
    assert welch_interval([5], [4, 5, 6]) is None
    assert welch_interval([5, 5, 5], [6, 6, 6]) is None
    # spread in one group is enough
    one_sided = welch_interval([5, 5, 5], [4, 6, 5])
    assert one_sided is not None
    assert one_sided.df == pytest.approx(2.0, abs=1e-12)


# --- days -----------------------------------------------------------------------------------------
def at(day: date, hour: int = 12) -> datetime:
    """Noon UTC on a day: the same calendar day in UTC, and in New York for hours 5-23."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_a_late_check_in_counts_for_the_local_day_where_it_was_made():
    # 03:30 UTC on 10 Jan is 22:30 on 9 Jan in New York
    late = datetime(2026, 1, 10, 3, 30, tzinfo=UTC)
    assert local_day(late, "America/New_York", fallback_zone="UTC") == date(2026, 1, 9)
    assert local_day(late, "", fallback_zone="America/New_York") == date(2026, 1, 9)
    assert local_day(late, "Not/AZone", fallback_zone="UTC") == date(2026, 1, 10)


def test_daily_data_averages_days_merges_spellings_and_drops_days_outside():
    late = datetime(2026, 1, 10, 3, 30, tzinfo=UTC)  # 9 Jan in New York
    data = daily_data(
        mood=[
            (at(date(2026, 1, 9)), "America/New_York", 4.0),
            (late, "America/New_York", 7.0),
            (at(START - timedelta(days=1)), "UTC", 9.0),  # before the look-back
        ],
        sleep=[(at(date(2026, 1, 9)), "UTC", 6.5)],
        relaxation=[
            (at(date(2026, 1, 9)), "UTC", 3.0),
            (at(date(2026, 1, 11)), "UTC", 0.0),  # nothing practised
        ],
        checkins=[
            (at(date(2026, 1, 9)), "UTC", ["Time outside"]),
            (late, "America/New_York", ["time  OUTSIDE ", "Friends"]),
            (at(END + timedelta(days=1)), "UTC", ["Hobby"]),  # after the look-back
        ],
        start=START,
        days=LOOKBACK_DAYS,
        fallback_zone="America/New_York",
    )
    assert data.start == START
    assert data.end == date(2026, 3, 31)
    assert data.mood == {date(2026, 1, 9): 5.5}
    assert data.sleep == {date(2026, 1, 9): 6.5}
    assert data.relaxation == frozenset({date(2026, 1, 9)})
    assert data.activities == {date(2026, 1, 9): frozenset({"time outside", "friends"})}
    assert data.activity_labels == {"time outside": "time OUTSIDE", "friends": "Friends"}


# --- comparisons ----------------------------------------------------------------------------------
def days_from(first: date, count: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(count)]


def make_data(
    moods: list[float],
    *,
    activities: dict[str, list[int]] | None = None,
    sleep: dict[int, float] | None = None,
    relaxation: list[int] | None = None,
    logged_days: list[int] | None = None,
) -> DailyData:
    """Mood on consecutive days from START; activities etc. by index of the day."""
    days = days_from(START, len(moods))
    per_day: dict[date, set[str]] = {}
    for label, indexes in (activities or {}).items():
        for i in indexes:
            per_day.setdefault(days[i], set()).add(label.casefold())
    for i in logged_days or []:
        per_day.setdefault(days[i], set()).add("something else")
    labels = {label.casefold(): label for label in activities or {}}
    if logged_days:
        labels["something else"] = "Something else"
    return DailyData(
        start=START,
        end=END,
        mood=dict(zip(days, moods, strict=True)),
        sleep={days[i]: hours for i, hours in (sleep or {}).items()},
        relaxation=frozenset(days[i] for i in relaxation or []),
        activities={d: frozenset(keys) for d, keys in per_day.items()},
        activity_labels=labels,
    )


WITH_WEEK = [6, 7, 7, 8, 6, 7, 8]
WITHOUT_EIGHT = [5, 5, 6, 4, 6, 5, 4, 5]


def test_an_activity_compares_days_logged_with_days_with_other_activities_logged():
    data = make_data(
        [*WITH_WEEK, *WITHOUT_EIGHT, 1, 1, 10],  # the last 3 days have no activities logged
        activities={"Walk": list(range(7))},
        logged_days=list(range(7, 15)),
    )
    walk = next(p for p in comparisons(data) if p.label == "Walk")
    assert walk.mood_with == tuple(WITH_WEEK)
    assert walk.mood_without == tuple(WITHOUT_EIGHT)
    assert (walk.n_with, walk.n_without) == (7, 8)
    assert walk.mean_with == 7.0
    assert walk.mean_without == 5.0
    assert walk.interval is not None
    assert walk.interval.difference == 2.0
    assert walk.enough_data


def test_sleep_compares_days_after_nights_of_7_hours_or_more_with_shorter_nights():
    moods = [*WITH_WEEK, *WITHOUT_EIGHT, 3]
    sleep = {i: 7.0 if i < 4 else 8.5 for i in range(7)} | {i: 6.5 for i in range(7, 15)}
    data = make_data(moods, sleep=sleep)  # the last day has no sleep logged: left out
    (pattern,) = comparisons(data)
    assert SLEEP_THRESHOLD_HOURS == 7.0
    assert pattern.factor == Factor.SLEEP
    assert (pattern.n_with, pattern.n_without) == (7, 8)  # 7.0 hours counts as "7 or more"
    assert pattern.interval is not None
    assert pattern.interval.difference == 2.0
    # another threshold moves the days between the groups
    (eight,) = comparisons(data, sleep_threshold=8.0)
    assert (eight.n_with, eight.n_without) == (3, 12)
    assert not eight.enough_data


def test_relaxation_compares_days_practised_with_every_other_day_with_mood():
    data = make_data([*WITH_WEEK, *WITHOUT_EIGHT], relaxation=list(range(7)))
    (pattern,) = comparisons(data)
    assert pattern.factor == Factor.RELAXATION
    assert (pattern.n_with, pattern.n_without) == (7, 8)
    assert pattern.interval is not None
    assert pattern.interval.difference == 2.0


def test_nothing_to_compare_without_sleep_relaxation_or_activities():
    assert comparisons(make_data([5.0] * 30)) == []


# --- the minimum-data rule ------------------------------------------------------------------------
def test_a_comparison_needs_min_days_in_each_group():
    assert MIN_DAYS == 7
    six_without = make_data(
        [*WITH_WEEK, *WITHOUT_EIGHT[:6]],
        activities={"Walk": list(range(7))},
        logged_days=list(range(7, 13)),
    )
    report = find_patterns(six_without)
    assert list(report) == []
    assert report.tested == 0
    walk = next(p for p in report.waiting if p.label == "Walk")
    assert walk.interval is None
    assert (walk.more_with_needed, walk.more_without_needed) == (0, 1)
    assert walk.client_waiting == "“Walk”: 1 more day without it."

    seven_without = make_data(
        [*WITH_WEEK, *WITHOUT_EIGHT[:7]],
        activities={"Walk": list(range(7))},
        logged_days=list(range(7, 14)),
    )
    report = find_patterns(seven_without)
    # "Something else" (the other days' activity) is the mirror image of "Walk"
    assert [p.label for p in report] == ["Something else", "Walk"]
    assert report.tested == 2


def test_the_minimum_is_a_parameter():
    data = make_data([6, 7, 8, 4, 5, 6], activities={"Walk": [0, 1, 2]}, logged_days=[3, 4, 5])
    assert find_patterns(data).tested == 0
    report = find_patterns(data, min_days=3)
    assert [p.label for p in report] == ["Something else", "Walk"]
    assert report.min_days == 3
    with pytest.raises(ValueError, match="at least 2"):
        find_patterns(data, min_days=1)


def test_waiting_says_how_many_more_days_on_each_side():
    pattern = Pattern(
        factor=Factor.ACTIVITY,
        label="Hobby",
        mood_with=(5.0, 6.0),
        mood_without=(5.0,) * 4,
        interval=None,
    )
    assert pattern.more_days_needed == 8
    assert pattern.client_waiting == "“Hobby”: 5 more days with it and 3 more without it."
    sleep = Pattern(Factor.SLEEP, "", (5.0,) * 6, (5.0,) * 9, None)
    assert sleep.client_waiting == "Sleep: 1 more day after a night of 7 hours or more."
    relax = Pattern(Factor.RELAXATION, "", (5.0,) * 3, (5.0,) * 20, None)
    assert relax.client_waiting == "Relaxation exercises: 4 more days with a relaxation exercise."


def test_too_few_days_with_mood_says_how_many_more_kindly():
    report = find_patterns(make_data([5.0] * 5, activities={"Walk": [0, 1]}))
    assert report.mood_days == 5
    assert report.mood_days_needed == 9
    assert report.client_status == (
        "Patterns show up once you have at least 14 days with a check-in in the last 90 days. "
        "You have 5 so far, so 9 more to go. There is no rush."
    )
    empty = find_patterns(make_data([]))
    assert empty.client_status == (
        "Patterns show up once you have at least 14 days with a check-in in the last 90 days. "
        "You have none yet, so 14 more to go. There is no rush."
    )


def test_enough_days_but_nothing_logged_to_compare_says_what_would_be_compared():
    report = find_patterns(make_data([5.0, 6.0] * 10))
    assert report.client_status == (
        "We look at the activities, sleep and relaxation exercises you note, and none are in "
        "your check-ins from the last 90 days yet. If you add them, patterns can show up here."
    )


# --- ordering and the number shown ----------------------------------------------------------------
def test_at_most_five_are_shown_ordered_by_the_interval_bound_nearest_zero():
    # 7 activities, each logged on its own 8 days, with mood lifted by 0, 0.5, ... 3 points on
    # those days; 8 further days log "Something else" (no lift). Each activity is compared with
    # all other days that have an activity logged (mean lift 1.5 - lift/7 ... ), so differences
    # run from -1.5 (A and Something else) to +1.9 (G). Intervals, nearest bound to zero:
    #   G +1.26..+2.60 -> 1.26;  A, Something else -2.18..-0.82 -> 0.82;  F +0.68..+2.04 -> 0.68;
    #   B -1.61..-0.24 -> 0.24;  E +0.10..+1.47 -> 0.10;  C, D include 0 (-0.33, -0.47).
    # Lower mood far from zero ranks as high as higher mood; ties go by name.
    lifts = {"A": 0.0, "B": 0.5, "C": 1.0, "D": 1.5, "E": 2.0, "F": 2.5, "G": 3.0}
    pattern = [5, 6, 4, 5, 6, 4, 5, 5]
    moods: list[float] = []
    activities: dict[str, list[int]] = {}
    for block, (label, lift) in enumerate(lifts.items()):
        activities[label] = list(range(block * 8, block * 8 + 8))
        moods += [m + lift for m in pattern]
    moods += pattern
    data = make_data(moods, activities=activities, logged_days=list(range(56, 64)))

    report = find_patterns(data)

    assert MAX_SHOWN == 5
    assert report.tested == 8
    assert len(report) == 5
    assert report.not_shown == 3
    assert [p.label for p in report] == ["G", "A", "Something else", "F", "B"]
    assert [round(p.interval.distance_from_zero, 2) for p in report if p.interval] == [
        1.26,
        0.82,
        0.82,
        0.68,
        0.24,
    ]
    bounds = [p.interval.distance_from_zero for p in report if p.interval]
    assert bounds == sorted(bounds, reverse=True)
    assert len(find_patterns(data, max_shown=2)) == 2
    assert find_patterns(data, max_shown=2).tested == 8


def test_a_lower_mood_far_from_zero_ranks_above_a_higher_mood_near_zero():
    lower = _walk(WITHOUT_EIGHT, WITH_WEEK, label="Down")  # -2.0, interval -2.9 to -1.1
    higher = _walk([5, 7, 9, 6, 4, 8, 5], [5, 6, 4, 7, 5, 6, 5], label="Up")  # +0.9, includes 0
    assert lower.interval is not None and higher.interval is not None
    assert lower.interval.distance_from_zero == -lower.interval.high
    assert higher.interval.distance_from_zero < 0
    data = make_data(
        [*WITHOUT_EIGHT, *WITH_WEEK],
        activities={"Down": list(range(8))},
    )
    assert comparisons(data)[0].interval is None  # days without any activity are left out


# --- words ----------------------------------------------------------------------------------------
def _walk(moods_with, moods_without, label="Walk", factor=Factor.ACTIVITY) -> Pattern:
    return Pattern(
        factor=factor,
        label=label,
        mood_with=tuple(moods_with),
        mood_without=tuple(moods_without),
        interval=welch_interval(moods_with, moods_without),
    )


def test_client_words_for_a_clear_difference():
    pattern = _walk(WITH_WEEK, WITHOUT_EIGHT)
    assert pattern.client_summary == (
        "On days with “Walk”, your mood averaged 2.0 points higher (7 days with, 8 without)."
    )
    assert pattern.client_range == (
        "The true difference could be anywhere from 1.1 to 2.9 points higher."
    )


def test_client_words_for_a_lower_mood():
    pattern = _walk(WITHOUT_EIGHT, WITH_WEEK, label="Screen time")
    assert pattern.client_summary == (
        "On days with “Screen time”, your mood averaged 2.0 points lower (8 days with, 7 without)."
    )
    assert pattern.client_range == (
        "The true difference could be anywhere from 1.1 to 2.9 points lower."
    )


def test_client_words_when_the_range_includes_zero_say_it_could_easily_be_chance():
    pattern = _walk([5, 7, 9, 6, 4, 8, 5], [5, 6, 4, 7, 5, 6, 5])
    assert pattern.interval is not None
    assert pattern.includes_zero
    # with: 44/7 = 6.29; without: 38/7 = 5.43; difference 0.857
    assert pattern.client_summary == (
        "On days with “Walk”, your mood averaged 0.9 points higher (7 days with, 7 without)."
    )
    low, high = pattern.interval.low, pattern.interval.high
    assert pattern.client_range == (
        f"The true difference could be anywhere from {abs(low):.1f} points lower to "
        f"{high:.1f} points higher, so this could easily be chance."
    )
    assert "could easily be chance" in pattern.client_range


def test_client_words_for_a_range_ending_near_zero_do_not_say_0_0_points():
    def words(low: float, high: float) -> str:
        interval = WelchInterval(
            difference=(low + high) / 2, low=low, high=high, df=20, standard_error=0.3
        )
        return Pattern(Factor.ACTIVITY, "Walk", (5.0,) * 7, (5.0,) * 7, interval).client_range

    assert words(-0.04, 1.4) == (
        "The true difference could be anywhere from about the same to 1.4 points higher, so "
        "this could easily be chance."
    )
    assert words(-1.2, 0.03) == (
        "The true difference could be anywhere from 1.2 points lower to about the same, so "
        "this could easily be chance."
    )
    assert words(0.04, 1.4) == (
        "The true difference could be anywhere from a little over 0 to 1.4 points higher."
    )
    assert words(-1.4, -0.04) == (
        "The true difference could be anywhere from a little over 0 to 1.4 points lower."
    )


def test_client_words_for_no_difference_at_all():
    pattern = _walk([5, 6, 4, 5, 6, 4, 5], [4, 6, 5, 5, 4, 6, 5])
    assert pattern.client_summary == (
        "On days with “Walk”, your mood averaged about the same as on other days "
        "(7 days with, 7 without)."
    )


def test_client_words_for_sleep_and_relaxation_name_the_threshold_and_the_groups():
    sleep = _walk(WITH_WEEK, WITHOUT_EIGHT, label="", factor=Factor.SLEEP)
    assert sleep.client_summary == (
        "On days after a night of 7 hours' sleep or more, your mood averaged 2.0 points higher "
        "than after shorter nights (7 days after 7 hours or more, 8 after less)."
    )
    relax = _walk(WITH_WEEK, WITHOUT_EIGHT, label="", factor=Factor.RELAXATION)
    assert relax.client_summary == (
        "On days you did a relaxation exercise, your mood averaged 2.0 points higher "
        "(7 days with, 8 without)."
    )


def test_clinician_words_are_clinical_with_signed_numbers():
    pattern = _walk(WITHOUT_EIGHT, WITH_WEEK)
    assert pattern.clinician_name == "Activity: Walk"
    assert pattern.mean_with_text == "5.0"
    assert pattern.mean_without_text == "7.0"
    assert pattern.difference_text == "\u22122.0"
    assert pattern.interval_text == "\u22122.9 to \u22121.1"
    assert pattern.df_text == "12.4"
    sleep = _walk(WITH_WEEK, WITHOUT_EIGHT, label="", factor=Factor.SLEEP)
    assert sleep.clinician_name == "Sleep ≥ 7 h"
    assert sleep.clinician_contrast == "≥ 7 h vs < 7 h, the night before"
    assert sleep.interval_text == "+1.1 to +2.9"


def test_multiple_comparisons_are_named_for_client_and_clinician():
    shown = [_walk(WITH_WEEK, WITHOUT_EIGHT)]
    report = PatternReport(shown, tested=9, mood_days=60)
    assert report.client_many_note == (
        "We compared 9 things. When we compare many things, a few will look notable just by "
        "chance. Here is the one that stands out most."
    )
    assert report.clinician_multiplicity == (
        "9 comparisons tested; 95% CIs not adjusted for multiple comparisons (with no true "
        "difference, about 1 in 20 would still exclude 0). Top 1 shown, ordered by the CI bound "
        "nearest 0."
    )
    assert report.client_all_chance == ""  # the walk's range excludes zero
    uncertain = PatternReport([_walk([5, 7, 9, 6, 4, 8, 5], [5, 6, 4, 7, 5, 6, 5])], tested=1)
    assert uncertain.client_all_chance == "So far, this difference could easily be chance."
    single = PatternReport(shown, tested=1, mood_days=60)
    assert single.client_many_note == ""
    assert single.clinician_multiplicity == "1 comparison tested; 95% CI."


def _all_words(report: PatternReport) -> list[str]:
    texts = [
        report.client_status,
        report.client_all_chance,
        report.client_many_note,
        report.clinician_multiplicity,
    ]
    for pattern in [*report, *report.waiting]:
        texts += [
            pattern.client_summary,
            pattern.client_range,
            pattern.client_waiting,
            pattern.clinician_name,
            pattern.clinician_contrast,
        ]
    return texts


@pytest.mark.parametrize("seed", range(6))
def test_no_causal_language_anywhere(seed):
    import random

    rng = random.Random(seed)
    count = rng.randint(0, 60)
    moods = [float(rng.randint(0, 10)) for _ in range(count)]
    data = make_data(
        moods,
        activities={
            label: [i for i in range(count) if rng.random() < 0.4]
            for label in ("Walk", "Friends", "Screen time", "Work or study", "Hobby", "Chores")
        },
        sleep={i: rng.choice([5.0, 6.5, 7.0, 8.0]) for i in range(count) if rng.random() < 0.8},
        relaxation=[i for i in range(count) if rng.random() < 0.3],
    )
    report = find_patterns(data)
    for text in _all_words(report):
        assert not BANNED.search(text), text
    # the one sentence that names causes does so to say this is not about them
    assert not BANNED.search(CHANCE_NOTE.replace("not what causes what", ""))
