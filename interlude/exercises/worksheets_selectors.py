"""Reads for the CBT worksheets and the journal.

Every function takes a `Client` that the caller already holds: the client's own profile
(`access_own_client`) or one returned by the gate (`access_client`), which authorised and
audited the read. Nothing here looks a client up. Each list is loaded with a fixed number of
queries, whatever its length.

Journal entries are private: the functions for the care team return only shared entries.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from interlude.core.errors import ApplicationError
from interlude.exercises.distortions import DISTORTIONS, Distortion
from interlude.exercises.models import (
    ActivityPlan,
    ExposurePractice,
    ExposureStep,
    JournalEntry,
    LifeArea,
    SleepDiaryEntry,
    ThoughtRecord,
)
from interlude.exercises.schemas import SLEEP_QUALITY_LABELS, ThoughtRecordContent
from interlude.exercises.sleep import (
    SleepAverages,
    SleepDerived,
    format_minutes_short,
    sleep_averages,
    sleep_derived,
)
from interlude.practices.models import Client

SLEEP_NIGHTS = 14
CLINICIAN_THOUGHT_RECORDS = 10


def client_local_today(*, client: Client) -> date:
    return timezone.localdate(timezone=ZoneInfo(client.time_zone))


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _get(queryset: Any, *, client: Client, public_id: uuid.UUID | str) -> Any:
    """One row of this client's, by public id; anything else is a 404."""
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404 from None
    row = queryset.filter(client=client, public_id=public_id).first()
    if row is None:
        raise Http404
    return row


# --- thought records -----------------------------------------------------------------------------
@dataclass(frozen=True)
class EmotionChange:
    label: str
    before: int | None
    after: int | None

    @property
    def text(self) -> str:
        """'Anxious 80 → 45' (or 'Anxious 80' before it is re-rated)."""
        if self.after is None:
            return f"{self.label} {self.before if self.before is not None else '-'}"
        return f"{self.label} {self.before} → {self.after}"

    @property
    def difference(self) -> int | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass(frozen=True)
class ThoughtRecordView:
    record: ThoughtRecord
    content: ThoughtRecordContent
    distortions: list[Distortion] = field(default_factory=list)

    @property
    def changes(self) -> list[EmotionChange]:
        return [EmotionChange(*c) for c in self.content.emotion_changes()]

    @property
    def hot_thought(self) -> str:
        hot = self.content.hot_thought
        return hot.text if hot else ""

    @property
    def belief_change(self) -> str:
        """'90 → 40' for the hot thought, or '' when not both rated."""
        r = self.record
        if r.belief_before is None or r.belief_after is None:
            return ""
        return f"{r.belief_before} → {r.belief_after}"


def thought_record_view(record: ThoughtRecord) -> ThoughtRecordView:
    codes = set(record.distortions or [])
    return ThoughtRecordView(
        record=record,
        content=ThoughtRecordContent.from_stored(record.content),
        distortions=[d for d in DISTORTIONS if d.code in codes],
    )


def thought_record_rows(
    *, client: Client, complete_only: bool = False, limit: int | None = None
) -> list[ThoughtRecordView]:
    """Newest first (by when the situation happened). One query."""
    queryset = ThoughtRecord.objects.filter(client=client).order_by("-occurred_at", "-id")
    if complete_only:
        queryset = queryset.filter(is_complete=True)
    if limit is not None:
        queryset = queryset[:limit]
    return [thought_record_view(r) for r in queryset]


def thought_record_get(*, client: Client, record_id: uuid.UUID | str) -> ThoughtRecord:
    return _get(ThoughtRecord.objects.all(), client=client, public_id=record_id)


# --- behavioural activation ----------------------------------------------------------------------
@dataclass(frozen=True)
class ActivityDay:
    day: date
    activities: list[ActivityPlan]
    is_today: bool = False


@dataclass(frozen=True)
class ActivityWeek:
    start: date  # a Monday
    days: list[ActivityDay]
    planned: int
    done: int
    not_done: int
    not_logged: int

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    @property
    def previous_start(self) -> date:
        return self.start - timedelta(days=7)

    @property
    def next_start(self) -> date:
        return self.start + timedelta(days=7)

    @property
    def completion_rate(self) -> int | None:
        """Percent of planned activities done, rounded; None with nothing planned."""
        if not self.planned:
            return None
        return (200 * self.done + self.planned) // (2 * self.planned)

    @property
    def summary(self) -> str:
        """'4 of 6 planned activities done' — the week's completion in words."""
        if not self.planned:
            return "No activities planned for this week yet."
        noun = "activity" if self.planned == 1 else "activities"
        return f"{self.done} of {self.planned} planned {noun} done"


def activity_week(*, client: Client, start: date, today: date | None = None) -> ActivityWeek:
    """Monday to Sunday from `start` (moved back to its Monday). One query."""
    start = monday_of(start)
    end = start + timedelta(days=6)
    activities = list(
        ActivityPlan.objects.filter(
            client=client, planned_for__gte=start, planned_for__lte=end
        ).order_by("planned_for", "planned_time", "created_at")
    )
    by_day: dict[date, list[ActivityPlan]] = {start + timedelta(days=i): [] for i in range(7)}
    for activity in activities:
        by_day[activity.planned_for].append(activity)
    return ActivityWeek(
        start=start,
        days=[ActivityDay(day=d, activities=a, is_today=d == today) for d, a in by_day.items()],
        planned=len(activities),
        done=sum(1 for a in activities if a.done is True),
        not_done=sum(1 for a in activities if a.done is False),
        not_logged=sum(1 for a in activities if a.done is None),
    )


def activity_get(*, client: Client, activity_id: uuid.UUID | str) -> ActivityPlan:
    return _get(ActivityPlan.objects.all(), client=client, public_id=activity_id)


def life_area_label(code: str) -> str:
    return str(LifeArea(code).label)


# --- exposure ------------------------------------------------------------------------------------
def exposure_steps(*, client: Client, include_archived: bool = False) -> list[ExposureStep]:
    """The hierarchy, lowest anticipated distress first, each with its practices (newest first).

    Two queries.
    """
    queryset = ExposureStep.objects.filter(client=client)
    if not include_archived:
        queryset = queryset.filter(is_archived=False)
    return list(
        queryset.order_by("suds_anticipated", "created_at").prefetch_related(
            Prefetch(
                "practices",
                queryset=ExposurePractice.objects.order_by("-practiced_at", "-id"),
            )
        )
    )


def exposure_step_get(*, client: Client, step_id: uuid.UUID | str) -> ExposureStep:
    queryset = ExposureStep.objects.prefetch_related(
        Prefetch("practices", queryset=ExposurePractice.objects.order_by("-practiced_at", "-id"))
    )
    return _get(queryset, client=client, public_id=step_id)


# --- sleep diary ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class SleepRow:
    entry: SleepDiaryEntry
    derived: SleepDerived | None  # None only for a stored entry that cannot describe a night

    @property
    def quality_label(self) -> str:
        return SLEEP_QUALITY_LABELS.get(self.entry.quality, "")

    @property
    def time_in_bed(self) -> str:
        return format_minutes_short(self.derived.time_in_bed) if self.derived else "-"

    @property
    def total_sleep(self) -> str:
        return format_minutes_short(self.derived.total_sleep_time) if self.derived else "-"


@dataclass(frozen=True)
class SleepTable:
    rows: list[SleepRow]
    averages: SleepAverages
    first_night: date
    last_night: date

    @property
    def average_time_in_bed(self) -> str:
        return format_minutes_short(self.averages.time_in_bed)

    @property
    def average_total_sleep(self) -> str:
        return format_minutes_short(self.averages.total_sleep_time)


def sleep_row(entry: SleepDiaryEntry) -> SleepRow:
    try:
        derived: SleepDerived | None = sleep_derived(
            into_bed=entry.into_bed,
            tried_to_sleep=entry.tried_to_sleep,
            minutes_to_fall_asleep=entry.minutes_to_fall_asleep,
            minutes_awake_after_onset=entry.minutes_awake_after_onset,
            final_awakening=entry.final_awakening,
            out_of_bed=entry.out_of_bed,
        )
    except ApplicationError:
        derived = None
    return SleepRow(entry=entry, derived=derived)


def sleep_diary_table(*, client: Client, today: date, nights: int = SLEEP_NIGHTS) -> SleepTable:
    """The last `nights` nights (those that began from `today - nights` up to last night),
    newest first, plus a night that began today if there is one (sleep after a night shift).
    One query."""
    first = today - timedelta(days=nights)
    entries = SleepDiaryEntry.objects.filter(
        client=client, night_of__gte=first, night_of__lte=today
    ).order_by("-night_of")
    rows = [sleep_row(e) for e in entries]
    return SleepTable(
        rows=rows,
        averages=sleep_averages([r.derived for r in rows if r.derived is not None]),
        first_night=first,
        last_night=today,
    )


def sleep_entry_get(*, client: Client, entry_id: uuid.UUID | str) -> SleepDiaryEntry:
    return _get(SleepDiaryEntry.objects.all(), client=client, public_id=entry_id)


# --- journal -------------------------------------------------------------------------------------
def journal_entries(*, client: Client) -> list[JournalEntry]:
    """All of the client's own entries, newest first (for the client only). One query."""
    return list(JournalEntry.objects.filter(client=client).order_by("-written_at", "-id"))


def journal_entry_get(*, client: Client, entry_id: uuid.UUID | str) -> JournalEntry:
    return _get(JournalEntry.objects.all(), client=client, public_id=entry_id)


def journal_entries_shared(*, client: Client, limit: int | None = None) -> list[JournalEntry]:
    """Only the entries the client chose to share, newest first. One query."""
    queryset = JournalEntry.objects.filter(client=client, shared_at__isnull=False).order_by(
        "-written_at", "-id"
    )
    return list(queryset[:limit] if limit is not None else queryset)


# --- the care team's view ------------------------------------------------------------------------
def worksheets_for_clinician(*, client: Client, week_start: date | None = None) -> dict[str, Any]:
    """Everything the worksheets page shows the care team, for a client the gate returned.

    Fixed number of queries: thought records, the activation week, exposure steps and their
    practices, the sleep diary, and shared journal entries.
    """
    today = client_local_today(client=client)
    return {
        "thought_records": thought_record_rows(
            client=client, complete_only=True, limit=CLINICIAN_THOUGHT_RECORDS
        ),
        "week": activity_week(client=client, start=week_start or today, today=today),
        "exposure_steps": exposure_steps(client=client),
        "sleep": sleep_diary_table(client=client, today=today),
        "journal_entries": journal_entries_shared(client=client),
        "today": today,
    }


def worksheets_summary_for_clinician(*, client: Client) -> dict[str, Any]:
    """Counts and latest items for the client record page (for a client the gate returned).

    Seven small queries whatever the amount of data. Numbers and dates only, no worksheet text.
    """
    today = client_local_today(client=client)
    start = monday_of(today)
    thought_counts = ThoughtRecord.objects.filter(client=client).aggregate(
        complete=Count("id", filter=Q(is_complete=True))
    )
    latest_record = (
        ThoughtRecord.objects.filter(client=client, is_complete=True)
        .order_by("-occurred_at", "-id")
        .only(
            "public_id",
            "occurred_at",
            "belief_before",
            "belief_after",
            "emotion_before",
            "emotion_after",
        )
        .first()
    )
    week = ActivityPlan.objects.filter(
        client=client, planned_for__gte=start, planned_for__lte=start + timedelta(days=6)
    ).aggregate(planned=Count("id"), done=Count("id", filter=Q(done=True)))
    exposure = ExposureStep.objects.filter(client=client, is_archived=False).aggregate(
        steps=Count("id", distinct=True), practices=Count("practices", distinct=True)
    )
    sleep_entries = list(
        SleepDiaryEntry.objects.filter(
            client=client, night_of__gte=today - timedelta(days=SLEEP_NIGHTS)
        ).order_by("-night_of")
    )
    sleep_rows = [sleep_row(e) for e in sleep_entries]
    journal = JournalEntry.objects.filter(client=client, shared_at__isnull=False).aggregate(
        shared=Count("id")
    )
    latest_shared = (
        JournalEntry.objects.filter(client=client, shared_at__isnull=False)
        .order_by("-written_at")
        .values_list("written_at", flat=True)
        .first()
    )
    planned, done = week["planned"], week["done"]
    return {
        "client": client,
        "thought_records_complete": thought_counts["complete"],
        "latest_thought_record": latest_record,
        "week_start": start,
        "week_planned": planned,
        "week_done": done,
        "week_summary": ActivityWeek(
            start=start, days=[], planned=planned, done=done, not_done=0, not_logged=0
        ).summary,
        "exposure_steps": exposure["steps"],
        "exposure_practices": exposure["practices"],
        "sleep_nights": len(sleep_rows),
        "sleep_averages": sleep_averages([r.derived for r in sleep_rows if r.derived]),
        "journal_shared": journal["shared"],
        "journal_latest_shared_at": latest_shared,
    }
