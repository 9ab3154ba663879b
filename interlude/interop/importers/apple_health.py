"""Apple Health's export (export.zip, or the export.xml inside it): sleep, steps and mindful
minutes (CLINICAL.md 6.4). Plain Python, no ORM.

The file is recognised by its content: a zip (PK\\x03\\x04) is opened safely (archive.py) and its
`export.xml` streamed; anything else must be the XML itself. The XML is read with lxml's
`iterparse`, each element cleared once read, so memory stays flat whatever the export's size.

Hostile XML is refused before parsing: the prolog (everything before the root element, at most
1 MB) may carry the internal DTD real exports have (`<!DOCTYPE HealthData [ <!ELEMENT ...> ]>`)
but no `<!ENTITY` declaration at all (billion laughs, external entities). The parser itself never
loads a DTD, never expands an entity and never touches the network.

What becomes what:

- `HKCategoryTypeIdentifierMindfulSession`: one mindful reading per session, its minutes (end -
  start) at its start. The same session written by several sources (same start and end) counts
  once.
- `HKCategoryTypeIdentifierSleepAnalysis`: one reading per night, the hours asleep. A record
  belongs to the night of the local date (in its own UTC offset) of its start minus 12 hours.
  Sources overlap (a watch, a ring, the phone), so for each night ONE source is used, chosen by:
  (1) a source that records sleep stages (core, deep, REM: a watch or ring) over one that records
  only "asleep" over one that records only "in bed" (a phone's bedtime); (2) then the most time
  asleep (in bed, for in-bed-only sources); (3) then the source's name, alphabetically. Hours
  asleep are the union of that source's asleep intervals (awake and in-bed time excluded). A
  night with in-bed time only uses the in-bed time, and its `original` says so. The reading is
  dated at the end of the last counted interval; its key is "night:YYYY-MM-DD".
- `HKQuantityTypeIdentifierStepCount`: steps are summed per local day (the date of each record's
  start, in its own offset) and source; the day's value is the LARGEST source total, not the
  sum (an iPhone and a watch count the same steps). Dated at noon of that day; key
  "steps:YYYY-MM-DD".
- Every other record type is counted and reported once, as one `Skipped` per type.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone
from math import isfinite
from pathlib import Path
from typing import Any, Protocol

from lxml import etree

from interlude.interop.canonical import (
    ImportFileError,
    Item,
    ParseOptions,
    Reading,
    Skipped,
    Unreadable,
)
from interlude.interop.enums import StagedKind
from interlude.interop.importers.archive import (
    ArchiveLimits,
    limits_from_settings,
    looks_like_zip,
    open_member,
    too_big_message,
)

MINDFUL = "HKCategoryTypeIdentifierMindfulSession"
SLEEP = "HKCategoryTypeIdentifierSleepAnalysis"
STEPS = "HKQuantityTypeIdentifierStepCount"

IN_BED, ASLEEP, AWAKE, CORE, DEEP, REM = 0, 1, 2, 3, 4, 5
SLEEP_VALUES = {
    "HKCategoryValueSleepAnalysisInBed": IN_BED,
    "HKCategoryValueSleepAnalysisAsleep": ASLEEP,
    "HKCategoryValueSleepAnalysisAsleepUnspecified": ASLEEP,
    "HKCategoryValueSleepAnalysisAwake": AWAKE,
    "HKCategoryValueSleepAnalysisAsleepCore": CORE,
    "HKCategoryValueSleepAnalysisAsleepDeep": DEEP,
    "HKCategoryValueSleepAnalysisAsleepREM": REM,
    **{str(number): number for number in range(6)},
}
ASLEEP_STAGES = frozenset({ASLEEP, CORE, DEEP, REM})
DETAILED_STAGES = frozenset({CORE, DEEP, REM})

# The elements an export has at the top level (and Correlation's children): each is cleared once
# read. Only Record carries what Interlude imports.
TAGS = (
    "Record",
    "Correlation",
    "Workout",
    "ActivitySummary",
    "ClinicalRecord",
    "Audiogram",
    "VisionPrescription",
    "ExportDate",
    "Me",
)
TYPE_PREFIXES = (
    "HKQuantityTypeIdentifier",
    "HKCategoryTypeIdentifier",
    "HKCorrelationTypeIdentifier",
    "HKDataTypeIdentifier",
    "HKDataType",
)

PROLOG_LIMIT = 1024 * 1024
PROGRESS_STEP = 1024 * 1024
MAX_UNREADABLE = 200  # each listed; the rest summed up in one line
_DATE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{4}")
_ENTITY = re.compile(r"<!\s*ENTITY", re.IGNORECASE)
_NAME_START = re.compile(r"[A-Za-z_:\u00c0-\uffff]")
_NAME = re.compile(r"[^\s/>]+")

ENDS_EARLY = "The file ends early; export it again."
NOT_AN_EXPORT = (
    "This is not an Apple Health export. Upload export.zip from the Health app "
    "(or the export.xml inside it)."
)
MISSING_XML = (
    "The zip file has no export.xml in it. Upload export.zip exactly as the Health app made it."
)


class _Stream(Protocol):
    at_end: bool

    def read(self, size: int = -1) -> bytes: ...

    def archive_position(self) -> int: ...


def parse(path: Path, *, options: ParseOptions) -> Iterator[Item]:
    limits = limits_from_settings()
    return _parse(path, options=options, limits=limits)


def _parse(path: Path, *, options: ParseOptions, limits: ArchiveLimits) -> Iterator[Item]:
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(4)
    except OSError as error:
        raise ImportFileError("The file could not be opened. Upload it again.") from error
    if size == 0:
        raise ImportFileError("The file is empty. Export it again and upload the new file.")
    if size > limits.max_archive_bytes:
        raise ImportFileError(too_big_message(limits.max_archive_bytes))
    if looks_like_zip(head):
        with open_member(path, pick=pick_export_xml, limits=limits, missing=MISSING_XML) as member:
            yield from _parse_xml(member, total=size, options=options)
        return
    with path.open("rb") as handle:
        yield from _parse_xml(_FileStream(handle), total=size, options=options)


def pick_export_xml(names: Sequence[str]) -> str | None:
    """The export's `export.xml` (e.g. "apple_health_export/export.xml"): the shallowest member of
    that name; `export_cda.xml`, routes and ECGs are ignored."""
    found = [name for name in names if name.replace("\\", "/").rsplit("/", 1)[-1] == "export.xml"]
    if not found:
        return None
    return min(found, key=lambda name: (name.count("/"), name))


class _FileStream:
    def __init__(self, handle: Any) -> None:
        self._handle = handle
        self.at_end = False

    def read(self, size: int = -1) -> bytes:
        data: bytes = self._handle.read(size)
        if not data:
            self.at_end = True
        return data

    def archive_position(self) -> int:
        return int(self._handle.tell())


class _Reader:
    """What lxml reads from: the prolog already read for the check first, then the stream; calls
    `on_progress` about every megabyte of the uploaded file."""

    def __init__(self, stream: _Stream, *, total: int, options: ParseOptions) -> None:
        self._stream = stream
        self._total = total
        self._on_progress = options.on_progress
        self._next_mark = PROGRESS_STEP
        self._buffer = b""

    @property
    def at_end(self) -> bool:
        return self._stream.at_end

    def read_prolog(self) -> bytes:
        """Read until the root element starts (at most PROLOG_LIMIT bytes); kept for `read`."""
        chunks = []
        length = 0
        while length < PROLOG_LIMIT:
            data = self._stream.read(64 * 1024)
            if not data:
                break
            chunks.append(data)
            length += len(data)
            if b"<HealthData" in data or _has_root(b"".join(chunks)):
                break
        self._buffer = b"".join(chunks)
        return self._buffer

    def read(self, size: int = -1) -> bytes:
        if self._buffer:
            data, self._buffer = self._buffer, b""
            return data
        data = self._stream.read(size)
        if self._on_progress is not None:
            position = self._stream.archive_position()
            if data and position >= self._next_mark:
                self._next_mark = position + PROGRESS_STEP
                self._on_progress(min(position, self._total), self._total)
        return data


def _has_root(head: bytes) -> bool:
    try:
        return _root_start(head.decode("utf-8", errors="replace")) is not None
    except ImportFileError:
        return True


def _root_start(text: str) -> int | None:
    """Where the root element's start tag begins: after the XML declaration, comments,
    processing instructions and the DOCTYPE (with its internal subset, quoted strings and nested
    declarations). None if the text ends first."""
    i = 0
    n = len(text)
    while True:
        j = text.find("<", i)
        if j < 0 or j + 1 >= n:
            return None
        if text.startswith("<?", j):
            end = text.find("?>", j + 2)
            if end < 0:
                return None
            i = end + 2
        elif text.startswith("<!--", j):
            end = text.find("-->", j + 4)
            if end < 0:
                return None
            i = end + 3
        elif text.startswith("<!", j):
            after = _declaration_end(text, j + 2)
            if after is None:
                return None
            i = after
        elif _NAME_START.match(text, j + 1):
            return j
        else:
            raise ImportFileError(NOT_AN_EXPORT)


def _declaration_end(text: str, k: int) -> int | None:
    depth = 0
    n = len(text)
    while k < n:
        c = text[k]
        if c in "\"'":
            end = text.find(c, k + 1)
            if end < 0:
                return None
            k = end + 1
            continue
        if text.startswith("<!--", k):
            end = text.find("-->", k + 4)
            if end < 0:
                return None
            k = end + 3
            continue
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
        elif c == ">" and depth <= 0:
            return k + 1
        k += 1
    return None


def check_prolog(head: bytes) -> None:
    """Refuse what is not an Apple Health export, and any entity declaration (billion laughs,
    external entities) in what comes before the root element."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    stripped = head.lstrip()
    if not stripped.startswith(b"<") or b"\x00" in head[:4096]:
        raise ImportFileError(NOT_AN_EXPORT)
    text = head.decode("utf-8", errors="replace")
    start = _root_start(text)
    if start is None:
        if len(head) >= PROLOG_LIMIT:
            raise ImportFileError(
                "The start of the file is not an Apple Health export (its header is far too "
                "long). It was not read."
            )
        raise ImportFileError(ENDS_EARLY)
    if _ENTITY.search(text, 0, start):
        raise ImportFileError(
            "The file declares XML entities, which an Apple Health export never does and which "
            "can be used to attack the server. It was not read."
        )
    name = _NAME.match(text, start + 1)
    if name is None or name.group(0) != "HealthData":
        raise ImportFileError(NOT_AN_EXPORT)


def xml_events(source: Any, *, chunk_size: int = 1024 * 1024) -> Any:
    """lxml's iterparse as this module uses it: no DTD loaded, no entity expanded, no network."""
    return etree.iterparse(
        source,
        events=("end",),
        tag=TAGS,
        load_dtd=False,
        no_network=True,
        resolve_entities=False,
        dtd_validation=False,
        attribute_defaults=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        chunk_size=chunk_size,
    )


def _parse_xml(stream: _Stream, *, total: int, options: ParseOptions) -> Iterator[Item]:
    reader = _Reader(stream, total=total, options=options)
    check_prolog(reader.read_prolog())
    collector = _Collector()
    record = collector.record
    try:
        for _event, element in xml_events(reader):
            if element.tag == "Record":
                record(element)
            element.clear(keep_tail=False)
            parent = element.getparent()
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as error:
        if reader.at_end:
            raise ImportFileError(ENDS_EARLY) from error
        line = f" (near line {error.lineno})" if error.lineno else ""
        raise ImportFileError(
            f"The file is not a readable Apple Health export: its XML is broken{line}. "
            "Export it again."
        ) from error
    if options.on_progress is not None:
        options.on_progress(total, total)
    yield from collector.items()


_OFFSETS: dict[str, timezone] = {}


def _zone(offset: str) -> timezone:
    zone = _OFFSETS.get(offset)
    if zone is None:
        sign = -1 if offset[0] == "-" else 1
        delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5]))
        if delta >= timedelta(hours=24):
            raise ValueError(offset)
        zone = timezone(sign * delta)
        _OFFSETS[offset] = zone
    return zone


def parse_date(text: str | None) -> datetime | None:
    """An export date ("2024-01-05 10:00:00 -0800") as an aware datetime; None if unreadable."""
    if not text or not _DATE.fullmatch(text):
        return None
    try:
        return datetime(
            int(text[0:4]),
            int(text[5:7]),
            int(text[8:10]),
            int(text[11:13]),
            int(text[14:16]),
            int(text[17:19]),
            tzinfo=_zone(text[20:]),
        )
    except ValueError:
        return None


def _utc_text(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _union_seconds(intervals: list[tuple[datetime, datetime]]) -> float:
    total = 0.0
    current_start: datetime | None = None
    current_end: datetime | None = None
    for start, end in sorted(intervals):
        if current_end is None or current_start is None or start > current_end:
            if current_end is not None and current_start is not None:
                total += (current_end - current_start).total_seconds()
            current_start, current_end = start, end
        elif end > current_end:
            current_end = end
    if current_end is not None and current_start is not None:
        total += (current_end - current_start).total_seconds()
    return total


def _short_type(kind: str) -> str:
    for prefix in TYPE_PREFIXES:
        if kind.startswith(prefix):
            return kind[len(prefix) :]
    return kind


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"


class _Collector:
    """Everything read so far, turned into items once the whole file is read."""

    def __init__(self) -> None:
        self.ignored: dict[str, int] = {}
        self.unreadable: list[Unreadable] = []
        self.unreadable_more = 0
        # (day, source) -> steps; day -> the UTC offset of its first record
        self.steps: dict[tuple[str, str], float] = {}
        self.step_offsets: dict[str, str] = {}
        # key -> (start, end, source)
        self.mindful: dict[str, tuple[datetime, datetime, str]] = {}
        # night -> source -> [(start, end, stage)]
        self.nights: dict[date, dict[str, list[tuple[datetime, datetime, int]]]] = {}
        self._handlers: dict[str | None, Callable[[Any], None]] = {
            STEPS: self._step,
            SLEEP: self._sleep,
            MINDFUL: self._mindful,
        }

    def record(self, element: Any) -> None:
        kind = element.get("type")
        handler = self._handlers.get(kind)
        if handler is not None:
            handler(element)
        else:
            name = kind or "(no type)"
            self.ignored[name] = self.ignored.get(name, 0) + 1

    def _bad(self, element: Any, message: str) -> None:
        if len(self.unreadable) < MAX_UNREADABLE:
            line = element.sourceline
            self.unreadable.append(
                Unreadable(line=line if line and line > 0 else None, message=message)
            )
        else:
            self.unreadable_more += 1

    def _step(self, element: Any) -> None:
        start = element.get("startDate")
        if not start or not _DATE.fullmatch(start):
            self._bad(element, "A step count has a date Interlude cannot read.")
            return
        try:
            count = float(element.get("value") or "")
        except ValueError:
            count = -1.0
        if not isfinite(count) or count < 0:
            self._bad(element, "A step count has a value Interlude cannot read.")
            return
        day = start[:10]
        key = (day, element.get("sourceName") or "")
        self.steps[key] = self.steps.get(key, 0.0) + count
        if day not in self.step_offsets:
            self.step_offsets[day] = start[20:]

    def _interval(self, element: Any, what: str) -> tuple[datetime, datetime] | None:
        start = parse_date(element.get("startDate"))
        end = parse_date(element.get("endDate"))
        if start is None or end is None:
            self._bad(element, f"A {what} has a date Interlude cannot read.")
            return None
        if end < start:
            self._bad(element, f"A {what} ends before it starts.")
            return None
        return start, end

    def _mindful(self, element: Any) -> None:
        interval = self._interval(element, "mindful session")
        if interval is None:
            return
        start, end = interval
        key = f"mindful:{_utc_text(start)}|{_utc_text(end)}"
        if key not in self.mindful:
            self.mindful[key] = (start, end, element.get("sourceName") or "")

    def _sleep(self, element: Any) -> None:
        stage = SLEEP_VALUES.get(element.get("value") or "")
        if stage is None:
            self._bad(element, "A sleep record has a value Interlude does not know.")
            return
        interval = self._interval(element, "sleep record")
        if interval is None:
            return
        start, end = interval
        night = (start - timedelta(hours=12)).date()
        sources = self.nights.setdefault(night, {})
        sources.setdefault(element.get("sourceName") or "", []).append((start, end, stage))

    def items(self) -> Iterator[Item]:
        yield from self.unreadable
        if self.unreadable_more:
            yield Unreadable(
                line=None,
                message=f"{self.unreadable_more:,} more records could not be read.",
            )
        yield from self._mindful_readings()
        yield from self._sleep_readings()
        yield from self._step_readings()
        for kind in sorted(self.ignored):
            yield Skipped(line=None, reason=f'"{_short_type(kind)}" is not needed')

    def _mindful_readings(self) -> Iterator[Item]:
        for key, (start, end, source) in sorted(self.mindful.items(), key=lambda kv: kv[1][:2]):
            minutes = round((end - start).total_seconds() / 60, 2)
            yield Reading(
                line=None,
                key=key,
                when=start,
                staged_kind=StagedKind.MINDFUL,
                observation_kind="mindful_minutes",
                value=minutes,
                original=f"{source}: {_number(minutes)} min" if source else "",
            )

    def _sleep_readings(self) -> Iterator[Item]:
        for night in sorted(self.nights):
            sources = self.nights[night]
            ranked = []
            for source, records in sources.items():
                asleep = [(s, e) for s, e, stage in records if stage in ASLEEP_STAGES]
                in_bed = [(s, e) for s, e, stage in records if stage == IN_BED]
                if any(stage in DETAILED_STAGES for _s, _e, stage in records):
                    level = 2
                elif asleep:
                    level = 1
                elif in_bed:
                    level = 0
                else:
                    continue  # awake only: nothing to count
                used = asleep if level else in_bed
                ranked.append((-level, -_union_seconds(used), source, used))
            if not ranked:
                continue
            ranked.sort(key=lambda row: row[:3])
            minus_level, minus_seconds, source, used = ranked[0]
            seconds = -minus_seconds
            when = max(used, key=lambda interval: interval[1])[1]
            name = f"{source}: " if source else ""
            if minus_level:
                original = f"{name}{_duration(seconds)} asleep"
            else:
                original = f"{name}{_duration(seconds)} in bed (no asleep time recorded)"
            if len(ranked) > 1:
                others = len(ranked) - 1
                original += f"; {others} other source{'s' if others > 1 else ''} not counted"
            yield Reading(
                line=None,
                key=f"night:{night.isoformat()}",
                when=when,
                staged_kind=StagedKind.SLEEP,
                observation_kind="sleep_hours",
                value=round(seconds / 3600, 2),
                label="" if minus_level else "in bed",
                original=original,
            )

    def _step_readings(self) -> Iterator[Item]:
        days: dict[str, list[tuple[float, str]]] = {}
        for (day, source), total in self.steps.items():
            days.setdefault(day, []).append((total, source))
        for day in sorted(days):
            totals = sorted(days[day], key=lambda row: (-row[0], row[1]))
            total, source = totals[0]
            try:
                when = datetime.combine(
                    date.fromisoformat(day), time(12), tzinfo=_zone(self.step_offsets[day])
                )
            except ValueError:
                yield Unreadable(
                    line=None, message="A step count has a date Interlude cannot read."
                )
                continue
            name = f"{source}: " if source else ""
            original = f"{name}{_number(total)} steps"
            if len(totals) > 1:
                original += f" (the largest of {len(totals)} sources)"
            yield Reading(
                line=None,
                key=f"steps:{day}",
                when=when,
                staged_kind=StagedKind.STEPS,
                observation_kind="steps",
                value=total,
                original=original,
            )
