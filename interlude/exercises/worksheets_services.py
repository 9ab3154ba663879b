"""Writes for the CBT worksheets and the journal: thought records, behavioural activation,
exposure, sleep diary, journal entries.

Every function is keyword-only, runs in a transaction, and raises `ApplicationError(message,
field=...)` for a broken rule, before anything is stored. Worksheet values arrive as the pydantic
models of exercises/schemas.py; thought-record content is validated again before it is encrypted.
Numbers that charts need are also written to the canonical time series (tracking.Observation).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from pydantic import ValidationError

from interlude.accounts.models import User
from interlude.core.errors import ApplicationError
from interlude.core.hooks import client_changed, record_done
from interlude.core.idempotency import idempotency_remember, idempotency_replay, request_hash
from interlude.core.validation import require_past_datetime
from interlude.exercises.models import (
    ActivityPlan,
    ExposurePractice,
    ExposureStep,
    JournalEntry,
    SleepDiaryEntry,
    ThoughtRecord,
)
from interlude.exercises.schemas import (
    ActivityLogIn,
    ActivityPlanIn,
    ExposurePracticeIn,
    ExposureStepIn,
    JournalEntryIn,
    SleepDiaryIn,
    ThoughtRecordContent,
    ThoughtRecordIn,
    distortion_codes_valid,
)
from interlude.exercises.sleep import night_name, sleep_derived
from interlude.practices.models import Client
from interlude.tracking.models import ObservationKind, ObservationSource
from interlude.tracking.services import observations_replace

FUTURE_TOLERANCE = timedelta(minutes=5)
THOUGHT_RECORD_KIND = "exercises.thought_record"


def _error_from(exc: ValidationError) -> ApplicationError:
    """The first pydantic error as an ApplicationError on its top-level field."""
    first = exc.errors()[0]
    loc = first.get("loc") or ()
    message = str(first.get("msg", "This value is not valid."))
    message = message.removeprefix("Value error, ")
    return ApplicationError(message, field=str(loc[0]) if loc else None)


def _touch(client_id: int, now: datetime) -> None:
    """The caseload shows when the client was last active, and their active days (its summary,
    kept in the same transaction through core.hooks)."""
    Client.objects.filter(pk=client_id).update(last_activity_at=now)
    client_changed(client_id=client_id, parts=("activity",))


def _done(client: Client, ref: str, record_type: str, record: object, at: datetime) -> None:
    """A worksheet is finished: homework that asked for it is completed (core.hooks)."""
    record_done(
        client=client,
        kind="worksheet",
        ref=ref,
        record_type=record_type,
        record_id=str(record.public_id),  # type: ignore[attr-defined]
        at=at,
    )


def _check_key(idempotency_key: str) -> str:
    key = idempotency_key.strip()
    if not 0 < len(key) <= 100:
        raise ApplicationError(
            "idempotency_key must be 1 to 100 characters.", field="idempotency_key"
        )
    return key


def _check_past(value: datetime, *, field: str, what: str) -> datetime:
    if timezone.is_naive(value):
        raise ApplicationError(
            f"{field} needs a UTC offset, like 2026-03-02T20:30:00+01:00.", field=field
        )
    require_past_datetime(value, field=field)  # the bounds every entry point shares
    if value > timezone.now() + FUTURE_TOLERANCE:
        raise ApplicationError(f"{what} can't be in the future.", field=field)
    return value.astimezone(UTC)


def _local_today(client: Client) -> date:
    return timezone.localdate(timezone=ZoneInfo(client.time_zone))


# --- thought records -----------------------------------------------------------------------------
def _content_json(content: ThoughtRecordContent) -> str:
    """Validate the content again (it may have been built step by step) and serialise it."""
    try:
        validated = ThoughtRecordContent.model_validate(content.model_dump())
    except ValidationError as exc:
        raise _error_from(exc) from None
    return validated.model_dump_json()


def _set_numbers(record: ThoughtRecord, content: ThoughtRecordContent) -> None:
    numbers = content.numbers()
    record.belief_before = numbers["belief_before"]
    record.belief_after = numbers["belief_after"]
    record.emotion_before = numbers["emotion_before"]
    record.emotion_after = numbers["emotion_after"]


def _check_distortions(codes: list[str]) -> list[str]:
    try:
        return distortion_codes_valid(codes)
    except ValueError as exc:
        raise ApplicationError(str(exc), field="distortions") from None


def thought_record_start(
    *,
    client: Client,
    actor: User,
    situation: str,
    occurred_at: datetime,
    idempotency_key: str,
) -> tuple[ThoughtRecord, bool]:
    """Begin a thought record as a draft holding the situation. Returns (record, created).

    The same idempotency key again (a double-tapped button) returns the draft already begun.
    """
    key = _check_key(idempotency_key)
    existing = ThoughtRecord.objects.filter(client=client, idempotency_key=key).first()
    if existing is not None:
        return existing, False
    situation = situation.strip()
    if not situation:
        raise ApplicationError("Describe what happened.", field="situation")
    content = ThoughtRecordContent().with_situation(situation)
    text = _content_json(content)
    occurred_at = _check_past(occurred_at, field="occurred_at", what="The time it happened")
    now = timezone.now()
    try:
        with transaction.atomic():
            record = ThoughtRecord.objects.create(
                practice_id=client.practice_id,
                client=client,
                occurred_at=occurred_at,
                content=text,
                is_complete=False,
                idempotency_key=key,
                created_by=actor,
                updated_by=actor,
            )
            _touch(client.pk, now)
    except IntegrityError:
        existing = ThoughtRecord.objects.filter(client=client, idempotency_key=key).first()
        if existing is None:
            raise
        return existing, False
    return record, True


def thought_record_draft_save(
    *,
    record: ThoughtRecord,
    actor: User,
    content: ThoughtRecordContent,
    occurred_at: datetime | None = None,
    distortions: list[str] | None = None,
) -> ThoughtRecord:
    """Store one more step of a draft. A finished record is no longer changed."""
    if record.is_complete:
        raise ApplicationError("This thought record is finished and can no longer be changed.")
    text = _content_json(content)
    if occurred_at is not None:
        record.occurred_at = _check_past(
            occurred_at, field="occurred_at", what="The time it happened"
        )
    if distortions is not None:
        record.distortions = _check_distortions(distortions)
    with transaction.atomic():
        record.content = text
        _set_numbers(record, ThoughtRecordContent.model_validate_json(text))
        record.updated_by = actor
        record.save()
        _touch(record.client_id, timezone.now())
    return record


def thought_record_complete(*, record: ThoughtRecord, actor: User) -> ThoughtRecord:
    """Mark a draft finished once every required part is there (CLINICAL.md 4.1)."""
    if record.is_complete:
        return record
    content = ThoughtRecordContent.from_stored(record.content)
    missing = content.missing_for_completion()
    if missing:
        field, message = missing[0]
        raise ApplicationError(message, field=field)
    with transaction.atomic():
        _set_numbers(record, content)
        record.is_complete = True
        record.updated_by = actor
        record.save()
        now = timezone.now()
        _touch(record.client_id, now)
        _done(record.client, "thought_record", "exercises.thought_record", record, now)
    return record


def thought_record_create(
    *, client: Client, actor: User, values: ThoughtRecordIn
) -> tuple[ThoughtRecord, bool]:
    """Store a finished thought record in one step (the API). Returns (record, created).

    The same idempotency key again returns the stored record and stores nothing new.
    """
    key = _check_key(values.idempotency_key)
    digest = request_hash(values.model_dump(exclude={"idempotency_key"}))
    existing = ThoughtRecord.objects.filter(client=client, idempotency_key=key).first()
    if existing is not None:
        idempotency_replay(
            user=actor, kind=THOUGHT_RECORD_KIND, key=key, digest=digest, what="thought record"
        )
        return existing, False
    content = values.content()
    missing = content.missing_for_completion()
    if missing:
        field, message = missing[0]
        raise ApplicationError(message, field=field)
    text = _content_json(content)
    distortions = _check_distortions(values.distortions)
    now = timezone.now()
    occurred_at = _check_past(
        values.occurred_at or now, field="occurred_at", what="The time it happened"
    )
    try:
        with transaction.atomic():
            record = ThoughtRecord(
                practice_id=client.practice_id,
                client=client,
                occurred_at=occurred_at,
                content=text,
                distortions=distortions,
                is_complete=True,
                idempotency_key=key,
                created_by=actor,
                updated_by=actor,
            )
            _set_numbers(record, content)
            record.save()
            idempotency_remember(user=actor, kind=THOUGHT_RECORD_KIND, key=key, digest=digest)
            _touch(client.pk, now)
            _done(client, "thought_record", "exercises.thought_record", record, now)
    except IntegrityError:
        existing = ThoughtRecord.objects.filter(client=client, idempotency_key=key).first()
        if existing is None:
            raise
        idempotency_replay(
            user=actor, kind=THOUGHT_RECORD_KIND, key=key, digest=digest, what="thought record"
        )
        return existing, False
    return record, True


def thought_record_delete(*, record: ThoughtRecord, actor: User) -> None:
    """Discard a draft the person does not want to finish. Finished records stay."""
    if record.is_complete:
        raise ApplicationError("A finished thought record can't be deleted here.")
    with transaction.atomic():
        record.delete()
        client_changed(client_id=record.client_id, parts=("activity",))


# --- behavioural activation ----------------------------------------------------------------------
def activity_plan_create(*, client: Client, actor: User, values: ActivityPlanIn) -> ActivityPlan:
    title = " ".join(values.title.split())
    if not title:
        raise ApplicationError("Say what you plan to do.", field="title")
    now = timezone.now()
    with transaction.atomic():
        activity = ActivityPlan.objects.create(
            practice_id=client.practice_id,
            client=client,
            title=title,
            life_area=values.life_area,
            planned_for=values.planned_for,
            planned_time=values.planned_time,
            difficulty=values.difficulty,
            created_by=actor,
            updated_by=actor,
        )
        _touch(client.pk, now)
    return activity


def activity_plan_log(
    *, activity: ActivityPlan, actor: User, values: ActivityLogIn
) -> ActivityPlan:
    """Record whether a planned activity happened and, if it did, how it felt (0-10 each)."""
    if values.done:
        if values.mastery is None:
            raise ApplicationError(
                "Rate how much of an achievement it felt, from 0 to 10.", field="mastery"
            )
        if values.pleasure is None:
            raise ApplicationError("Rate how much you enjoyed it, from 0 to 10.", field="pleasure")
    now = timezone.now()
    with transaction.atomic():
        activity.done = values.done
        activity.mastery = values.mastery if values.done else None
        activity.pleasure = values.pleasure if values.done else None
        activity.logged_at = now
        activity.updated_by = actor
        activity.save(
            update_fields=["done", "mastery", "pleasure", "logged_at", "updated_at", "updated_by"]
        )
        _touch(activity.client_id, now)
        if values.done:
            _done(activity.client, "activity", "exercises.activity", activity, now)
    return activity


def activity_plan_delete(*, activity: ActivityPlan, actor: User) -> None:
    """Take an activity off the plan (only before it is logged: logged ones are the record)."""
    if activity.done is not None:
        raise ApplicationError("This activity is already logged, so it stays in your week.")
    with transaction.atomic():
        activity.delete()
        client_changed(client_id=activity.client_id, parts=("activity",))


# --- exposure ------------------------------------------------------------------------------------
def exposure_step_create(*, client: Client, actor: User, values: ExposureStepIn) -> ExposureStep:
    description = values.description.strip()
    if not description:
        raise ApplicationError("Describe the situation for this step.", field="description")
    now = timezone.now()
    with transaction.atomic():
        step = ExposureStep.objects.create(
            practice_id=client.practice_id,
            client=client,
            description=description,
            suds_anticipated=values.suds_anticipated,
            created_by=actor,
            updated_by=actor,
        )
        _touch(client.pk, now)
    return step


def exposure_step_archive(
    *, step: ExposureStep, actor: User, archived: bool = True
) -> ExposureStep:
    step.is_archived = archived
    step.updated_by = actor
    step.save(update_fields=["is_archived", "updated_at", "updated_by"])
    return step


def exposure_practice_create(
    *, client: Client, step: ExposureStep, actor: User, values: ExposurePracticeIn
) -> ExposurePractice:
    """Log one practice of a step; its peak distress joins the time series (SUDS_PEAK)."""
    if step.client_id != client.pk:
        raise ApplicationError("This step is not on your list.", field="step_id")
    now = timezone.now()
    practiced_at = _check_past(
        values.practiced_at or now, field="practiced_at", what="The practice"
    )
    with transaction.atomic():
        practice = ExposurePractice.objects.create(
            practice_id=step.practice_id,
            client=client,
            step=step,
            practiced_at=practiced_at,
            duration_minutes=values.duration_minutes,
            suds_pre=values.suds_pre,
            suds_peak=values.suds_peak,
            suds_post=values.suds_post,
            safety_behaviours=values.safety_behaviours or None,
            notes=values.notes or None,
            created_by=actor,
            updated_by=actor,
        )
        observations_replace(
            client=client,
            actor=actor,
            source=ObservationSource.EXERCISE,
            source_type="exercises.exposurepractice",
            source_id=str(practice.public_id),
            effective_at=practiced_at,
            time_zone=client.time_zone,
            values={ObservationKind.SUDS_PEAK: practice.suds_peak},
        )
        _touch(client.pk, now)
        _done(client, "exposure", "exercises.exposure_practice", practice, now)
    return practice


# --- sleep diary ---------------------------------------------------------------------------------
def sleep_diary_save(
    *,
    client: Client,
    actor: User,
    values: SleepDiaryIn,
    entry: SleepDiaryEntry | None = None,
    replace_existing: bool = False,
) -> tuple[SleepDiaryEntry, bool]:
    """Store one night of the sleep diary and its sleep efficiency. Returns (entry, created).

    One entry per night: a second entry for the same night is refused (field night_of), unless
    `replace_existing` (the API: sending the same night again changes that night's entry).
    """
    derived = sleep_derived(
        into_bed=values.into_bed,
        tried_to_sleep=values.tried_to_sleep,
        minutes_to_fall_asleep=values.minutes_to_fall_asleep,
        minutes_awake_after_onset=values.minutes_awake_after_onset,
        final_awakening=values.final_awakening,
        out_of_bed=values.out_of_bed,
    )
    zone = ZoneInfo(client.time_zone)
    if values.night_of > _local_today(client):
        raise ApplicationError(
            "The night can't be in the future. Choose the date you went to bed.", field="night_of"
        )
    other = SleepDiaryEntry.objects.filter(client=client, night_of=values.night_of)
    if entry is not None:
        other = other.exclude(pk=entry.pk)
    clash = other.first()
    if clash is not None:
        if not replace_existing:
            raise ApplicationError(
                f"You already filled in the diary for the night of {night_name(values.night_of)}. "
                "Change that entry instead.",
                field="night_of",
            )
        entry = clash
    created = entry is None
    if entry is None:
        entry = SleepDiaryEntry(practice_id=client.practice_id, client=client, created_by=actor)
    entry.night_of = values.night_of
    entry.into_bed = values.into_bed
    entry.tried_to_sleep = values.tried_to_sleep
    entry.minutes_to_fall_asleep = values.minutes_to_fall_asleep
    entry.awakenings = values.awakenings
    entry.minutes_awake_after_onset = values.minutes_awake_after_onset
    entry.final_awakening = values.final_awakening
    entry.out_of_bed = values.out_of_bed
    entry.quality = values.quality
    entry.comments = values.comments or None
    entry.updated_by = actor
    start = datetime.combine(values.night_of, values.into_bed, tzinfo=zone)
    effective_at = start + timedelta(minutes=derived.out_of_bed_offset)
    now = timezone.now()
    try:
        with transaction.atomic():
            entry.save()
            observations_replace(
                client=client,
                actor=actor,
                source=ObservationSource.EXERCISE,
                source_type="exercises.sleepdiaryentry",
                source_id=str(entry.public_id),
                effective_at=effective_at,
                time_zone=client.time_zone,
                values={ObservationKind.SLEEP_EFFICIENCY: derived.sleep_efficiency},
            )
            _touch(client.pk, now)
            if created:
                _done(client, "sleep_diary", "exercises.sleep_diary", entry, now)
    except IntegrityError:
        # Another request stored this night first.
        raise ApplicationError(
            "You already filled in the diary for this night. Change that entry instead.",
            field="night_of",
        ) from None
    return entry, created


# --- journal -------------------------------------------------------------------------------------
def _journal_text(title: str, body: str) -> tuple[str, str]:
    title, body = title.strip(), body.strip()
    if not body:
        raise ApplicationError("Write something before you save.", field="body")
    if len(title) > 200:
        raise ApplicationError("Keep the title to 200 characters or fewer.", field="title")
    if len(body) > 20000:
        raise ApplicationError("An entry can be up to 20,000 characters.", field="body")
    return title, body


def journal_entry_create(*, client: Client, actor: User, values: JournalEntryIn) -> JournalEntry:
    """A new entry, private unless `values.shared`."""
    title, body = _journal_text(values.title, values.body)
    now = timezone.now()
    with transaction.atomic():
        entry = JournalEntry.objects.create(
            practice_id=client.practice_id,
            client=client,
            written_at=now,
            title=title,
            body=body,
            shared_at=now if values.shared else None,
            created_by=actor,
            updated_by=actor,
        )
        _touch(client.pk, now)
        _done(client, "journal", "exercises.journal", entry, now)
    return entry


def journal_entry_update(
    *, entry: JournalEntry, actor: User, title: str, body: str
) -> JournalEntry:
    """Change the text. Sharing stays as it was (a shared entry shows the new text)."""
    entry.title, entry.body = _journal_text(title, body)
    entry.updated_by = actor
    with transaction.atomic():
        entry.save()
        _touch(entry.client_id, timezone.now())
    return entry


def journal_entry_share(*, entry: JournalEntry, actor: User, shared: bool) -> JournalEntry:
    """Share this one entry with the care team, or stop sharing it."""
    if shared and entry.shared_at is None:
        entry.shared_at = timezone.now()
    elif not shared:
        entry.shared_at = None
    entry.updated_by = actor
    entry.save(update_fields=["shared_at", "updated_at", "updated_by"])
    return entry
