"""Writes for check-ins and the canonical time series."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from interlude.accounts.models import User
from interlude.core.errors import ApplicationError
from interlude.core.hooks import client_changed, record_done
from interlude.core.idempotency import idempotency_remember, idempotency_replay, request_hash
from interlude.core.validation import require_past_datetime
from interlude.practices.models import Client
from interlude.tracking.models import (
    ActivityOption,
    CheckIn,
    Observation,
    ObservationKind,
    ObservationSource,
)
from interlude.tracking.selectors import IMPORT_KEY_PREFIX
from interlude.tracking.vocabulary import DEFAULT_ACTIVITIES, EMOTION_CODES

CHECKIN_EDIT_WINDOW = timedelta(hours=24)
CHECKIN_KIND = "tracking.checkin"
LAST_ACTIVITY_STEP = timedelta(minutes=1)


def observations_replace(
    *,
    client: Client,
    actor: User,
    source: ObservationSource,
    source_type: str,
    source_id: str,
    effective_at: datetime,
    time_zone: str,
    values: Mapping[ObservationKind, float | int | Decimal | None],
    new_record: bool = False,
) -> int:
    """Make the observations of one source record equal `values` (None removes a kind).

    Idempotent: writing the same record twice leaves one observation per kind.
    Returns the number of observations now stored for the record. `new_record`: the caller
    has just created the record (in this transaction), so it has none yet and one INSERT does.
    """
    # One read, then at most one delete, one insert and one update, whatever the number of kinds:
    # this runs on every check-in, the hottest write path.
    wanted = {kind: float(value) for kind, value in values.items() if value is not None}
    with transaction.atomic(savepoint=not new_record):
        existing = (
            {}
            if new_record
            else {
                row.kind: row
                for row in Observation.objects.filter(source_type=source_type, source_id=source_id)
            }
        )
        stale = [row.pk for kind, row in existing.items() if kind not in wanted]
        if stale:
            Observation.objects.filter(pk__in=stale).delete()
        fresh: list[Observation] = []
        changed: list[Observation] = []
        for kind, value in wanted.items():
            row = existing.get(kind)
            if row is None:
                row = Observation(source_type=source_type, source_id=source_id, kind=kind)
                fresh.append(row)
            else:
                changed.append(row)
            row.practice_id = client.practice_id
            row.client = client
            row.value = value
            row.effective_at = effective_at
            row.time_zone = time_zone
            row.source = source
            row.created_by = actor
        if fresh:
            Observation.objects.bulk_create(fresh)
        if changed:
            Observation.objects.bulk_update(
                changed,
                fields=[
                    "practice_id",
                    "client",
                    "value",
                    "effective_at",
                    "time_zone",
                    "source",
                    "created_by",
                ],
            )
    return len(wanted)


@dataclass(frozen=True)
class CheckInValues:
    mood: int
    anxiety: int | None = None
    energy: int | None = None
    sleep_hours: Decimal | None = None
    sleep_quality: int | None = None
    emotions: Sequence[Mapping[str, Any]] = ()
    activities: Sequence[str] = ()
    note: str | None = None
    note_shared: bool = False


def _validate(values: CheckInValues) -> None:
    def scale(name: str, value: int | None, low: int, high: int, *, required: bool = False) -> None:
        if value is None:
            if required:
                raise ApplicationError(f"Choose your {name} from {low} to {high}.", field=name)
            return
        if not low <= value <= high:
            raise ApplicationError(f"{name.capitalize()} must be from {low} to {high}.", field=name)

    scale("mood", values.mood, 0, 10, required=True)
    scale("anxiety", values.anxiety, 0, 10)
    scale("energy", values.energy, 0, 10)
    scale("sleep_quality", values.sleep_quality, 1, 5)
    if values.sleep_hours is not None and not 0 <= values.sleep_hours <= 24:
        raise ApplicationError("Hours of sleep must be from 0 to 24.", field="sleep_hours")
    for emotion in values.emotions:
        if emotion.get("label") not in EMOTION_CODES:
            raise ApplicationError(
                f"“{emotion.get('label')}” is not in the list of feelings.", field="emotions"
            )
        intensity = emotion.get("intensity")
        if intensity is not None and not 1 <= int(intensity) <= 5:
            raise ApplicationError("How strong a feeling is goes from 1 to 5.", field="emotions")
    if len(values.activities) > 30 or any(
        not 0 < len(activity_label_clean(a)) <= 60 for a in values.activities
    ):
        raise ApplicationError(
            "Activities are short labels (up to 60 characters, up to 30 of them).",
            field="activities",
        )
    if values.note is not None and len(values.note) > 5000:
        raise ApplicationError("Notes can be up to 5,000 characters.", field="note")


def _checkin_observations(checkin: CheckIn, actor: User, *, new_record: bool = False) -> None:
    observations_replace(
        new_record=new_record,
        client=checkin.client,
        actor=actor,
        source=ObservationSource(checkin.source),
        source_type="tracking.checkin",
        source_id=str(checkin.public_id),
        effective_at=checkin.recorded_at,
        time_zone=checkin.time_zone,
        values={
            ObservationKind.MOOD: checkin.mood,
            ObservationKind.ANXIETY: checkin.anxiety,
            ObservationKind.ENERGY: checkin.energy,
            ObservationKind.SLEEP_HOURS: checkin.sleep_hours,
            ObservationKind.SLEEP_QUALITY: checkin.sleep_quality,
        },
    )


def checkin_create(
    *,
    client: Client,
    actor: User,
    values: CheckInValues,
    idempotency_key: str,
    recorded_at: datetime | None = None,
    source: ObservationSource = ObservationSource.CHECKIN,
) -> tuple[CheckIn, bool]:
    """Store a check-in and its observations. Returns (check-in, created).

    The same idempotency key again returns the stored check-in and stores nothing new, so a
    retried request or an offline sync creates exactly one record.
    """
    key = idempotency_key.strip()
    if not 0 < len(key) <= 100:
        raise ApplicationError(
            "idempotency_key must be 1 to 100 characters.", field="idempotency_key"
        )
    digest = request_hash({**asdict(values), "recorded_at": recorded_at})
    existing = CheckIn.objects.filter(client=client, idempotency_key=key).first()
    if existing is not None:
        idempotency_replay(user=actor, kind=CHECKIN_KIND, key=key, digest=digest, what="check-in")
        return existing, False
    _validate(values)
    now = timezone.now()
    recorded_at = recorded_at or now
    if timezone.is_naive(recorded_at):
        raise ApplicationError(
            "recorded_at needs a UTC offset, like 2026-03-02T20:30:00+01:00.", field="recorded_at"
        )
    require_past_datetime(recorded_at, field="recorded_at")  # shared bounds (core/validation.py)
    if recorded_at > now + timedelta(minutes=5):
        raise ApplicationError("A check-in cannot be in the future.", field="recorded_at")
    try:
        with transaction.atomic():
            checkin = CheckIn.objects.create(
                practice_id=client.practice_id,
                client=client,
                recorded_at=recorded_at,
                time_zone=client.time_zone,
                mood=values.mood,
                anxiety=values.anxiety,
                energy=values.energy,
                sleep_hours=values.sleep_hours,
                sleep_quality=values.sleep_quality,
                emotions=[dict(e) for e in values.emotions],
                activities=_activities_join_list(client=client, labels=values.activities),
                note=values.note or None,
                note_shared=bool(values.note) and values.note_shared,
                source=source,
                idempotency_key=key,
                created_by=actor,
                updated_by=actor,
            )
            _checkin_observations(checkin, actor, new_record=True)
            idempotency_remember(user=actor, kind=CHECKIN_KIND, key=key, digest=digest)
            # Last activity to the minute: a client checking in again within the minute (an
            # offline queue sent at once) does not rewrite the client's row each time.
            last = client.last_activity_at
            if last is None or not now - LAST_ACTIVITY_STEP < last <= now:
                Client.objects.filter(pk=client.pk).update(last_activity_at=now)
                client.last_activity_at = now
            # A check-in routine set as homework is completed (core.hooks; one query when none).
            record_done(
                client=client,
                kind="checkin",
                ref="",
                record_type="tracking.checkin",
                record_id=str(checkin.public_id),
                at=recorded_at,
            )
            # The caseload's summary (last check-in, active days) commits with it.
            client_changed(client_id=client.pk, parts=("checkins",), added=checkin)
    except IntegrityError:
        # Two copies of the same request raced; the other one stored it.
        existing = CheckIn.objects.filter(client=client, idempotency_key=key).first()
        if existing is None:
            raise
        idempotency_replay(user=actor, kind=CHECKIN_KIND, key=key, digest=digest, what="check-in")
        return existing, False
    return checkin, True


def checkin_update(*, checkin: CheckIn, actor: User, values: CheckInValues) -> CheckIn:
    """Change a check-in within 24 hours of making it; its observations follow."""
    if timezone.now() - checkin.created_at > CHECKIN_EDIT_WINDOW:
        raise ApplicationError(
            "Check-ins can be changed for 24 hours after you make them. "
            "You can add a new check-in instead."
        )
    _validate(values)
    with transaction.atomic():
        checkin.mood = values.mood
        checkin.anxiety = values.anxiety
        checkin.energy = values.energy
        checkin.sleep_hours = values.sleep_hours
        checkin.sleep_quality = values.sleep_quality
        checkin.emotions = [dict(e) for e in values.emotions]
        checkin.activities = _activities_join_list(client=checkin.client, labels=values.activities)
        checkin.note = values.note or None
        checkin.note_shared = bool(values.note) and values.note_shared
        checkin.updated_by = actor
        checkin.save()
        _checkin_observations(checkin, actor)
    return checkin


def activity_options_ensure_defaults(*, client: Client) -> int:
    """Give a client the default activity list the first time they check in."""
    if ActivityOption.objects.filter(client=client).exists():
        return 0
    return len(_activity_defaults_add(client=client))


def _activity_defaults_add(*, client: Client) -> list[ActivityOption]:
    return ActivityOption.objects.bulk_create(
        ActivityOption(practice_id=client.practice_id, client=client, label=label, position=i)
        for i, label in enumerate(DEFAULT_ACTIVITIES)
    )


def activity_label_clean(label: str) -> str:
    """One spelling of an activity's name wherever it comes from: inner spaces collapsed."""
    return " ".join(label.split())


def _activities_join_list(*, client: Client, labels: Sequence[str]) -> list[str]:
    """Put every activity of a check-in on the client's activity list (once, matching names
    regardless of case) and return the labels as the list spells them.

    The one place this happens, so a check-in from the form, the API or the offline queue adds
    a new activity to the list alike (before, only the form's own path did).
    """
    # One read: the defaults are added only when the client has no list at all yet.
    listed = list(ActivityOption.objects.filter(client=client)) or _activity_defaults_add(
        client=client
    )
    options = {o.label.casefold(): o for o in listed}
    joined: list[str] = []
    for raw in labels:
        label = activity_label_clean(raw)
        option = options.get(label.casefold())
        if option is None:
            option = ActivityOption.objects.create(
                practice_id=client.practice_id, client=client, label=label, position=len(options)
            )
            options[label.casefold()] = option
        elif option.is_archived:
            option.is_archived = False
            option.save(update_fields=["is_archived"])
        if option.label not in joined:
            joined.append(option.label)
    return joined


def activity_option_add(*, client: Client, label: str) -> ActivityOption:
    label = activity_label_clean(label)
    if not 0 < len(label) <= 60:
        raise ApplicationError(
            "Give the activity a short name (up to 60 characters).", field="label"
        )
    with transaction.atomic():
        [joined] = _activities_join_list(client=client, labels=[label])
    return ActivityOption.objects.get(client=client, label=joined)


# --- imported history ([7]: interop's loader is the only caller) --------------------------------
IMPORTED_NOTE_MAX = 20000
IMPORTED_ACTIVITIES_MAX = 30


@dataclass(frozen=True)
class ImportedCheckIn:
    """One check-in from another app, ready to store: values already on Interlude's scales,
    `recorded_at` aware. `key` is the import's natural key (64 hex digits): the same entry of the
    same file gives the same key, which is what makes a second import add nothing."""

    key: str
    recorded_at: datetime
    time_zone: str
    mood: int
    energy: int | None = None
    activities: Sequence[str] = ()
    note: str | None = None
    original: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class ImportedObservation:
    """One point of the time series from another app (a night of sleep, a day of steps...).
    `source_type` is "import." + the app; `key` (the natural key) is its `source_id`."""

    key: str
    kind: ObservationKind
    value: float
    effective_at: datetime
    time_zone: str
    source_type: str
    label: str = ""
    original: str = ""


def imported_checkin_key(key: str) -> str:
    """The check-in's idempotency key for an import's natural key (unique per client)."""
    return IMPORT_KEY_PREFIX + key


def _imported_activities(labels: Sequence[str]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for raw in labels:
        label = activity_label_clean(raw)[:60]
        if label and label.casefold() not in seen:
            seen.add(label.casefold())
            out.append(label)
    return out[:IMPORTED_ACTIVITIES_MAX]


def _chunks(items: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def imported_checkins_add(
    *,
    client: Client,
    actor: User,
    import_id: uuid.UUID,
    source_app: str,
    source_file: str,
    rows: Sequence[ImportedCheckIn],
) -> tuple[int, int]:
    """Store check-ins from another app with their mood (and energy) observations, in bulk.
    Returns (added, duplicates): an entry already stored (same key) is not added again.

    History is not activity: no homework is completed (`record_done` is not called), the client's
    last activity is left alone, and no alert rule runs (the sweep ignores imported check-ins).
    Runs inside the caller's transaction (the loader's, all or nothing).
    """
    for row in rows:
        if not 0 <= row.mood <= 10 or (row.energy is not None and not 0 <= row.energy <= 10):
            raise ApplicationError("An imported mood or energy is outside 0 to 10.")
        if timezone.is_naive(row.recorded_at):
            raise ApplicationError("An imported check-in has no time zone.")
    keys = [imported_checkin_key(row.key) for row in rows]
    present: set[str] = set()
    for part in _chunks(keys):
        present.update(
            CheckIn.objects.filter(client=client, idempotency_key__in=part).values_list(
                "idempotency_key", flat=True
            )
        )
    fresh: list[CheckIn] = []
    for row, key in zip(rows, keys, strict=True):
        if key in present:
            continue
        present.add(key)
        fresh.append(
            CheckIn(
                practice_id=client.practice_id,
                client=client,
                recorded_at=row.recorded_at,
                time_zone=row.time_zone,
                mood=row.mood,
                energy=row.energy,
                activities=_imported_activities(row.activities),
                note=(row.note or None) and row.note[:IMPORTED_NOTE_MAX],
                note_shared=False,
                source=ObservationSource.IMPORT,
                idempotency_key=key,
                original=dict(row.original) if row.original else None,
                import_id=import_id,
                source_app=source_app,
                source_file=source_file[:200],
                created_by=actor,
                updated_by=actor,
            )
        )
    with transaction.atomic():
        CheckIn.objects.bulk_create(fresh, batch_size=500)
        points: list[Observation] = []
        for checkin in fresh:
            values = {ObservationKind.MOOD: checkin.mood, ObservationKind.ENERGY: checkin.energy}
            for kind, value in values.items():
                if value is None:
                    continue
                points.append(
                    Observation(
                        practice_id=client.practice_id,
                        client=client,
                        kind=kind,
                        value=float(value),
                        effective_at=checkin.recorded_at,
                        time_zone=checkin.time_zone,
                        source=ObservationSource.IMPORT,
                        source_type=CHECKIN_KIND,
                        source_id=str(checkin.public_id),
                        import_id=import_id,
                        source_app=source_app,
                        source_file=source_file[:200],
                        created_by=actor,
                    )
                )
        Observation.objects.bulk_create(points, batch_size=500)
        if fresh:
            client_changed(client_id=client.pk, parts=("checkins",))
    return len(fresh), len(rows) - len(fresh)


def imported_observations_add(
    *,
    client: Client,
    actor: User,
    import_id: uuid.UUID,
    source_app: str,
    source_file: str,
    rows: Sequence[ImportedObservation],
) -> tuple[int, int]:
    """Store points of the time series from another app, in bulk. Returns (added, duplicates):
    a point already stored (same source type, key and kind) is not added again."""
    for row in rows:
        if timezone.is_naive(row.effective_at):
            raise ApplicationError("An imported reading has no time zone.")
    present: set[tuple[str, str, str]] = set()
    source_types = sorted({row.source_type for row in rows})
    for part in _chunks([row.key for row in rows]):
        # Not narrowed to the client: the key already names them, and the constraint is global.
        present.update(
            Observation.objects.filter(
                source_type__in=source_types, source_id__in=part
            ).values_list("source_type", "source_id", "kind")
        )
    fresh: list[Observation] = []
    for row in rows:
        identity = (row.source_type, row.key, str(row.kind))
        if identity in present:
            continue
        present.add(identity)
        fresh.append(
            Observation(
                practice_id=client.practice_id,
                client=client,
                kind=row.kind,
                value=float(row.value),
                effective_at=row.effective_at,
                time_zone=row.time_zone,
                source=ObservationSource.IMPORT,
                source_type=row.source_type[:64],
                source_id=row.key,
                label=row.label[:80],
                original=row.original[:120],
                import_id=import_id,
                source_app=source_app,
                source_file=source_file[:200],
                created_by=actor,
            )
        )
    with transaction.atomic():
        Observation.objects.bulk_create(fresh, batch_size=500)
    return len(fresh), len(rows) - len(fresh)


def imported_rows_remove(*, client: Client, import_id: uuid.UUID) -> int:
    """Remove every check-in and observation one import added (undo). Returns how many records
    went: check-ins and stand-alone readings (a check-in's own mood point is part of it)."""
    with transaction.atomic():
        readings = (
            Observation.objects.filter(client=client, import_id=import_id)
            .exclude(source_type=CHECKIN_KIND)
            .count()
        )
        Observation.objects.filter(client=client, import_id=import_id).delete()
        checkins, _ = CheckIn.objects.filter(client=client, import_id=import_id).delete()
        if checkins:
            client_changed(client_id=client.pk, parts=("checkins",))
    return checkins + readings
