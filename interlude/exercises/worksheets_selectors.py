"""Reads for the CBT worksheets and the journal.

The client's own reads take the `Client` from `access_own_client`. What the care team sees
takes the gate's `CareAccess` and reads through `access.scope(...)`: whether worksheets or the
journal are shared, and which journal entries are, is decided by the gate (consents.rules),
never here. A category the viewer is not shown comes back as a `NotShared` marker, never as an
empty list. Nothing here looks a client up. Each list is loaded with a fixed number of queries,
whatever its length.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from interlude.consents.access import CareAccess, Category
from interlude.consents.markers import NotShared, not_shared_marker
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
    return _thought_record_rows(
        ThoughtRecord.objects.filter(client=client), complete_only=complete_only, limit=limit
    )


def _thought_record_rows(
    queryset: QuerySet[ThoughtRecord], *, complete_only: bool, limit: int | None
) -> list[ThoughtRecordView]:
    queryset = queryset.order_by("-occurred_at", "-id")
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
    return _activity_week(ActivityPlan.objects.filter(client=client), start=start, today=today)


def _activity_week(
    queryset: QuerySet[ActivityPlan], *, start: date, today: date | None
) -> ActivityWeek:
    start = monday_of(start)
    end = start + timedelta(days=6)
    activities = list(
        queryset.filter(planned_for__gte=start, planned_for__lte=end).order_by(
            "planned_for", "planned_time", "created_at"
        )
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
    return _exposure_steps(
        ExposureStep.objects.filter(client=client), include_archived=include_archived
    )


def _exposure_steps(
    queryset: QuerySet[ExposureStep], *, include_archived: bool
) -> list[ExposureStep]:
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
    return _sleep_diary_table(
        SleepDiaryEntry.objects.filter(client=client), today=today, nights=nights
    )


def _sleep_diary_table(
    queryset: QuerySet[SleepDiaryEntry], *, today: date, nights: int
) -> SleepTable:
    first = today - timedelta(days=nights)
    entries = queryset.filter(night_of__gte=first, night_of__lte=today).order_by("-night_of")
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


def journal_entries_shared(
    *, access: CareAccess, limit: int | None = None
) -> list[JournalEntry] | NotShared:
    """The entries this viewer is shown (the journal category and each entry's own switch, as
    the gate decides), newest first, in one query; a `NotShared` marker when the journal is not
    shared with them."""
    hidden = not_shared_marker(access=access, category=Category.JOURNAL)
    if hidden is not None:
        return hidden
    queryset = access.scope(JournalEntry.objects.all(), Category.JOURNAL).order_by(
        "-written_at", "-id"
    )
    return list(queryset[:limit] if limit is not None else queryset)


# --- the care team's view ------------------------------------------------------------------------
def worksheets_for_clinician(
    *, access: CareAccess, week_start: date | None = None
) -> dict[str, Any]:
    """Everything the worksheets page shows the care team, for the viewer the gate returned.

    Each section is its content, or a `NotShared` marker when the viewer is not shown its
    category (worksheets; the journal). Fixed number of queries: thought records, the activation
    week, exposure steps and their practices, the sleep diary, and shared journal entries.
    """
    client = access.client
    today = client_local_today(client=client)
    hidden = not_shared_marker(access=access, category=Category.WORKSHEETS)
    sections: dict[str, Any]
    if hidden is not None:
        sections = dict.fromkeys(("thought_records", "week", "exposure_steps", "sleep"), hidden)
    else:
        sections = {
            "thought_records": _thought_record_rows(
                access.scope(ThoughtRecord.objects.all(), Category.WORKSHEETS),
                complete_only=True,
                limit=CLINICIAN_THOUGHT_RECORDS,
            ),
            "week": _activity_week(
                access.scope(ActivityPlan.objects.all(), Category.WORKSHEETS),
                start=week_start or today,
                today=today,
            ),
            "exposure_steps": _exposure_steps(
                access.scope(ExposureStep.objects.all(), Category.WORKSHEETS),
                include_archived=False,
            ),
            "sleep": _sleep_diary_table(
                access.scope(SleepDiaryEntry.objects.all(), Category.WORKSHEETS),
                today=today,
                nights=SLEEP_NIGHTS,
            ),
        }
    return {
        **sections,
        "worksheets_not_shared": hidden,
        "journal_entries": journal_entries_shared(access=access),
        "today": today,
    }


def worksheets_summary_for_clinician(*, access: CareAccess) -> dict[str, Any]:
    """Counts and latest items for the client record page (for the viewer the gate returned).

    Seven small queries whatever the amount of data (none for a category not shared: its keys
    hold a `NotShared` marker). Numbers and dates only, no worksheet text.
    """
    client = access.client
    today = client_local_today(client=client)
    start = monday_of(today)
    result: dict[str, Any] = {"client": client, "week_start": start}
    hidden = not_shared_marker(access=access, category=Category.WORKSHEETS)
    result["worksheets_not_shared"] = hidden
    if hidden is None:
        result.update(_worksheet_counts(access=access, today=today, start=start))
    journal_hidden = not_shared_marker(access=access, category=Category.JOURNAL)
    result["journal_not_shared"] = journal_hidden
    if journal_hidden is None:
        journal = access.scope(JournalEntry.objects.all(), Category.JOURNAL)
        result["journal_shared"] = journal.aggregate(shared=Count("id"))["shared"]
        result["journal_latest_shared_at"] = (
            journal.order_by("-written_at").values_list("written_at", flat=True).first()
        )
    return result


def _worksheet_counts(*, access: CareAccess, today: date, start: date) -> dict[str, Any]:
    def scoped(queryset: QuerySet[Any]) -> QuerySet[Any]:
        return access.scope(queryset, Category.WORKSHEETS)

    thought_counts = scoped(ThoughtRecord.objects.all()).aggregate(
        complete=Count("id", filter=Q(is_complete=True))
    )
    latest_record = (
        scoped(ThoughtRecord.objects.filter(is_complete=True))
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
    week = scoped(
        ActivityPlan.objects.filter(
            planned_for__gte=start, planned_for__lte=start + timedelta(days=6)
        )
    ).aggregate(planned=Count("id"), done=Count("id", filter=Q(done=True)))
    exposure = scoped(ExposureStep.objects.filter(is_archived=False)).aggregate(
        steps=Count("id", distinct=True), practices=Count("practices", distinct=True)
    )
    sleep_entries = list(
        scoped(
            SleepDiaryEntry.objects.filter(night_of__gte=today - timedelta(days=SLEEP_NIGHTS))
        ).order_by("-night_of")
    )
    sleep_rows = [sleep_row(e) for e in sleep_entries]
    planned, done = week["planned"], week["done"]
    return {
        "thought_records_complete": thought_counts["complete"],
        "latest_thought_record": latest_record,
        "week_planned": planned,
        "week_done": done,
        "week_summary": ActivityWeek(
            start=start, days=[], planned=planned, done=done, not_done=0, not_logged=0
        ).summary,
        "exposure_steps": exposure["steps"],
        "exposure_practices": exposure["practices"],
        "sleep_nights": len(sleep_rows),
        "sleep_averages": sleep_averages([r.derived for r in sleep_rows if r.derived]),
    }
