"""Reads of check-ins and observations.

Reads a clinician can reach take the gate's `CareAccess` and read through `access.scope(...)`:
which points of the series a viewer sees is decided there (consents.rules), never here. Reads only
the client makes of their own data (their check-in list, their activity options) take the `Client`
from `access_own_client`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from interlude.consents.access import CareAccess, Category
from interlude.consents.markers import NotShared, not_shared_marker
from interlude.practices.models import Client
from interlude.tracking.charts import (
    Point,
    Scale,
    daily_means,
    line_chart_svg,
    summary_text,
    table_rows,
)
from interlude.tracking.models import ActivityOption, CheckIn, Observation, ObservationKind

CHECKIN_LIST_LIMIT = 1000


def checkin_list(
    *,
    client: Client,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = CHECKIN_LIST_LIMIT,
) -> list[CheckIn]:
    """The client's check-ins, newest first, in one query whatever their number."""
    qs = CheckIn.objects.filter(client=client)
    if since is not None:
        qs = qs.filter(recorded_at__gte=since)
    if until is not None:
        qs = qs.filter(recorded_at__lt=until)
    return list(qs.order_by("-recorded_at")[:limit])


def activity_option_list(*, client: Client) -> list[ActivityOption]:
    return list(ActivityOption.objects.filter(client=client, is_archived=False))


# --- progress: daily series for charts ----------------------------------------------------------
PROGRESS_KINDS: tuple[ObservationKind, ...] = (
    ObservationKind.MOOD,
    ObservationKind.ANXIETY,
    ObservationKind.SLEEP_HOURS,
)
PROGRESS_DAYS: tuple[int, ...] = (7, 30, 90)


@dataclass(frozen=True)
class ProgressSeries:
    """Daily values of each progress kind over `days` days ending `end` (the client's today)."""

    days: int
    start: date
    end: date
    time_zone: str
    series: dict[str, list[Point]]


def _client_zone(client: Client) -> ZoneInfo:
    try:
        return ZoneInfo(client.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def progress_series(
    *, access: CareAccess, days: int, today: date | None = None
) -> ProgressSeries | NotShared:
    """Mood, anxiety and sleep hours per local day over the last `days` days, in one query.

    A day's value is the mean of that day's observations; a day is the calendar day where the
    observation was recorded (its own time zone). Days without a value are None: gaps.

    The series belong to the check-in scores: when the viewer is not shown them, a `NotShared`
    marker comes back instead. Points from other sources (imported app data, the sleep diary)
    are kept only where the viewer is shown their category too (the gate's observation rule).
    """
    if days not in PROGRESS_DAYS:
        raise ValueError(f"days must be one of {PROGRESS_DAYS}")
    hidden = not_shared_marker(access=access, category=Category.CHECKINS)
    if hidden is not None:
        return hidden
    client = access.client
    zone = _client_zone(client)
    end = today or timezone.localdate(timezone=zone)
    start = end - timedelta(days=days - 1)
    # A day either side: an observation recorded in another zone (travel) may still fall on one
    # of these days there. daily_means drops whatever lands outside them.
    lower = datetime.combine(start - timedelta(days=1), time.min, tzinfo=zone)
    upper = datetime.combine(end + timedelta(days=2), time.min, tzinfo=zone)
    rows = access.scope(
        Observation.objects.filter(
            kind__in=PROGRESS_KINDS, effective_at__gte=lower, effective_at__lt=upper
        ),
        Category.CHECKINS,
    ).values_list("kind", "effective_at", "time_zone", "value")
    by_kind: dict[str, list[tuple[datetime, str, float]]] = defaultdict(list)
    for kind, effective_at, zone_name, value in rows:
        by_kind[kind].append((effective_at, zone_name, value))
    return ProgressSeries(
        days=days,
        start=start,
        end=end,
        time_zone=str(zone),
        series={
            str(kind): daily_means(
                by_kind.get(kind, []), start=start, days=days, fallback_zone=str(zone)
            )
            for kind in PROGRESS_KINDS
        },
    )


# --- the series as charts (the client's Progress page and the care team's record) ----------------
@dataclass(frozen=True)
class ChartSpec:
    kind: str
    label: str  # used in the summary sentence: "Mood averaged ..."
    heading: str
    meaning: str  # what the numbers mean, in the reader's words
    unit: str
    scale: Scale


@dataclass(frozen=True)
class SeriesChart:
    kind: str
    heading: str
    meaning: str
    svg: SafeString
    summary: str
    rows: list[tuple[date, str]]


def series_charts(
    progress: ProgressSeries, *, specs: tuple[ChartSpec, ...], id_prefix: str
) -> list[SeriesChart]:
    """One SVG chart, summary sentence and table per spec. Each page passes its own wording
    (plain for clients, clinical for the care team) and an id prefix unique on the page."""
    charts = []
    for spec in specs:
        points = progress.series[spec.kind]
        summary = summary_text(spec.label, points, unit=spec.unit)
        svg = line_chart_svg(
            points,
            chart_id=f"{id_prefix}-{spec.kind.replace('_', '-')}",
            title=f"{spec.heading}, last {progress.days} days",
            description=summary,
            scale=spec.scale,
        )
        charts.append(
            SeriesChart(
                kind=spec.kind,
                heading=spec.heading,
                meaning=spec.meaning,
                svg=mark_safe(svg),  # noqa: S308 - line_chart_svg escapes all its text  # nosec B308, B703
                summary=summary,
                rows=table_rows(points),
            )
        )
    return charts
