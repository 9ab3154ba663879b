"""The client's Progress page: mood, anxiety and sleep over 7, 30 or 90 days, as server-rendered
SVG charts with a one-line summary and a table for screen readers. No JavaScript."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render

from interlude.consents.access import access_own
from interlude.core.http import InterludeRequest
from interlude.core.policy import Access, access
from interlude.insights.selectors_patterns import patterns_for_client
from interlude.tracking.charts import (
    SCALE_0_10,
    SCALE_SLEEP_HOURS,
)
from interlude.tracking.selectors import (
    PROGRESS_DAYS,
    ChartSpec,
    ProgressSeries,
    SeriesChart,
    progress_series,
    series_charts,
)

DEFAULT_DAYS = 30


CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec(
        "mood", "Mood", "Mood", "0 is the worst you could feel, 10 the best.", "", SCALE_0_10
    ),
    ChartSpec(
        "anxiety",
        "Anxiety",
        "Anxiety or worry",
        "0 is none at all, 10 the most you can imagine.",
        "",
        SCALE_0_10,
    ),
    ChartSpec(
        "sleep_hours",
        "Sleep",
        "Sleep",
        "Hours of sleep, as you noted them in your check-ins.",
        "hours",
        SCALE_SLEEP_HOURS,
    ),
)


def _days(value: str | None) -> int:
    try:
        days = int(value or DEFAULT_DAYS)
    except ValueError:
        return DEFAULT_DAYS
    return days if days in PROGRESS_DAYS else DEFAULT_DAYS


def progress_charts(progress: ProgressSeries) -> list[SeriesChart]:
    return series_charts(progress, specs=CHARTS, id_prefix="chart")


@access(Access.CLIENT)
def progress(request: InterludeRequest) -> HttpResponse:
    own = access_own(user=request.user)
    client = own.client
    days = _days(request.GET.get("days"))
    series = progress_series(access=own, days=days)
    if not isinstance(series, ProgressSeries):  # never: a client sees all of their own record
        raise Http404
    return render(
        request,
        "tracking/progress.html",
        {
            "client": client,
            "nav": "progress",
            "days": days,
            "day_choices": PROGRESS_DAYS,
            "progress": series,
            "charts": progress_charts(series),
            "has_data": any(v is not None for s in series.series.values() for _, v in s),
            # always the last 90 days, whatever range the charts show
            "patterns": patterns_for_client(access=own),
        },
    )
