"""The client record for the care team: instrument charts, the mood series and a timeline.

Every function takes the `CareAccess` the gate returned (`access_client`); nothing here looks a
client up. One query per source, never one per item: the questionnaire panels read all of the
client's answer sets in one query, and the timeline one query per kind of entry (check-ins,
questionnaires, thought records, activities, exposure practice, sleep diary, shared journal
entries, relaxation), whatever their number. (The mood series is the tracking app's panel.)

What the viewer sees is what the gate lets through (`access.scope`, `access.shows`): each source is
read through its category, a check-in note shows only when the note and the category are shared,
and a category the client does not share comes back as a "not shared" marker, never its content.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from interlude.consents.access import CareAccess, Category
from interlude.consents.markers import NotShared, not_shared_marker
from interlude.core.clock import local_date, zone_named
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
from interlude.exercises.worksheets_selectors import sleep_row
from interlude.insights.charts import (
    MARKER_LABELS,
    ChartBand,
    ChartPoint,
    instrument_chart_pair_svg,
    marker_icon_svg,
)
from interlude.insights.selectors_caseload import PREFERRED_INSTRUMENTS, number, signed
from interlude.measures.change import Classification, TrackStatus
from interlude.measures.instruments import InstrumentDefinition, band_phrase
from interlude.measures.models import QuestionnaireResponse
from interlude.practices.models import Client
from interlude.tracking.charts import format_number
from interlude.tracking.models import CheckIn
from interlude.tracking.vocabulary import EMOTION_LABELS

TIMELINE_DAYS = 30
# The categories the timeline reads, in the order their "not shared" notes show.
TIMELINE_CATEGORIES = (
    Category.CHECKINS,
    Category.JOURNAL,
    Category.WORKSHEETS,
    Category.MEASURES,
    Category.RELAXATION,
)
JOURNAL_EXCERPT = 280
MARKER_FOR = {
    Classification.RECOVERED: "recovered",
    Classification.IMPROVED: "improved",
    Classification.DETERIORATED: "deteriorated",
}
DISTORTION_NAMES = {d.code: d.name for d in DISTORTIONS}
_PREFERRED = {code: i for i, code in enumerate(PREFERRED_INSTRUMENTS)}


def _zone(client: Client) -> ZoneInfo:
    try:
        return ZoneInfo(client.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def _classification(value: str) -> Classification:
    try:
        return Classification(value)
    except ValueError:
        return Classification.NOT_AVAILABLE


def _track(value: str) -> TrackStatus:
    try:
        return TrackStatus(value)
    except ValueError:
        return TrackStatus.ON_TRACK


# --- questionnaires -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ResponseRow:
    """One answer set as the data table shows it."""

    submitted_at: datetime
    day: date  # the client's local day: the table, the chart and the summary all say this one
    total: float | None
    band_label: str
    classification: Classification
    change: float | None
    critical: bool

    @property
    def total_text(self) -> str:
        return number(self.total) if self.total is not None else "Not scored"

    @property
    def classification_text(self) -> str:
        if self.total is None:
            return "Incomplete: answers missing"
        return self.classification.label

    @property
    def change_text(self) -> str:
        return signed(self.change) if self.change is not None else ""


@dataclass(frozen=True)
class InstrumentPanel:
    definition: InstrumentDefinition
    rows: list[ResponseRow]  # newest first, scored or not
    svg: SafeString
    summary: str
    track: TrackStatus | None
    track_reason: str
    markers: list[tuple[str, str, SafeString]]  # (marker, label, icon) used in this chart

    @property
    def chart_id(self) -> str:
        return f"instrument-{self.definition.code}"


def _cutoff(definition: InstrumentDefinition) -> float | None:
    bound = definition.clinical_range
    if bound is None:
        return None
    return bound.at_or_above if bound.at_or_above is not None else bound.at_or_below


def _marker(response: QuestionnaireResponse) -> str:
    if response.is_critical:
        return "critical"
    return MARKER_FOR.get(_classification(response.classification), "")


def instrument_summary(
    definition: InstrumentDefinition,
    latest: QuestionnaireResponse,
    baseline: QuestionnaireResponse | None,
    *,
    zone: tzinfo,
) -> str:
    """ "PHQ-9 9, mild; -7 since intake (16, 3 Mar 2026): recovered. Reliable change is 6 or
    more; clinical range 10 or more." (with a real minus sign)"""
    name = definition.short_name
    assert latest.total is not None
    band = f", {band_phrase(latest.band_label)}" if latest.band_label else ""
    text = f"{name} {number(latest.total)}{band}"
    classification = _classification(latest.classification)
    if baseline is None or baseline.pk == latest.pk or latest.change_from_baseline is None:
        first = _day(local_date(latest.submitted_at, zone))
        text += f"; the first answer ({first}), so no change to judge yet."
    else:
        assert baseline.total is not None
        text += (
            f"; {signed(latest.change_from_baseline)} since intake "
            f"({number(baseline.total)}, {_day(local_date(baseline.submitted_at, zone))}): "
            f"{classification.label.lower()}."
        )
    meta = latest.scoring_meta or {}
    reliable = meta.get("reliable_change", definition.reliable_change)
    if reliable is None:
        text += f" {name} has no published reliable-change threshold."
    else:
        text += f" Reliable change is {number(reliable)} or more"
        text += (
            f"; clinical range {definition.clinical_range.describe()}."
            if definition.clinical_range
            else "."
        )
    if latest.is_critical:
        text += " The latest answer endorsed a critical item."
    return text


def instrument_panels(
    *, access: CareAccess, definitions: dict[str, InstrumentDefinition]
) -> list[InstrumentPanel]:
    """One panel per instrument the client has answered that this viewer may see, in one query
    (all answer sets). With questionnaires not shared, only answers the care team entered
    themselves (from paper) remain (the gate's rule).

    `definitions` is `measures.selectors.instrument_definitions(practice=client.practice)`, which
    the page also needs for the schedules, so it is read once."""
    client = access.client
    zone = _zone(client)
    by_code: dict[str, list[QuestionnaireResponse]] = defaultdict(list)
    responses = access.scope(QuestionnaireResponse.objects.all(), Category.MEASURES).order_by(
        "submitted_at", "id"
    )
    for response in responses.defer("answers"):
        by_code[response.instrument_code].append(response)
    panels = []
    for code in sorted(by_code, key=lambda c: (_PREFERRED.get(c, len(_PREFERRED)), c)):
        definition = definitions.get(code)
        if definition is None:
            continue
        answers = by_code[code]
        scored = [r for r in answers if r.total is not None]
        points = [
            ChartPoint(
                at=r.submitted_at,
                value=r.total,
                marker=_marker(r),
                label=f"{_day(local_date(r.submitted_at, zone))}: {number(r.total)}"
                + (f", {band_phrase(r.band_label)}" if r.band_label else "")
                + (
                    f"; {_classification(r.classification).label.lower()}"
                    if _marker(r) not in ("", "critical")
                    else ""
                )
                + ("; critical item endorsed" if r.is_critical else ""),
            )
            for r in scored
            if r.total is not None
        ]
        latest = scored[-1] if scored else None
        if latest is not None:
            summary = instrument_summary(definition, latest, scored[0], zone=zone)
        else:
            summary = f"{definition.short_name}: no scored answers yet (answers were missing)."
        description = summary
        if len(scored) > 1:
            description += (
                f" {len(scored)} scored answers from "
                f"{_day(local_date(scored[0].submitted_at, zone))} "
                f"to {_day(local_date(scored[-1].submitted_at, zone))}."
            )
        svg = instrument_chart_pair_svg(
            points,
            chart_id=f"instrument-{code.replace('_', '-').lower()}",
            title=f"{definition.short_name} ({definition.name}) over time",
            description=description,
            low=definition.total_min,
            high=definition.total_max,
            zone=zone,
            bands=[ChartBand(b.min, b.max, b.label, b.clinical) for b in definition.bands],
            cutoff=_cutoff(definition),
        )
        used = {p.marker for p in points if p.marker}
        panels.append(
            InstrumentPanel(
                definition=definition,
                rows=[
                    ResponseRow(
                        submitted_at=r.submitted_at,
                        day=local_date(r.submitted_at, zone),
                        total=r.total,
                        band_label=r.band_label,
                        classification=_classification(r.classification),
                        change=r.change_from_baseline,
                        critical=r.is_critical,
                    )
                    for r in reversed(answers)
                ],
                svg=mark_safe(svg),  # noqa: S308 - instrument_chart_pair_svg escapes all its text  # nosec B308, B703
                summary=summary,
                track=_track(latest.track_status) if latest else None,
                track_reason=latest.track_reason if latest else "",
                markers=[
                    (m, MARKER_LABELS[m], mark_safe(marker_icon_svg(m)))  # noqa: S308  # nosec B308, B703 # fixed shapes, no text
                    for m in MARKER_LABELS
                    if m in used
                ],
            )
        )
    return panels


# --- the timeline -------------------------------------------------------------------------------
@dataclass(frozen=True)
class TimelineEntry:
    day: date  # the client's calendar day
    at: datetime | None  # None for entries that have a day but no time (a planned activity)
    kind: str  # checkin, questionnaire, thought_record, activity, exposure, sleep, journal, ...
    kind_label: str
    title: str
    detail: str = ""
    text: str = ""  # shared free text (a shared check-in note, a shared journal excerpt)
    private_note: bool = False
    flag: str = ""  # e.g. "Critical item endorsed"


@dataclass(frozen=True)
class TimelineDay:
    day: date
    entries: list[TimelineEntry]


@dataclass(frozen=True)
class Timeline:
    start: date  # first day shown
    end: date  # last day shown
    days: list[TimelineDay]
    earlier: date | None  # ?before= for the previous window, None when nothing can be earlier
    later: date | None  # ?before= for the next window (None: the next window is the latest)
    is_latest: bool
    counts: dict[str, int] = field(default_factory=dict)
    not_shared: list[NotShared] = field(default_factory=list)  # categories this viewer is not shown

    @property
    def total(self) -> int:
        return sum(len(d.entries) for d in self.days)


def parse_before(value: str | None, *, today: date) -> date:
    """The exclusive end of the window: ?before=YYYY-MM-DD, or tomorrow (so today is shown).

    Dates after tomorrow are brought back to tomorrow; a malformed value is ignored."""
    latest = today + timedelta(days=1)
    if not value:
        return latest
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return latest
    return min(parsed, latest)


def _checkin_entry(c: CheckIn, zone: ZoneInfo, *, note_shown: bool) -> TimelineEntry:
    values = []
    if c.anxiety is not None:
        values.append(f"anxiety {c.anxiety}")
    if c.energy is not None:
        values.append(f"energy {c.energy}")
    if c.sleep_hours is not None:
        values.append(f"sleep {format_number(float(c.sleep_hours))} h")
    if c.sleep_quality is not None:
        values.append(f"sleep quality {c.sleep_quality}/5")
    detail = ", ".join(values)
    emotions = [EMOTION_LABELS.get(e.get("label"), e.get("label")) for e in c.emotions]
    if emotions:
        detail += ("; " if detail else "") + "feelings: " + ", ".join(str(e) for e in emotions)
    if c.activities:
        detail += ("; " if detail else "") + "activities: " + ", ".join(c.activities)
    # Only a note the viewer may see is ever decrypted (`note_shown`, from the gate).
    has_note = c.__dict__.get("note") is not None
    return TimelineEntry(
        day=local_date(c.recorded_at, zone, record_zone=c.time_zone),
        at=c.recorded_at.astimezone(zone_named(c.time_zone, fallback=zone)),
        kind="checkin",
        kind_label="Check-in",
        title=f"Mood {c.mood}/10",
        detail=detail,
        text=(c.note or "") if has_note and note_shown else "",
        private_note=has_note and not note_shown,
    )


def _response_entry(
    r: QuestionnaireResponse, zone: ZoneInfo, names: dict[str, str]
) -> TimelineEntry:
    name = names.get(r.instrument_code, r.instrument_code)
    if r.total is None:
        title, detail = f"{name}: not scored", "Some answers were missing."
    else:
        band = f", {band_phrase(r.band_label)}" if r.band_label else ""
        title = f"{name} {number(r.total)}{band}"
        detail = _classification(r.classification).label
        if r.change_from_baseline is not None:
            detail += f" ({signed(r.change_from_baseline)} since intake)"
    return TimelineEntry(
        day=r.submitted_at.astimezone(zone).date(),
        at=r.submitted_at.astimezone(zone),
        kind="questionnaire",
        kind_label="Questionnaire",
        title=title,
        detail=detail,
        flag="Critical item endorsed" if r.is_critical else "",
    )


def _thought_record_entry(t: ThoughtRecord, zone: ZoneInfo) -> TimelineEntry:
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
    return TimelineEntry(
        day=t.occurred_at.astimezone(zone).date(),
        at=t.occurred_at.astimezone(zone),
        kind="thought_record",
        kind_label="Thought record",
        title="Thought record completed",
        detail="; ".join(parts),
    )


def _activity_entry(a: ActivityPlan, zone: ZoneInfo) -> TimelineEntry:
    parts = [str(LifeArea(a.life_area).label) if a.life_area in LifeArea.values else a.life_area]
    if a.mastery is not None:
        parts.append(f"mastery {a.mastery}/10")
    if a.pleasure is not None:
        parts.append(f"pleasure {a.pleasure}/10")
    at = datetime.combine(a.planned_for, a.planned_time, tzinfo=zone) if a.planned_time else None
    return TimelineEntry(
        day=a.planned_for,
        at=at,
        kind="activity",
        kind_label="Activity",
        title=f"{a.title} ({'done' if a.done else 'not done'})",
        detail=", ".join(parts),
    )


def _exposure_entry(p: ExposurePractice, zone: ZoneInfo) -> TimelineEntry:
    return TimelineEntry(
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


def _sleep_entry(e: SleepDiaryEntry) -> TimelineEntry:
    row = sleep_row(e)
    parts = []
    if row.derived is not None:
        parts.append(f"total sleep {row.total_sleep}")
        parts.append(f"in bed {row.time_in_bed}")
        parts.append(f"sleep efficiency {format_number(row.derived.sleep_efficiency)}%")
    quality = SLEEP_QUALITY_LABELS.get(e.quality, "")
    if quality:
        parts.append(f"quality: {str(quality).lower()}")
    return TimelineEntry(
        day=e.night_of,
        at=None,
        kind="sleep",
        kind_label="Sleep diary",
        title=f"Night of {e.night_of:%a} {e.night_of.day} {e.night_of:%b}",
        detail=", ".join(parts),
    )


def _journal_entry(j: JournalEntry, zone: ZoneInfo) -> TimelineEntry:
    body = j.body or ""
    excerpt = body if len(body) <= JOURNAL_EXCERPT else body[:JOURNAL_EXCERPT].rstrip() + "\u2026"
    return TimelineEntry(
        day=j.written_at.astimezone(zone).date(),
        at=j.written_at.astimezone(zone),
        kind="journal",
        kind_label="Journal (shared)",
        title=j.title or "Untitled entry",
        text=excerpt,
    )


def _relaxation_entry(s: RelaxationSession, zone: ZoneInfo) -> TimelineEntry:
    label = RelaxationKind(s.kind).label if s.kind in RelaxationKind.values else s.kind
    minutes = max(1, round(s.seconds_practised / 60))
    detail = ""
    if s.distress_before is not None and s.distress_after is not None:
        detail = f"distress {s.distress_before} \u2192 {s.distress_after} (0-10)"
    elif s.distress_before is not None:
        detail = f"distress {s.distress_before} before (0-10)"
    return TimelineEntry(
        day=s.started_at.astimezone(zone).date(),
        at=s.started_at.astimezone(zone),
        kind="relaxation",
        kind_label="Relaxation",
        title=f"{label}, {minutes} min",
        detail=detail,
    )


def record_timeline(
    *,
    access: CareAccess,
    before: str | None = None,
    days: int = TIMELINE_DAYS,
    names: dict[str, str] | None = None,
    today: date | None = None,
) -> Timeline:
    """Everything this viewer may see in the `days` days before `before` (YYYY-MM-DD, exclusive;
    default: up to and including the client's today), newest first and grouped by the client's
    day; each category the client does not share is listed in `not_shared` instead.

    One query per source. `names` maps instrument codes to short names (PHQ-9)."""
    client = access.client
    zone = _zone(client)
    today = today or timezone.localdate(timezone=zone)
    end = parse_before(before, today=today)  # exclusive
    start = end - timedelta(days=days)
    lower = datetime.combine(start, time.min, tzinfo=zone)
    upper = datetime.combine(end, time.min, tzinfo=zone)
    if names is None:
        from interlude.measures.instruments import shipped_definitions

        names = {code: d.short_name for code, d in shipped_definitions().items()}

    scope = access.scope
    worksheets = Category.WORKSHEETS
    entries: list[TimelineEntry] = []
    entries += [
        _checkin_entry(c, zone, note_shown=access.shows(c, Category.JOURNAL))
        for c in scope(
            CheckIn.objects.filter(recorded_at__gte=lower, recorded_at__lt=upper),
            Category.CHECKINS,
        )
    ]
    entries += [
        _response_entry(r, zone, names)
        for r in scope(
            QuestionnaireResponse.objects.filter(submitted_at__gte=lower, submitted_at__lt=upper),
            Category.MEASURES,
        ).defer("answers")
    ]
    entries += [
        _thought_record_entry(t, zone)
        for t in scope(
            ThoughtRecord.objects.filter(
                is_complete=True, occurred_at__gte=lower, occurred_at__lt=upper
            ),
            worksheets,
        ).defer("content")
    ]
    entries += [
        _activity_entry(a, zone)
        for a in scope(
            ActivityPlan.objects.filter(
                done__isnull=False, planned_for__gte=start, planned_for__lt=end
            ),
            worksheets,
        )
    ]
    entries += [
        _exposure_entry(p, zone)
        for p in scope(
            ExposurePractice.objects.filter(practiced_at__gte=lower, practiced_at__lt=upper),
            worksheets,
        )
        .select_related("step")
        .defer("safety_behaviours", "notes")
    ]
    entries += [
        _sleep_entry(e)
        for e in scope(
            SleepDiaryEntry.objects.filter(night_of__gte=start, night_of__lt=end), worksheets
        ).defer("comments")
    ]
    entries += [
        _journal_entry(j, zone)
        for j in scope(
            JournalEntry.objects.filter(written_at__gte=lower, written_at__lt=upper),
            Category.JOURNAL,
        )
    ]
    entries += [
        _relaxation_entry(s, zone)
        for s in scope(
            RelaxationSession.objects.filter(started_at__gte=lower, started_at__lt=upper),
            Category.RELAXATION,
        )
    ]
    by_day: dict[date, list[TimelineEntry]] = defaultdict(list)
    for entry in entries:
        if start <= entry.day < end:
            by_day[entry.day].append(entry)
    far_past = datetime.min.replace(tzinfo=zone)
    grouped = [
        TimelineDay(
            day=d,
            entries=sorted(by_day[d], key=lambda e: e.at or far_past, reverse=True),
        )
        for d in sorted(by_day, reverse=True)
    ]
    first_day = _first_day(client, zone)
    counts: dict[str, int] = defaultdict(int)
    for entry in entries:
        counts[entry.kind] += 1
    latest_end = today + timedelta(days=1)
    return Timeline(
        start=start,
        end=end - timedelta(days=1),
        days=grouped,
        earlier=start if first_day is None or start > first_day else None,
        later=None if end + timedelta(days=days) >= latest_end else end + timedelta(days=days),
        is_latest=end >= latest_end,
        counts=dict(counts),
        not_shared=[
            marker
            for category in TIMELINE_CATEGORIES
            if (marker := not_shared_marker(access=access, category=category)) is not None
        ],
    )


def _first_day(client: Client, zone: ZoneInfo) -> date | None:
    """The earliest day anything could be shared: when the client started or was added."""
    candidates: Sequence[date] = [
        d for d in (client.started_on, client.created_at.astimezone(zone).date()) if d is not None
    ]
    return min(candidates) if candidates else None
