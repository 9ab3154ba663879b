"""Closing an account: the client's request under Me, the owner's decision under Practice
settings. Thin: forms check input, services write (consents/closure_services.py)."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from interlude.consents.access import access_own_client
from interlude.consents.closure_selectors import closure_request_get, closure_request_list
from interlude.consents.closure_services import (
    RECORD_TYPES,
    closure_confirm,
    closure_open_request,
    closure_record_counts,
    closure_request,
)
from interlude.consents.models import ClosureStatus
from interlude.core.errors import ApplicationError
from interlude.core.http import InterludeRequest, StaffRequest
from interlude.core.policy import Access, access
from interlude.insights.services import reports_delete_for_client
from interlude.practices.enums import Role
from interlude.rights.services import exports_delete_for_client


class ClosureDecisionForm(forms.Form):
    kept = forms.MultipleChoiceField(
        choices=[(t.key, t.label) for t in RECORD_TYPES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    retention_reason = forms.CharField(
        label="Why the practice must keep them",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label="I understand that everything not ticked is erased for good.",
        error_messages={"required": "Tick this to confirm."},
    )


# --- the client ----------------------------------------------------------------------------------
@access(Access.CLIENT)
@require_http_methods(["GET", "POST"])
def closure_request_view(request: InterludeRequest) -> HttpResponse:
    """What closing means, and one button to ask for it."""
    client = access_own_client(user=request.user)
    if request.method == "POST":
        _closure, created = closure_request(client=client, actor=request.user)
        if created:
            messages.success(
                request,
                f"Your request has gone to {client.practice.name}. They will close your account "
                "after checking which records they must keep.",
            )
        return redirect("closure_request")
    return render(
        request,
        "consents/closure_request.html",
        {
            "client": client,
            "open_request": closure_open_request(client=client),
            "record_types": RECORD_TYPES,
            "nav": "me",
        },
    )


# --- the practice's owner ------------------------------------------------------------------------
def _owner_only(request: StaffRequest) -> None:
    if request.membership.role != Role.OWNER:
        raise Http404


@access(Access.PRACTICE_ADMIN)
def closure_requests(request: StaffRequest) -> HttpResponse:
    _owner_only(request)
    rows = closure_request_list(practice=request.practice)
    return render(
        request,
        "consents/closure_requests.html",
        {
            "open_requests": [r for r in rows if r.status == ClosureStatus.REQUESTED],
            "decided": [r for r in rows if r.status != ClosureStatus.REQUESTED],
            "labels": {t.key: t.label for t in RECORD_TYPES},
        },
    )


@access(Access.PRACTICE_ADMIN)
@require_http_methods(["GET", "POST"])
def closure_decide(request: StaffRequest, closure_id: uuid.UUID) -> HttpResponse:
    _owner_only(request)
    closure = closure_request_get(practice=request.practice, public_id=closure_id)
    if closure.status != ClosureStatus.REQUESTED:
        return redirect("closure_requests")
    form = ClosureDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                # Export and report files sit outside the database: they go when the closure
                # commits.
                exports_delete_for_client(client_id=closure.client_id)
                reports_delete_for_client(client_id=closure.client_id)
                done = closure_confirm(
                    closure=closure,
                    actor=request.user,
                    membership=request.membership,
                    kept=form.cleaned_data["kept"],
                    retention_reason=form.cleaned_data["retention_reason"],
                )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                f"The account is closed. It now appears as {done.pseudonym}.",
            )
            return redirect("closure_requests")
    counts = closure_record_counts(client=closure.client)
    return render(
        request,
        "consents/closure_decide.html",
        {
            "closure": closure,
            "form": form,
            "record_types": [(t, counts[t.key]) for t in RECORD_TYPES],
            "checked": set(request.POST.getlist("kept")) if form.is_bound else set(),
        },
        status=422 if form.errors else 200,
    )
