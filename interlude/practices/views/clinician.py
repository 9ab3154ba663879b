"""Clinician pages: the caseload and the client record. Reads go through the gate."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from interlude.core.errors import ApplicationError
from interlude.core.http import StaffRequest
from interlude.core.policy import Access, access
from interlude.exercises.worksheets_selectors import worksheets_summary_for_clinician
from interlude.practices.access import access_caseload, access_client
from interlude.practices.enums import ClientStatus, ShareScope
from interlude.practices.forms import ClientCreateForm, ClientInviteForm
from interlude.practices.selectors import caseload_rows, client_record_context
from interlude.practices.services import client_create, invitation_create_for_client
from interlude.tracking.selectors_care_team import checkins_for_care_team

SORTS = {"name": "name", "activity": "activity", "status": "status"}


@access(Access.CLINICIAN)
def caseload(request: StaffRequest) -> HttpResponse:
    clients = access_caseload(user=request.user, membership=request.membership)
    status = request.GET.get("status", "")
    status = status if status in [*ClientStatus.values, "all"] else ""
    sort = SORTS.get(request.GET.get("sort", ""), "name")
    rows = caseload_rows(clients=clients, status=status, sort=sort)
    context = {
        "rows": rows,
        "total": len(clients),
        "current": sum(1 for c in clients if c.status != ClientStatus.DISCHARGED),
        "status": status,
        "sort": sort,
        "statuses": ClientStatus.choices,
    }
    template = "practices/caseload.html"
    if request.htmx:
        template += "#caseload-table"
    return render(request, template, context)


@access(Access.CLINICIAN)
def client_add(request: StaffRequest) -> HttpResponse:
    membership = request.membership
    initial = {"time_zone": membership.practice.time_zone, "country": membership.practice.country}
    form = ClientCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            client = client_create(actor=request.user, membership=membership, **form.cleaned_data)
            if client.email:
                invitation_create_for_client(
                    actor=request.user,
                    membership=membership,
                    client=client,
                    email=client.email,
                    base_url=request.build_absolute_uri("/"),
                )
                messages.success(
                    request,
                    f"{client.full_name} was added and an invitation was sent to {client.email}.",
                )
            else:
                messages.success(
                    request,
                    f"{client.full_name} was added. Invite them when you have their email address.",
                )
            return redirect("client_record", client_id=client.public_id)
        except ApplicationError as exc:
            form.add_error(exc.field, exc.message)
    return render(request, "practices/client_add.html", {"form": form})


@access(Access.CLINICIAN)
def client_record(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    client = access_client(user=request.user, client_id=client_id, scope=ShareScope.CHECKINS)
    context = client_record_context(client=client)
    context["checkins"] = checkins_for_care_team(client=client)
    context["worksheets_summary"] = worksheets_summary_for_clinician(client=client)
    context["invite_form"] = ClientInviteForm(initial={"email": client.email})
    return render(request, "practices/client_record.html", context)


@access(Access.CLINICIAN)
@require_POST
def client_invite(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    client = access_client(user=request.user, client_id=client_id)
    form = ClientInviteForm(request.POST)
    if form.is_valid():
        try:
            invitation_create_for_client(
                actor=request.user,
                membership=request.membership,
                client=client,
                email=form.cleaned_data["email"],
                base_url=request.build_absolute_uri("/"),
            )
            messages.success(
                request,
                f"A new invitation was sent to {form.cleaned_data['email']}. "
                "Earlier links no longer work.",
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "Enter a valid email address, like name@example.com.")
    return redirect("client_record", client_id=client.public_id)
