"""Opening a CSV export safely: the part Daylio, Bearable and spreadsheet imports share.

`open_csv` checks the size with `os.stat` before reading a byte (so a 2 GB file is refused at
once), refuses what is not UTF-8 text (UTF-16, Latin-1, a zip, NUL bytes) with a message that says
how to export again, reads UTF-8 with or without a byte-order mark, picks the delimiter (comma,
semicolon or tab) from the first line, and yields the rows with their physical line numbers (the
header is line 1; a quoted note spanning three lines moves the next entry down by three).

Plain Python: no ORM. The only setting read is IMPORT_MAX_TEXT_BYTES.
"""

from __future__ import annotations

import csv
import math
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from django.conf import settings

from interlude.interop.canonical import ImportFileError, Progress, Unreadable

DELIMITERS = (",", ";", "\t")
BOM = "\ufeff"

# Report progress at least every this many bytes (and at the end).
_PROGRESS_STEP = 256 * 1024

AGAIN = (
    "Export it again from the app, or open it in a spreadsheet and save it as "
    "“CSV UTF-8 (comma delimited)”, then upload that file."
)

# The column sets that identify an export, for telling people which app a file came from.
DAYLIO_GENERATIONS: tuple[tuple[str, ...], ...] = (
    ("year", "date", "weekday", "time", "mood", "activities", "note"),
    ("full_date", "date", "weekday", "time", "mood", "activities", "note"),
    ("full_date", "date", "weekday", "time", "mood", "activities", "note_title", "note"),
    (
        "full_date",
        "date",
        "weekday",
        "time",
        "mood",
        "activities",
        "scales",
        "note_title",
        "note",
    ),
)
BEARABLE_GENERATIONS: tuple[tuple[str, ...], ...] = (
    ("date", "weekday", "time of day", "category", "rating/amount", "detail", "notes"),
    (
        "date",
        "date formatted",
        "weekday",
        "time of day",
        "category",
        "rating/amount",
        "detail",
        "notes",
    ),
)


def normalise_header(name: str) -> str:
    """A column name as compared: without BOM and surrounding whitespace, lower case."""
    return name.replace(BOM, "").strip().casefold()


def looks_like(header: Sequence[str]) -> str | None:
    """Which app's export this header belongs to ("Daylio", "Bearable"), or None."""
    names = {normalise_header(name) for name in header}
    if {"time", "mood"} <= names and ("full_date" in names or {"year", "date"} <= names):
        return "Daylio"
    if {"date", "time of day", "category", "rating/amount"} <= names:
        return "Bearable"
    return None


def header_list(generations: Sequence[Sequence[str]]) -> str:
    return "; ".join(",".join(columns) for columns in generations)


# --- small value parsers shared by the CSV importers --------------------------------------------

_CLOCK = re.compile(
    r"^(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>[ap])?\.?\s*(?:m\.?)?$",
    re.IGNORECASE,
)


def parse_clock(text: str) -> time | None:
    """A wall-clock time written as "21:35", "3:04", "8:30 pm", "11:54 PM" or "09:10:00"."""
    value = text.strip()
    match = _CLOCK.match(value)
    if match is None:
        return None
    if match.group("ampm") is None and value[-1:].lower() == "m":
        return None  # "12:00m": an "m" without "a"/"p"
    hour, minute = int(match.group("h")), int(match.group("m"))
    second = int(match.group("s") or 0)
    ampm = (match.group("ampm") or "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "p" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def parse_number(text: str) -> float | None:
    """A finite number as written: "6", "7.5", "7,5" (a decimal comma), " 3 "."""
    value = text.strip()
    if not value:
        return None
    if "," in value and "." not in value and value.count(",") == 1:
        value = value.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", value):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def shown(value: str, limit: int = 24) -> str:
    """A short value (a date, a time, a number: never a note) quoted in a message."""
    value = value.strip()
    return f"“{value}”" if len(value) <= limit else f"“{value[:limit]}…”"


# --- the file -------------------------------------------------------------------------------------


def check_size(path: Path) -> int:
    """The file's size in bytes, or ImportFileError if it is empty or over the limit. Reads
    nothing: only `os.stat`."""
    try:
        size = os.stat(path).st_size
    except OSError as error:
        raise ImportFileError("The uploaded file could not be opened. Upload it again.") from error
    limit = int(settings.IMPORT_MAX_TEXT_BYTES)
    if size > limit:
        raise ImportFileError(
            f"This file is {_megabytes(size)}; Interlude reads CSV files up to the size limit of "
            f"{_megabytes(limit)}. Export a shorter date range and upload the parts one by one."
        )
    if size == 0:
        raise ImportFileError("This file is empty. Export it again from the app and upload it.")
    return size


def _megabytes(size: int) -> str:
    megabytes = size / 1024**2
    if megabytes >= 10:
        return f"{megabytes:,.0f} MB"
    if megabytes >= 1:
        return f"{megabytes:.1f} MB"
    return f"{size / 1024:.0f} KB" if size >= 1024 else f"{size} bytes"


def _refuse_by_content(head: bytes) -> None:
    """Refuse, from its first bytes, a file that is certainly not UTF-8 CSV text."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(
            "This file is not UTF-8 text (it is UTF-16, which some spreadsheet programs write "
            f"as “Unicode text”), so Interlude cannot read it. {AGAIN}"
        )
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        raise ImportFileError(
            "This is a zip archive (for example an Apple Health export or a .daylio backup), "
            "not a CSV file. Choose the matching app, or export the entries as CSV."
        )
    if head.startswith(b"\x1f\x8b"):
        raise ImportFileError("This is a compressed (gzip) file, not a CSV file. Unpack it first.")
    if head.startswith(b"%PDF"):
        raise ImportFileError("This is a PDF, not a CSV file. Choose the app's CSV export instead.")
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith((b"<?xml", b"<HealthData", b"<!DOCTYPE")):
        raise ImportFileError(
            "This is an XML file (for example an Apple Health export), not a CSV file. "
            "Choose the matching app."
        )
    if stripped.startswith((b"{", b"[")) and b'"resourceType"' in head:
        raise ImportFileError(
            "This is a FHIR JSON file, not a CSV file. Choose “FHIR Bundle” as the source."
        )
    if b"\x00" in head:
        # Every other byte zero: UTF-16 without its byte-order mark.
        if head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4:
            raise ImportFileError(
                "This file is not UTF-8 text (it looks like UTF-16), so Interlude cannot read "
                f"it. {AGAIN}"
            )
        _refuse_nul()


def _refuse_nul(line: int | None = None) -> None:
    where = f" (line {line})" if line else ""
    raise ImportFileError(
        f"This file contains NUL bytes{where}, which a CSV text file never has: it may be "
        f"damaged or not a CSV file at all. {AGAIN}"
    )


@dataclass(frozen=True, slots=True)
class Row:
    line: int  # physical line the row starts on (header = 1)
    fields: tuple[str, ...]

    def get(self, index: int | None) -> str:
        if index is None or index >= len(self.fields):
            return ""
        return self.fields[index]


class CsvFile:
    """An open CSV export: `header` (as written, BOM and whitespace removed), `columns` (the
    normalised names) and `rows()`. Use as a context manager; see `open_csv`."""

    def __init__(
        self,
        path: Path,
        *,
        on_progress: Progress | None = None,
        accept: Callable[[tuple[str, ...]], bool] | None = None,
    ) -> None:
        self.total = check_size(path)
        self._on_progress = on_progress
        self._bytes = 0
        self._reported = 0
        self._line = 0
        self._file: BinaryIO = open(path, "rb")  # noqa: SIM115 - closed by close()/__exit__
        try:
            _refuse_by_content(self._file.read(4096))
            self._file.seek(0)
            self._lines = self._physical_lines()
            self.header_line, raw_header = self._first_line()
            self.delimiter, fields = _choose_delimiter(raw_header, accept)
        except BaseException:
            self._file.close()
            raise
        self.header: tuple[str, ...] = tuple(field.replace(BOM, "").strip() for field in fields)
        self.columns: tuple[str, ...] = tuple(normalise_header(field) for field in fields)

    # context manager
    def __enter__(self) -> CsvFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._file.close()

    def index(self, name: str) -> int | None:
        """The position of a column by its (normalised) name, or None."""
        wanted = normalise_header(name)
        for position, column in enumerate(self.columns):
            if column == wanted:
                return position
        return None

    def _physical_lines(self) -> Iterator[str]:
        for raw in self._file:
            self._line += 1
            self._bytes += len(raw)
            if self._line == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if b"\x00" in raw:
                _refuse_nul(self._line)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise ImportFileError(
                    f"This file is not UTF-8 text (line {self._line} has bytes that are not "
                    f"UTF-8, for example from Latin-1 or Windows-1252), so Interlude cannot "
                    f"read it. {AGAIN}"
                ) from error
            self._progress(final=False)
            yield text
        self._progress(final=True)

    def _progress(self, *, final: bool) -> None:
        if self._on_progress is None:
            return
        step = max(_PROGRESS_STEP, self.total // 100)
        if final or self._bytes - self._reported >= step:
            self._reported = self._bytes
            self._on_progress(self._bytes, self.total)

    def _first_line(self) -> tuple[int, str]:
        for text in self._lines:
            if text.replace(BOM, "").strip():
                return self._line, text
        raise ImportFileError("This file has no text in it. Export it again from the app.")

    def rows(self) -> Iterator[Row | Unreadable]:
        """The data rows after the header; blank lines are passed over. A row with a different
        number of columns from the header, or a field too long to be real, is Unreadable (with
        its line); trailing empty columns are tolerated."""
        reader = csv.reader(self._lines, delimiter=self.delimiter)
        width = len(self.columns)
        while True:
            start = self._line + 1
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error:
                yield Unreadable(
                    line=start,
                    message="This line could not be read as CSV (a field is far too long or "
                    "its quotes are not closed).",
                )
                continue
            if not any(field.strip() for field in fields):
                continue
            while len(fields) > width and not fields[-1].strip():
                fields.pop()
            if len(fields) != width:
                yield Unreadable(
                    line=start,
                    message=f"This line has {len(fields)} columns; the first line of the file "
                    f"has {width}.",
                )
                continue
            yield Row(line=start, fields=tuple(fields))


def _choose_delimiter(
    line: str, accept: Callable[[tuple[str, ...]], bool] | None
) -> tuple[str, list[str]]:
    """The delimiter the header line uses: the one under which the header is acceptable to the
    parser, otherwise the one giving the most columns (comma when it is a tie)."""
    parsed = {
        delimiter: next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter), [])
        for delimiter in DELIMITERS
    }
    if accept is not None:
        for delimiter in DELIMITERS:
            names = tuple(normalise_header(field) for field in parsed[delimiter])
            if accept(names):
                return delimiter, parsed[delimiter]
    best = max(DELIMITERS, key=lambda delimiter: len(parsed[delimiter]))
    return best, parsed[best]


def open_csv(
    path: Path,
    *,
    on_progress: Progress | None = None,
    accept: Callable[[tuple[str, ...]], bool] | None = None,
) -> CsvFile:
    """Open a CSV export for reading (see the module docstring). `accept` tells, for the
    normalised header under a candidate delimiter, whether the parser recognises it."""
    return CsvFile(path, on_progress=on_progress, accept=accept)
