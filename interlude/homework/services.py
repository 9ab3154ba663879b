"""Writes for homework: set it, end it, record how a due day went, leave feedback.

Every function is keyword-only and raises `ApplicationError(message, field=...)` before anything
is stored when a rule is broken. Recording a due day is idempotent: the same day twice gives the
same row (a "couldn't do it" is replaced by "done" if the client does it after all).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, FilteredRelation, Q
from django.utils import timezone

from interlude.accounts.models import User
from interlude.audit.services import (
    event_assignment_changed,
    event_assignment_completed,
    event_assignment_created,
    event_assignment_feedback,
)
from interlude.core.clock import client_date, client_today
from interlude.core.errors import ApplicationError
from interlude.core.validation import MSG_BAD_TEXT, text_problem
from interlude.exercises.library import article_get
from interlude.exercises.models import RelaxationKind
from interlude.homework.models import (
    Assignment,
    AssignmentOccurrence,
    OccurrenceStatus,
    ScheduleKind,
    ToolKind,
    WorksheetType,
)
from interlude.homework.records import ARTICLE_READ, RECORD_TYPES, record_exists
from interlude.homework.schedule import (
    MAX_SPAN_DAYS,
    is_occurrence,
    occurrence_days,
    rrule_parse,
    week_start,
)
from interlude.homework.selectors import OVERDUE_DAYS, schedule_of
from interlude.measures.models import EnteredBy, QuestionnaireResponse
from interlude.measures.selectors import instrument_definitions
from interlude.practices.models import Client, Membership
from interlude.reminders.providers import DueItem

MAX_TITLE = 200
MAX_INSTRUCTIONS = 5000
MAX_REASON = 2000
MAX_FEEDBACK = 5000
MAX_START_PAST_DAYS = 366
MAX_START_AHEAD_DAYS = 366

DEFAULT_TITLES = {
    ToolKind.CHECKIN: "Daily check-in",
    ToolKind.CUSTOM: "Something to try",
}


@dataclass(frozen=True)
class AssignmentValues:
    tool_kind: str
    starts_on: date
    schedule: str
    tool_ref: str = ""
    title: str = ""
    instructions: str = ""
    due_on: date | None = None
    rrule: str = ""
    times_per_week: int | None = None
    until: date | None = None
    reminder: bool = False
    reminder_time: time | None = None
    app_url: str = ""
    catalog_app_id: int | None = None


def _text(value: str, *, field: str, limit: int, required: bool = False, what: str) -> str:
    value = (value or "").strip()
    if text_problem(value) is not None:
        raise ApplicationError(MSG_BAD_TEXT, field=field)
    if required and not value:
        raise ApplicationError(f"Enter {what}.", field=field)
    if len(value) > limit:
        raise ApplicationError(
            f"{what[0].upper()}{what[1:]} can be up to {limit:,} characters.", field=field
        )
    return value


def _tool_title(*, client: Client, values: AssignmentValues) -> tuple[str, str]:
    """(tool_ref, default title) after checking the reference names a real tool."""
    kind = values.tool_kind
    ref = (values.tool_ref or "").strip()
    if kind == ToolKind.WORKSHEET:
        if ref not in WorksheetType.values:
            raise ApplicationError(
                "Choose a worksheet: " + ", ".join(WorksheetType.values) + ".", field="tool_ref"
            )
        return ref, str(WorksheetType(ref).label)
    if kind == ToolKind.RELAXATION:
        if ref not in RelaxationKind.values:
            raise ApplicationError(
                "Choose an exercise: " + ", ".join(RelaxationKind.values) + ".", field="tool_ref"
            )
        return ref, str(RelaxationKind(ref).label)
    if kind == ToolKind.ARTICLE:
        article = article_get(ref) if ref else None
        if article is None:
            raise ApplicationError("Choose an article from the library.", field="tool_ref")
        return ref, f"Read: {article.title}"
    if kind == ToolKind.QUESTIONNAIRE:
        definitions = instrument_definitions(practice=client.practice)
        if ref not in definitions:
            raise ApplicationError("Choose a questionnaire the practice uses.", field="tool_ref")
        return ref, definitions[ref].name
    if kind == ToolKind.APP:
        name = _text(ref, field="tool_ref", limit=80, required=True, what="the app's name")
        return name, f"Use {name}"
    if kind in (ToolKind.CHECKIN, ToolKind.CUSTOM):
        return "", DEFAULT_TITLES[ToolKind(kind)]
    raise ApplicationError(
        "Choose what to assign: " + ", ".join(ToolKind.values) + ".", field="tool_kind"
    )


def _check_schedule(*, values: AssignmentValues, today: date) -> dict[str, object]:
    start = values.starts_on
    if not today - timedelta(days=MAX_START_PAST_DAYS) <= start:
        raise ApplicationError("The start can be at most a year ago.", field="starts_on")
    if start > today + timedelta(days=MAX_START_AHEAD_DAYS):
        raise ApplicationError("The start can be at most a year ahead.", field="starts_on")
    kind = values.schedule
    if kind == ScheduleKind.ONCE:
        if values.due_on is None:
            raise ApplicationError("Enter the date it is due.", field="due_on")
        if values.due_on < start:
            raise ApplicationError("The due date is before the start.", field="due_on")
        if (values.due_on - start).days > MAX_SPAN_DAYS:
            raise ApplicationError(
                "The due date can be at most two years after the start.", field="due_on"
            )
        return {"due_on": values.due_on}
    if kind == ScheduleKind.RRULE:
        parsed = rrule_parse(values.rrule, starts_on=start)
        text = values.rrule.strip().removeprefix("RRULE:").upper()
        del parsed
        return {"rrule": text}
    if kind == ScheduleKind.WEEKLY_COUNT:
        n = values.times_per_week
        if n is None or not 1 <= n <= 7:
            raise ApplicationError("Choose from 1 to 7 times a week.", field="times_per_week")
        if values.until is not None:
            if values.until < start:
                raise ApplicationError("The last day is before the start.", field="until")
            if (values.until - start).days > MAX_SPAN_DAYS:
                raise ApplicationError("It can run for two years at most.", field="until")
        return {"times_per_week": n, "until": values.until}
    raise ApplicationError(
        "Choose when it is due: " + ", ".join(ScheduleKind.values) + ".", field="schedule"
    )


def assignment_create(
    *, client: Client, assigned_by: Membership, actor: User, values: AssignmentValues
) -> Assignment:
    """Set homework for a client (the caller has the client through the gate, for writing)."""
    ref, default_title = _tool_title(client=client, values=values)
    title = _text(values.title, field="title", limit=MAX_TITLE, what="a title") or default_title
    instructions = _text(
        values.instructions, field="instructions", limit=MAX_INSTRUCTIONS, what="instructions"
    )
    if values.tool_kind == ToolKind.CUSTOM and not instructions:
        raise ApplicationError("Say what the task is, in your words.", field="instructions")
    app_url = (values.app_url or "").strip()
    if app_url and (
        values.tool_kind != ToolKind.APP
        or not app_url.startswith(("https://", "http://"))
        or len(app_url) > 500
        or text_problem(app_url) is not None
        or any(c.isspace() for c in app_url)
    ):
        raise ApplicationError("Enter the app's web address, starting https://.", field="app_url")
    if values.reminder_time is not None and not values.reminder:
        raise ApplicationError("Turn the reminder on to give it a time.", field="reminder_time")
    schedule = _check_schedule(values=values, today=client_today(client))
    with transaction.atomic():
        assignment = Assignment.objects.create(
            practice_id=client.practice_id,
            client=client,
            tool_kind=values.tool_kind,
            tool_ref=ref,
            app_url=app_url,
            catalog_app_id=values.catalog_app_id if values.tool_kind == ToolKind.APP else None,
            title=title,
            instructions=instructions,
            schedule=values.schedule,
            starts_on=values.starts_on,
            reminder=values.reminder,
            reminder_time=values.reminder_time,
            assigned_by=assigned_by,
            created_by=actor,
            updated_by=actor,
            **schedule,
        )
        event_assignment_created(
            actor=actor,
            client=client,
            assignment_id=str(assignment.public_id),
            tool=values.tool_kind,
        )
    return assignment


def assignment_end(*, assignment: Assignment, actor: User) -> Assignment:
    """Stop the homework from today; what was recorded stays. Ending twice changes nothing."""
    if assignment.ended_at is not None:
        return assignment
    with transaction.atomic():
        assignment.ended_at = timezone.now()
        assignment.updated_by = actor
        assignment.save(update_fields=["ended_at", "updated_by", "updated_at"])
        event_assignment_changed(
            actor=actor,
            client=assignment.client,
            assignment_id=str(assignment.public_id),
            change="ended",
        )
    return assignment


def _check_occurrence(*, assignment: Assignment, day: date, status: str, today: date) -> None:
    s = schedule_of(assignment)
    if not is_occurrence(s, day):
        raise ApplicationError(
            f"{day.isoformat()} is not a day this homework is due.", field="occurrence"
        )
    # Doing it early is fine for a one-off (it is due by a date); a repeat is done on its day.
    if assignment.schedule != ScheduleKind.ONCE and day > today:
        raise ApplicationError("That day has not come yet.", field="occurrence")
    if assignment.ended_at is not None:
        ended_on = client_date(assignment.ended_at, assignment.client)
        if day > ended_on:
            raise ApplicationError("This homework had ended by then.", field="occurrence")
    if assignment.schedule == ScheduleKind.WEEKLY_COUNT and status == OccurrenceStatus.DONE:
        first = week_start(s, day)
        done = AssignmentOccurrence.objects.filter(
            assignment=assignment,
            due_on__gte=first,
            due_on__lte=first + timedelta(days=6),
            status=OccurrenceStatus.DONE,
        ).count()
        if done >= (assignment.times_per_week or 0):
            raise ApplicationError(
                f"This week's {assignment.times_per_week} times are already done. Well done!",
                field="occurrence",
            )


def assignment_complete(
    *,
    assignment: Assignment,
    occurrence: date,
    status: str,
    actor: User,
    reason: str = "",
    record_type: str = "",
    record_id: str = "",
    at: datetime | None = None,
) -> tuple[AssignmentOccurrence, bool]:
    """Record how one due day went. Returns (occurrence, changed).

    Idempotent: the same day again returns the stored row unchanged, except that "done" replaces
    an earlier "couldn't do it" (the client managed after all). The linked record must be the
    client's own.
    """
    if status not in OccurrenceStatus.values:
        raise ApplicationError("Status is done or not_possible.", field="status")
    reason = _text(reason, field="reason", limit=MAX_REASON, what="the reason")
    if status == OccurrenceStatus.DONE:
        reason = ""
    client = assignment.client
    if record_type or record_id:
        if record_type == ARTICLE_READ and assignment.tool_kind == ToolKind.ARTICLE:
            pass  # the article's slug; nothing of the client's to check
        elif record_type not in RECORD_TYPES:
            raise ApplicationError(
                "record.type is one of: " + ", ".join(RECORD_TYPES) + ".", field="record.type"
            )
        elif not record_exists(client=client, record_type=record_type, record_id=record_id):
            raise ApplicationError("No such record of yours.", field="record.id")
        if status != OccurrenceStatus.DONE:
            raise ApplicationError("Only done homework links a record.", field="record")
    at = at or timezone.now()
    existing = AssignmentOccurrence.objects.filter(assignment=assignment, due_on=occurrence).first()
    if existing is not None and (
        existing.status == OccurrenceStatus.DONE or existing.status == status
    ):
        return existing, False
    _check_occurrence(
        assignment=assignment, day=occurrence, status=status, today=client_today(client)
    )
    try:
        with transaction.atomic():
            if existing is None:
                row = AssignmentOccurrence(
                    practice_id=assignment.practice_id,
                    client=client,
                    assignment=assignment,
                    due_on=occurrence,
                    created_by=actor,
                )
            else:
                row = existing
            row.status = status
            row.completed_at = at
            row.reason = reason or None
            row.record_type = record_type
            row.record_id = str(record_id or "")
            row.updated_by = actor
            row.save()
            event_assignment_completed(
                actor=actor,
                client=client,
                assignment_id=str(assignment.public_id),
                occurrence=occurrence.isoformat(),
                status=status,
            )
    except IntegrityError:
        # The same day raced in from two taps; the other one stored it.
        return AssignmentOccurrence.objects.get(assignment=assignment, due_on=occurrence), False
    return row, True


def assignment_feedback_add(
    *, occurrence: AssignmentOccurrence, membership: Membership, actor: User, text: str
) -> AssignmentOccurrence:
    """The clinician's feedback on one recorded day; the client sees it. Replaces earlier
    feedback on the same day."""
    text = _text(text, field="feedback", limit=MAX_FEEDBACK, required=True, what="your feedback")
    with transaction.atomic():
        occurrence.feedback = text
        occurrence.feedback_at = timezone.now()
        occurrence.feedback_by = membership
        occurrence.updated_by = actor
        occurrence.save(
            update_fields=["feedback", "feedback_at", "feedback_by", "updated_by", "updated_at"]
        )
        event_assignment_feedback(
            actor=actor,
            client=occurrence.client,
            assignment_id=str(occurrence.assignment.public_id),
            occurrence=occurrence.due_on.isoformat(),
        )
    return occurrence


# --- "doing the tool completes the homework" (core.hooks) -----------------------------------------
def open_occurrence_for(*, assignment: Assignment, day: date, taken: set[date]) -> date | None:
    """The occurrence a tool done on `day` completes: a one-off not yet recorded (early or up to
    a week late); for a repeat, today's when it is due and open, else the most recent open one of
    the last week; for "N times a week", `day` itself while the week still needs one."""
    s = schedule_of(assignment)
    if assignment.schedule == ScheduleKind.ONCE:
        due = assignment.due_on
        if due is None or due in taken or day < assignment.starts_on:
            return None
        return due if (day - due).days <= OVERDUE_DAYS else None
    if assignment.schedule == ScheduleKind.WEEKLY_COUNT:
        if not is_occurrence(s, day) or day in taken:
            return None
        first = week_start(s, day)
        done = sum(1 for d in taken if first <= d <= first + timedelta(days=6))
        return day if done < (assignment.times_per_week or 0) else None
    days = occurrence_days(s, day - timedelta(days=OVERDUE_DAYS), day)
    if day in days:
        return None if day in taken else day
    for d in reversed(days):
        if d not in taken:
            return d
    return None


def homework_record_done(
    *, client: Client, kind: str, ref: str, record_type: str, record_id: str, at: datetime
) -> None:
    """Registered with core.hooks: complete the matching open homework, linking the record.

    One query, whether or not anything matches (the check-in path counts its queries): the
    open assignments with their recently done days joined on; runs inside the caller's
    transaction, so the record and the completed homework commit together.
    """
    refs = [ref] if kind != ToolKind.CHECKIN else [""]
    day = client_date(at, client)
    # A day marked "couldn't do it" can still be done: only done days are taken.
    rows = (
        Assignment.objects.filter(
            client=client,
            tool_kind=kind,
            tool_ref__in=refs,
            ended_at__isnull=True,
            starts_on__lte=day,
        )
        .annotate(
            done=FilteredRelation(
                "occurrences",
                condition=Q(
                    occurrences__status=OccurrenceStatus.DONE,
                    occurrences__due_on__gte=day - timedelta(days=2 * OVERDUE_DAYS),
                ),
            ),
            done_on=F("done__due_on"),
        )
        .order_by("starts_on", "pk")
    )
    candidates: dict[int, Assignment] = {}
    taken: dict[int, set[date]] = {}
    for row in rows:  # one row per done day (or one with none) of each assignment
        candidates.setdefault(row.pk, row)
        if row.done_on is not None:
            taken.setdefault(row.pk, set()).add(row.done_on)
    if not candidates:
        return
    user = client.user
    if user is None:
        return
    for assignment in candidates.values():
        assignment.client = client
        due = open_occurrence_for(
            assignment=assignment, day=day, taken=taken.get(assignment.pk, set())
        )
        if due is None:
            continue
        assignment_complete(
            assignment=assignment,
            occurrence=due,
            status=OccurrenceStatus.DONE,
            actor=user,
            record_type=record_type,
            record_id=record_id,
            at=at,
        )


def questionnaire_submitted(*, response: QuestionnaireResponse, **_: object) -> None:
    """Registered with measures' response hook: an answered questionnaire completes homework
    that asked for it. Paper forms the care team enters in a session are not homework."""
    if response.entered_by == EnteredBy.CLINICIAN:
        return
    homework_record_done(
        client=response.client,
        kind=ToolKind.QUESTIONNAIRE,
        ref=response.instrument_code,
        record_type="measures.response",
        record_id=str(response.public_id),
        at=response.submitted_at,
    )


# --- reminders (reminders.providers) --------------------------------------------------------------
def reminders_due(client_ids: Sequence[int], first: date, last: date) -> list[DueItem]:
    """Registered with the reminders planner: one item per due day in [first, last] of homework
    with its reminder on, except days already recorded. "N times a week" asks on the first day of
    each week (one nudge, not seven). Two queries."""
    assignments = list(
        Assignment.objects.filter(
            client_id__in=list(client_ids),
            reminder=True,
            ended_at__isnull=True,
            starts_on__lte=last,
        )
    )
    if not assignments:
        return []
    recorded = set(
        AssignmentOccurrence.objects.filter(
            assignment__in=assignments, due_on__gte=first, due_on__lte=last
        ).values_list("assignment_id", "due_on")
    )
    items: list[DueItem] = []
    for a in assignments:
        for day in occurrence_days(schedule_of(a), first, last):
            if (a.pk, day) not in recorded:
                items.append(
                    DueItem(client_id=a.client_id, local_date=day, wall_time=a.reminder_time)
                )
    return items
