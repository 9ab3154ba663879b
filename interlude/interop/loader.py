"""The one place that applies canonical records (canonical.py) to the client's record, through
the domain services: a mood entry becomes a check-in (and its mood point), a reading a point of
the time series, an answer set a questionnaire response. Whatever the source.

Imported rows are history: they carry the import's id, app, file and the values as written, are
marked as imported wherever shown ("imported app data" at the gate), complete no homework and
raise no live alert. `load` runs inside the caller's transaction (all or nothing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from interlude.accounts.models import User
from interlude.core.clock import UTC, client_zone
from interlude.interop.canonical import Answers, MoodEntry, Reading, Record, mood_to_0_10
from interlude.interop.enums import StagedKind
from interlude.interop.models import ImportJob
from interlude.measures.services import ImportedResponse, imported_responses_add
from interlude.tracking.models import ObservationKind
from interlude.tracking.services import (
    ImportedCheckIn,
    ImportedObservation,
    imported_checkins_add,
    imported_observations_add,
)


class UnmappedMood(Exception):
    """A mood name has no level (neither a default nor the client's choice)."""


@dataclass(frozen=True)
class Staged:
    """A record read from the file and its natural key (the identity stored with the row)."""

    natural_key: str
    record: Record


@dataclass
class LoadResult:
    added: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0


def aware(when: datetime, zone: tzinfo) -> datetime:
    """A time from the file as an instant: a naive one is the client's wall-clock time. A time
    in a daylight-saving gap (02:30 on the spring-forward night) lands on the instant the clock
    showed 03:30; a repeated hour (autumn) is its first occurrence. Stored in UTC."""
    if when.tzinfo is None or when.utcoffset() is None:
        when = when.replace(tzinfo=zone)
    return when.astimezone(UTC)


def mood_level(entry: MoodEntry, moods: Mapping[str, int], defaults: Mapping[str, int]) -> int:
    """The mood of an entry on Interlude's 0-10: its number on its scale, or its name's level
    (1-5) as the client mapped it, else the source's default for that name."""
    if entry.mood_value is not None:
        return mood_to_0_10(entry.mood_value, scale_min=entry.scale_min, scale_max=entry.scale_max)
    name = mood_name(entry.mood_label)
    level = moods.get(name)
    if level is None:
        level = defaults.get(name.casefold())
    if level is None:
        raise UnmappedMood(name)
    return mood_to_0_10(level, scale_min=1, scale_max=5)


def mood_name(label: str) -> str:
    """A mood name as the preview shows it (spaces around it dropped: Daylio writes "sad ")."""
    return " ".join(label.split())


def _energy(entry: MoodEntry) -> int | None:
    if entry.energy_value is None:
        return None
    return mood_to_0_10(entry.energy_value, scale_min=entry.scale_min, scale_max=entry.scale_max)


def _original(entry: MoodEntry) -> dict[str, Any]:
    original: dict[str, Any] = dict(entry.original)
    original.setdefault("mood", entry.mood_label)
    if entry.note_title:
        original.setdefault("note_title", entry.note_title)
    if entry.line is not None:
        original.setdefault("line", entry.line)
    return original


def load(
    *,
    job: ImportJob,
    records: Iterable[Staged],
    actor: User,
    moods: Mapping[str, int],
    default_moods: Mapping[str, int],
) -> LoadResult:
    """Apply `records` to `job`'s client through the domain services. Returns how many of each
    kind were added and how many were already there. Raises `UnmappedMood` for a mood without a
    level (nothing is added: the caller's transaction rolls back)."""
    client = job.client
    zone = client_zone(client)
    source = str(job.source)
    source_type = f"import.{source}"
    checkins: list[ImportedCheckIn] = []
    readings: list[ImportedObservation] = []
    responses: list[ImportedResponse] = []
    reading_kinds: list[str] = []
    for item in records:
        record = item.record
        when = aware(record.when, zone)
        if isinstance(record, MoodEntry):
            note = record.note
            if record.note_title:
                note = f"{record.note_title}\n\n{note}" if note else record.note_title
            checkins.append(
                ImportedCheckIn(
                    key=item.natural_key,
                    recorded_at=when,
                    time_zone=client.time_zone,
                    mood=mood_level(record, moods, default_moods),
                    energy=_energy(record),
                    activities=record.activities,
                    note=note or None,
                    original=_original(record),
                )
            )
        elif isinstance(record, Reading):
            readings.append(
                ImportedObservation(
                    key=item.natural_key,
                    kind=ObservationKind(record.observation_kind),
                    value=record.value,
                    effective_at=when,
                    time_zone=client.time_zone,
                    source_type=source_type,
                    label=record.label,
                    original=record.original,
                )
            )
            reading_kinds.append(str(record.staged_kind))
        elif isinstance(record, Answers):
            responses.append(
                ImportedResponse(
                    key=item.natural_key,
                    instrument_code=record.instrument_code,
                    answers=record.answers,
                    submitted_at=when,
                )
            )
    common: dict[str, Any] = {
        "client": client,
        "actor": actor,
        "import_id": job.public_id,
        "source_app": source,
        "source_file": job.file_name,
    }
    result = LoadResult()
    if checkins:
        added, dupes = imported_checkins_add(rows=checkins, **common)
        result.added[StagedKind.CHECKIN.value] = added
        result.duplicates += dupes
    if readings:
        # One call per kind of reading, so the counts per kind come back from the service.
        by_kind: dict[str, list[ImportedObservation]] = {}
        for kind, reading in zip(reading_kinds, readings, strict=True):
            by_kind.setdefault(kind, []).append(reading)
        for kind, rows in by_kind.items():
            added, dupes = imported_observations_add(rows=rows, **common)
            result.added[kind] = result.added.get(kind, 0) + added
            result.duplicates += dupes
    if responses:
        added, dupes = imported_responses_add(rows=responses, **common)
        result.added[StagedKind.RESPONSE.value] = added
        result.duplicates += dupes
    return result
