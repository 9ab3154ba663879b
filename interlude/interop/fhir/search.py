"""FHIR search parameters, parsed into plain values (no ORM): token (`code`), date with prefixes
(`date`), references (`patient`, `questionnaire`). A bad value raises `SearchError` naming the
parameter, which the API answers with a 400 OperationOutcome."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.http import QueryDict

# Parameters every search accepts and ignores (the answer is always JSON, never paged).
IGNORED = frozenset({"_format"})
DATE_PREFIXES = ("eq", "ne", "ge", "gt", "le", "lt")


class SearchError(ValueError):
    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class CodeToken:
    """One `code` value: `system|code`, `code` (any system) or `system|` (any code there)."""

    system: str | None
    code: str | None

    def matches(self, system: str, code: str) -> bool:
        if self.system is not None and self.system != system:
            return False
        return self.code is None or self.code == code


@dataclass(frozen=True)
class DateBound:
    """One `date` value: a prefix and the range its value stands for, [start, end)."""

    prefix: str
    start: datetime
    end: datetime

    def matches(self, moment: datetime) -> bool:
        if self.prefix == "eq":
            return self.start <= moment < self.end
        if self.prefix == "ne":
            return not (self.start <= moment < self.end)
        if self.prefix == "ge":
            return moment >= self.start
        if self.prefix == "gt":
            return moment >= self.end
        if self.prefix == "le":
            return moment < self.end
        return moment < self.start  # lt


def only(params: QueryDict, allowed: set[str] | frozenset[str]) -> None:
    """Refuse a parameter this search does not support (rather than ignore it and answer more
    than was asked for)."""
    for name in params:
        if name not in allowed and name not in IGNORED:
            raise SearchError(name, f"Unsupported search parameter: {name}.")


def single(params: QueryDict, name: str) -> str | None:
    values = params.getlist(name)
    if not values:
        return None
    if len(values) > 1:
        raise SearchError(name, f"Give {name} once.")
    value = values[0].strip()
    if not value:
        raise SearchError(name, f"{name} is empty.")
    return value


def reference_id(params: QueryDict, name: str, resource_type: str) -> uuid.UUID | None:
    """`patient=<id>` or `patient=Patient/<id>`; the id must be a public id (uuid)."""
    value = single(params, name)
    if value is None:
        return None
    if value.startswith(f"{resource_type}/"):
        value = value[len(resource_type) + 1 :]
    try:
        return uuid.UUID(value)
    except ValueError:
        raise SearchError(name, f"{name} must be a {resource_type} id.") from None


def codes(params: QueryDict, name: str = "code") -> tuple[CodeToken, ...]:
    """Every `code` value (several parameters are AND, commas inside one are OR; this server
    keeps the AND of single values and the OR of lists simple: all listed tokens are OR'd)."""
    tokens: list[CodeToken] = []
    values = params.getlist(name)
    if len(values) > 1:
        raise SearchError(name, f"Give {name} once; list several codes separated by commas.")
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if not part or part == "|":
                raise SearchError(name, f"{name} has an empty code.")
            if "|" in part:
                system, _, code = part.partition("|")
                tokens.append(CodeToken(system=system or None, code=code or None))
            else:
                tokens.append(CodeToken(system=None, code=part))
    return tuple(tokens)


_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _parse_date_value(value: str) -> tuple[datetime, datetime]:
    match = _DATE.match(value)
    if match:
        year, month, day = match.groups()
        if day:
            start = datetime(int(year), int(month), int(day), tzinfo=UTC)
            return start, start + timedelta(days=1)
        if month:
            start = datetime(int(year), int(month), 1, tzinfo=UTC)
            end_month = date(int(year) + (int(month) == 12), int(month) % 12 + 1, 1)
            return start, datetime(end_month.year, end_month.month, 1, tzinfo=UTC)
        start = datetime(int(year), 1, 1, tzinfo=UTC)
        return start, datetime(int(year) + 1, 1, 1, tzinfo=UTC)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if "T" not in value:
        raise ValueError(value)
    # A full instant stands for the second it names.
    return moment, moment + timedelta(seconds=1)


def dates(params: QueryDict, name: str = "date") -> tuple[DateBound, ...]:
    """Every `date` value, ANDed (`date=ge2026-01-01&date=lt2026-02-01`). Dates without a time
    are days in UTC."""
    bounds: list[DateBound] = []
    for raw in params.getlist(name):
        value = raw.strip()
        prefix = "eq"
        if value[:2] in DATE_PREFIXES:
            prefix, value = value[:2], value[2:]
        try:
            start, end = _parse_date_value(value)
        except (ValueError, OverflowError):
            raise SearchError(
                name,
                f"{name} must be a date (YYYY, YYYY-MM, YYYY-MM-DD or an instant), optionally "
                f"after one of the prefixes {', '.join(DATE_PREFIXES)}.",
            ) from None
        bounds.append(DateBound(prefix=prefix, start=start, end=end))
    return tuple(bounds)
