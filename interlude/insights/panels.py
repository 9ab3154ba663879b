"""The insights app's panels (core.panels). Each receives the viewer's `CareAccess` and reads
through it; a category the client does not share comes back as a "not shared" marker.

- The client record: the questionnaires with their charts, the timeline (merged from the apps'
  timeline sources) and the mood associations.
- The pre-session brief: one panel per section (alerts, questionnaires, check-ins, notable
  entries, homework, next session). Each reads its part of the period (`at`, read once by the
  page) and hands it to the page as `inputs`, fields of `brief.BriefIn`; the page words them all
  at once with the pure `brief.brief_build` (the sentences compare with the period, so they need
  every part), and each panel's template shows its part of the `brief`. A panel another app
  registers for the brief shows its own context with its own template.
- The progress report: the questionnaires (the reliable-change table and a chart per measure);
  a report panel names the measures it shows in `measures`, for the report's header. The
  report's page (`report_context`) is the preview's and the PDF's: the task worker renders it
  through the hook registered at the end of this module (insights.services).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.utils import timezone

from interlude.accounts.models import User
from interlude.consents.access import CareAccess, Category
from interlude.consents.markers import NotShared, not_shared_marker
from interlude.core.panels import Page, panel_register, panels_build
from interlude.insights import report, services
from interlude.insights.selectors_brief import (
    BriefPeriod,
    brief_alerts,
    brief_crisis_resources,
    brief_homework,
    brief_next_appointment,
    brief_notable,
    brief_scores,
    brief_series,
    report_series,
)
from interlude.insights.selectors_patterns import patterns_for_client
from interlude.insights.selectors_record import instrument_panels, record_timeline
from interlude.tracking.models import ObservationKind

# The record's mood series offers these ranges; the timeline's pager keeps the one chosen.
SERIES_DAYS = ("30", "90")


@panel_register(
    page=Page.RECORD,
    name="questionnaires",
    title="Questionnaires",
    order=20,
    template="insights/_record_questionnaires.html",
)
def record_questionnaires(access: CareAccess, **ctx: Any) -> dict[str, Any]:
    return {
        "instrument_panels": instrument_panels(access=access, definitions=ctx["definitions"]),
        "not_shared": not_shared_marker(access=access, category=Category.MEASURES),
    }


@panel_register(
    page=Page.RECORD,
    name="timeline",
    title="Timeline",
    order=50,
    template="insights/_record_timeline.html",
)
def record_timeline_panel(access: CareAccess, **ctx: Any) -> dict[str, Any]:
    request = ctx["request"]
    days = request.GET.get("days")
    return {
        "timeline": record_timeline(
            access=access,
            before=request.GET.get("before"),
            definitions=ctx["definitions"],
        ),
        "series_days": days if days in SERIES_DAYS else SERIES_DAYS[0],
    }


@panel_register(
    page=Page.RECORD,
    name="patterns",
    title="Patterns",
    order=60,
    template="insights/_record_patterns.html",
)
def record_patterns(access: CareAccess, **ctx: Any) -> dict[str, Any]:
    patterns = patterns_for_client(access=access)
    if isinstance(patterns, NotShared):
        return {"patterns": None, "not_shared": patterns}
    return {"patterns": patterns, "not_shared": None}


# --- the pre-session brief ---------------------------------------------------------------------
@panel_register(
    page=Page.BRIEF, name="alerts", title="Alerts", order=10, template="insights/_brief_alerts.html"
)
def brief_alerts_panel(access: CareAccess, *, at: BriefPeriod, **ctx: Any) -> dict[str, Any]:
    resources = brief_crisis_resources(client=access.client)
    return {
        "inputs": {"alerts": brief_alerts(access=access, at=at)},
        "emergency": next((r for r in resources if r.is_emergency), None),
        "resources": [r for r in resources if not r.is_emergency],
    }


@panel_register(
    page=Page.BRIEF,
    name="questionnaires",
    title="Questionnaires",
    order=20,
    template="insights/_brief_scores.html",
)
def brief_scores_panel(access: CareAccess, *, at: BriefPeriod, **ctx: Any) -> dict[str, Any]:
    return {"inputs": {"scores": brief_scores(access=access, at=at)}}


@panel_register(
    page=Page.BRIEF,
    name="checkins",
    title="Check-ins",
    order=30,
    template="insights/_brief_series.html",
    region="left",
)
def brief_series_panel(access: CareAccess, *, at: BriefPeriod, **ctx: Any) -> dict[str, Any]:
    series = brief_series(access=access, at=at)
    return {
        "inputs": {
            "mood": series[ObservationKind.MOOD],
            "anxiety": series[ObservationKind.ANXIETY],
            "sleep_hours": series[ObservationKind.SLEEP_HOURS],
        }
    }


@panel_register(
    page=Page.BRIEF,
    name="notable",
    title="Notable entries",
    order=40,
    template="insights/_brief_notable.html",
    region="left",
)
def brief_notable_panel(access: CareAccess, *, at: BriefPeriod, **ctx: Any) -> dict[str, Any]:
    return {"inputs": brief_notable(access=access, at=at)}


@panel_register(
    page=Page.BRIEF,
    name="homework",
    title="Tools used",
    order=50,
    template="insights/_brief_homework.html",
    region="right",
)
def brief_homework_panel(access: CareAccess, *, at: BriefPeriod, **ctx: Any) -> dict[str, Any]:
    return {"inputs": {"homework": brief_homework(access=access, at=at)}}


@panel_register(
    page=Page.BRIEF,
    name="next_session",
    title="Next session",
    order=60,
    template="insights/_brief_next.html",
    region="right",
)
def brief_next_panel(access: CareAccess, *, at: BriefPeriod, **ctx: Any) -> dict[str, Any]:
    return {"inputs": {"next_appointment": brief_next_appointment(access=access, at=at)}}


# --- the progress report -------------------------------------------------------------------------
@panel_register(
    page=Page.REPORT,
    name="questionnaires",
    title="Questionnaires",
    order=10,
    template="insights/_report_questionnaires.html",
)
def report_questionnaires(
    access: CareAccess,
    *,
    date_range: report.DateRange,
    zone: ZoneInfo,
    for_print: bool,
    progress: Callable[[int, int], object] | None = None,
    **ctx: Any,
) -> dict[str, Any]:
    series = report_series(access=access)
    instruments = report.report_instruments(
        series, date_range=date_range, zone=zone, for_print=for_print, progress=progress
    )
    return {
        "instruments": instruments,
        "has_answers": bool(series),
        "not_shared": not_shared_marker(access=access, category=Category.MEASURES),
        "measures": [i.short_name for i in instruments],
    }


# --- the report's page (the preview and the PDF the worker makes) -----------------------------
def report_context(
    *,
    care: CareAccess,
    date_range: report.DateRange,
    prepared_by: User,
    for_print: bool,
    progress: Callable[[int, int], object] | None = None,
) -> dict[str, Any]:
    """What the report's templates show, for the preview page and the PDF alike: each panel
    registered for the report, built for this viewer over the period."""
    client = care.client
    panels = panels_build(
        page=Page.REPORT,
        access=care,
        date_range=date_range,
        zone=services.report_zone(client.time_zone),
        for_print=for_print,
        progress=progress,
    )
    practice_today = (
        timezone.now().astimezone(services.report_zone(client.practice.time_zone)).date()
    )
    return {
        "client": client,
        "practice": client.practice,
        "date_range": date_range,
        "panels": panels,
        "measures": [name for p in panels for name in p.context.get("measures", [])],
        "prepared_by": prepared_by.get_full_name() or prepared_by.email,
        "prepared_on": report.long_date(practice_today),
        "for_print": for_print,
    }


def report_pdf_html(
    *,
    care: CareAccess,
    date_range: report.DateRange,
    prepared_by: User,
    progress: Callable[[int, int], object],
) -> str:
    """The HTML WeasyPrint lays out: the report's page for print, as the preview shows it."""
    context = report_context(
        care=care, date_range=date_range, prepared_by=prepared_by, for_print=True, progress=progress
    )
    return render_to_string("insights/report_pdf.html", context)


services.report_renderer_register(report_pdf_html)
