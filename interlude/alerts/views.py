"""The clinician's alert inbox: the alerts that reach them (their clients', escalated ones for an
owner, ones handed to them), unacknowledged first, then acknowledged but unresolved; acknowledge
with a note, resolve, hand over. One template serves the page and, through a partial, the htmx row
swap; without JavaScript every action is a plain POST followed by a redirect. Each alert has its
own page with who was told, when, and who acted.

Reads go through the gate (`access_alert_inbox`, `access_alert`, both audited); writes through
alerts/services.py, which audits them.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from interlude.alerts.access import access_alert, access_alert_inbox
from interlude.alerts.forms import AlertNoteForm, HandoverForm
from interlude.alerts.models import Alert, AlertStatus
from interlude.alerts.selectors import alert_history, alerts_open_count, clinicians_for_handover
from interlude.alerts.services import alert_acknowledge, alert_hand_over, alert_resolve
from interlude.core.errors import ApplicationError
from interlude.core.http import StaffRequest
from interlude.core.policy import Access, access

PAGE = "alerts/inbox.html"
DETAIL = "alerts/detail.html"
ROW = "alerts/inbox.html#alert-row"
OPEN_COUNT = "alerts/inbox.html#open-count"
NAV_COUNT = "alerts/_nav_count.html"
DONE = {
    "acknowledge": "Alert acknowledged.",
    "resolve": "Alert resolved.",
    "handover": "Alert handed over.",
}


def _show(value: str | None) -> str:
    return "all" if value == "all" else "open"


def _inbox_page(
    request: StaffRequest, *, show: str, failed: dict[str, Any] | None = None
) -> HttpResponse:
    include_resolved = show == "all"
    alerts = access_alert_inbox(
        user=request.user, membership=request.membership, include_resolved=include_resolved
    )
    if failed is not None and not any(a.pk == failed["alert_id"] for a in alerts):
        # The row the person was working on stays on the page, to show what went wrong.
        alerts = [failed["alert"], *alerts]
    # What still needs someone first; what someone has but is not resolved, apart.
    groups = {
        status: [a for a in alerts if a.status == status]
        for status in (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED, AlertStatus.RESOLVED)
    }
    open_count = len(groups[AlertStatus.OPEN])
    return render(
        request,
        PAGE,
        {
            "alerts": alerts,
            "needs_someone": groups[AlertStatus.OPEN],
            "acknowledged": groups[AlertStatus.ACKNOWLEDGED],
            "resolved": groups[AlertStatus.RESOLVED],
            "show": show,
            "open_count": open_count,
            "failed": failed,
            "show_client": True,
            "source": "inbox",
            "nav": "alerts",
        },
    )


@access(Access.CLINICIAN)
def alert_inbox(request: StaffRequest) -> HttpResponse:
    return _inbox_page(request, show=_show(request.GET.get("show")))


def _detail_page(
    request: StaffRequest, *, alert: Alert, failed: dict[str, Any] | None = None
) -> HttpResponse:
    return render(
        request,
        DETAIL,
        {
            "alert": alert,
            "history": alert_history(alert=alert),
            "clinicians": clinicians_for_handover(alert=alert, exclude_user=request.user),
            "failed": failed,
            "source": "detail",
            "show_client": True,
            "nav": "alerts",
        },
        status=422 if failed else 200,
    )


@access(Access.CLINICIAN)
def alert_detail(request: StaffRequest, alert_id: uuid.UUID) -> HttpResponse:
    """One alert: what, for whom, who was told and who acted; acknowledge, resolve, hand over."""
    return _detail_page(request, alert=access_alert(user=request.user, alert_id=alert_id))


@access(Access.CLINICIAN)
@require_POST
def alert_handover_view(request: StaffRequest, alert_id: uuid.UUID) -> HttpResponse:
    alert = access_alert(user=request.user, alert_id=alert_id)
    form = HandoverForm(request.POST)
    error = ""
    if not form.is_valid():
        field = next(iter(form.errors))
        error = str(form.errors[field][0])
    else:
        try:
            alert_hand_over(
                actor=request.user,
                alert=alert,
                to_membership_id=form.cleaned_data["to"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            error = exc.message
    if error:
        alert.refresh_from_db()
        failed = {
            "alert_id": alert.pk,
            "action": "handover",
            "handover": alert.pk,
            "message": error,
            "note": request.POST.get("note", ""),
            "to": request.POST.get("to", ""),
        }
        return _detail_page(request, alert=alert, failed=failed)
    messages.success(request, DONE["handover"])
    return redirect("alert_detail", alert_id=alert.public_id)


def _act(request: StaffRequest, alert_id: uuid.UUID, action: str) -> HttpResponse:
    alert = access_alert(user=request.user, alert_id=alert_id)
    form = AlertNoteForm(request.POST)
    valid = form.is_valid()
    source = form.cleaned_data.get("source") or "inbox"
    show = _show(form.cleaned_data.get("show"))
    error = "" if valid else form.errors["note"][0] if "note" in form.errors else "Try again."
    updated: Alert | None = None
    if valid:
        try:
            if action == "acknowledge":
                updated = alert_acknowledge(
                    actor=request.user, alert=alert, note=form.cleaned_data["note"]
                )
            else:
                updated = alert_resolve(
                    actor=request.user, alert=alert, note=form.cleaned_data["note"]
                )
        except ApplicationError as exc:
            error = exc.message
            alert.refresh_from_db()
    if updated is None:
        failed = {
            "alert_id": alert.pk,
            "alert": alert,
            "action": action,
            action: alert.pk,  # the form of this row and action shows the error
            "message": error,
            "note": request.POST.get("note", ""),
        }
        if source == "detail" and not request.htmx:
            return _detail_page(request, alert=alert, failed=failed)
        if request.htmx:
            return render(
                request,
                ROW,
                {
                    "alert": alert,
                    "failed": failed,
                    "show_client": source == "inbox",
                    "source": source,
                    "show": show,
                },
            )
        return _inbox_page(request, show=show, failed=failed)
    updated.client = alert.client
    updated.reached_via = alert.reached_via  # type: ignore[attr-defined]
    updated.shown_reason = alert.shown_reason  # type: ignore[attr-defined]
    if request.htmx:
        context = {
            "alert": updated,
            "done": action,
            "show_client": source == "inbox",
            "source": source,
            "show": show,
        }
        # The row, and out of band the open counts that changed with it: the top bar's badge
        # (on every staff page) and, on the inbox, the count beside the heading.
        count = alerts_open_count(membership=request.membership)
        parts = [
            render_to_string(ROW, context, request=request),
            render_to_string(NAV_COUNT, {"count": count, "oob": True}, request=request),
        ]
        if source == "inbox":
            parts.append(
                render_to_string(OPEN_COUNT, {"open_count": count, "oob": True}, request=request)
            )
        # Out-of-band parts travel inside <template> so the HTML parser keeps them after a <tr>.
        first, *oob = parts
        return HttpResponse(first + "".join(f"<template>{p}</template>" for p in oob))
    messages.success(request, DONE[action])
    if source == "detail":
        return redirect("alert_detail", alert_id=alert.public_id)
    if source == "record":
        return redirect(reverse("client_record", args=[alert.client.public_id]) + "#alerts")
    return redirect(reverse("alert_inbox") + ("?show=all" if show == "all" else ""))


@access(Access.CLINICIAN)
@require_POST
def alert_acknowledge_view(request: StaffRequest, alert_id: uuid.UUID) -> HttpResponse:
    return _act(request, alert_id, "acknowledge")


@access(Access.CLINICIAN)
@require_POST
def alert_resolve_view(request: StaffRequest, alert_id: uuid.UUID) -> HttpResponse:
    return _act(request, alert_id, "resolve")
