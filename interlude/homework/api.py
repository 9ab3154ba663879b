"""Homework API. Thin: the gate loads the client, homework.services writes, selectors read.

- `GET/POST /clients/{client_id}/assignments`: the care team lists and sets homework (through the
  gate; a write is refused under emergency read-only access).
- `GET /assignments`: a client's own homework, each with its next `due` date (the client's day)
  and `status`; 404 when homework is switched off for them.
- `POST /assignments/{id}/complete`: a client records how one due day went.

Errors have ninja's validation shape, {"detail": [{"loc": [...], "msg": ..., "type": ...}]}, and
anything out of reach is a 404 (never 403).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from django.http import Http404
from ninja import Field, Router, Schema, Status

from interlude.consents.access import access_client, access_own
from interlude.core.api_errors import error_body
from interlude.core.clock import client_today
from interlude.core.errors import ApplicationError
from interlude.core.http import InterludeRequest
from interlude.homework.models import (
    Assignment,
    AssignmentOccurrence,
    OccurrenceStatus,
    ScheduleKind,
    ToolKind,
)
from interlude.homework.selectors import (
    DueEntry,
    assignment_get_own,
    assignment_list_for_client,
    assignment_reports,
)
from interlude.homework.services import (
    AssignmentValues,
    assignment_complete,
    assignment_create,
)
from interlude.practices.enums import Module, ShareScope

router = Router(tags=["homework"])


class ErrorOut(Schema):
    detail: list[dict]


class AdherenceOut(Schema):
    done: int
    late: int
    missed: int
    not_possible: int
    n: int


class AssignmentIn(Schema):
    tool_kind: ToolKind = Field(..., description=", ".join(ToolKind.values))
    tool_ref: str = Field(
        "",
        max_length=80,
        description="worksheet type (thought_record, activity, exposure, sleep_diary, journal), "
        "relaxation code (box, 478, paced, pmr, grounding), article slug, instrument code, or "
        "an app's name; empty for checkin and custom",
    )
    title: str = Field("", max_length=200)
    instructions: str = Field("", max_length=5000, description="In your words; the client sees it")
    starts_on: date
    schedule: ScheduleKind = Field(..., description="once, rrule or weekly_count")
    due_on: date | None = Field(None, description="schedule once: the date it is due")
    rrule: str = Field(
        "",
        max_length=200,
        description="schedule rrule: RFC 5545 RRULE, FREQ=DAILY or WEEKLY, optional BYDAY, "
        "INTERVAL (1-4), UNTIL (a date) or COUNT (1-366); evaluated in the client's zone",
    )
    times_per_week: int | None = Field(None, description="schedule weekly_count: 1 to 7")
    until: date | None = Field(None, description="schedule weekly_count: the last day")
    reminder: bool = False
    reminder_time: time | None = None
    app_url: str = Field("", max_length=500)
    catalog_app_id: int | None = None


class AssignmentOut(Schema):
    id: uuid.UUID
    tool_kind: str
    tool_ref: str
    title: str
    instructions: str
    starts_on: date
    schedule: str
    due_on: date | None
    rrule: str
    times_per_week: int | None
    until: date | None
    reminder: bool
    reminder_time: time | None
    app_url: str
    catalog_app_id: int | None
    ended_at: datetime | None


class CareAssignmentOut(AssignmentOut):
    adherence: AdherenceOut


class OwnAssignmentOut(AssignmentOut):
    due: date = Field(..., description="The next open due day, in your own calendar")
    status: str = Field(
        ...,
        description="overdue, due (to do now, by `due`: a one-off is due from its start to its "
        "due day), upcoming, done, missed or ended",
    )
    done_this_week: int | None = Field(None, description="weekly_count: done so far this week")


class RecordRef(Schema):
    type: str = Field(..., max_length=40, description="e.g. tracking.checkin")
    id: str = Field(..., max_length=80, description="the record's id")


class CompleteIn(Schema):
    occurrence: date = Field(..., description="The due day (weekly_count: the day you did it)")
    status: OccurrenceStatus
    reason: str = Field("", max_length=2000, description="not_possible: why (optional)")
    record: RecordRef | None = None


class OccurrenceOut(Schema):
    assignment: uuid.UUID
    occurrence: date
    status: str
    completed_at: datetime
    reason: str | None
    record: RecordRef | None
    feedback: str | None
    feedback_at: datetime | None


def _out(a: Assignment) -> dict:
    return {
        "id": a.public_id,
        "tool_kind": a.tool_kind,
        "tool_ref": a.tool_ref,
        "title": a.title,
        "instructions": a.instructions,
        "starts_on": a.starts_on,
        "schedule": a.schedule,
        "due_on": a.due_on,
        "rrule": a.rrule,
        "times_per_week": a.times_per_week,
        "until": a.until,
        "reminder": a.reminder,
        "reminder_time": a.reminder_time,
        "app_url": a.app_url,
        "catalog_app_id": a.catalog_app_id,
        "ended_at": a.ended_at,
    }


def _own_out(e: DueEntry) -> dict:
    return {
        **_out(e.assignment),
        "due": e.due_on,
        "status": e.status,
        "done_this_week": (
            e.done_this_week if e.assignment.schedule == ScheduleKind.WEEKLY_COUNT else None
        ),
    }


def _occurrence_out(o: AssignmentOccurrence, a: Assignment) -> dict:
    return {
        "assignment": a.public_id,
        "occurrence": o.due_on,
        "status": o.status,
        "completed_at": o.completed_at,
        "reason": o.reason,
        "record": {"type": o.record_type, "id": o.record_id} if o.record_type else None,
        "feedback": o.feedback,
        "feedback_at": o.feedback_at,
    }


@router.get(
    "/clients/{client_id}/assignments",
    response={200: list[CareAssignmentOut], 404: ErrorOut},
    summary="A client's homework with adherence (care team)",
)
def care_assignment_list(request: InterludeRequest, client_id: uuid.UUID):
    care = access_client(user=request.user, client_id=client_id, scope=ShareScope.HOMEWORK)
    reports = assignment_reports(access=care, today=client_today(care.client))
    return [
        {
            **_out(r.assignment),
            "adherence": {
                "done": r.adherence.done,
                "late": r.adherence.late,
                "missed": r.adherence.missed,
                "not_possible": r.adherence.not_possible,
                "n": r.adherence.n,
            },
        }
        for r in reports
    ]


@router.post(
    "/clients/{client_id}/assignments",
    response={201: AssignmentOut, 404: ErrorOut, 422: ErrorOut},
    summary="Set homework for a client (care team)",
)
def care_assignment_post(request: InterludeRequest, client_id: uuid.UUID, payload: AssignmentIn):
    care = access_client(
        user=request.user, client_id=client_id, scope=ShareScope.HOMEWORK, for_write=True
    )
    if care.membership is None:
        raise Http404
    if not care.module_on(Module.HOMEWORK):
        return Status(422, error_body("tool_kind", "Homework is switched off for this client."))
    try:
        assignment = assignment_create(
            client=care.client,
            assigned_by=care.membership,
            actor=request.user,
            values=AssignmentValues(**payload.model_dump()),
        )
    except ApplicationError as exc:
        return Status(422, error_body(exc.field or "body", exc.message))
    return Status(201, _out(assignment))


@router.get(
    "/assignments",
    response={200: list[OwnAssignmentOut], 404: ErrorOut},
    summary="My homework, most urgent first, each with its next due day and status",
)
def own_assignment_list(request: InterludeRequest):
    care = access_own(user=request.user, module=Module.HOMEWORK)
    today = client_today(care.client)
    return [_own_out(e) for e in assignment_list_for_client(client=care.client, today=today)]


@router.post(
    "/assignments/{assignment_id}/complete",
    response={200: OccurrenceOut, 201: OccurrenceOut, 404: ErrorOut, 422: ErrorOut},
    summary="Record how one due day went (idempotent: the same day again changes nothing)",
)
def own_assignment_complete(
    request: InterludeRequest, assignment_id: uuid.UUID, payload: CompleteIn
):
    care = access_own(user=request.user, module=Module.HOMEWORK)
    assignment = assignment_get_own(client=care.client, public_id=assignment_id)
    if assignment is None:
        raise Http404("No such homework.")
    try:
        occurrence, changed = assignment_complete(
            assignment=assignment,
            occurrence=payload.occurrence,
            status=payload.status,
            actor=request.user,
            reason=payload.reason,
            record_type=payload.record.type if payload.record else "",
            record_id=payload.record.id if payload.record else "",
        )
    except ApplicationError as exc:
        return Status(422, error_body(exc.field or "body", exc.message))
    return Status(201 if changed else 200, _occurrence_out(occurrence, assignment))
