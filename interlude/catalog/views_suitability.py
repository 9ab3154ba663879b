"""The clinician's suitability notes: add one, remove one. One panel serves the client record and
htmx (the panel alone is swapped in place); without JavaScript the forms post normally and come
back to the record, or to a page with the panel when the note needs fixing."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from interlude.catalog.suitability_panels import suitability_panel_context
from interlude.catalog.suitability_services import suitability_note_add, suitability_note_remove
from interlude.consents.access import CareAccess, access_client
from interlude.core.errors import ApplicationError
from interlude.core.http import StaffRequest
from interlude.core.policy import Access, access
from interlude.practices.enums import ShareScope

SAVED = "Note added. It shows in the pre-session brief."
REMOVED = "Note removed."


def _care(request: StaffRequest, client_id: uuid.UUID) -> CareAccess:
    return access_client(
        user=request.user,
        client_id=client_id,
        scope=ShareScope.CARE_RECORD,
        for_write=request.method not in ("GET", "HEAD"),
    )


def _record_url(care: CareAccess) -> str:
    return reverse("client_record", args=[care.client.public_id]) + "#suitability"


def _render(
    request: StaffRequest,
    care: CareAccess,
    *,
    status: int = 200,
    saved: str = "",
    error: str = "",
    text: str = "",
) -> HttpResponse:
    context = suitability_panel_context(access=care) | {
        "saved": saved,
        "error": error,
        "text": text,
    }
    template = (
        "catalog/_suitability_panel.html" if request.htmx else "catalog/suitability_page.html"
    )
    return render(request, template, context | {"nav": "caseload"}, status=status)


@access(Access.CLINICIAN)
def suitability_notes(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    """GET: the Suitability panel (htmx) or a page with it. POST: add a note."""
    care = _care(request, client_id)
    if request.method != "POST":
        return _render(request, care)
    text = request.POST.get("text", "")
    try:
        suitability_note_add(care=care, membership=request.membership, text=text)
    except ApplicationError as exc:
        # The panel again, with the text kept and the problem named beside it. htmx swaps only
        # 2xx answers (its default), so the fragment comes with 200; the page with 400.
        status = 200 if request.htmx else 400
        return _render(request, care, status=status, error=exc.message, text=text)
    if not request.htmx:
        messages.success(request, SAVED)
        return redirect(_record_url(care))
    return _render(request, care, saved=SAVED)


@access(Access.CLINICIAN)
@require_POST
def suitability_note_remove_view(
    request: StaffRequest, client_id: uuid.UUID, suitability_note_id: uuid.UUID
) -> HttpResponse:
    care = _care(request, client_id)
    suitability_note_remove(care=care, membership=request.membership, note_id=suitability_note_id)
    if not request.htmx:
        messages.success(request, REMOVED)
        return redirect(_record_url(care))
    return _render(request, care, saved=REMOVED)
