"""Break-glass pages for practice owners: find a client by name, give the reason, open the record.

Owners only (anyone else gets the 404 of a missing page). The list shows names, never anything
from a record; the record opens through the gate once the grant exists.
"""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.views.decorators.http import require_GET, require_http_methods

from interlude.consents.breakglass_selectors import (
    breakglass_client_get,
    breakglass_client_list,
    owner_membership,
)
from interlude.consents.breakglass_services import (
    BREAK_GLASS_MINUTES,
    REASON_MAX_LENGTH,
    break_glass_open,
)
from interlude.core.errors import ApplicationError
from interlude.core.http import StaffRequest
from interlude.core.policy import Access, access


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need to open this record now?",
        help_text=(
            "For example: the client's clinician is away and the client is at risk. The reason "
            "is kept with this access. The care team is told that you opened the record, not why."
        ),
        # The service checks it (empty, spaces only, too long) so the API and this page agree.
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": REASON_MAX_LENGTH}),
    )


@access(Access.CLINICIAN)
@require_GET
def break_glass_list(request: StaffRequest) -> HttpResponse:
    membership = owner_membership(user=request.user)
    return render(
        request,
        "consents/breakglass_list.html",
        {
            "rows": breakglass_client_list(membership=membership),
            "minutes": BREAK_GLASS_MINUTES,
            "nav": "emergency",
        },
    )


@access(Access.CLINICIAN)
@require_http_methods(["GET", "POST"])
def break_glass_form(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    membership = owner_membership(user=request.user)
    row = breakglass_client_get(membership=membership, client_id=client_id)
    client = row.client
    if row.on_care_team:
        return redirect("client_record", client_id=client.public_id)
    form = BreakGlassForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            grant = break_glass_open(
                user=request.user,
                client_public_id=client.public_id,
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            form.add_error(exc.field, exc.message)
        else:
            until = formats.time_format(timezone.localtime(grant.expires_at), "H:i")
            messages.warning(
                request,
                f"You have emergency access to this record until {until}. Every page you open "
                "is recorded, and the client's care team has been told.",
            )
            return redirect("client_record", client_id=client.public_id)
    if request.method == "POST":
        status = 400
    return render(
        request,
        "consents/breakglass_open.html",
        {"client": client, "form": form, "minutes": BREAK_GLASS_MINUTES, "nav": "emergency"},
        status=status,
    )
