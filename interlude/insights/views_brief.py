"""The pre-session brief and the progress report (HTML preview and PDF). Thin: the gate loads the
client's `CareAccess`, and each page is built from the panels registered for it (core.panels:
`Page.BRIEF`, `Page.REPORT`), each reading what the `CareAccess` lets through; brief.py words the
brief's panels' inputs, and the templates render each panel (with a "not shared" note for each
category the client does not share)."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from interlude.consents.access import CareAccess, access_client
from interlude.core.http import StaffRequest
from interlude.core.panels import Page, panels_build
from interlude.core.policy import Access, access
from interlude.insights import report, services
from interlude.insights.brief import BriefIn, brief_build
from interlude.insights.models import ReportJob, ReportStatus
from interlude.insights.panels import report_context
from interlude.insights.selectors_brief import brief_not_shared, brief_period
from interlude.insights.selectors_report import report_job_current, report_job_get
from interlude.practices.enums import ShareScope
from interlude.practices.models import Client

# The brief and the report show scores, check-ins and shared worksheet text: all three scopes.
BRIEF_SCOPES = (ShareScope.MEASURES, ShareScope.CHECKINS, ShareScope.JOURNAL)


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


def _report_page_context(
    request: StaffRequest, care: CareAccess, *, raw_from: str | None, raw_to: str | None
) -> tuple[dict[str, Any], report.DateRange | None]:
    """The preview page's context, and the period when the requested dates are valid."""
    client = care.client
    date_range, errors = services.report_range(care=care, raw_from=raw_from, raw_to=raw_to)
    if errors:
        context: dict[str, Any] = {
            "client": client,
            "practice": client.practice,
            "date_range": date_range,
            "panels": [],
        }
    else:
        context = report_context(
            care=care, date_range=date_range, prepared_by=request.user, for_print=False
        )
    context |= {
        "errors": errors,
        "error_fields": {e.field for e in errors},
        "raw_from": raw_from or date_range.start.isoformat(),
        "raw_to": raw_to or date_range.end.isoformat(),
        "pdf_url": reverse("client_report_pdf", args=[client.public_id]),
        "nav": "caseload",
    }
    return context, None if errors else date_range


@access(Access.CLINICIAN)
def client_report(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    care = access_client(user=request.user, client_id=client_id, scope=BRIEF_SCOPES)
    context, valid = _report_page_context(
        request, care, raw_from=request.GET.get("from"), raw_to=request.GET.get("to")
    )
    return render(request, "insights/report.html", context, status=200 if valid else 400)


# --- the PDF: built by the task worker (insights.services) ----------------------------------
JOB_TEMPLATE = "insights/report_job.html"
POLL_SECONDS = 2


def _job_context(
    job: ReportJob | None, *, client: Client, date_range: report.DateRange
) -> dict[str, Any]:
    return {
        "job": job,
        "client": client,
        "date_range": date_range,
        "start_url": reverse("client_report_pdf", args=[client.public_id]),
        "poll_seconds": POLL_SECONDS,
        "keep_hours": int(services.KEEP_FOR.total_seconds() // 3600),
        "nav": "caseload",
    }


@access(Access.CLINICIAN)
@require_http_methods(["GET", "POST"])
def client_report_pdf(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    """GET: the PDF of the period on its way or ready, or a button to make it. POST (the report
    page's "Download PDF"): start making it, or find the one already on its way, and show it."""
    # The gate records its own refusals (a 404 that confirms nothing).
    care = access_client(user=request.user, client_id=client_id, scope=BRIEF_SCOPES)
    data = request.POST if request.method == "POST" else request.GET
    raw_from, raw_to = data.get("from"), data.get("to")
    date_range, errors = services.report_range(care=care, raw_from=raw_from, raw_to=raw_to)
    if errors:
        context, _ = _report_page_context(request, care, raw_from=raw_from, raw_to=raw_to)
        return render(request, "insights/report.html", context, status=400)
    if request.method == "POST":
        asked, _ = services.report_job_request(care=care, date_range=date_range)
        return _see_other(asked)
    current = report_job_current(client=care.client, user=request.user, date_range=date_range)
    if current is not None:
        current = services.report_job_recheck(job=current, care=care)
    return render(
        request, JOB_TEMPLATE, _job_context(current, client=care.client, date_range=date_range)
    )


def _see_other(job: ReportJob) -> HttpResponseRedirect:
    """After a POST, the job's page (303: the browser asks for it with a GET)."""
    response = HttpResponseRedirect(reverse("report_job", args=[job.public_id]))
    response.status_code = 303
    return response


def _period(job: ReportJob) -> report.DateRange:
    return report.DateRange(job.date_from, job.date_to)


def _own_job(request: StaffRequest, report_id: uuid.UUID) -> tuple[ReportJob, CareAccess]:
    """The clinician's own job, after the gate has let them in to its client again (so a refusal
    is audited like any other); a 404 for anyone else's."""
    job = report_job_get(public_id=report_id)
    if job is None:
        raise Http404
    care = access_client(user=request.user, client_id=job.client.public_id, scope=BRIEF_SCOPES)
    if job.requested_by_id != request.user.pk:
        raise Http404
    return job, care


@access(Access.CLINICIAN)
@require_GET
def report_job_page(request: StaffRequest, report_id: uuid.UUID) -> HttpResponse:
    """The PDF being made, then ready. htmx polls its status part, which shows no client data,
    so the poll asks no gate (nor fills the client's access history): only whose job it is."""
    if request.htmx:
        job = report_job_get(public_id=report_id)
        if job is None or job.requested_by_id != request.user.pk:
            raise Http404
        context = _job_context(job, client=job.client, date_range=_period(job))
        return render(request, f"{JOB_TEMPLATE}#report-job-status", context)
    job, care = _own_job(request, report_id)
    job = services.report_job_recheck(job=job, care=care)
    return render(
        request, JOB_TEMPLATE, _job_context(job, client=job.client, date_range=_period(job))
    )


@access(Access.CLINICIAN)
@require_GET
def report_job_download(request: StaffRequest, report_id: uuid.UUID) -> HttpResponse | FileResponse:
    """The PDF, once the gate has let the clinician in again and the client's sharing still
    covers what it shows; audited as exported. Otherwise the page says why (and offers a new
    one); a PDF made under wider sharing is deleted there and then."""
    job, care = _own_job(request, report_id)
    handle = services.report_job_serve(job=job, care=care)
    if handle is None:
        if job.is_building:
            return _see_other(job)
        context = _job_context(job, client=job.client, date_range=_period(job))
        return render(
            request,
            JOB_TEMPLATE,
            context,
            status=410 if job.status == ReportStatus.EXPIRED else 409,
        )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=report.report_filename(services.report_download_day(job)),
        content_type="application/pdf",
    )
    response["Cache-Control"] = "no-store, private"
    return response
