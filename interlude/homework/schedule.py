"""When homework is due: pure date arithmetic, no ORM (easy to test exhaustively).

A recurrence is evaluated on the client's wall-clock calendar: an RRULE's DTSTART is the start
date at local midnight with no zone attached, so "every day" yields each local date exactly once,
whatever daylight-saving does to the length of a day (a 24-hour step on UTC instants would skip or
repeat a date at the change). Days are the client's days; the caller turns "now" into the client's
date with core.clock.

"N times a week, any days" counts weeks from the start date (week k runs from start + 7k to
start + 7k + 6): its occurrence is the week; the client may act on up to N different days in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.rrule import rrule, rrulestr

from interlude.core.errors import ApplicationError

MAX_RULE_CHARS = 200
MAX_COUNT = 366
MAX_INTERVAL = 4
MAX_SPAN_DAYS = 2 * 366  # a recurrence runs for two years at most
ALLOWED_PARTS = {"FREQ", "INTERVAL", "BYDAY", "UNTIL", "COUNT", "WKST"}
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Schedule:
    """What `occurrence_days` needs of an assignment (models.Assignment has these fields)."""

    schedule: str  # ScheduleKind value
    starts_on: date
    due_on: date | None = None
    rrule: str = ""
    times_per_week: int | None = None
    until: date | None = None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0))


def _parts(rule: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for chunk in rule.split(";"):
        name, sep, value = chunk.partition("=")
        if not sep or not name or not value:
            raise ApplicationError(
                f"“{chunk}” is not a NAME=value part of a repeat rule.", field="rrule"
            )
        parts[name.upper()] = value.upper()
    return parts


def rrule_parse(rule: str, *, starts_on: date) -> rrule:
    """A strictly checked RRULE (daily or weekly, by weekday, until a date or a count), or an
    ApplicationError on the field "rrule" saying what is wrong."""
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if not text:
        raise ApplicationError("Choose how often it repeats.", field="rrule")
    if len(text) > MAX_RULE_CHARS or "\n" in text or "\r" in text:
        raise ApplicationError("The repeat rule is too long or has line breaks.", field="rrule")
    parts = _parts(text)
    unknown = sorted(set(parts) - ALLOWED_PARTS)
    if unknown:
        raise ApplicationError(
            "The repeat rule can only use FREQ, INTERVAL, BYDAY, UNTIL and COUNT, not "
            + ", ".join(unknown)
            + ".",
            field="rrule",
        )
    if parts.get("FREQ") not in ("DAILY", "WEEKLY"):
        raise ApplicationError(
            "Homework repeats daily or weekly (FREQ=DAILY or WEEKLY).", field="rrule"
        )
    if "UNTIL" in parts and "COUNT" in parts:
        raise ApplicationError("Use either UNTIL or COUNT, not both.", field="rrule")
    if "INTERVAL" in parts and not (
        parts["INTERVAL"].isascii()
        and parts["INTERVAL"].isdigit()
        and 1 <= int(parts["INTERVAL"]) <= MAX_INTERVAL
    ):
        raise ApplicationError(f"INTERVAL must be from 1 to {MAX_INTERVAL}.", field="rrule")
    if "COUNT" in parts and not (
        parts["COUNT"].isascii()
        and parts["COUNT"].isdigit()
        and 1 <= int(parts["COUNT"]) <= MAX_COUNT
    ):
        raise ApplicationError(f"COUNT must be from 1 to {MAX_COUNT}.", field="rrule")
    if "BYDAY" in parts:
        days = parts["BYDAY"].split(",")
        if not days or any(d not in WEEKDAY_CODES for d in days) or len(set(days)) != len(days):
            raise ApplicationError("BYDAY lists weekdays once each, like MO,WE,FR.", field="rrule")
    if "UNTIL" in parts:
        raw = parts["UNTIL"]
        try:
            until = datetime.strptime(raw[:8], "%Y%m%d").date()
        except ValueError:
            raise ApplicationError("UNTIL must be a date like 20260430.", field="rrule") from None
        if raw not in (raw[:8], raw[:8] + "T235959", raw[:8] + "T000000"):
            raise ApplicationError("UNTIL must be a date like 20260430.", field="rrule")
        if until < starts_on:
            raise ApplicationError("The repeat ends (UNTIL) before it starts.", field="rrule")
        if (until - starts_on).days > MAX_SPAN_DAYS:
            raise ApplicationError("A repeat can run for two years at most.", field="rrule")
        # The whole last day counts, whatever time the rule names.
        parts["UNTIL"] = raw[:8] + "T235959"
    normalised = ";".join(f"{k}={v}" for k, v in parts.items())
    try:
        parsed = rrulestr(normalised, dtstart=_midnight(starts_on))
    except (ValueError, TypeError) as exc:
        raise ApplicationError(f"The repeat rule is not valid: {exc}.", field="rrule") from None
    if not isinstance(parsed, rrule) or parsed.after(_midnight(starts_on), inc=True) is None:
        raise ApplicationError("This repeat rule never falls due.", field="rrule")
    return parsed


def rrule_for(*, freq: str, weekdays: list[str] | None = None, until: date | None = None) -> str:
    """The RRULE for plain choices: "daily", "weekdays", or "weekly" on chosen weekdays."""
    parts = ["FREQ=" + ("DAILY" if freq == "daily" else "WEEKLY")]
    if freq == "weekdays":
        parts.append("BYDAY=MO,TU,WE,TH,FR")
    elif freq == "weekly":
        parts.append("BYDAY=" + ",".join(weekdays or []))
    if until is not None:
        parts.append(f"UNTIL={until:%Y%m%d}")
    return ";".join(parts)


def week_start(s: Schedule, day: date) -> date:
    """The first day of the weekly-count week that holds `day`."""
    return day - timedelta(days=(day - s.starts_on).days % 7)


def occurrence_days(s: Schedule, first: date, last: date) -> list[date]:
    """Due days in [first, last] (for weekly count: the first day of each week that starts in
    the range). Ordered."""
    if last < first:
        return []
    if s.schedule == "once":
        return [s.due_on] if s.due_on and first <= s.due_on <= last else []
    if s.schedule == "weekly_count":
        end = min(last, s.until) if s.until else last
        start = max(first, s.starts_on)
        weeks = []
        w = week_start(s, start)
        if w < start:
            w += timedelta(days=7)
        while w <= end:
            weeks.append(w)
            w += timedelta(days=7)
        return weeks
    parsed = rrule_parse(s.rrule, starts_on=s.starts_on)
    return [d.date() for d in parsed.between(_midnight(first), _midnight(last), inc=True)]


def is_occurrence(s: Schedule, day: date) -> bool:
    """Whether `day` is a day this homework can be recorded for (weekly count: any day of an
    active week)."""
    if day < s.starts_on:
        return False
    if s.schedule == "weekly_count":
        return s.until is None or day <= s.until
    return day in occurrence_days(s, day, day)


__all__ = [
    "Schedule",
    "is_occurrence",
    "occurrence_days",
    "rrule_for",
    "rrule_parse",
    "week_start",
]
