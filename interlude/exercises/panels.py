"""The exercises app's panel on the client record (core.panels): worksheets at a glance (numbers
and dates only, never worksheet text); "not shared" when the client does not share worksheets.
And its timeline sources: completed worksheets, shared journal entries, relaxation sessions, each
read through the viewer's `CareAccess` (a category the client does not share reads nothing)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from interlude.consents.access import CareAccess, Category
from interlude.consents.markers import not_shared_marker
from interlude.core.panels import Page, panel_register
from interlude.core.timeline import TimelineItem, timeline_source_register
from interlude.exercises.distortions import DISTORTIONS
from interlude.exercises.models import (
    ActivityPlan,
    ExposurePractice,
    JournalEntry,
    LifeArea,
    RelaxationKind,
    RelaxationSession,
    SleepDiaryEntry,
    ThoughtRecord,
)
from interlude.exercises.schemas import SLEEP_QUALITY_LABELS
from interlude.exercises.worksheets_selectors import sleep_row, worksheets_summary_for_clinician

JOURNAL_EXCERPT = 280
DISTORTION_NAMES = {d.code: d.name for d in DISTORTIONS}


@panel_register(
    page=Page.RECORD,
    name="worksheets",
    title="Worksheets at a glance",
    order=70,
    template="exercises/clinician/_record_summary.html",
)
def record_worksheets(access: CareAccess, **ctx: Any) -> dict[str, Any]:
    hidden = not_shared_marker(access=access, category=Category.WORKSHEETS)
    if hidden is not None:
        return {"summary": None, "not_shared": hidden, "client": access.client}
    return {
        "summary": worksheets_summary_for_clinician(access=access),
        "not_shared": None,
        "client": access.client,
    }


# --- the record's timeline ------------------------------------------------------------------------
def thought_record_item(t: ThoughtRecord, zone: tzinfo) -> TimelineItem:
    parts = []
    if t.emotion_before is not None:
        after = f" \u2192 {t.emotion_after}" if t.emotion_after is not None else ""
        parts.append(f"strongest emotion {t.emotion_before}{after}")
    if t.belief_before is not None:
        after = f" \u2192 {t.belief_after}" if t.belief_after is not None else ""
        parts.append(f"belief in the hot thought {t.belief_before}{after}")
    traps = [DISTORTION_NAMES.get(code, code) for code in t.distortions or []]
    if traps:
        parts.append("thinking traps: " + ", ".join(traps).lower())
    return TimelineItem(
        day=t.occurred_at.astimezone(zone).date(),
        at=t.occurred_at.astimezone(zone),
        kind="thought_record",
        kind_label="Thought record",
        title="Thought record completed",
        detail="; ".join(parts),
    )


def activity_item(a: ActivityPlan, zone: tzinfo) -> TimelineItem:
    parts = [str(LifeArea(a.life_area).label) if a.life_area in LifeArea.values else a.life_area]
    if a.mastery is not None:
        parts.append(f"mastery {a.mastery}/10")
    if a.pleasure is not None:
        parts.append(f"pleasure {a.pleasure}/10")
    at = datetime.combine(a.planned_for, a.planned_time, tzinfo=zone) if a.planned_time else None
    return TimelineItem(
        day=a.planned_for,
        at=at,
        kind="activity",
        kind_label="Activity",
        title=f"{a.title} ({'done' if a.done else 'not done'})",
        detail=", ".join(parts),
    )


def exposure_item(p: ExposurePractice, zone: tzinfo) -> TimelineItem:
    return TimelineItem(
        day=p.practiced_at.astimezone(zone).date(),
        at=p.practiced_at.astimezone(zone),
        kind="exposure",
        kind_label="Exposure practice",
        title=p.step.description,
        detail=(
            f"SUDS {p.suds_pre} before, peak {p.suds_peak}, {p.suds_post} after; "
            f"{p.duration_minutes} min"
        ),
    )


def sleep_item(e: SleepDiaryEntry) -> TimelineItem:
    row = sleep_row(e)
    parts = []
    if row.derived is not None:
        parts.append(f"total sleep {row.total_sleep}")
        parts.append(f"in bed {row.time_in_bed}")
        efficiency = f"{row.derived.sleep_efficiency:.1f}".removesuffix(".0")
        parts.append(f"sleep efficiency {efficiency}%")
    quality = SLEEP_QUALITY_LABELS.get(e.quality, "")
    if quality:
        parts.append(f"quality: {str(quality).lower()}")
    return TimelineItem(
        day=e.night_of,
        at=None,
        kind="sleep",
        kind_label="Sleep diary",
        title=f"Night of {e.night_of:%a} {e.night_of.day} {e.night_of:%b}",
        detail=", ".join(parts),
    )


def journal_item(j: JournalEntry, zone: tzinfo) -> TimelineItem:
    body = j.body or ""
    excerpt = body if len(body) <= JOURNAL_EXCERPT else body[:JOURNAL_EXCERPT].rstrip() + "\u2026"
    return TimelineItem(
        day=j.written_at.astimezone(zone).date(),
        at=j.written_at.astimezone(zone),
        kind="journal",
        kind_label="Journal (shared)",
        title=j.title or "Untitled entry",
        text=excerpt,
    )


def relaxation_item(s: RelaxationSession, zone: tzinfo) -> TimelineItem:
    label = RelaxationKind(s.kind).label if s.kind in RelaxationKind.values else s.kind
    minutes = max(1, round(s.seconds_practised / 60))
    detail = ""
    if s.distress_before is not None and s.distress_after is not None:
        detail = f"distress {s.distress_before} \u2192 {s.distress_after} (0-10)"
    elif s.distress_before is not None:
        detail = f"distress {s.distress_before} before (0-10)"
    return TimelineItem(
        day=s.started_at.astimezone(zone).date(),
        at=s.started_at.astimezone(zone),
        kind="relaxation",
        kind_label="Relaxation",
        title=f"{label}, {minutes} min",
        detail=detail,
    )


@timeline_source_register(name="journal", order=20, reads=(Category.JOURNAL,))
def timeline_journal(
    access: CareAccess, *, since: datetime, until: datetime, **ctx: Any
) -> list[TimelineItem]:
    """Journal entries written in [since, until) that the viewer may read (one query)."""
    assert since.tzinfo is not None
    rows = access.scope(
        JournalEntry.objects.filter(written_at__gte=since, written_at__lt=until),
        Category.JOURNAL,
    )
    return [journal_item(j, since.tzinfo) for j in rows]


@timeline_source_register(name="worksheets", order=30, reads=(Category.WORKSHEETS,))
def timeline_worksheets(
    access: CareAccess, *, since: datetime, until: datetime, **ctx: Any
) -> list[TimelineItem]:
    """Completed thought records, logged activities, exposure practice and sleep diary nights in
    [since, until) (`since` and `until` are midnights of the client's days): four queries."""
    zone = since.tzinfo
    assert zone is not None
    start, end = since.date(), until.date()
    scope, worksheets = access.scope, Category.WORKSHEETS
    items = [
        thought_record_item(t, zone)
        for t in scope(
            ThoughtRecord.objects.filter(
                is_complete=True, occurred_at__gte=since, occurred_at__lt=until
            ),
            worksheets,
        ).defer("content")
    ]
    items += [
        activity_item(a, zone)
        for a in scope(
            ActivityPlan.objects.filter(
                done__isnull=False, planned_for__gte=start, planned_for__lt=end
            ),
            worksheets,
        )
    ]
    items += [
        exposure_item(p, zone)
        for p in scope(
            ExposurePractice.objects.filter(practiced_at__gte=since, practiced_at__lt=until),
            worksheets,
        )
        .select_related("step")
        .defer("safety_behaviours", "notes")
    ]
    items += [
        sleep_item(e)
        for e in scope(
            SleepDiaryEntry.objects.filter(night_of__gte=start, night_of__lt=end), worksheets
        ).defer("comments")
    ]
    return items


@timeline_source_register(name="relaxation", order=50, reads=(Category.RELAXATION,))
def timeline_relaxation(
    access: CareAccess, *, since: datetime, until: datetime, **ctx: Any
) -> list[TimelineItem]:
    """Relaxation sessions started in [since, until) (one query)."""
    assert since.tzinfo is not None
    rows = access.scope(
        RelaxationSession.objects.filter(started_at__gte=since, started_at__lt=until),
        Category.RELAXATION,
    )
    return [relaxation_item(s, since.tzinfo) for s in rows]
