"""The client's "Download my data" page: ask for the download, watch it being prepared (htmx
polls the status partial), download it once. Thin: the gate gives the client's own access, the
services ask and record, downloads.py streams."""

from __future__ import annotations

import uuid

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from interlude.consents.access import access_own
from interlude.core.http import InterludeRequest
from interlude.core.policy import Access, access
from interlude.practices.models import Client
from interlude.rights.downloads import export_download_response
from interlude.rights.models import ExportJob
from interlude.rights.selectors import export_job_get, export_job_latest, export_session_notes
from interlude.rights.services import KEEP_FOR, export_request

TEMPLATE = "rights/export.html"
POLL_SECONDS = 2


def _context(job: ExportJob | None, client: Client) -> dict[str, object]:
    return {
        "job": job,
        "client": client,
        "poll_seconds": POLL_SECONDS,
        "keep_hours": int(KEEP_FOR.total_seconds() // 3600),
    }


@access(Access.CLIENT)
@require_http_methods(["GET", "POST"])
def export_page(request: InterludeRequest) -> HttpResponse:
    care = access_own(user=request.user)
    if request.method == "POST":
        export_request(care=care)
        if not request.htmx:
            return redirect("client_export")
    job = export_job_latest(client_id=care.client.pk)
    context = _context(job, care.client)
    if request.htmx:
        return render(request, f"{TEMPLATE}#export-status", context)
    context |= {
        "session_notes": export_session_notes(care=care),
        "nav": "me",
    }
    return render(request, TEMPLATE, context)


@access(Access.CLIENT)
@require_GET
def export_download(request: InterludeRequest, export_id: uuid.UUID) -> StreamingHttpResponse:
    care = access_own(user=request.user)
    job = export_job_get(client_id=care.client.pk, public_id=export_id)
    return export_download_response(job=job, user=request.user)
