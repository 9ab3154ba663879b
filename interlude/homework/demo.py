"""Demo homework: four assignments per demo client with about six weeks of history (some done,
some late, some missed, one "couldn't do it" with a reason, feedback on some), written through
the services like real use. Idempotent: a client who has homework is left alone."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from interlude.core.clock import client_date, client_today, client_zone
from interlude.exercises.models import RelaxationSession, ThoughtRecord
from interlude.homework.models import Assignment, OccurrenceStatus
from interlude.homework.schedule import occurrence_days
from interlude.homework.selectors import schedule_of
from interlude.homework.services import (
    AssignmentValues,
    assignment_complete,
    assignment_create,
    assignment_feedback_add,
)
from interlude.practices.models import Client, Membership
from interlude.tracking.models import CheckIn

HISTORY_DAYS = 42
FEEDBACK = [
    "Nice work spotting the thought before it ran away with you. Let's look at this one together.",
    "Three times this week: that's real practice. How did the longer breath-out feel?",
    "Thank you for sticking with the check-ins on a hard week. It helps us see the pattern.",
]


def _records_by_day(client: Client, model, field: str) -> dict[date, str]:
    found: dict[date, str] = {}
    for public_id, at in model.objects.filter(client=client).values_list("public_id", field):
        found.setdefault(client_date(at, client), str(public_id))
    return found


def seed_demo(
    *, client: Client, clinician_membership: Membership, now: datetime | None = None
) -> bool:
    """Give one demo client homework with a history. Returns False if they already have some."""
    user = client.user
    if user is None or Assignment.objects.filter(client=client).exists():
        return False
    now = now or timezone.now()
    today = client_today(client, now=now)
    start = today - timedelta(days=HISTORY_DAYS)
    rng = random.Random(f"interlude-demo-homework-{client.full_name}")  # nosec B311 # repeatable demo data
    clinician = clinician_membership.user
    zone = client_zone(client)

    def at(day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour, rng.randint(0, 59)), tzinfo=zone)

    with transaction.atomic():
        checkin = assignment_create(
            client=client,
            assigned_by=clinician_membership,
            actor=clinician,
            values=AssignmentValues(
                tool_kind="checkin",
                title="Evening check-in",
                instructions="A quick check-in each evening, before you start winding down. "
                "It only takes a minute, and it helps us both see how the week went.",
                starts_on=start,
                schedule="rrule",
                rrule="FREQ=DAILY",
                reminder=True,
                reminder_time=time(20, 0),
            ),
        )
        thought = assignment_create(
            client=client,
            assigned_by=clinician_membership,
            actor=clinician,
            values=AssignmentValues(
                tool_kind="worksheet",
                tool_ref="thought_record",
                instructions="On work days, when you notice the sinking feeling, catch the "
                "thought and take it through a thought record. One a day is plenty.",
                starts_on=start + timedelta(days=7),
                schedule="rrule",
                rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            ),
        )
        breathing = assignment_create(
            client=client,
            assigned_by=clinician_membership,
            actor=clinician,
            values=AssignmentValues(
                tool_kind="relaxation",
                tool_ref="paced",
                title="Slow breathing",
                instructions="Five minutes of slow breathing, three times a week, any days "
                "you like. Practise when you're calm so it's there when you need it.",
                starts_on=start,
                schedule="weekly_count",
                times_per_week=3,
            ),
        )
        article = assignment_create(
            client=client,
            assigned_by=clinician_membership,
            actor=clinician,
            values=AssignmentValues(
                tool_kind="article",
                tool_ref="thinking-traps",
                instructions="Read this before our next session and notice which traps sound "
                "familiar.",
                starts_on=start,
                schedule="once",
                due_on=start + timedelta(days=6),
            ),
        )

        checkins = _records_by_day(client, CheckIn, "recorded_at")
        records = _records_by_day(client, ThoughtRecord, "occurred_at")
        sessions = _records_by_day(client, RelaxationSession, "started_at")
        done_rows = []

        # The check-in routine: done on the days the client checked in, else mostly missed.
        for day in occurrence_days(schedule_of(checkin), start, today - timedelta(days=1)):
            if day in checkins:
                row, _ = assignment_complete(
                    assignment=checkin,
                    occurrence=day,
                    status=OccurrenceStatus.DONE,
                    actor=user,
                    record_type="tracking.checkin",
                    record_id=checkins[day],
                    at=at(day, 21),
                )
                done_rows.append(row)
            elif rng.random() < 0.4:
                done_rows.append(
                    assignment_complete(
                        assignment=checkin,
                        occurrence=day,
                        status=OccurrenceStatus.DONE,
                        actor=user,
                        at=at(day, 21),
                    )[0]
                )

        # Thought records on weekdays: about two thirds done, some a day late, one not possible.
        weekdays = occurrence_days(schedule_of(thought), thought.starts_on, today - timedelta(1))
        for i, day in enumerate(weekdays):
            if i == 4:
                assignment_complete(
                    assignment=thought,
                    occurrence=day,
                    status=OccurrenceStatus.NOT_POSSIBLE,
                    actor=user,
                    reason="Worked a double shift and got home too tired to think straight.",
                    at=at(day, 22),
                )
                continue
            roll = rng.random()
            if roll < 0.55:
                when = at(day, 19)
            elif roll < 0.7:
                when = at(day + timedelta(days=1), 8)  # the next morning: late
            else:
                continue  # missed
            record_id = records.get(day, "")
            done_rows.append(
                assignment_complete(
                    assignment=thought,
                    occurrence=day,
                    status=OccurrenceStatus.DONE,
                    actor=user,
                    record_type="exercises.thought_record" if record_id else "",
                    record_id=record_id,
                    at=when,
                )[0]
            )

        # Slow breathing, three times a week: 1 to 3 days each week.
        for week in occurrence_days(schedule_of(breathing), start, today - timedelta(days=7)):
            for offset in sorted(rng.sample(range(7), rng.choice([1, 2, 3, 3]))):
                day = week + timedelta(days=offset)
                record_id = sessions.get(day, "")
                done_rows.append(
                    assignment_complete(
                        assignment=breathing,
                        occurrence=day,
                        status=OccurrenceStatus.DONE,
                        actor=user,
                        record_type="exercises.relaxation_session" if record_id else "",
                        record_id=record_id,
                        at=at(day, 7),
                    )[0]
                )

        # The article, read two days after it was due.
        assert article.due_on is not None
        assignment_complete(
            assignment=article,
            occurrence=article.due_on,
            status=OccurrenceStatus.DONE,
            actor=user,
            record_type="exercises.article_read",
            record_id="thinking-traps",
            at=at(article.due_on + timedelta(days=2), 20),
        )

        # Feedback on a few recent ones (newest first, so the client sees it on Today).
        recent = sorted(done_rows, key=lambda o: o.due_on, reverse=True)
        picked = {o.assignment_id: o for o in reversed(recent[:15])}
        for text, row in zip(FEEDBACK, picked.values(), strict=False):
            assignment_feedback_add(
                occurrence=row, membership=clinician_membership, actor=clinician, text=text
            )
    return True
