"""The tracking app's panels on pages that combine several apps (core.panels): the mood, anxiety
and sleep series on the client record, and the check-ins on its timeline. Each receives the
viewer's `CareAccess`; what it may see is the gate's answer (`progress_series` returns a "not
shared" marker for hidden check-ins, `access.scope` empties them, `access.shows` decides a note)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from interlude.consents.access import CareAccess, Category
from interlude.consents.markers import NotShared, not_shared_marker
from interlude.core.clock import local_date, zone_named
from interlude.core.panels import Page, panel_register
from interlude.core.timeline import TimelineItem, timeline_source_register
from interlude.tracking.charts import SCALE_0_10, SCALE_SLEEP_HOURS, format_number
from interlude.tracking.models import CheckIn
from interlude.tracking.selectors import (
    ChartSpec,
    SeriesChart,
    progress_series,
    series_charts,
    source_app_name,
)
from interlude.tracking.vocabulary import EMOTION_LABELS

SERIES_DAYS = (30, 90)
SERIES: tuple[ChartSpec, ...] = (
    ChartSpec(
        "mood", "Mood", "Mood", "Check-in mood, 0 (worst) to 10 (best); daily mean.", "", SCALE_0_10
    ),
    ChartSpec(
        "anxiety",
        "Anxiety",
        "Anxiety",
        "Check-in anxiety or worry, 0 (none) to 10 (most); daily mean.",
        "",
        SCALE_0_10,
    ),
    ChartSpec(
        "sleep_hours",
        "Sleep",
        "Sleep",
        "Hours of sleep as reported in check-ins; daily mean.",
        "hours",
        SCALE_SLEEP_HOURS,
    ),
)


@dataclass(frozen=True)
class RecordSeries:
    days: int
    start: date
    end: date
    charts: list[SeriesChart]
    has_data: bool
    choices: tuple[int, ...] = SERIES_DAYS


def series_days(value: str | None) -> int:
    """?days=30 or 90 (anything else: 30)."""
    try:
        days = int(value or SERIES_DAYS[0])
    except ValueError:
        return SERIES_DAYS[0]
    return days if days in SERIES_DAYS else SERIES_DAYS[0]


def record_series(*, access: CareAccess, days: int) -> RecordSeries | NotShared:
    """Mood, anxiety and sleep per day over the last `days` days, as the Progress page draws them
    (tracking.selectors.progress_series: one query), worded for the care team."""
    progress = progress_series(access=access, days=days)
    if isinstance(progress, NotShared):
        return progress
    charts = series_charts(progress, specs=SERIES, id_prefix="series")
    return RecordSeries(
        days=days,
        start=progress.start,
        end=progress.end,
        charts=charts,
        has_data=any(v is not None for s in progress.series.values() for _, v in s),
    )


@panel_register(
    page=Page.RECORD,
    name="series",
    title="Mood, anxiety and sleep",
    order=40,
    template="tracking/clinician/_record_series.html",
)
def record_series_panel(access: CareAccess, **ctx: Any) -> dict[str, Any]:
    request = ctx["request"]
    days = series_days(request.GET.get("days"))
    series = record_series(access=access, days=days)
    if isinstance(series, NotShared):
        return {
            "series": None,
            "series_days": days,
            "not_shared": series,
            "days_choices": SERIES_DAYS,
        }
    return {
        "series": series,
        "series_days": days,
        "not_shared": None,
        # Days brought in from other apps are left out of the charts when they are not shared.
        "imports_not_shared": not_shared_marker(access=access, category=Category.IMPORTS),
        "days_choices": SERIES_DAYS,
    }


# --- the record's timeline ------------------------------------------------------------------------
def checkin_item(c: CheckIn, zone: tzinfo, *, note_shown: bool) -> TimelineItem:
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
    kind_label = "Check-in"
    if c.source_app:  # brought in from another app: its source, and the file, in plain view
        kind_label = f"Check-in from {source_app_name(c.source_app)}"
        origin = f"imported from {c.source_file}" if c.source_file else "imported"
        detail = f"{origin}; {detail}" if detail else origin
    return TimelineItem(
        day=local_date(c.recorded_at, zone, record_zone=c.time_zone),
        at=c.recorded_at.astimezone(zone_named(c.time_zone, fallback=zone)),
        kind="checkin",
        kind_label=kind_label,
        title=f"Mood {c.mood}/10",
        detail=detail,
        text=(c.note or "") if has_note and note_shown else "",
        private_note=has_note and not note_shown,
    )


@timeline_source_register(name="checkins", order=10, reads=(Category.CHECKINS, Category.IMPORTS))
def timeline_checkins(
    access: CareAccess, *, since: datetime, until: datetime, **ctx: Any
) -> list[TimelineItem]:
    """Check-ins in [since, until), one query; a note's text only where the gate shows it.
    Check-ins brought in from another app follow "imported app data" at the gate."""
    assert since.tzinfo is not None
    rows = access.scope(
        CheckIn.objects.filter(recorded_at__gte=since, recorded_at__lt=until), Category.CHECKINS
    )
    return [
        checkin_item(c, since.tzinfo, note_shown=access.shows(c, Category.JOURNAL)) for c in rows
    ]
