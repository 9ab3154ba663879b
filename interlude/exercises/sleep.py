"""Derived sleep diary values (Consensus Sleep Diary core items, CLINICAL.md 4.5). Pure: no ORM.

A diary entry gives wall-clock times for one night, in this order:

    into bed  ≤  tried to sleep  ≤  final awakening  ≤  out of bed

Each time may be on the next calendar day (a night that starts at 23:30 and ends at 07:00). Times
are placed on one timeline that starts when the person got into bed: every time is taken as the
first moment at or after getting into bed with that clock reading, so a whole entry spans less
than 24 hours. Seconds are ignored (the diary asks for clock times to the minute).

Definitions used everywhere in Interlude (all in whole minutes except efficiency):

* **Time in bed (TIB)** = out of bed - into bed.
* **Total sleep time (TST)** = (final awakening - tried to sleep) - minutes to fall asleep (SOL)
  - minutes awake after sleep onset (WASO). Time in bed before trying to sleep and after the final
  awakening is not sleep; nor is the time it took to fall asleep or time awake in the night.
* **Sleep efficiency (SE)** = TST / TIB x 100, as a percentage rounded half-up to one decimal.

Entries whose times are out of order, or whose SOL + WASO exceed the sleep window, are refused
with an `ApplicationError` naming the field to fix, so every stored entry has 0 ≤ TST ≤ TIB and
0 ≤ SE ≤ 100.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time

from interlude.core.errors import ApplicationError

MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True)
class SleepDerived:
    time_in_bed: int  # minutes
    total_sleep_time: int  # minutes
    sleep_efficiency: float  # percent, one decimal
    # Minutes after getting into bed at which each later time falls (for building datetimes).
    tried_to_sleep_offset: int
    final_awakening_offset: int
    out_of_bed_offset: int


@dataclass(frozen=True)
class SleepAverages:
    nights: int
    time_in_bed: int | None  # minutes, rounded
    total_sleep_time: int | None  # minutes, rounded
    sleep_efficiency: float | None  # percent, one decimal


def _clock_minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _offset(start: time, value: time) -> int:
    """Minutes from `start` to the first moment at or after it when the clock shows `value`."""
    return (_clock_minutes(value) - _clock_minutes(start)) % MINUTES_PER_DAY


def format_minutes(minutes: int | None) -> str:
    """480 -> '8 h 0 min'; 45 -> '45 min'; None -> ''."""
    if minutes is None:
        return ""
    hours, rest = divmod(int(minutes), 60)
    return f"{hours} h {rest} min" if hours else f"{rest} min"


def format_minutes_short(minutes: int | None) -> str:
    """480 -> '8h 0m'; 45 -> '45m'; None -> '' (for narrow tables)."""
    if minutes is None:
        return ""
    hours, rest = divmod(int(minutes), 60)
    return f"{hours}h {rest}m" if hours else f"{rest}m"


def night_name(night_of: date) -> str:
    """'Monday 2 March': how a night is named on screen (the date the night began)."""
    return f"{night_of:%A} {night_of.day} {night_of:%B}"


def efficiency_percent(total_sleep_time: int, time_in_bed: int) -> float:
    """TST / TIB x 100, rounded half-up to one decimal, computed exactly on integers."""
    if time_in_bed <= 0:
        raise ValueError("time in bed must be positive")
    tenths = (total_sleep_time * 1000 * 2 + time_in_bed) // (2 * time_in_bed)
    return tenths / 10


def sleep_derived(
    *,
    into_bed: time,
    tried_to_sleep: time,
    minutes_to_fall_asleep: int,
    minutes_awake_after_onset: int,
    final_awakening: time,
    out_of_bed: time,
) -> SleepDerived:
    """TIB, TST and SE for one night (definitions in the module docstring).

    Raises ApplicationError(field=...) when the entry cannot describe one night.
    """
    if minutes_to_fall_asleep < 0:
        raise ApplicationError(
            "Minutes to fall asleep can't be less than 0.", field="minutes_to_fall_asleep"
        )
    if minutes_awake_after_onset < 0:
        raise ApplicationError(
            "Minutes awake in the night can't be less than 0.", field="minutes_awake_after_onset"
        )
    tried = _offset(into_bed, tried_to_sleep)
    final = _offset(into_bed, final_awakening)
    out = _offset(into_bed, out_of_bed)
    if out == 0:
        raise ApplicationError(
            "The time you got out of bed must be later than the time you got into bed.",
            field="out_of_bed",
        )
    if tried > out:
        raise ApplicationError(
            "The time you tried to sleep must be between getting into bed and getting up.",
            field="tried_to_sleep",
        )
    if final < tried:
        raise ApplicationError(
            "Your final awakening must be after the time you tried to go to sleep.",
            field="final_awakening",
        )
    if final > out:
        raise ApplicationError(
            "Your final awakening can't be after the time you got out of bed.",
            field="final_awakening",
        )
    window = final - tried
    if minutes_to_fall_asleep > window:
        raise ApplicationError(
            "Minutes to fall asleep can't be more than the time from trying to sleep to your "
            f"final awakening ({format_minutes(window)}).",
            field="minutes_to_fall_asleep",
        )
    if minutes_to_fall_asleep + minutes_awake_after_onset > window:
        raise ApplicationError(
            "Minutes awake in the night plus minutes to fall asleep can't be more than the time "
            f"from trying to sleep to your final awakening ({format_minutes(window)}).",
            field="minutes_awake_after_onset",
        )
    total_sleep = window - minutes_to_fall_asleep - minutes_awake_after_onset
    return SleepDerived(
        time_in_bed=out,
        total_sleep_time=total_sleep,
        sleep_efficiency=efficiency_percent(total_sleep, out),
        tried_to_sleep_offset=tried,
        final_awakening_offset=final,
        out_of_bed_offset=out,
    )


def sleep_averages(nights: Sequence[SleepDerived]) -> SleepAverages:
    """Means of the nightly values (each night counts once), rounded like the nightly values."""
    n = len(nights)
    if n == 0:
        return SleepAverages(
            nights=0, time_in_bed=None, total_sleep_time=None, sleep_efficiency=None
        )
    tib = sum(d.time_in_bed for d in nights)
    tst = sum(d.total_sleep_time for d in nights)
    se_tenths = sum(round(d.sleep_efficiency * 10) for d in nights)
    return SleepAverages(
        nights=n,
        time_in_bed=(2 * tib + n) // (2 * n),
        total_sleep_time=(2 * tst + n) // (2 * n),
        sleep_efficiency=((2 * se_tenths + n) // (2 * n)) / 10,
    )
