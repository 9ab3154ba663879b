"""Reads of check-ins and observations.

Reads a clinician can reach take the gate's `CareAccess` and read through `access.scope(...)`:
which points of the series a viewer sees is decided there (consents.rules), never here. Reads only
the client makes of their own data (their check-in list, their activity options) take the `Client`
from `access_own_client`."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from interlude.consents.access import CareAccess, Category
from interlude.consents.markers import NotShared, not_shared_marker
from interlude.core.clock import local_date
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


# The apps an import comes from (interop.enums.ImportSource values), as a badge names them:
# "from Daylio". Tracking sits below interop, so it keeps its own words for them.
SOURCE_APP_NAMES: dict[str, str] = {
    "daylio": "Daylio",
    "bearable": "Bearable",
    "apple_health": "Apple Health",
    "fhir": "a FHIR file",
    "csv": "a spreadsheet",
}


def source_app_name(source_app: str) -> str:
    """ "daylio" -> "Daylio"; an app or device without a name of ours keeps its own words."""
    return SOURCE_APP_NAMES.get(source_app, source_app.replace("_", " ") or "another app")


@dataclass(frozen=True)
class ImportedDays:
    """Where some days of a series came from: an app, its files, and how many days."""

    app: str  # as shown: "Daylio"
    files: tuple[str, ...]
    days: int


@dataclass(frozen=True)
class ProgressSeries:
    """Daily values of each progress kind over `days` days ending `end` (the client's today).

    `imported`: per kind, the days with a value brought in from another app, and the app's name
    ("Daylio") for each; `files`: per kind and app, the file names, for the source badge."""

    days: int
    start: date
    end: date
    time_zone: str
    series: dict[str, list[Point]]
    imported: dict[str, dict[date, tuple[str, ...]]] = field(default_factory=dict)
    files: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)


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
    ).values_list("kind", "effective_at", "time_zone", "value", "source_app", "source_file")
    by_kind: dict[str, list[tuple[datetime, str, float]]] = defaultdict(list)
    imported: dict[str, dict[date, set[str]]] = defaultdict(lambda: defaultdict(set))
    files: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for kind, effective_at, zone_name, value, source_app, source_file in rows:
        by_kind[kind].append((effective_at, zone_name, value))
        if source_app:
            app = source_app_name(source_app)
            day = local_date(effective_at, zone, record_zone=zone_name)
            if start <= day <= end:
                imported[kind][day].add(app)
                if source_file:
                    files[kind][app].add(source_file)
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
        imported={
            kind: {day: tuple(sorted(apps)) for day, apps in days_.items()}
            for kind, days_ in imported.items()
        },
        files={
            kind: {app: tuple(sorted(names)) for app, names in apps_.items()}
            for kind, apps_ in files.items()
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
    # The table with a third column: "from Daylio" for days brought in from another app, else "".
    table: list[tuple[date, str, str]] = field(default_factory=list)
    imported: list[ImportedDays] = field(default_factory=list)


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
        rows = table_rows(points)
        days_from = progress.imported.get(spec.kind, {})
        counts: dict[str, int] = defaultdict(int)
        for apps in days_from.values():
            for app in apps:
                counts[app] += 1
        charts.append(
            SeriesChart(
                kind=spec.kind,
                heading=spec.heading,
                meaning=spec.meaning,
                svg=mark_safe(svg),  # noqa: S308 - line_chart_svg escapes all its text  # nosec B308, B703
                summary=summary,
                rows=rows,
                table=[
                    (day, value, ", ".join(f"from {a}" for a in days_from.get(day, ())))
                    for day, value in rows
                ],
                imported=[
                    ImportedDays(
                        app=app,
                        files=progress.files.get(spec.kind, {}).get(app, ()),
                        days=n,
                    )
                    for app, n in sorted(counts.items())
                ],
            )
        )
    return charts


# --- imported history ([7]) ----------------------------------------------------------------------
# An imported check-in's idempotency key is this prefix and the import's natural key.
IMPORT_KEY_PREFIX = "import:"
CHECKIN_SOURCE_TYPE = "tracking.checkin"  # a check-in's own observations (services.CHECKIN_KIND)


def imported_keys_present(*, client: Client, keys: Collection[str], source_type: str) -> set[str]:
    """Which of an import's natural keys are already in the client's record, as a check-in
    (idempotency key "import:" + key) or as a reading of `source_type` ("import.<app>"). Two
    queries per 500 keys, for the preview's duplicates."""
    wanted = list(keys)
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        found.update(
            key.removeprefix(IMPORT_KEY_PREFIX)
            for key in CheckIn.objects.filter(
                client=client, idempotency_key__in=[IMPORT_KEY_PREFIX + k for k in part]
            ).values_list("idempotency_key", flat=True)
        )
        found.update(
            Observation.objects.filter(source_type=source_type, source_id__in=part).values_list(
                "source_id", flat=True
            )
        )
    return found


def imported_counts(*, client: Client, import_id: uuid.UUID) -> dict[str, int]:
    """How many check-ins and stand-alone readings of one import are in the record."""
    return {
        "checkins": CheckIn.objects.filter(client=client, import_id=import_id).count(),
        "readings": Observation.objects.filter(client=client, import_id=import_id)
        .exclude(source_type=CHECKIN_SOURCE_TYPE)
        .count(),
    }
