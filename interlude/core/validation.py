"""Bounds on what people send, written once and used by every request schema (pydantic) and form.

Why bounds at all: a date in year 1 or 9999 is accepted by Python and by the database, but turning
it into someone's local time overflows, so one such row would break every page that lists it.
History imported from elsewhere goes back years, so the floor is 1900, not "recently"; a device
clock may run a little fast, so "now" allows a day ahead.

Text: PostgreSQL refuses NUL characters and a lone surrogate cannot be encoded (or encrypted), so
both are refused at the door with a 422 naming the field (`text_problem`, used by the API parser).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from interlude.core.errors import ApplicationError

EARLIEST = date(1900, 1, 1)
# How far ahead of the server's clock a client's "now" may run (device clocks, time zones).
CLOCK_SLACK = timedelta(days=1)
# How far ahead something can be planned (an activity, an appointment).
PLANNING_HORIZON = timedelta(days=2 * 366)

MSG_OFFSET = "Include a UTC offset, like 2026-03-02T20:30:00+01:00."
MSG_TOO_EARLY = "Enter a date from 1900 onwards."
MSG_FUTURE = "This is in the future. Check the date and time."
MSG_TOO_FAR = "This is too far ahead. Choose a date within the next two years."
MSG_TIME_OF_DAY = "Enter a time of day like 22:30, without a date or time zone."


class BoundError(ValueError):
    """A value outside its bounds; the message is safe to show."""


def _latest_now() -> datetime:
    return timezone.now() + CLOCK_SLACK


def _latest_today() -> date:
    # The calendar day furthest ahead anywhere on Earth (UTC+14), plus the slack.
    return (timezone.now() + timedelta(hours=14) + CLOCK_SLACK).date()


def check_past_datetime(value: datetime) -> datetime:
    """An instant that has happened: with a UTC offset, from 1900, at most a day ahead of now."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise BoundError(MSG_OFFSET)
    # Years are checked before comparing instants: comparing converts to UTC, which overflows
    # at the ends of the calendar.
    if value.year < EARLIEST.year:
        raise BoundError(MSG_TOO_EARLY)
    latest = _latest_now()
    if value.year > latest.year or value > latest:
        raise BoundError(MSG_FUTURE)
    return value


def require_past_datetime(value: datetime, *, field: str) -> datetime:
    """`check_past_datetime` for services: a broken bound is an ApplicationError naming `field`."""
    try:
        return check_past_datetime(value)
    except BoundError as exc:
        raise ApplicationError(str(exc), field=field) from None


def check_past_date(value: date) -> date:
    """A day that has begun somewhere for the client: from 1900, at most a day ahead."""
    if value < EARLIEST:
        raise BoundError(MSG_TOO_EARLY)
    if value > _latest_today():
        raise BoundError(MSG_FUTURE)
    return value


def check_planned_date(value: date) -> date:
    """A day something is planned for: from 1900, within the planning horizon."""
    if value < EARLIEST:
        raise BoundError(MSG_TOO_EARLY)
    if value > _latest_today() + PLANNING_HORIZON:
        raise BoundError(MSG_TOO_FAR)
    return value


def check_filter_datetime(value: datetime) -> datetime:
    """A bound of a date range in a query: any instant that converts safely (1900 to 2999)."""
    if not EARLIEST.year <= value.year <= 2999:
        raise BoundError("Enter a date between 1900 and 2999.")
    return value


def check_time_of_day(value: Any) -> Any:
    """Only "HH:MM" or "HH:MM:SS" text: a number is not a time of day, and a zone on a wall-clock
    time means nothing (SQLite cannot even store one)."""
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise BoundError(MSG_TIME_OF_DAY)
        return value
    if not isinstance(value, str):
        raise BoundError(MSG_TIME_OF_DAY)
    try:
        parsed = time.fromisoformat(value.strip())
    except ValueError:
        raise BoundError(MSG_TIME_OF_DAY) from None
    if parsed.tzinfo is not None:
        raise BoundError(MSG_TIME_OF_DAY)
    return parsed


def _pydantic(check: Any) -> Any:
    def validate(value: Any) -> Any:
        try:
            return check(value)
        except BoundError as exc:
            raise PydanticCustomError("value_error", str(exc)) from None

    return validate


def django_validator(check: Any) -> Any:
    """The same bound for a Django form field's `validators=[...]`."""

    def validate(value: Any) -> None:
        if value is None:
            return
        try:
            check(value)
        except BoundError as exc:
            raise DjangoValidationError(str(exc), code="out_of_bounds") from None

    return validate


PastDateTime = Annotated[datetime, AfterValidator(_pydantic(check_past_datetime))]
PastDate = Annotated[date, AfterValidator(_pydantic(check_past_date))]
PlannedDate = Annotated[date, AfterValidator(_pydantic(check_planned_date))]
FilterDateTime = Annotated[datetime, AfterValidator(_pydantic(check_filter_datetime))]
TimeOfDay = Annotated[time, BeforeValidator(_pydantic(check_time_of_day))]


# --- text -------------------------------------------------------------------------------
def _has_bad_text(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, e.g. "\ud800" in JSON
        return True
    return False


def _walk(value: Any, path: tuple[str | int, ...]) -> Iterator[tuple[str | int, ...]]:
    if isinstance(value, str):
        if _has_bad_text(value):
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and _has_bad_text(key):
                yield (*path, "<key>")
            else:
                yield from _walk(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, (*path, i))


MSG_BAD_TEXT = "This text contains characters that cannot be stored. Remove them and try again."


def text_problem(value: Any) -> tuple[str | int, ...] | None:
    """The path of the first string (or key) holding a NUL or a lone surrogate, else None."""
    return next(_walk(value, ()), None)
