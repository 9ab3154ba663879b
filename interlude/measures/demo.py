"""Questionnaires, schedules and weekly sessions for the demo clients (never in production).

Every answer set goes through `response_submit` with a past `submitted_at`, so totals, bands,
reliable change, on-track ratings and alerts are computed exactly as for a real client. Sessions go
through `appointment_create`, schedules through `schedule_create`. Deterministic (item answers come
from a seeded generator; dates are relative to today in the client's time zone) and idempotent:
skipped for a client who has any answer set already.

The stories, with the shipped thresholds (PHQ-9: reliable change 6, clinical 10 or more; GAD-7: 4
and 8 or more; WHO-5: 10 on the 0-100 total and 50 or less):
- Jordan (improving, 120 days): PHQ-9 every 14 days 17 -> 7 (reliably improved at 11, recovered
  from 9), GAD-7 14 -> 6, WHO-5 monthly 28 -> 60 with the next one due today; weekly sessions, the
  next in 2 days.
- Sam (struggling, 63 days): PHQ-9 12 -> 18, reliably worse (not on track), and the latest, from
  yesterday evening, endorses item 9 (a critical alert, left open for the demo); GAD-7 flat at
  15-16; a one-off WHO-5 that was never answered (overdue); weekly sessions, one missed, the next
  tomorrow.
- Priya (new, 9 days): PHQ-9, GAD-7 and an intake PCL-5 at her first session.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Max
from django.utils import timezone

from interlude.care.models import Appointment, AppointmentStatus
from interlude.care.services import appointment_create, appointment_set_status
from interlude.measures.instruments import InstrumentDefinition
from interlude.measures.models import Frequency, QuestionnaireResponse
from interlude.measures.selectors import instrument_definitions
from interlude.measures.services import response_submit, schedule_create
from interlude.practices.models import Client, Membership


@dataclass(frozen=True)
class Series:
    """One instrument answered every `interval_days` from `first_days_ago`, oldest first."""

    code: str
    first_days_ago: int
    interval_days: int | None  # None: asked once
    totals: tuple[int, ...]  # reported totals (WHO-5 on its 0-100 scale)
    critical_last: bool = False  # the last answer endorses the risk item (PHQ-9 item 9 = 1)


@dataclass(frozen=True)
class Sessions:
    next_in_days: int  # the next (scheduled) session, days from today
    first_days_ago: int  # no session earlier than this
    missed_days_ago: tuple[int, ...] = ()  # past sessions the client did not attend
    every_days: int = 7
    hour: int = 10


@dataclass(frozen=True)
class MeasuresStory:
    series: tuple[Series, ...]
    sessions: Sessions
    unanswered_once: tuple[tuple[str, int], ...] = ()  # (code, days ago) asked once, never done


def _every(first: int, step: int, totals: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(first - step * n for n in range(len(totals)))


STORIES: dict[str, MeasuresStory] = {
    "improving": MeasuresStory(
        series=(
            Series("phq9", 120, 14, (17, 16, 14, 12, 11, 10, 9, 8, 7)),
            Series("gad7", 120, 14, (14, 13, 12, 11, 10, 9, 8, 7, 6)),
            Series("who5", 120, 30, (28, 40, 52, 60)),  # the fifth is due today
        ),
        sessions=Sessions(next_in_days=2, first_days_ago=119),
    ),
    "struggling": MeasuresStory(
        series=(
            Series("phq9", 57, 14, (12, 13, 15, 17, 18), critical_last=True),
            Series("gad7", 57, 14, (15, 16, 15, 16, 16)),
        ),
        sessions=Sessions(next_in_days=1, first_days_ago=62, missed_days_ago=(20,)),
        unanswered_once=(("who5", 9),),
    ),
    "new": MeasuresStory(
        series=(
            Series("phq9", 9, 14, (14,)),
            Series("gad7", 9, 14, (13,)),
            Series("pcl5", 9, None, (38,)),
        ),
        sessions=Sessions(next_in_days=5, first_days_ago=9),
    ),
}


def _item_answers(
    definition: InstrumentDefinition, total: int, rng: random.Random, *, critical: bool
) -> list[int | None]:
    """Item answers that add up to `total` (reported), risk items 0 unless `critical`."""
    items = definition.items
    raw_target = round(total / definition.multiplier)
    pinned = {
        c.item: c.above + 1 if critical else items[c.item - 1].min_value
        for c in definition.critical_items
    }
    scores = {i.number: pinned.get(i.number, i.min_value) for i in items}
    left = raw_target - sum(scores.values())
    free = [i for i in items if i.number not in pinned]
    if left < 0 or left > sum(i.max_value - i.min_value for i in free):
        raise ValueError(f"{definition.code}: cannot make a total of {total}.")
    while left:
        item = rng.choice([i for i in free if scores[i.number] < i.max_value])
        scores[item.number] += 1
        left -= 1
    # Scores are after reverse scoring; the stored answers are as the client gave them.
    return [
        i.max_value + i.min_value - scores[i.number] if i.reverse else scores[i.number]
        for i in items
    ]


def _local(zone: ZoneInfo, day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=zone)


def demo_measures(*, client: Client, story: str) -> int:
    """Answer sets, schedules and sessions for one demo client. Returns how many answer sets were
    created (0 when the client has any already, or no account)."""
    plan = STORIES.get(story)
    user = client.user
    if plan is None or user is None:
        return 0
    if QuestionnaireResponse.objects.filter(client=client).exists():
        return 0
    team = client.care_team.select_related("membership__user").first()
    if team is None:
        return 0
    clinician: Membership = team.membership
    therapist = clinician.user
    definitions = instrument_definitions(practice=client.practice)
    zone = ZoneInfo(client.time_zone)
    today = timezone.localdate(timezone=zone)

    def day(days_ago: int) -> date:
        return today - timedelta(days=days_ago)

    # Schedules first, as the clinician set them up at the first session: each occasion opens the
    # evening before, so today's occasion is open whatever the time of day.
    for series in plan.series:
        schedule_create(
            actor=therapist,
            client=client,
            instrument_code=series.code,
            frequency=Frequency.EVERY_N_DAYS if series.interval_days else Frequency.ONCE,
            interval_days=series.interval_days,
            starts_at=_local(zone, day(series.first_days_ago + 1), time(22, 0)),
        )
    for code, days_ago in plan.unanswered_once:
        schedule_create(
            actor=therapist,
            client=client,
            instrument_code=code,
            frequency=Frequency.ONCE,
            starts_at=_local(zone, day(days_ago), time(9, 0)),
        )

    answers: list[tuple[datetime, Series, int, int]] = []
    for series in plan.series:
        step = series.interval_days or 0
        for n, days_ago in enumerate(_every(series.first_days_ago, step, series.totals)):
            # Answered in the evening; minutes differ by instrument so the order is stable.
            when = _local(zone, day(days_ago), time(19, 5 + 10 * plan.series.index(series)))
            answers.append((when, series, n, series.totals[n]))
    created = 0
    for when, series, n, total in sorted(answers, key=lambda a: a[0]):
        definition = definitions[series.code]
        critical = series.critical_last and n == len(series.totals) - 1
        rng = random.Random(f"interlude-demo-measures-{client.full_name}-{series.code}-{n}")  # nosec B311 # demo data
        _response, new = response_submit(
            client=client,
            actor=user,
            instrument_code=series.code,
            answers=_item_answers(definition, total, rng, critical=critical),
            idempotency_key=f"demo-{series.code}-{n}",
            submitted_at=when,
        )
        created += int(new)

    _demo_sessions(client=client, clinician=clinician, plan=plan.sessions, zone=zone, today=today)

    # Answering moves "last active" to now; the demo's last activity is its latest entry.
    from interlude.tracking.models import CheckIn

    latest = [
        CheckIn.objects.filter(client=client).aggregate(last=Max("recorded_at"))["last"],
        QuestionnaireResponse.objects.filter(client=client).aggregate(last=Max("submitted_at"))[
            "last"
        ],
    ]
    Client.objects.filter(pk=client.pk).update(
        last_activity_at=max(t for t in latest if t is not None)
    )
    return created


def _demo_sessions(
    *, client: Client, clinician: Membership, plan: Sessions, zone: ZoneInfo, today: date
) -> None:
    if Appointment.objects.filter(client=client).exists():
        return
    actor = clinician.user
    offset = plan.next_in_days
    now = timezone.now()
    while -offset <= plan.first_days_ago:
        starts_at = _local(zone, today + timedelta(days=offset), time(plan.hour, 0))
        appointment = appointment_create(
            actor=actor, client=client, clinician=clinician, starts_at=starts_at
        )
        if starts_at < now:
            status = (
                AppointmentStatus.MISSED
                if -offset in plan.missed_days_ago
                else AppointmentStatus.ATTENDED
            )
            appointment_set_status(actor=actor, appointment=appointment, status=status)
        offset -= plan.every_days
