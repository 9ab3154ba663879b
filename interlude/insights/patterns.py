"""Patterns in a client's own data: how daily mood goes together with activities, sleep and
relaxation practice. Pure: plain values in, results out (no ORM); the reads are in
`selectors_patterns.py`. The method is explained for clinicians in docs/clinical.md, "Patterns in
a client's own data".

The unit is the client's local day. For each comparison the days are split in two groups ("with"
and "without") and we report the difference of the groups' mean daily mood, how many days each
group has, and a 95% confidence interval for the difference by Welch's t method (unequal
variances). A comparison is shown only when both groups have at least `min_days` days
(`MIN_DAYS` by default), over the last `LOOKBACK_DAYS` days.

- Mood: the mean of the day's mood values (0-10), every source (check-ins, imports, API).
- Activity: among days with mood where the client logged any activities in a check-in, days on
  which the activity was logged against days on which it was not. Days without any activity
  logged are left out: we do not know what the client did then.
- Sleep: hours of sleep are logged as "last night", so the sleep value of day D is the night
  before D. Days with mood and a sleep value: nights of `SLEEP_THRESHOLD_HOURS` hours or more
  against shorter nights.
- Relaxation: days with mood on which a relaxation exercise was practised (any minutes) against
  days with mood on which none was.

Only associations, never causes: the words used here say what tends to go together.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from interlude.tracking.charts import daily_means

# The settings of the method. Callers may pass other values (keyword arguments); these are the
# defaults and what docs/clinical.md describes.
LOOKBACK_DAYS = 90  # the last 90 local days, today included
MIN_DAYS = 7  # a comparison is shown only with at least this many days in each group
SLEEP_THRESHOLD_HOURS = 7.0  # nights of at least this many hours against shorter nights
MAX_SHOWN = 5  # at most this many comparisons are shown, strongest first
CONFIDENCE = 0.95

CHANCE_NOTE = "This shows what tends to go together, not what causes what."


# --- statistics -----------------------------------------------------------------------------------
def mean(values: Sequence[float]) -> float:
    if not values:
        raise ValueError("the mean of no values is undefined")
    return math.fsum(values) / len(values)


def sample_variance(values: Sequence[float]) -> float:
    """The unbiased sample variance (divides by n - 1); needs at least two values."""
    n = len(values)
    if n < 2:
        raise ValueError("the sample variance needs at least two values")
    m = mean(values)
    return math.fsum((v - m) ** 2 for v in values) / (n - 1)


_FPMIN = 1e-300


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function, by the modified Lentz method
    (Press et al., Numerical Recipes, 3rd ed., section 6.4)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _FPMIN else _FPMIN)
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _FPMIN else _FPMIN)
        c = 1.0 + aa / c
        c = c if abs(c) > _FPMIN else _FPMIN
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _FPMIN else _FPMIN)
        c = 1.0 + aa / c
        c = c if abs(c) > _FPMIN else _FPMIN
        step = d * c
        h *= step
        if abs(step - 1.0) < 1e-15:
            break
    return h


def regularized_incomplete_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b), for a, b > 0 and 0 <= x <= 1."""
    if a <= 0 or b <= 0:
        raise ValueError("a and b must be positive")
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_continued_fraction(a, b, x) / a
    return 1.0 - front * _beta_continued_fraction(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with `df` degrees of freedom (any real df > 0)."""
    if df <= 0:
        raise ValueError("degrees of freedom must be positive")
    tail = 0.5 * regularized_incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


def t_quantile(p: float, df: float) -> float:
    """The t with P(T <= t) = p, for Student's t with `df` degrees of freedom (real df > 0).

    Not an approximation formula: the exact distribution function (through the regularized
    incomplete beta function) inverted by bisection, to about 1e-10. Welch's degrees of freedom
    are rarely whole numbers, so a printed table would not do. Checked in the tests against
    published table values and the closed forms for 1 and 2 degrees of freedom.
    """
    if not 0.0 < p < 1.0:
        raise ValueError("p must be between 0 and 1")
    if df <= 0:
        raise ValueError("degrees of freedom must be positive")
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        low, high = high, high * 2.0
        if high > 1e12:
            raise ValueError("quantile out of range")
    for _ in range(200):
        middle = (low + high) / 2.0
        if t_cdf(middle, df) < p:
            low = middle
        else:
            high = middle
        if high - low < 1e-12 * max(1.0, high):
            break
    return (low + high) / 2.0


@dataclass(frozen=True)
class WelchInterval:
    """The difference of two means (first minus second) with its Welch t confidence interval."""

    difference: float
    low: float
    high: float
    df: float
    standard_error: float
    confidence: float = CONFIDENCE

    @property
    def includes_zero(self) -> bool:
        return self.low <= 0.0 <= self.high

    @property
    def distance_from_zero(self) -> float:
        """How far the interval's nearer end is from zero: positive when the interval excludes
        zero, negative (how far it reaches past zero) when it includes it. Orders comparisons."""
        return max(self.low, -self.high)


def welch_interval(
    first: Sequence[float], second: Sequence[float], *, confidence: float = CONFIDENCE
) -> WelchInterval | None:
    """mean(first) - mean(second) with a `confidence` interval by Welch's t method.

    se = sqrt(s1²/n1 + s2²/n2); df by Welch-Satterthwaite,
    df = (s1²/n1 + s2²/n2)² / ((s1²/n1)²/(n1-1) + (s2²/n2)²/(n2-1));
    interval = difference ± t(1 - (1 - confidence)/2, df) · se.
    None when a group has fewer than two values or both groups have no spread at all (then
    there is nothing to estimate the uncertainty from).
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must be between 0 and 1")
    n1, n2 = len(first), len(second)
    if n1 < 2 or n2 < 2:
        return None
    a = sample_variance(first) / n1
    b = sample_variance(second) / n2
    se2 = a + b
    if se2 <= 0.0:
        return None
    df = se2 * se2 / (a * a / (n1 - 1) + b * b / (n2 - 1))
    se = math.sqrt(se2)
    difference = mean(first) - mean(second)
    margin = t_quantile(1.0 - (1.0 - confidence) / 2.0, df) * se
    return WelchInterval(
        difference=difference,
        low=difference - margin,
        high=difference + margin,
        df=df,
        standard_error=se,
        confidence=confidence,
    )


# --- days -----------------------------------------------------------------------------------------
Reading = tuple[datetime, str, float]  # (instant, IANA zone it was recorded in, value)
Tagged = tuple[datetime, str, Sequence[str]]  # (check-in instant, its zone, activity labels)


@cache
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def local_day(instant: datetime, zone_name: str, *, fallback_zone: str) -> date:
    """The calendar day where the person was: the record's own zone, else the client's."""
    zone = (_zone(zone_name) if zone_name else None) or _zone(fallback_zone) or ZoneInfo("UTC")
    return instant.astimezone(zone).date()


@dataclass(frozen=True)
class DailyData:
    """A client's days over the look-back: what each comparison is computed from."""

    start: date
    end: date
    mood: dict[date, float]  # mean mood of the day, days with mood only
    sleep: dict[date, float]  # mean hours slept the night before, days with a value only
    relaxation: frozenset[date]  # days with any relaxation practice
    activities: dict[date, frozenset[str]]  # activity keys per day with any activity logged
    activity_labels: dict[str, str] = field(default_factory=dict)  # key -> label as shown


def activity_key(label: str) -> str:
    """ "Time outside", "time outside " and "TIME OUTSIDE" are the same activity."""
    return " ".join(label.split()).casefold()


def daily_data(
    *,
    mood: Iterable[Reading],
    sleep: Iterable[Reading],
    relaxation: Iterable[Reading],
    checkins: Iterable[Tagged],
    start: date,
    days: int,
    fallback_zone: str,
) -> DailyData:
    """Group readings and check-in activities by the client's local day, from `start` for
    `days` days; anything outside those days is dropped."""
    end = start + timedelta(days=days - 1)

    def by_day(readings: Iterable[Reading]) -> dict[date, float]:
        points = daily_means(readings, start=start, days=days, fallback_zone=fallback_zone)
        return {day: value for day, value in points if value is not None}

    activities: dict[date, set[str]] = {}
    labels: dict[str, str] = {}
    for instant, zone_name, tags in sorted(checkins, key=lambda c: c[0]):
        day = local_day(instant, zone_name, fallback_zone=fallback_zone)
        if not start <= day <= end:
            continue
        for tag in tags:
            key = activity_key(str(tag))
            if key:
                activities.setdefault(day, set()).add(key)
                labels[key] = " ".join(str(tag).split())  # the latest spelling is shown
    return DailyData(
        start=start,
        end=end,
        mood=by_day(mood),
        sleep=by_day(sleep),
        relaxation=frozenset(day for day, minutes in by_day(relaxation).items() if minutes > 0),
        activities={day: frozenset(keys) for day, keys in activities.items()},
        activity_labels=labels,
    )


# --- comparisons ----------------------------------------------------------------------------------
class Factor(StrEnum):
    ACTIVITY = "activity"
    SLEEP = "sleep"
    RELAXATION = "relaxation"


_FACTOR_ORDER = {Factor.SLEEP: 0, Factor.RELAXATION: 1, Factor.ACTIVITY: 2}


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _hours(value: float) -> str:
    return f"{value:g}"


def _rounds_to_zero(value: float) -> bool:
    return f"{abs(value):.1f}" == "0.0"


def _signed(value: float) -> str:
    """+1.2, -0.4 (written with a real minus sign, U+2212), 0.0."""
    text = f"{abs(value):.1f}"
    if text == "0.0":
        return text
    return ("+" if value > 0 else "\u2212") + text


@dataclass(frozen=True)
class Pattern:
    """One comparison: mood on days with something against days without it."""

    factor: Factor
    label: str  # the activity as the client wrote it; "" for sleep and relaxation
    mood_with: tuple[float, ...]
    mood_without: tuple[float, ...]
    interval: WelchInterval | None
    min_days: int = MIN_DAYS
    sleep_threshold: float = SLEEP_THRESHOLD_HOURS

    @property
    def n_with(self) -> int:
        return len(self.mood_with)

    @property
    def n_without(self) -> int:
        return len(self.mood_without)

    @property
    def mean_with(self) -> float | None:
        return mean(self.mood_with) if self.mood_with else None

    @property
    def mean_without(self) -> float | None:
        return mean(self.mood_without) if self.mood_without else None

    @property
    def more_with_needed(self) -> int:
        return max(0, self.min_days - self.n_with)

    @property
    def more_without_needed(self) -> int:
        return max(0, self.min_days - self.n_without)

    @property
    def more_days_needed(self) -> int:
        return self.more_with_needed + self.more_without_needed

    @property
    def enough_data(self) -> bool:
        return self.more_days_needed == 0 and self.interval is not None

    @property
    def includes_zero(self) -> bool:
        return self.interval is not None and self.interval.includes_zero

    # --- words for the client -------------------------------------------------------------------
    @property
    def client_name(self) -> str:
        if self.factor == Factor.ACTIVITY:
            return f"“{self.label}”"
        if self.factor == Factor.SLEEP:
            return "Sleep"
        return "Relaxation exercises"

    def _client_subject(self) -> str:
        if self.factor == Factor.ACTIVITY:
            return f"On days with “{self.label}”"
        if self.factor == Factor.SLEEP:
            return f"On days after a night of {_hours(self.sleep_threshold)} hours' sleep or more"
        return "On days you did a relaxation exercise"

    def _client_counts(self) -> str:
        if self.factor == Factor.SLEEP:
            return (
                f"{_days(self.n_with)} after {_hours(self.sleep_threshold)} hours or more, "
                f"{self.n_without} after less"
            )
        return f"{_days(self.n_with)} with, {self.n_without} without"

    @property
    def client_summary(self) -> str:
        """ "On days with “Walk”, your mood averaged 1.2 points higher (34 days with, 41
        without)." """
        if self.interval is None:
            return ""
        difference = self.interval.difference
        size = f"{abs(difference):.1f}"
        if size == "0.0":
            other = "after shorter nights" if self.factor == Factor.SLEEP else "on other days"
            return (
                f"{self._client_subject()}, your mood averaged about the same as {other} "
                f"({self._client_counts()})."
            )
        direction = "higher" if difference > 0 else "lower"
        comparison = " than after shorter nights" if self.factor == Factor.SLEEP else ""
        return (
            f"{self._client_subject()}, your mood averaged {size} points {direction}"
            f"{comparison} ({self._client_counts()})."
        )

    @property
    def client_range(self) -> str:
        """ "The true difference could be anywhere from 0.5 to 1.9 points higher." """
        if self.interval is None:
            return ""
        low, high = self.interval.low, self.interval.high
        if self.interval.includes_zero:
            lower = "about the same" if _rounds_to_zero(low) else f"{abs(low):.1f} points lower"
            upper = "about the same" if _rounds_to_zero(high) else f"{high:.1f} points higher"
            return (
                f"The true difference could be anywhere from {lower} to {upper}, so this could "
                "easily be chance."
            )
        if low > 0:
            near = "a little over 0" if _rounds_to_zero(low) else f"{low:.1f}"
            return f"The true difference could be anywhere from {near} to {high:.1f} points higher."
        near = "a little over 0" if _rounds_to_zero(high) else f"{abs(high):.1f}"
        return f"The true difference could be anywhere from {near} to {abs(low):.1f} points lower."

    @property
    def client_waiting(self) -> str:
        """ "“Hobby”: 3 more days with it." — what is still needed, without asking for it."""
        more_with, more_without = self.more_with_needed, self.more_without_needed
        if self.factor == Factor.SLEEP:
            with_text = f"after a night of {_hours(self.sleep_threshold)} hours or more"
            without_text = "after a shorter night"
        elif self.factor == Factor.RELAXATION:
            with_text, without_text = "with a relaxation exercise", "without one"
        else:
            with_text, without_text = "with it", "without it"
        parts = []
        if more_with:
            parts.append(f"{more_with} more {'day' if more_with == 1 else 'days'} {with_text}")
        if more_without:
            unit = "" if parts else (" day" if more_without == 1 else " days")
            parts.append(f"{more_without} more{unit} {without_text}")
        if not parts:
            return ""
        return f"{self.client_name}: {' and '.join(parts)}."

    # --- words for the clinician ----------------------------------------------------------------
    @property
    def clinician_name(self) -> str:
        if self.factor == Factor.ACTIVITY:
            return f"Activity: {self.label}"
        if self.factor == Factor.SLEEP:
            return f"Sleep ≥ {_hours(self.sleep_threshold)} h"
        return "Relaxation practice"

    @property
    def clinician_contrast(self) -> str:
        """What the two groups are, in a few words ("with" vs "without")."""
        if self.factor == Factor.ACTIVITY:
            return "vs other days with an activity logged"
        if self.factor == Factor.SLEEP:
            threshold = _hours(self.sleep_threshold)
            return f"≥ {threshold} h vs < {threshold} h, the night before"
        return "any practice that day vs none"

    @property
    def difference_text(self) -> str:
        return _signed(self.interval.difference) if self.interval else "—"

    @property
    def interval_text(self) -> str:
        if self.interval is None:
            return "—"
        return f"{_signed(self.interval.low)} to {_signed(self.interval.high)}"

    @property
    def df_text(self) -> str:
        return f"{self.interval.df:.1f}" if self.interval else "—"

    @property
    def mean_with_text(self) -> str:
        value = self.mean_with
        return "—" if value is None else f"{value:.1f}"

    @property
    def mean_without_text(self) -> str:
        value = self.mean_without
        return "—" if value is None else f"{value:.1f}"


def _compare(
    factor: Factor,
    label: str,
    mood: dict[date, float],
    eligible: Iterable[date],
    present: set[date] | frozenset[date],
    *,
    min_days: int,
    sleep_threshold: float,
    confidence: float,
) -> Pattern:
    days = sorted(set(eligible) & mood.keys())
    with_ = tuple(mood[d] for d in days if d in present)
    without = tuple(mood[d] for d in days if d not in present)
    enough = len(with_) >= min_days and len(without) >= min_days
    return Pattern(
        factor=factor,
        label=label,
        mood_with=with_,
        mood_without=without,
        interval=welch_interval(with_, without, confidence=confidence) if enough else None,
        min_days=min_days,
        sleep_threshold=sleep_threshold,
    )


def comparisons(
    data: DailyData,
    *,
    min_days: int = MIN_DAYS,
    sleep_threshold: float = SLEEP_THRESHOLD_HOURS,
    confidence: float = CONFIDENCE,
) -> list[Pattern]:
    """Every comparison the data allows, with or without enough days: sleep (when any sleep was
    logged), relaxation (when any was practised), and each activity logged."""
    if min_days < 2:
        raise ValueError("min_days must be at least 2 (a variance needs two days)")

    def compare(
        factor: Factor, label: str, eligible: Iterable[date], present: set[date] | frozenset[date]
    ) -> Pattern:
        return _compare(
            factor,
            label,
            data.mood,
            eligible,
            present,
            min_days=min_days,
            sleep_threshold=sleep_threshold,
            confidence=confidence,
        )

    out: list[Pattern] = []
    if data.sleep:
        long_nights = {d for d, hours in data.sleep.items() if hours >= sleep_threshold}
        out.append(compare(Factor.SLEEP, "", data.sleep, long_nights))
    if data.relaxation:
        out.append(compare(Factor.RELAXATION, "", data.mood, data.relaxation))
    for key in sorted(data.activity_labels, key=lambda k: (data.activity_labels[k].casefold(), k)):
        days_with = {d for d, keys in data.activities.items() if key in keys}
        out.append(compare(Factor.ACTIVITY, data.activity_labels[key], data.activities, days_with))
    return out


def _strength(pattern: Pattern) -> tuple[float, float, int, str]:
    assert pattern.interval is not None
    return (
        -pattern.interval.distance_from_zero,
        -abs(pattern.interval.difference),
        _FACTOR_ORDER[pattern.factor],
        pattern.label.casefold(),
    )


class PatternReport(list[Pattern]):
    """The comparisons to show (at most `max_shown`, the interval farthest from zero first),
    with what a page says around them: how many were tested, which still wait for data, and how
    many days with mood there are."""

    def __init__(
        self,
        shown: Iterable[Pattern] = (),
        *,
        tested: int = 0,
        waiting: Sequence[Pattern] = (),
        mood_days: int = 0,
        start: date | None = None,
        end: date | None = None,
        min_days: int = MIN_DAYS,
        lookback_days: int = LOOKBACK_DAYS,
        sleep_threshold: float = SLEEP_THRESHOLD_HOURS,
        confidence: float = CONFIDENCE,
    ) -> None:
        super().__init__(shown)
        self.tested = tested
        self.waiting = list(waiting)
        self.mood_days = mood_days
        self.start = start
        self.end = end
        self.min_days = min_days
        self.lookback_days = lookback_days
        self.sleep_threshold = sleep_threshold
        self.confidence = confidence

    @property
    def not_shown(self) -> int:
        """Tested comparisons left out because only the first few are shown."""
        return self.tested - len(self)

    @property
    def mood_days_needed(self) -> int:
        """Days with mood still needed before any comparison can have `min_days` on each side."""
        return max(0, 2 * self.min_days - self.mood_days)

    @property
    def confidence_percent(self) -> str:
        return f"{self.confidence * 100:g}%"

    @property
    def sleep_threshold_text(self) -> str:
        return _hours(self.sleep_threshold)

    # --- words for the client -------------------------------------------------------------------
    @property
    def client_status(self) -> str:
        """One sentence on where things stand, kindly, when nothing can be shown yet."""
        if self.tested:
            return ""
        if self.mood_days_needed:
            have = "none yet" if self.mood_days == 0 else f"{self.mood_days} so far"
            return (
                f"Patterns show up once you have at least {2 * self.min_days} days with a "
                f"check-in in the last {self.lookback_days} days. You have {have}, so "
                f"{self.mood_days_needed} more to go. There is no rush."
            )
        if not self.waiting:
            return (
                "We look at the activities, sleep and relaxation exercises you note, and none "
                f"are in your check-ins from the last {self.lookback_days} days yet. If you "
                "add them, patterns can show up here."
            )
        return (
            f"Each comparison needs at least {_days(self.min_days)} on each side before it "
            "means anything. Your check-ins fill these in over time; there is no need to do "
            "anything differently."
        )

    @property
    def client_many_note(self) -> str:
        if self.tested < 2:
            return ""
        if not self.not_shown:
            shown = "Here they are, the ones that stand out most first."
        elif len(self) == 1:
            shown = "Here is the one that stands out most."
        else:
            shown = f"Here are the {len(self)} that stand out most."
        return (
            f"We compared {self.tested} things. When we compare many things, a few will look "
            f"notable just by chance. {shown}"
        )

    @property
    def client_all_chance(self) -> str:
        """Said once when every comparison shown has a range that runs through zero."""
        if not self or not all(p.includes_zero for p in self):
            return ""
        if len(self) == 1:
            return "So far, this difference could easily be chance."
        return "So far, each of these differences could easily be chance."

    # --- words for the clinician ----------------------------------------------------------------
    @property
    def clinician_multiplicity(self) -> str:
        if not self.tested:
            return ""
        percent = self.confidence_percent
        if self.tested == 1:
            return f"1 comparison tested; {percent} CI."
        one_in = round(1 / (1 - self.confidence))
        return (
            f"{self.tested} comparisons tested; {percent} CIs not adjusted for multiple "
            f"comparisons (with no true difference, about 1 in {one_in} would still exclude 0). "
            f"Top {len(self)} shown, ordered by the CI bound nearest 0."
        )


def find_patterns(
    data: DailyData,
    *,
    min_days: int = MIN_DAYS,
    max_shown: int = MAX_SHOWN,
    sleep_threshold: float = SLEEP_THRESHOLD_HOURS,
    confidence: float = CONFIDENCE,
    lookback_days: int = LOOKBACK_DAYS,
) -> PatternReport:
    """All comparisons; those with enough days in both groups are tested, and the first
    `max_shown` of them by the interval bound nearest zero (farthest from zero first) shown."""
    every = comparisons(
        data, min_days=min_days, sleep_threshold=sleep_threshold, confidence=confidence
    )
    tested = sorted((p for p in every if p.enough_data), key=_strength)
    waiting = sorted(
        (p for p in every if p.more_days_needed),
        key=lambda p: (p.more_days_needed, _FACTOR_ORDER[p.factor], p.label.casefold()),
    )
    return PatternReport(
        tested[:max_shown],
        tested=len(tested),
        waiting=waiting,
        mood_days=len(data.mood),
        start=data.start,
        end=data.end,
        min_days=min_days,
        lookback_days=lookback_days,
        sleep_threshold=sleep_threshold,
        confidence=confidence,
    )
