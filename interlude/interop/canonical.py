"""The canonical records every importer produces, whatever the source (plain Python, no ORM).

An importer turns a file into a stream of these; `loader.py` applies them through the domain
services. A record's `key` is what identifies it in its source (for example the time, mood and a
hash of the note of a Daylio entry): re-reading the same file gives the same keys, so importing
it again adds nothing. `when` is naive for a time written without a zone (it is then the
client's local wall-clock time, recorded as an assumption) and aware otherwise.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from interlude.interop.enums import StagedKind


class ImportFileError(Exception):
    """The whole file cannot be imported. `message` is safe to show: it names the problem and
    what to do, never the file's content."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class MoodEntry:
    """A mood entry (Daylio, Bearable's Mood rows, a mapped spreadsheet): one check-in.

    `mood_label` is the mood as written; `mood_value` its number when the file gives one (on
    `scale_min`..`scale_max`); a named mood without a number gets its level (1-5) from the
    client's mapping in the preview (defaults per source, e.g. Daylio's rad=5 ... awful=1).
    """

    line: int | None
    key: str
    when: datetime
    mood_label: str
    mood_value: float | None = None
    scale_min: int = 1
    scale_max: int = 5
    energy_value: float | None = None  # on the same scale as the mood, if the file has it
    activities: tuple[str, ...] = ()
    note: str = ""
    note_title: str = ""
    original: Mapping[str, str] = field(default_factory=dict)  # fields as written in the file

    kind = StagedKind.CHECKIN


@dataclass(frozen=True, slots=True)
class Reading:
    """One value of the time series: a night of sleep (hours), a day of steps, a mindful
    session (minutes), an energy rating, a symptom (1-3) or a factor (1).

    `staged_kind` says how it is counted (sleep, mindful, steps or measurements);
    `observation_kind` is tracking's `ObservationKind` value it becomes.
    """

    line: int | None
    key: str
    when: datetime
    staged_kind: StagedKind
    observation_kind: str
    value: float
    label: str = ""
    original: str = ""

    @property
    def kind(self) -> StagedKind:
        return self.staged_kind


@dataclass(frozen=True, slots=True)
class Answers:
    """A questionnaire answer set from another system (a FHIR QuestionnaireResponse)."""

    line: int | None
    key: str
    when: datetime
    instrument_code: str  # measures' code, e.g. "phq9"
    answers: tuple[int | None, ...]
    original: str = ""  # e.g. the resource id in the bundle

    kind = StagedKind.RESPONSE


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A line (or resource, or element) that could not be read, and why, in plain words."""

    line: int | None
    message: str


@dataclass(frozen=True, slots=True)
class Skipped:
    """A readable line Interlude does not bring in (Bearable's medication rows, a score without
    its answers), counted in the preview under `reason` so nothing disappears silently."""

    line: int | None
    reason: str  # short and stable, e.g. "Medication" or "Score without answers"


Record = MoodEntry | Reading | Answers
Item = Record | Unreadable | Skipped

# Called by a parser as it goes: (bytes read so far, total bytes or 0 if unknown).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ParseOptions:
    # Generic CSV: the column mapping (see importers/generic_csv.py).
    mapping: Mapping[str, Any] | None = None
    # Bearable: the scales the file does not state {"mood": (1, 10), "energy": (1, 5)}.
    scales: Mapping[str, tuple[int, int]] | None = None
    on_progress: Progress | None = None


def natural_key(*, client_key: str, source: str, record: Record) -> str:
    """The identity stored with the imported row: the same record of the same source for the
    same client always gives the same 64 hex digits."""
    text = f"{client_key}|{source}|{record.kind}|{record.key}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def mood_to_0_10(value: float, *, scale_min: int, scale_max: int) -> int:
    """A mood on another scale as Interlude's 0-10 (linear, halves rounded up): Daylio's five
    levels become 0, 3, 5, 8, 10."""
    if scale_max <= scale_min:
        raise ValueError("scale_max must be above scale_min")
    share = (Decimal(str(value)) - scale_min) / (scale_max - scale_min) * 10
    return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _when_json(value: datetime) -> str:
    return value.isoformat()


def record_to_json(record: Record) -> dict[str, Any]:
    data = asdict(record)
    data["when"] = _when_json(record.when)
    data["type"] = type(record).__name__
    return data


def record_from_json(data: Mapping[str, Any]) -> Record:
    values = dict(data)
    kind = values.pop("type")
    values["when"] = datetime.fromisoformat(values["when"])
    if kind == "MoodEntry":
        values["activities"] = tuple(values.get("activities") or ())
        return MoodEntry(**values)
    if kind == "Reading":
        values["staged_kind"] = StagedKind(values["staged_kind"])
        return Reading(**values)
    if kind == "Answers":
        values["answers"] = tuple(values["answers"])
        return Answers(**values)
    raise ValueError(f"unknown record type {kind!r}")
