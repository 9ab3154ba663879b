"""Bearable's CSV export: the "long" format, one line per reading (CLINICAL.md 7.2).

Two header generations, told apart by their column names:

    date,weekday,time of day,category,rating/amount,detail,notes                  (older)
    date,date formatted,weekday,time of day,category,rating/amount,detail,notes   (newer)

`date` is ordinal ("22nd Sep 2020"); `date formatted`, when present and ISO, is used first.
`time of day` is a clock time ("3:04", "23:21") or a part of the day. ASSUMPTION (the export
gives no times for these): the parts are placed at fixed local times, PART_OF_DAY below, and the
token is kept in the record's original value. Times have no zone: `when` is naive (the
client's local time).

What each category becomes:
  Mood           a check-in: the rating on options.scales["mood"] (default 1-10), the detail's
                 " | " labels as its activities, the notes as its note
  Energy         a measurement "energy", converted to 0-10 from options.scales["energy"]
                 (default 1-5); the original value is kept as written
  Sleep          a night of sleep in hours ("7.5", "7:30", "7h 30m")
  Sleep quality  a measurement "sleep_quality", 1-5 as given
  Symptom        a measurement "symptom": severity from the detail's suffix, (Mild)=1,
                 (Moderate)=2, (Severe)=3, (Unbearable)=3, not from the number alone; the
                 label is the name without the suffix
  Factors        one measurement "factor" = 1 per " | " label
  anything else  (medication, food, gratitudes, bowel movements, health measurements, the
                 client's own trackers) is counted as Skipped under its category name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

from interlude.interop.canonical import (
    ImportFileError,
    Item,
    MoodEntry,
    ParseOptions,
    Reading,
    Skipped,
    Unreadable,
    mood_to_0_10,
)
from interlude.interop.enums import StagedKind
from interlude.interop.importers.csvfile import (
    BEARABLE_GENERATIONS,
    CsvFile,
    Row,
    looks_like,
    open_csv,
    parse_clock,
    parse_number,
    shown,
)

HEADERS = BEARABLE_GENERATIONS

# ASSUMPTION: the local time given to a part-of-day token (Bearable exports none).
PART_OF_DAY: dict[str, time] = {
    "pre": time(6, 0),
    "am": time(9, 0),
    "mid": time(13, 0),
    "pm": time(19, 0),
    "all day": time(12, 0),
}

SEVERITY: dict[str, int] = {"mild": 1, "moderate": 2, "severe": 3, "unbearable": 3}

DEFAULT_SCALES: dict[str, tuple[int, int]] = {"mood": (1, 10), "energy": (1, 5)}

# Categories read as Skipped, with the reason shown in the preview (spelled as Bearable does).
SKIPPED_CATEGORIES: dict[str, str] = {
    "meds/supplements": "Meds/Supplements",
    "food diary factors": "Food Diary factors",
    "gratitudes": "Gratitudes",
    "bowel movements": "Bowel movements",
    "health measurements": "Health measurements",
}

_REQUIRED = {"date", "time of day", "category", "rating/amount", "detail"}


def _acceptable(columns: tuple[str, ...]) -> bool:
    return set(columns) >= _REQUIRED


def _wrong_format(file: CsvFile) -> ImportFileError:
    expected = "; ".join(f"“{','.join(columns)}”" for columns in HEADERS)
    other = looks_like(file.header)
    if other and other != "Bearable":
        return ImportFileError(
            f"This looks like a {other} export, not a Bearable export. Choose {other} as the "
            f"app, or upload Bearable's CSV export. A Bearable export's first line is one of: "
            f"{expected}."
        )
    return ImportFileError(
        "This does not look like a Bearable export: its first line should be one of "
        f"{expected}. Upload the CSV file Bearable exports."
    )


_ORDINAL = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{4})$", re.IGNORECASE)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}


def parse_ordinal_date(text: str) -> date | None:
    """ "22nd Sep 2020", "1st Dec 2020", "3 March 2021"."""
    match = _ORDINAL.match(text.strip())
    if match is None:
        return None
    month = _MONTHS.get(match.group(2).casefold())
    if month is None:
        return None
    try:
        return date(int(match.group(3)), month, int(match.group(1)))
    except ValueError:
        return None


_HOURS_MINUTES = re.compile(
    r"^(?:(?P<h>\d{1,2})\s*h(?:ours?|rs?)?)?\s*(?:(?P<m>\d{1,2})\s*m(?:in(?:utes?|s)?)?)?$",
    re.IGNORECASE,
)


def parse_hours(text: str) -> float | None:
    """Hours of sleep written as "7.5", "7,5", "7:30" or "7h 30m" (None if unreadable)."""
    value = text.strip()
    if not value:
        return None
    number = parse_number(value)
    if number is not None:
        return number
    clock = re.fullmatch(r"(\d{1,2}):(\d{2})", value)
    if clock:
        minutes = int(clock.group(2))
        return int(clock.group(1)) + minutes / 60 if minutes < 60 else None
    match = _HOURS_MINUTES.match(value)
    if match and (match.group("h") or match.group("m")):
        minutes = int(match.group("m") or 0)
        if minutes >= 60:
            return None
        return int(match.group("h") or 0) + minutes / 60
    return None


def _severity(detail: str, rating: str) -> tuple[str, int] | None:
    """(label, severity 1-3) from a symptom's detail, e.g. "Back (lower) pain (Mild)"."""
    match = re.fullmatch(r"(?P<label>.*?)\s*\((?P<level>[^()]*)\)\s*", detail)
    if match and match.group("level").strip().casefold() in SEVERITY:
        label = match.group("label").strip()
        return (label, SEVERITY[match.group("level").strip().casefold()]) if label else None
    number = parse_number(rating)
    if number is not None and number in (1, 2, 3) and detail.strip():
        return detail.strip(), int(number)
    return None


def _key(day: date, time_written: str, category: str, detail: str, rating: str) -> str:
    return f"{day.isoformat()}|{time_written.strip().casefold()}|{category}|{detail}|{rating}"


def _scale(options: ParseOptions, name: str) -> tuple[int, int]:
    scales = options.scales or {}
    low, high = scales.get(name, DEFAULT_SCALES[name])
    return int(low), int(high)


def _lines(file: CsvFile, row: Row, options: ParseOptions) -> Iterator[Item]:
    def field(name: str) -> str:
        return row.get(file.index(name))

    line = row.line
    day = None
    formatted = field("date formatted").strip()
    if formatted:
        try:
            day = date.fromisoformat(formatted[:10])
        except ValueError:
            day = None
    if day is None:
        day = parse_ordinal_date(field("date"))
    if day is None:
        yield Unreadable(
            line=line, message=f"date {shown(field('date'))} is not a date like “22nd Sep 2020”."
        )
        return
    written_time = field("time of day").strip()
    token = written_time.casefold()
    clock = PART_OF_DAY.get(token) or parse_clock(written_time)
    if clock is None:
        yield Unreadable(
            line=line,
            message=f"time of day {shown(written_time)} is neither a time like “23:21” nor "
            "one of pre, am, mid, pm, all day.",
        )
        return
    suffix = f" ({token})" if token in PART_OF_DAY else ""
    when = datetime.combine(day, clock.replace(second=0))
    category_written = field("category").strip()
    category = category_written.casefold()
    rating = field("rating/amount").strip()
    detail = field("detail").strip()
    key = _key(day, written_time, category_written, detail, rating)

    if category == "mood":
        low, high = _scale(options, "mood")
        value = parse_number(rating)
        if value is None or not low <= value <= high:
            yield Unreadable(
                line=line,
                message=f"rating/amount {shown(rating)} of a Mood line is not a number from "
                f"{low} to {high}.",
            )
            return
        original = {
            column: value_written
            for column, value_written in zip(file.columns, row.fields, strict=True)
            if column
        }
        yield MoodEntry(
            line=line,
            key=key,
            when=when,
            mood_label=rating,
            mood_value=value,
            scale_min=low,
            scale_max=high,
            activities=tuple(label.strip() for label in detail.split(" | ") if label.strip()),
            note=field("notes"),
            original=original,
        )
    elif category == "energy":
        low, high = _scale(options, "energy")
        value = parse_number(rating)
        if value is None or not low <= value <= high:
            yield Unreadable(
                line=line,
                message=f"rating/amount {shown(rating)} of an Energy line is not a number from "
                f"{low} to {high}.",
            )
            return
        yield Reading(
            line=line,
            key=key,
            when=when,
            staged_kind=StagedKind.MEASUREMENT,
            observation_kind="energy",
            value=float(mood_to_0_10(value, scale_min=low, scale_max=high)),
            original=rating + suffix,
        )
    elif category == "sleep":
        hours = parse_hours(rating) if rating else parse_hours(detail)
        if hours is None or not 0 < hours <= 24:
            yield Unreadable(
                line=line,
                message=f"rating/amount {shown(rating or detail)} of a Sleep line is not a "
                "number of hours from 0 to 24 (like “7.5”, “7:30” or “7h 30m”).",
            )
            return
        yield Reading(
            line=line,
            key=key,
            when=when,
            staged_kind=StagedKind.SLEEP,
            observation_kind="sleep_hours",
            value=round(hours, 2),
            original=(rating or detail) + suffix,
        )
    elif category == "sleep quality":
        value = parse_number(rating)
        if value is None or not 1 <= value <= 5:
            yield Unreadable(
                line=line,
                message=f"rating/amount {shown(rating)} of a Sleep quality line is not a "
                "number from 1 to 5.",
            )
            return
        yield Reading(
            line=line,
            key=key,
            when=when,
            staged_kind=StagedKind.MEASUREMENT,
            observation_kind="sleep_quality",
            value=value,
            original=rating + suffix,
        )
    elif category == "symptom":
        severity = _severity(detail, rating)
        if severity is None:
            yield Unreadable(
                line=line,
                message=f"the detail of a Symptom line has no severity (Mild, Moderate, Severe "
                f"or Unbearable) and rating/amount {shown(rating)} is not 1, 2 or 3.",
            )
            return
        label, level = severity
        yield Reading(
            line=line,
            key=key,
            when=when,
            staged_kind=StagedKind.MEASUREMENT,
            observation_kind="symptom",
            value=float(level),
            label=label,
            original=" ".join(part for part in (rating, detail) if part) + suffix,
        )
    elif category == "factors":
        labels = [label.strip() for label in detail.split(" | ") if label.strip()]
        for label in dict.fromkeys(labels):
            yield Reading(
                line=line,
                key=_key(day, written_time, category_written, label, ""),
                when=when,
                staged_kind=StagedKind.MEASUREMENT,
                observation_kind="factor",
                value=1.0,
                label=label,
                original=label + suffix,
            )
    elif not category:
        yield Unreadable(line=line, message="category is empty.")
    else:
        yield Skipped(line=line, reason=SKIPPED_CATEGORIES.get(category, category_written[:60]))


def parse(path: Path, *, options: ParseOptions) -> Iterator[Item]:
    with open_csv(path, on_progress=options.on_progress, accept=_acceptable) as file:
        if not _acceptable(file.columns):
            raise _wrong_format(file)
        for row in file.rows():
            if isinstance(row, Unreadable):
                yield row
            else:
                yield from _lines(file, row, options)
