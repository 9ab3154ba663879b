"""Daylio's CSV export ("More → Export entries"): one line per entry (CLINICAL.md 7.1).

The four header generations are told apart by their column names, never by position:

    year,date,weekday,time,mood,activities,note                      (oldest, ~2018)
    full_date,date,weekday,time,mood,activities,note                 (~2019-2020)
    full_date,date,weekday,time,mood,activities,note_title,note      (~2021+)
    full_date,date,weekday,time,mood,activities,scales,note_title,note   (current)

`full_date` (ISO) is the date; the localised `date` and `weekday` are ignored, except in the
oldest generation, which has only `year` and a localised day and month ("18 May", "May 18",
"17. Februar"). Times are 12-hour ("8:30 pm") or 24-hour ("21:35") and have no zone: `when` is
naive (the client's local time; the zone is applied when the import is loaded).

Moods are names, localised and customisable ("rad", "Gut", "sad "): an entry carries the name
(stripped) and no number; the client maps names to levels 1-5 in the preview, starting from
`default_level`. Notes are HTML in recent exports (`<br>`, entities): they become plain text.
The `scales` column's filled format is unverified, so it is kept in `original` only.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import nh3

from interlude.interop.canonical import (
    ImportFileError,
    Item,
    MoodEntry,
    ParseOptions,
    Unreadable,
)
from interlude.interop.importers.csvfile import (
    DAYLIO_GENERATIONS,
    CsvFile,
    Row,
    looks_like,
    open_csv,
    parse_clock,
    shown,
)

HEADERS = DAYLIO_GENERATIONS

# Daylio's default mood names and their levels (1 worst .. 5 best), compared case-insensitively.
DEFAULT_MOOD_LEVELS: dict[str, int] = {
    # English defaults (CLINICAL.md 7.1, verified).
    "rad": 5,
    "good": 4,
    "meh": 3,
    "bad": 2,
    "awful": 1,
    # German defaults (CLINICAL.md 7.1, verified).
    "super": 5,
    "gut": 4,
    "ok": 3,
    "schlecht": 2,
    "lausig": 1,
    # Names seen in older exports and other configurations (CLINICAL.md 7.1: "happy", "average",
    # "sad", "horrible"). Their levels are not documented: this is our reading of their order
    # (the oldest export sample has only these four, so "happy" is taken as one below "rad").
    # The client sees and can change every level in the preview.
    "happy": 4,
    "average": 3,
    "sad": 2,
    "horrible": 1,
}


def default_level(name: str) -> int | None:
    """The default level (1-5) of a Daylio mood name, or None for a custom name."""
    return DEFAULT_MOOD_LEVELS.get(name.strip().casefold())


def _acceptable(columns: tuple[str, ...]) -> bool:
    names = set(columns)
    has_date = "full_date" in names or {"year", "date"} <= names
    return has_date and {"time", "mood"} <= names


def _wrong_format(file: CsvFile) -> ImportFileError:
    expected = "; ".join(f"“{','.join(columns)}”" for columns in HEADERS)
    other = looks_like(file.header)
    if other and other != "Daylio":
        return ImportFileError(
            f"This looks like a {other} export, not a Daylio export. Choose {other} as the app, "
            f"or upload Daylio's export (More → Export entries). A Daylio export's first line "
            f"is one of: {expected}."
        )
    return ImportFileError(
        "This does not look like a Daylio export: its first line should be one of "
        f"{expected}. Upload the file Daylio makes with More → Export entries."
    )


_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("january", "jan", "januar", "jänner"),
        ("february", "feb", "februar"),
        ("march", "mar", "märz", "maerz", "mär"),
        ("april", "apr"),
        ("may", "mai"),
        ("june", "jun", "juni"),
        ("july", "jul", "juli"),
        ("august", "aug"),
        ("september", "sep", "sept"),
        ("october", "oct", "oktober", "okt"),
        ("november", "nov"),
        ("december", "dec", "dezember", "dez"),
    ),
    start=1,
):
    for _name in _names:
        _MONTHS[_name] = _number

_DAY_MONTH = re.compile(r"^(\d{1,2})\.?\s+([^\W\d_]+)\.?$")
_MONTH_DAY = re.compile(r"^([^\W\d_]+)\.?\s+(\d{1,2})$")


def _old_date(year: str, day_month: str) -> date | None:
    """The oldest generation's date: `year` plus a day and month ("18 May", "May 18", "17. Mai")."""
    text = day_month.strip().casefold()
    match = _DAY_MONTH.match(text)
    if match:
        day, month_name = match.group(1), match.group(2)
    else:
        match = _MONTH_DAY.match(text)
        if match is None:
            return None
        month_name, day = match.group(1), match.group(2)
    month = _MONTHS.get(month_name)
    if month is None or not year.strip().isdigit():
        return None
    try:
        return date(int(year), month, int(day))
    except ValueError:
        return None


_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)


def plain_text(text: str) -> str:
    """A note as plain text: `<br>` becomes a new line, other tags are removed (script and style
    with their content) and entities are unescaped. Text without tags or entities is returned
    exactly as written (so "=SUM(A1)" or "+1" stays what it is: text)."""
    if "<" not in text and "&" not in text:
        return text
    cleaned = nh3.clean(_BR.sub("\n", text), tags=set())
    return html.unescape(cleaned)


def _split_activities(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(" | ") if name.strip())


def entry_key(*, day: date, hour: int, minute: int, mood: str, note_title: str, note: str) -> str:
    digest = hashlib.sha256((note_title + note).encode("utf-8")).hexdigest()[:16]
    return f"{day.isoformat()} {hour:02d}:{minute:02d}|{mood}|{digest}"


def _entry(file: CsvFile, row: Row) -> Item:
    def field(name: str) -> str:
        return row.get(file.index(name))

    if file.index("full_date") is not None:
        written = field("full_date").strip()
        try:
            day = date.fromisoformat(written)
        except ValueError:
            return Unreadable(
                line=row.line,
                message=f"full_date {shown(written)} is not a date written as YYYY-MM-DD.",
            )
    else:
        parsed = _old_date(field("year"), field("date"))
        if parsed is None:
            return Unreadable(
                line=row.line,
                message=f"year {shown(field('year'))} and date {shown(field('date'))} are not "
                "a date Interlude can read.",
            )
        day = parsed
    clock = parse_clock(field("time"))
    if clock is None:
        return Unreadable(
            line=row.line,
            message=f"time {shown(field('time'))} is not a time like “8:30 pm” or “21:35”.",
        )
    mood = field("mood").strip()
    if not mood:
        return Unreadable(line=row.line, message="mood is empty.")
    note_title_raw, note_raw = field("note_title"), field("note")
    original = {
        column: value for column, value in zip(file.columns, row.fields, strict=True) if column
    }
    return MoodEntry(
        line=row.line,
        key=entry_key(
            day=day,
            hour=clock.hour,
            minute=clock.minute,
            mood=mood,
            note_title=note_title_raw,
            note=note_raw,
        ),
        when=datetime.combine(day, clock.replace(second=0)),
        mood_label=mood,
        mood_value=None,
        scale_min=1,
        scale_max=5,
        activities=_split_activities(field("activities")),
        note=plain_text(note_raw),
        note_title=plain_text(note_title_raw),
        original=original,
    )


def parse(path: Path, *, options: ParseOptions) -> Iterator[Item]:
    with open_csv(path, on_progress=options.on_progress, accept=_acceptable) as file:
        if not _acceptable(file.columns):
            raise _wrong_format(file)
        for row in file.rows():
            yield row if isinstance(row, Unreadable) else _entry(file, row)
