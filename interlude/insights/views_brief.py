"""The pre-session brief and the progress report (HTML preview and PDF). Thin: the gate loads the
client's `CareAccess`, and each page is built from the panels registered for it (core.panels:
`Page.BRIEF`, `Page.REPORT`), each reading what the `CareAccess` lets through; brief.py words the
brief's panels' inputs, and the templates render each panel (with a "not shared" note for each
category the client does not share)."""

from __future__ import annotations

import uuid
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from interlude.audit.services import event_report_exported
from interlude.consents.access import CareAccess, access_client
from interlude.core.http import StaffRequest
from interlude.core.panels import Page, panels_build
from interlude.core.policy import Access, access
from interlude.insights import report
from interlude.insights.brief import BriefIn, brief_build
from interlude.insights.selectors_brief import brief_not_shared, brief_period, report_first_day
from interlude.practices.enums import ShareScope

# The brief and the report show scores, check-ins and shared worksheet text: all three scopes.
BRIEF_SCOPES = (ShareScope.MEASURES, ShareScope.CHECKINS, ShareScope.JOURNAL)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@access(Access.CLINICIAN)
def client_brief(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    care = access_client(user=request.user, client_id=client_id, scope=BRIEF_SCOPES)
    # Since the last session: read once, every panel reads for this period.
    at = brief_period(access=care)
    panels = panels_build(page=Page.BRIEF, access=care, at=at)
    inputs: dict[str, Any] = {}
    for built in panels:
        inputs.update(built.context.get("inputs", {}))
    context = {
        "client": care.client,
        "brief": brief_build(BriefIn(period=at.period, **inputs)),
        "panels": panels,
        "not_shared": brief_not_shared(access=care),
        "nav": "caseload",
    }
    return render(request, "insights/brief.html", context)


def _report_context(
    request: StaffRequest, care: CareAccess, *, for_print: bool
) -> tuple[dict[str, Any], bool]:
    """The report's context, and whether the requested dates were valid."""
    client = care.client
    zone = _zone(client.time_zone)
    today = timezone.now().astimezone(zone).date()
    first = report_first_day(access=care, zone=zone)
    date_range, errors = report.range_parse(
        request.GET.get("from"),
        request.GET.get("to"),
        default_start=first or client.started_on or today,
        today=today,
    )
    panels = (
        []
        if errors
        else panels_build(
            page=Page.REPORT, access=care, date_range=date_range, zone=zone, for_print=for_print
        )
    )
    practice_today = timezone.now().astimezone(_zone(client.practice.time_zone)).date()
    query = f"?from={date_range.start.isoformat()}&to={date_range.end.isoformat()}"
    context = {
        "client": client,
        "practice": client.practice,
        "date_range": date_range,
        "errors": errors,
        "error_fields": {e.field for e in errors},
        "raw_from": request.GET.get("from") or date_range.start.isoformat(),
        "raw_to": request.GET.get("to") or date_range.end.isoformat(),
        "panels": panels,
        "measures": [name for p in panels for name in p.context.get("measures", [])],
        "prepared_by": request.user.get_full_name() or request.user.email,
        "prepared_on": report.long_date(practice_today),
        "pdf_url": reverse("client_report_pdf", args=[client.public_id]) + query,
        "nav": "caseload",
        "for_print": for_print,
    }
    return context, not errors


@access(Access.CLINICIAN)
def client_report(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    care = access_client(user=request.user, client_id=client_id, scope=BRIEF_SCOPES)
    context, valid = _report_context(request, care, for_print=False)
    return render(request, "insights/report.html", context, status=200 if valid else 400)


@access(Access.CLINICIAN)
def client_report_pdf(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    # The gate records its own refusals (outside this transaction, so a 404 keeps its event).
    care = access_client(user=request.user, client_id=client_id, scope=BRIEF_SCOPES)
    client = care.client
    # The report's read and its export event share one transaction: if the event cannot be
    # written, nothing is exported.
    with transaction.atomic():
        context, valid = _report_context(request, care, for_print=True)
        if valid:
            event_report_exported(actor=request.user, client=client, kind=report.PDF_KIND)
    if not valid:
        context["for_print"] = False
        return render(request, "insights/report.html", context, status=400)
    html = render_to_string("insights/report_pdf.html", context, request=request)
    pdf = report.pdf_render(html, base_url=request.build_absolute_uri("/"))
    practice_today = timezone.now().astimezone(_zone(client.practice.time_zone)).date()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{report.report_filename(practice_today)}"'
    )
    response["Cache-Control"] = "no-store, private"
    return response
