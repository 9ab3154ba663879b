"""The client record for the care team: instrument charts and the timeline.

Every function takes the `CareAccess` the gate returned (`access_client`); nothing here looks a
client up. One query per source, never one per item: the questionnaire panels read all of the
client's answer sets in one query. The timeline merges and sorts what the apps' timeline sources
return (core.panels: check-ins from tracking; journal, worksheets and relaxation from exercises;
questionnaire answers from measures), each reading through the `CareAccess` in a fixed number of
queries whatever the amount of data. (The mood series is the tracking app's panel.)

What the viewer sees is what the gate lets through (`access.scope`, `access.shows`): each source
reads through its category, and a category the client does not share comes back as a "not
shared" marker, never its content.
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
from interlude.core.clock import local_date
from interlude.core.timeline import TimelineItem, timeline_sources
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

TIMELINE_DAYS = 30
MARKER_FOR = {
    Classification.RECOVERED: "recovered",
    Classification.IMPROVED: "improved",
    Classification.DETERIORATED: "deteriorated",
}
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
TimelineEntry = TimelineItem  # the entries are the items the apps' timeline sources return


@dataclass(frozen=True)
class TimelineDay:
    day: date
    entries: list[TimelineItem]


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


def timeline_not_shared(*, access: CareAccess) -> list[NotShared]:
    """A "not shared" marker for each category a timeline source reads that this viewer may not
    see, in the sources' order, each once."""
    read = list(dict.fromkeys(c for source in timeline_sources() for c in source.reads))
    return [
        marker
        for category in read
        if (marker := not_shared_marker(access=access, category=category)) is not None
    ]


def record_timeline(
    *,
    access: CareAccess,
    before: str | None = None,
    days: int = TIMELINE_DAYS,
    definitions: dict[str, InstrumentDefinition] | None = None,
    today: date | None = None,
) -> Timeline:
    """Everything this viewer may see in the `days` days before `before` (YYYY-MM-DD, exclusive;
    default: up to and including the client's today), newest first and grouped by the client's
    day; each category the client does not share is listed in `not_shared` instead.

    The items come from the timeline sources the apps registered (core.panels), each reading
    through `access` in a fixed number of queries. `definitions` name the instruments."""
    client = access.client
    zone = _zone(client)
    today = today or timezone.localdate(timezone=zone)
    end = parse_before(before, today=today)  # exclusive
    start = end - timedelta(days=days)
    lower = datetime.combine(start, time.min, tzinfo=zone)
    upper = datetime.combine(end, time.min, tzinfo=zone)
    entries: list[TimelineItem] = []
    for source in timeline_sources():
        entries += source.build(access, since=lower, until=upper, definitions=definitions)
    by_day: dict[date, list[TimelineItem]] = defaultdict(list)
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
        not_shared=timeline_not_shared(access=access),
    )


def _first_day(client: Client, zone: ZoneInfo) -> date | None:
    """The earliest day anything could be shared: when the client started or was added."""
    candidates: Sequence[date] = [
        d for d in (client.started_on, client.created_at.astimezone(zone).date()) if d is not None
    ]
    return min(candidates) if candidates else None
