"""JSON endpoints for the client's own worksheets and journal, under /api/v1/. Thin.

Client-only: every endpoint loads the caller's own client profile (access_own_client), so anyone
without one gets 404. Bodies are the pydantic models of exercises/schemas.py: a value out of range
answers 422 naming the field (`detail[].loc`); a rule broken in a service answers 422 in the same
shape, and nothing is stored.

Creating works like POST /api/v1/checkins: 201 with the stored record and its `id`; a thought
record sent again with the same `idempotency_key` answers 200 with the same `id`, and a different
one under a key already used answers 409, storing nothing. The sleep diary
has one entry per night: sending a night again changes that night's entry (200, same `id`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from ninja import Router, Schema, Status

from interlude.consents.access import access_own_client
from interlude.core.api_errors import error_body
from interlude.core.errors import ApplicationError, IdempotencyConflict
from interlude.core.http import InterludeRequest
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
    AutomaticThought,
    BalancedThought,
    EmotionRating,
    ExposurePracticeApiIn,
    ExposureStepIn,
    JournalEntryIn,
    SleepDiaryIn,
    ThoughtRecordContent,
    ThoughtRecordIn,
)
from interlude.exercises.worksheets_selectors import (
    activity_get,
    exposure_step_get,
    exposure_steps,
    journal_entries,
    journal_entry_get,
    sleep_row,
    thought_record_get,
    thought_record_rows,
)
from interlude.exercises.worksheets_services import (
    activity_plan_create,
    activity_plan_log,
    exposure_practice_create,
    exposure_step_create,
    journal_entry_create,
    journal_entry_share,
    sleep_diary_save,
    thought_record_create,
)
from interlude.practices.enums import Module

router = Router(tags=["worksheets"])

LIST_LIMIT = 200


class ValidationErrorItem(Schema):
    type: str
    loc: list[str | int]
    msg: str


class ValidationErrorOut(Schema):
    detail: list[ValidationErrorItem]


def _invalid(exc: ApplicationError) -> Status[dict[str, Any]]:
    """A service's refusal, in the shape of ninja's own 422 (the field is the last `loc` part)."""
    loc: list[str | int] = ["body", "payload"]
    if exc.field:
        loc.append(exc.field)
    return Status(422, {"detail": [{"type": "value_error", "loc": loc, "msg": exc.message}]})


# --- thought records -----------------------------------------------------------------------------
class ThoughtRecordOut(Schema):
    id: uuid.UUID
    occurred_at: datetime
    is_complete: bool
    situation: str
    automatic_thoughts: list[AutomaticThought]
    emotions: list[EmotionRating]
    evidence_for: str
    evidence_against: str
    distortions: list[str]
    balanced_thought: BalancedThought
    hot_thought_belief_after: int | None
    emotions_rerated: list[EmotionRating]
    action_plan: str
    belief_before: int | None
    belief_after: int | None
    emotion_before: int | None
    emotion_after: int | None
    created_at: datetime


def _thought_record_out(
    record: ThoughtRecord, content: ThoughtRecordContent | None = None
) -> ThoughtRecordOut:
    content = content or ThoughtRecordContent.from_stored(record.content)
    return ThoughtRecordOut(
        id=record.public_id,
        occurred_at=record.occurred_at,
        is_complete=record.is_complete,
        distortions=list(record.distortions or []),
        belief_before=record.belief_before,
        belief_after=record.belief_after,
        emotion_before=record.emotion_before,
        emotion_after=record.emotion_after,
        created_at=record.created_at,
        **content.model_dump(),
    )


@router.post(
    "/thought-records",
    response={
        200: ThoughtRecordOut,
        201: ThoughtRecordOut,
        409: ValidationErrorOut,
        422: ValidationErrorOut,
    },
)
def thought_record_post(request: InterludeRequest, payload: ThoughtRecordIn) -> Any:
    client = access_own_client(user=request.user, module=Module.WORKSHEETS)
    try:
        record, created = thought_record_create(client=client, actor=request.user, values=payload)
    except IdempotencyConflict as exc:
        return Status(409, error_body("idempotency_key", exc.message, "conflict"))
    except ApplicationError as exc:
        return _invalid(exc)
    return Status(201 if created else 200, _thought_record_out(record))


@router.get("/thought-records", response=list[ThoughtRecordOut])
def thought_record_list_api(request: InterludeRequest) -> list[ThoughtRecordOut]:
    """The caller's thought records, newest first, drafts included (`is_complete`)."""
    client = access_own_client(user=request.user, module=Module.WORKSHEETS)
    return [
        _thought_record_out(v.record, v.content)
        for v in thought_record_rows(client=client, limit=LIST_LIMIT)
    ]


@router.get("/thought-records/{record_id}", response=ThoughtRecordOut)
def thought_record_detail_api(request: InterludeRequest, record_id: uuid.UUID) -> ThoughtRecordOut:
    client = access_own_client(user=request.user, module=Module.WORKSHEETS)
    return _thought_record_out(thought_record_get(client=client, record_id=record_id))


# --- sleep diary ---------------------------------------------------------------------------------
class SleepDiaryOut(Schema):
    id: uuid.UUID
    night_of: date
    into_bed: time
    tried_to_sleep: time
    minutes_to_fall_asleep: int
    awakenings: int
    minutes_awake_after_onset: int
    final_awakening: time
    out_of_bed: time
    quality: int
    comments: str
    time_in_bed_minutes: int | None
    total_sleep_minutes: int | None
    sleep_efficiency: float | None


def _sleep_out(entry: SleepDiaryEntry) -> SleepDiaryOut:
    derived = sleep_row(entry).derived
    return SleepDiaryOut(
        id=entry.public_id,
        night_of=entry.night_of,
        into_bed=entry.into_bed,
        tried_to_sleep=entry.tried_to_sleep,
        minutes_to_fall_asleep=entry.minutes_to_fall_asleep,
        awakenings=entry.awakenings,
        minutes_awake_after_onset=entry.minutes_awake_after_onset,
        final_awakening=entry.final_awakening,
        out_of_bed=entry.out_of_bed,
        quality=entry.quality,
        comments=entry.comments or "",
        time_in_bed_minutes=derived.time_in_bed if derived else None,
        total_sleep_minutes=derived.total_sleep_time if derived else None,
        sleep_efficiency=derived.sleep_efficiency if derived else None,
    )


@router.post(
    "/sleep-diary", response={200: SleepDiaryOut, 201: SleepDiaryOut, 422: ValidationErrorOut}
)
def sleep_diary_post(request: InterludeRequest, payload: SleepDiaryIn) -> Any:
    client = access_own_client(user=request.user, module=Module.WORKSHEETS)
    try:
        entry, created = sleep_diary_save(
            client=client, actor=request.user, values=payload, replace_existing=True
        )
    except ApplicationError as exc:
        return _invalid(exc)
    return Status(201 if created else 200, _sleep_out(entry))


@router.get("/sleep-diary", response=list[SleepDiaryOut])
def sleep_diary_list_api(request: InterludeRequest) -> list[SleepDiaryOut]:
    """The caller's sleep diary, newest night first (up to 200 nights)."""
    client = access_own_client(user=request.user, module=Module.WORKSHEETS)
    entries = SleepDiaryEntry.objects.filter(client=client).order_by("-night_of")[:LIST_LIMIT]
    return [_sleep_out(e) for e in entries]


# --- journal -------------------------------------------------------------------------------------
class JournalEntryOut(Schema):
    id: uuid.UUID
    written_at: datetime
    title: str
    body: str
    shared: bool
    shared_at: datetime | None


class JournalShareIn(Schema):
    shared: bool


def _journal_out(entry: JournalEntry) -> JournalEntryOut:
    return JournalEntryOut(
        id=entry.public_id,
        written_at=entry.written_at,
        title=entry.title or "",
        body=entry.body,
        shared=entry.shared_at is not None,
        shared_at=entry.shared_at,
    )


@router.post("/journal", response={201: JournalEntryOut, 422: ValidationErrorOut})
def journal_post(request: InterludeRequest, payload: JournalEntryIn) -> Any:
    """A new entry; private unless `shared` is true."""
    client = access_own_client(user=request.user, module=Module.JOURNAL)
    try:
        entry = journal_entry_create(client=client, actor=request.user, values=payload)
    except ApplicationError as exc:
        return _invalid(exc)
    return Status(201, _journal_out(entry))


@router.get("/journal", response=list[JournalEntryOut])
def journal_list_api(request: InterludeRequest) -> list[JournalEntryOut]:
    client = access_own_client(user=request.user, module=Module.JOURNAL)
    return [_journal_out(e) for e in journal_entries(client=client)[:LIST_LIMIT]]


@router.put("/journal/{entry_id}/sharing", response=JournalEntryOut)
def journal_share_api(
    request: InterludeRequest, entry_id: uuid.UUID, payload: JournalShareIn
) -> JournalEntryOut:
    """Share one entry with the care team (`{"shared": true}`) or make it private again."""
    client = access_own_client(user=request.user, module=Module.JOURNAL)
    entry = journal_entry_get(client=client, entry_id=entry_id)
    return _journal_out(journal_entry_share(entry=entry, actor=request.user, shared=payload.shared))


# --- behavioural activation ----------------------------------------------------------------------
class ActivityOut(Schema):
    id: uuid.UUID
    title: str
    life_area: str
    planned_for: date
    planned_time: time | None
    difficulty: int | None
    done: bool | None
    mastery: int | None
    pleasure: int | None
    logged_at: datetime | None


def _activity_out(a: ActivityPlan) -> ActivityOut:
    return ActivityOut(
        id=a.public_id,
        title=a.title,
        life_area=a.life_area,
        planned_for=a.planned_for,
        planned_time=a.planned_time,
        difficulty=a.difficulty,
        done=a.done,
        mastery=a.mastery,
        pleasure=a.pleasure,
        logged_at=a.logged_at,
    )


@router.post("/activities", response={201: ActivityOut, 422: ValidationErrorOut})
def activity_post(request: InterludeRequest, payload: ActivityPlanIn) -> Any:
    client = access_own_client(user=request.user, module=Module.WORKSHEETS)
    try:
        activity = activity_plan_create(client=client, actor=request.user, values=payload)
    except ApplicationError as exc:
        return _invalid(exc)
    return Status(201, _activity_out(activity))


@router.get("/activities", response=list[ActivityOut])
def activity_list_api(
    request: InterludeRequest, start: date | None = None, end: date | None = None
) -> list[ActivityOut]:
    """Planned activities, by day; `start`/`end` (inclusive) narrow the dates."""
    client = access_own_client(user=request.user, module=Module.WORKSHEETS)
    activities = ActivityPlan.objects.filter(client=client)
    if start:
        activities = activities.filter(planned_for__gte=start)
    if end:
        activities = activities.filter(planned_for__lte=end)
    rows = activities.order_by("-planned_for", "planned_time")[:LIST_LIMIT]
    return [_activity_out(a) for a in rows]


@router.post("/activities/{activity_id}/log", response={200: ActivityOut, 422: ValidationErrorOut})
def activity_log_api(
    request: InterludeRequest, activity_id: uuid.UUID, payload: ActivityLogIn
) -> Any:
    client = access_own_client(user=request.user, module=Module.WORKSHEETS)
    activity = activity_get(client=client, activity_id=activity_id)
    try:
        activity = activity_plan_log(activity=activity, actor=request.user, values=payload)
    except ApplicationError as exc:
        return _invalid(exc)
    return Status(200, _activity_out(activity))


# --- exposure ------------------------------------------------------------------------------------
class ExposurePracticeOut(Schema):
    id: uuid.UUID
    step_id: uuid.UUID
    practiced_at: datetime
    duration_minutes: int
    suds_pre: int
    suds_peak: int
    suds_post: int
    safety_behaviours: str
    notes: str


class ExposureStepOut(Schema):
    id: uuid.UUID
    description: str
    suds_anticipated: int
    practices: list[ExposurePracticeOut]


def _practice_out(p: ExposurePractice, step: ExposureStep) -> ExposurePracticeOut:
    return ExposurePracticeOut(
        id=p.public_id,
        step_id=step.public_id,
        practiced_at=p.practiced_at,
        duration_minutes=p.duration_minutes,
        suds_pre=p.suds_pre,
        suds_peak=p.suds_peak,
        suds_post=p.suds_post,
        safety_behaviours=p.safety_behaviours or "",
        notes=p.notes or "",
    )


def _step_out(step: ExposureStep) -> ExposureStepOut:
    return ExposureStepOut(
        id=step.public_id,
        description=step.description,
        suds_anticipated=step.suds_anticipated,
        practices=[_practice_out(p, step) for p in step.practices.all()],
    )


@router.post("/exposure/steps", response={201: ExposureStepOut, 422: ValidationErrorOut})
def exposure_step_post(request: InterludeRequest, payload: ExposureStepIn) -> Any:
    client = access_own_client(user=request.user, module=Module.WORKSHEETS)
    try:
        step = exposure_step_create(client=client, actor=request.user, values=payload)
    except ApplicationError as exc:
        return _invalid(exc)
    return Status(
        201,
        ExposureStepOut(
            id=step.public_id,
            description=step.description,
            suds_anticipated=step.suds_anticipated,
            practices=[],
        ),
    )


@router.get("/exposure/steps", response=list[ExposureStepOut])
def exposure_step_list_api(request: InterludeRequest) -> list[ExposureStepOut]:
    """The hierarchy, lowest anticipated distress first, each with its practices."""
    client = access_own_client(user=request.user, module=Module.WORKSHEETS)
    return [_step_out(s) for s in exposure_steps(client=client)]


@router.post("/exposure/practices", response={201: ExposurePracticeOut, 422: ValidationErrorOut})
def exposure_practice_post(request: InterludeRequest, payload: ExposurePracticeApiIn) -> Any:
    client = access_own_client(user=request.user, module=Module.WORKSHEETS)
    step = exposure_step_get(client=client, step_id=payload.step_id)
    try:
        practice = exposure_practice_create(
            client=client, step=step, actor=request.user, values=payload
        )
    except ApplicationError as exc:
        return _invalid(exc)
    return Status(201, _practice_out(practice, step))
