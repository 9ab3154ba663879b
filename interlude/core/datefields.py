"""Model fields for dates and times that people enter, which read back within safe bounds.

Input is bounded at the door (core/validation.py), but rows stored before that, or imported, may
hold values such as year 1: Python and the database accept them, yet showing them in a local time
zone overflows and would break every page that lists the row. These fields read such a value back
as the nearest safe one (1 January 1900 or 31 December 2999), so a list always opens.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from django.db import models

FLOOR_DATE = date(1900, 1, 1)
CEILING_DATE = date(2999, 12, 31)
FLOOR = datetime(1900, 1, 1, tzinfo=UTC)
CEILING = datetime(2999, 12, 31, tzinfo=UTC)


def clamp_datetime(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.year < FLOOR.year:
        return FLOOR
    if value.year > CEILING.year:
        return CEILING
    return value


def clamp_date(value: date | None) -> date | None:
    if value is None:
        return None
    return min(max(value, FLOOR_DATE), CEILING_DATE)


class SafeDateTimeField(models.DateTimeField):
    def from_db_value(self, value: Any, expression: Any, connection: Any) -> datetime | None:
        return clamp_datetime(value)


class SafeDateField(models.DateField):
    def from_db_value(self, value: Any, expression: Any, connection: Any) -> date | None:
        return clamp_date(value)
