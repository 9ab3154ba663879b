"""Reads of homework: what is due, and how it went (adherence).

"Late" (done after its due day) and "missed" (the due day passed with nothing recorded) are worked
out here from dates, when read; no clock job marks anything. A due day more than OVERDUE_DAYS old
is no longer offered as overdue: it stays missed in the adherence numbers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from django.db.models import Prefetch, Q, QuerySet

from interlude.consents.access import CareAccess, Category
from interlude.core.clock import UTC, client_date
from interlude.homework.models import (
    Assignment,
    AssignmentOccurrence,
    OccurrenceStatus,
    ScheduleKind,
)
from interlude.homework.schedule import Schedule, occurrence_days, week_start
from interlude.practices.models import Client

OVERDUE_DAYS = 7
UPCOMING_DAYS = 7

DueStatus = Literal["overdue", "due", "upcoming", "done", "missed", "ended"]


def schedule_of(a: Assignment) -> Schedule:
    return Schedule(
        schedule=a.schedule,
        starts_on=a.starts_on,
        due_on=a.due_on,
        rrule=a.rrule,
        times_per_week=a.times_per_week,
        until=a.until,
    )


def ended_on(a: Assignment) -> date | None:
    """The client's day the homework ended (it still counts that day), or None."""
    return client_date(a.ended_at, a.client) if a.ended_at else None


# --- what is due --------------------------------------------------------------------------------
@dataclass
class DueEntry:
    assignment: Assignment
    due_on: date
    status: DueStatus
    done_this_week: int = 0  # "N times a week": how many so far this week
    needed: int = 0

    @property
    def rank(self) -> int:
        return {"overdue": 0, "due": 1, "upcoming": 2, "done": 3, "missed": 4, "ended": 5}[
            self.status
        ]


def _with_occurrences(qs: QuerySet[Assignment], since: date) -> QuerySet[Assignment]:
    return qs.prefetch_related(
        Prefetch(
            "occurrences",
            queryset=AssignmentOccurrence.objects.filter(
                Q(due_on__gte=since) | Q(assignment__schedule=ScheduleKind.ONCE)
            ).select_related("feedback_by__user"),
            to_attr="recent",
        )
    )


def due_entry(a: Assignment, today: date) -> DueEntry:
    """Where one assignment stands today: its next open due day and its status. Needs
    `a.recent` (occurrences since a week ago, from `_with_occurrences`)."""
    s = schedule_of(a)
    rows: dict[date, AssignmentOccurrence] = {o.due_on: o for o in getattr(a, "recent", [])}
    end = ended_on(a)
    if end is not None and end < today:
        return DueEntry(a, end, "ended")
    if a.schedule == ScheduleKind.ONCE:
        assert a.due_on is not None
        if a.due_on in rows:
            return DueEntry(a, a.due_on, "done")
        if a.due_on > today:
            # Open from its start to its due day: the client can do it now ("due", by `due_on`).
            return DueEntry(a, a.due_on, "due" if a.starts_on <= today else "upcoming")
        if a.due_on == today:
            return DueEntry(a, a.due_on, "due")
        if (today - a.due_on).days <= OVERDUE_DAYS:
            return DueEntry(a, a.due_on, "overdue")
        return DueEntry(a, a.due_on, "missed")
    if a.schedule == ScheduleKind.WEEKLY_COUNT:
        if today < a.starts_on:
            return DueEntry(a, a.starts_on, "upcoming")
        if a.until is not None and today > a.until:
            return DueEntry(a, a.until, "ended")
        first = week_start(s, today)
        last = first + timedelta(days=6)
        if a.until is not None:
            last = min(last, a.until)
        needed = a.times_per_week or 0
        done = sum(
            1 for d, o in rows.items() if first <= d <= last and o.status == OccurrenceStatus.DONE
        )
        if done >= needed or today in rows:
            status: DueStatus = "done"
        else:
            status = "due"
        return DueEntry(a, last, status, done_this_week=done, needed=needed)
    days = occurrence_days(s, today - timedelta(days=OVERDUE_DAYS), today)
    if today in days:
        return DueEntry(a, today, "done" if today in rows else "due")
    for d in reversed(days):
        if d not in rows:
            return DueEntry(a, d, "overdue")
        break  # the most recent due day was recorded: nothing is overdue
    ahead = occurrence_days(s, today + timedelta(days=1), today + timedelta(days=60))
    if ahead:
        return DueEntry(a, ahead[0], "upcoming")
    return DueEntry(a, days[-1] if days else a.starts_on, "ended")


def assignment_list_for_client(*, client: Client, today: date) -> list[DueEntry]:
    """Every homework of the client that is running (or ended in the last week), with where it
    stands today, most urgent first. Two queries."""
    week_ago = today - timedelta(days=2 * OVERDUE_DAYS)
    qs = Assignment.objects.filter(client=client).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=_instant(week_ago))
    )
    entries = []
    for a in _with_occurrences(qs.select_related("client"), week_ago):
        entries.append(due_entry(a, today))
    entries.sort(key=lambda e: (e.rank, e.due_on, e.assignment.starts_on, e.assignment.pk))
    return entries


def _instant(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


def assignments_due_for_client(*, client: Client, today: date) -> list[DueEntry]:
    """What is to do now: overdue first (oldest first), then what is due today, then one-offs
    open until a later due day (earliest first)."""
    return [e for e in assignment_list_for_client(client=client, today=today) if e.rank <= 1]


def assignment_get_own(*, client: Client, public_id: uuid.UUID | str) -> Assignment | None:
    try:
        return Assignment.objects.select_related("client").get(client=client, public_id=public_id)
    except (Assignment.DoesNotExist, ValueError):
        return None


def assignment_get_for_care(*, access: CareAccess, public_id: uuid.UUID | str) -> Assignment | None:
    try:
        return (
            access.scope(Assignment.objects.all(), Category.HOMEWORK)
            .select_related("client")
            .get(public_id=public_id)
        )
    except (Assignment.DoesNotExist, ValueError):
        return None


def feedback_recent(*, client: Client, since: datetime) -> list[AssignmentOccurrence]:
    """Feedback the care team left since `since`, newest first (the client's own view)."""
    return list(
        AssignmentOccurrence.objects.filter(client=client, feedback_at__gte=since)
        .select_related("assignment", "feedback_by__user")
        .order_by("-feedback_at")
    )


# --- adherence ----------------------------------------------------------------------------------
@dataclass
class Adherence:
    done: int = 0  # on time
    late: int = 0  # done after its due day
    missed: int = 0
    not_possible: int = 0
    pending: int = 0  # due today, nothing yet (not counted in n)
    details: list[tuple[date, str]] = field(default_factory=list)

    @property
    def n(self) -> int:
        return self.done + self.late + self.missed + self.not_possible

    @property
    def completed(self) -> int:
        return self.done + self.late

    @property
    def percent(self) -> int | None:
        return round(100 * self.completed / self.n) if self.n else None

    def add(self, other: Adherence) -> None:
        self.done += other.done
        self.late += other.late
        self.missed += other.missed
        self.not_possible += other.not_possible
        self.pending += other.pending


def adherence_of(
    a: Assignment,
    occurrences: list[AssignmentOccurrence],
    *,
    today: date,
    since: date | None = None,
) -> Adherence:
    """Adherence of one assignment over due days from `since` (or its start) to today."""
    s = schedule_of(a)
    result = Adherence()
    first = max(a.starts_on, since) if since else a.starts_on
    last = today
    end = ended_on(a)
    if end is not None:
        last = min(last, end)
    rows = {o.due_on: o for o in occurrences}
    zone_client = a.client

    def is_late(o: AssignmentOccurrence) -> bool:
        return client_date(o.completed_at, zone_client) > o.due_on

    if a.schedule == ScheduleKind.WEEKLY_COUNT:
        n_week = a.times_per_week or 0
        for w in occurrence_days(s, week_start(s, first), last):
            if w + timedelta(days=6) < first:
                continue
            w_end = w + timedelta(days=6)
            if a.until is not None:
                w_end = min(w_end, a.until)
            in_week = [o for d, o in rows.items() if w <= d <= w_end]
            done = min(n_week, sum(1 for o in in_week if o.status == OccurrenceStatus.DONE))
            np = min(n_week - done, sum(1 for o in in_week if o.status != OccurrenceStatus.DONE))
            result.done += done
            result.not_possible += np
            if w_end < today and (end is None or w_end <= end):
                result.missed += n_week - done - np
            else:
                result.pending += n_week - done - np
        return result
    if a.schedule == ScheduleKind.ONCE:
        days = [a.due_on] if a.due_on and a.due_on >= first else []
    else:
        days = occurrence_days(s, first, last)
    for d in days:
        o = rows.get(d)
        if o is None:
            if d < today:
                result.missed += 1
                result.details.append((d, "missed"))
            else:
                result.pending += 1
        elif o.status == OccurrenceStatus.NOT_POSSIBLE:
            result.not_possible += 1
            result.details.append((d, "not_possible"))
        elif is_late(o):
            result.late += 1
            result.details.append((d, "late"))
        else:
            result.done += 1
            result.details.append((d, "done"))
    return result


@dataclass
class AssignmentReport:
    assignment: Assignment
    adherence: Adherence
    occurrences: list[AssignmentOccurrence]


def _reports(
    qs: QuerySet[Assignment], *, today: date, since: date | None
) -> list[AssignmentReport]:
    occ_qs = AssignmentOccurrence.objects.select_related("feedback_by__user").order_by("-due_on")
    if since is not None:
        occ_qs = occ_qs.filter(due_on__gte=since)
    items = qs.select_related("client", "assigned_by__user").prefetch_related(
        Prefetch("occurrences", queryset=occ_qs, to_attr="all_occurrences")
    )
    return [
        AssignmentReport(
            assignment=a,
            adherence=adherence_of(a, a.all_occurrences, today=today, since=since),
            occurrences=a.all_occurrences,
        )
        for a in items
    ]


def adherence_for_assignment(*, assignment: Assignment, today: date) -> Adherence:
    occurrences = list(assignment.occurrences.all())
    return adherence_of(assignment, occurrences, today=today)


def assignment_reports(
    *, access: CareAccess, today: date, since: date | None = None
) -> list[AssignmentReport]:
    """Every homework of the client with its adherence, newest first. Three queries."""
    qs = access.scope(Assignment.objects.all(), Category.HOMEWORK).order_by("-starts_on", "-pk")
    if since is not None:
        qs = qs.filter(Q(ended_at__isnull=True) | Q(ended_at__gte=_instant(since)))
    return _reports(qs, today=today, since=since)


def adherence_total(reports: list[AssignmentReport]) -> Adherence:
    total = Adherence()
    for r in reports:
        total.add(r.adherence)
    return total


def adherence_for_client(
    *, access: CareAccess, today: date, since: date | None = None
) -> Adherence:
    """Adherence over every homework of the client (from `since` when given)."""
    return adherence_total(assignment_reports(access=access, today=today, since=since))
