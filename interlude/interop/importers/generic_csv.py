"""A spreadsheet from any app, read through a column mapping the client chose (CLINICAL.md 7.3).

`read_columns` gives the mapping screen the file's column names and a few rows;
`mapping_errors` checks a mapping against them; `parse` reads the file with it
(`options.mapping`):

    {
      "date": "Date",                 # column with the date (required)
      "date_format": "%d.%m.%Y",      # one of DATE_FORMATS (required)
      "time": "Time" or None,         # column with the time ("21:35", "8:30 pm"); None: noon
      "value": "Mood",                # column with the number (required)
      "value_kind": "mood",           # one of VALUE_KINDS
      "scale_min": 1, "scale_max": 10,   # the value's scale (mood, energy, anxiety)
      "tags": "Activities" or None,   # mood only: tags column, split on tag_separator
      "tag_separator": ",",
      "note": "Note" or None,         # mood only: a note column
    }

Columns are matched by name (case and surrounding spaces ignored). What each kind becomes:
mood → a check-in (the number on its scale); energy, anxiety → a measurement on 0-10; sleep_hours
→ a night of sleep (hours); steps → a day of steps.

ASSUMPTIONS: a date without a time is placed at 12:00 local time; times have no zone (naive
`when`, the client's local time). Keys: a mood, energy or anxiety value is identified by its
time, kind, value and note, so a file read again adds nothing; sleep and steps by their time and
kind only, so a later export of the same day (with a day's final step count) is a duplicate, not
a second day.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from interlude.interop.canonical import (
    ImportFileError,
    Item,
    MoodEntry,
    ParseOptions,
    Reading,
    Unreadable,
    mood_to_0_10,
)
from interlude.interop.enums import StagedKind
from interlude.interop.importers.csvfile import (
    CsvFile,
    Row,
    normalise_header,
    open_csv,
    parse_clock,
    parse_number,
    shown,
)

# The date formats the mapping screen offers (strptime format → example shown to the client).
DATE_FORMATS: dict[str, str] = {
    "%Y-%m-%d": "2026-03-02",
    "%d/%m/%Y": "02/03/2026",
    "%m/%d/%Y": "03/02/2026",
    "%d.%m.%Y": "02.03.2026",
    "%d-%m-%Y": "02-03-2026",
    "%Y/%m/%d": "2026/03/02",
    "%Y-%m-%d %H:%M": "2026-03-02 20:30",
    "%Y-%m-%d %H:%M:%S": "2026-03-02 20:30:00",
    "%Y-%m-%dT%H:%M:%S": "2026-03-02T20:30:00",
    "%d/%m/%Y %H:%M": "02/03/2026 20:30",
    "%m/%d/%Y %H:%M": "03/02/2026 20:30",
    "%d.%m.%Y %H:%M": "02.03.2026 20:30",
}

# value_kind → what it becomes (staged kind, observation kind); None: a check-in.
VALUE_KINDS: dict[str, tuple[StagedKind, str] | None] = {
    "mood": None,
    "energy": (StagedKind.MEASUREMENT, "energy"),
    "anxiety": (StagedKind.MEASUREMENT, "anxiety"),
    "sleep_hours": (StagedKind.SLEEP, "sleep_hours"),
    "steps": (StagedKind.STEPS, "steps"),
}
SCALED_KINDS = ("mood", "energy", "anxiety")
NOON = time(12, 0)
MAX_STEPS = 200_000  # in one day: more is a mistake in the file


def read_columns(path: Path, *, max_rows: int = 5) -> tuple[list[str], list[list[str]]]:
    """The file's column names (as written) and its first `max_rows` readable rows."""
    with open_csv(path) as file:
        rows: list[list[str]] = []
        if max_rows > 0:
            for row in file.rows():
                if isinstance(row, Row):
                    rows.append(list(row.fields))
                    if len(rows) >= max_rows:
                        break
        return list(file.header), rows


def _column_in(headers: list[str], name: Any) -> str | None:
    """An error for a mapped column name, or None when it names exactly one column."""
    if not isinstance(name, str) or not name.strip():
        return "Choose a column."
    count = sum(1 for header in headers if normalise_header(header) == normalise_header(name))
    if count == 0:
        return f"This file has no column called “{name.strip()[:60]}”."
    if count > 1:
        return f"This file has {count} columns called “{name.strip()[:60]}”: rename one of them."
    return None


def mapping_errors(mapping: Mapping[str, Any], headers: list[str]) -> dict[str, str]:
    """Field → what is wrong with it; empty when the mapping can be used on these headers."""
    errors: dict[str, str] = {}
    for field in ("date", "value"):
        problem = _column_in(headers, mapping.get(field))
        if problem:
            errors[field] = problem
    date_format = mapping.get("date_format")
    if date_format not in DATE_FORMATS:
        errors["date_format"] = "Choose how the dates are written."
    for field in ("time", "tags", "note"):
        if mapping.get(field) not in (None, ""):
            problem = _column_in(headers, mapping.get(field))
            if problem:
                errors[field] = problem
    if (
        mapping.get("time")
        and isinstance(date_format, str)
        and "%H" in date_format
        and "time" not in errors
    ):
        errors["time"] = "The dates already include the time: leave the time column empty."
    kind = mapping.get("value_kind")
    if kind not in VALUE_KINDS:
        errors["value_kind"] = "Choose what the numbers are (mood, energy, anxiety, sleep, steps)."
    if kind in SCALED_KINDS:
        low, high = mapping.get("scale_min"), mapping.get("scale_max")
        if not isinstance(low, int) or isinstance(low, bool):
            errors["scale_min"] = "Give the lowest number of the scale."
        if not isinstance(high, int) or isinstance(high, bool):
            errors["scale_max"] = "Give the highest number of the scale."
        elif isinstance(low, int) and not isinstance(low, bool) and high <= low:
            errors["scale_max"] = "The highest number must be above the lowest."
    separator = mapping.get("tag_separator") or ","  # the default when none is chosen
    if mapping.get("tags") and (not isinstance(separator, str) or len(separator) > 5):
        errors["tag_separator"] = "Give the character that separates the tags, like “,”."
    used = [
        normalise_header(mapping[field])
        for field in ("date", "time", "value", "tags", "note")
        if isinstance(mapping.get(field), str) and mapping[field].strip()
    ]
    if len(used) != len(set(used)) and not errors:
        errors["value"] = "Each column can be used for one thing only."
    return errors


def _number_text(value: float) -> str:
    return f"{value:g}"


def _key(*, when: datetime, kind: str, value: float | None, note: str, tags: str) -> str:
    stamp = when.isoformat(timespec="minutes")
    if value is None:
        return f"{stamp}|{kind}"
    digest = hashlib.sha256(f"{note}\x1f{tags}".encode()).hexdigest()[:16]
    return f"{stamp}|{kind}|{_number_text(value)}|{digest}"


class _Mapped:
    def __init__(self, file: CsvFile, mapping: Mapping[str, Any]) -> None:
        def position(field: str) -> int | None:
            name = mapping.get(field)
            return file.index(name) if isinstance(name, str) and name.strip() else None

        self.file = file
        self.date = position("date")
        self.time = position("time")
        self.value = position("value")
        self.tags = position("tags")
        self.note = position("note")
        self.names = {
            field: file.header[index]
            for field in ("date", "time", "value")
            if (index := position(field)) is not None
        }
        self.date_format: str = mapping["date_format"]
        self.kind: str = mapping["value_kind"]
        self.low = int(mapping.get("scale_min") or 0)
        self.high = int(mapping.get("scale_max") or 0)
        self.separator: str = mapping.get("tag_separator") or ","

    def item(self, row: Row) -> Item:
        written_date = row.get(self.date).strip()
        try:
            stamp = datetime.strptime(written_date, self.date_format)
        except ValueError:
            return Unreadable(
                line=row.line,
                message=f"{self.names['date']} {shown(written_date)} is not a date written as "
                f"{DATE_FORMATS[self.date_format]}.",
            )
        day: date = stamp.date()
        clock = stamp.time() if "%H" in self.date_format else NOON
        if self.time is not None:
            written_time = row.get(self.time).strip()
            if written_time:
                parsed = parse_clock(written_time)
                if parsed is None:
                    return Unreadable(
                        line=row.line,
                        message=f"{self.names['time']} {shown(written_time)} is not a time like "
                        "“21:35” or “8:30 pm”.",
                    )
                clock = parsed
        when = datetime.combine(day, clock.replace(second=0, microsecond=0))
        written = row.get(self.value).strip()
        column = self.names["value"]
        value = parse_number(written)
        if value is None:
            return Unreadable(line=row.line, message=f"{column} {shown(written)} is not a number.")
        if self.kind in SCALED_KINDS and not self.low <= value <= self.high:
            return Unreadable(
                line=row.line,
                message=f"{column} {shown(written)} is outside the scale {self.low} to "
                f"{self.high}.",
            )
        if self.kind == "sleep_hours" and not 0 < value <= 24:
            return Unreadable(
                line=row.line,
                message=f"{column} {shown(written)} is not a number of hours from 0 to 24.",
            )
        if self.kind == "steps" and (value != int(value) or not 0 <= value <= MAX_STEPS):
            return Unreadable(
                line=row.line,
                message=f"{column} {shown(written)} is not a whole number of steps from 0 to "
                f"{MAX_STEPS:,}.",
            )
        if self.kind == "mood":
            tags_text = row.get(self.tags)
            note = row.get(self.note)
            tags = tuple(tag.strip() for tag in tags_text.split(self.separator) if tag.strip())
            original = {name: row.get(index) for index, name in enumerate(self.file.header) if name}
            return MoodEntry(
                line=row.line,
                key=_key(when=when, kind="mood", value=value, note=note, tags=tags_text),
                when=when,
                mood_label=written,
                mood_value=value,
                scale_min=self.low,
                scale_max=self.high,
                activities=tags,
                note=note,
                original=original,
            )
        target = VALUE_KINDS[self.kind]
        assert target is not None
        staged_kind, observation_kind = target
        if self.kind in SCALED_KINDS:
            stored = float(mood_to_0_10(value, scale_min=self.low, scale_max=self.high))
            key = _key(when=when, kind=self.kind, value=value, note="", tags="")
        else:
            stored = value
            key = _key(when=when, kind=self.kind, value=None, note="", tags="")
        return Reading(
            line=row.line,
            key=key,
            when=when,
            staged_kind=staged_kind,
            observation_kind=observation_kind,
            value=stored,
            original=written,
        )


def parse(path: Path, *, options: ParseOptions) -> Iterator[Item]:
    mapping = options.mapping
    if not mapping:
        raise ImportFileError(
            "Match the spreadsheet's columns first (which holds the date, the value and so on)."
        )
    with open_csv(path, on_progress=options.on_progress) as file:
        errors = mapping_errors(mapping, list(file.header))
        if errors:
            raise ImportFileError(
                "The column matching does not fit this file. "
                f"{next(iter(errors.values()))} Match the columns again."
            )
        mapped = _Mapped(file, mapping)
        for row in file.rows():
            yield row if isinstance(row, Unreadable) else mapped.item(row)
