"""The check-in screens: quick to fill in, acknowledged only after the check-in is stored."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from interlude.consents.access import access_own_client
from interlude.core.errors import ApplicationError
from interlude.core.http import InterludeRequest
from interlude.core.policy import Access, access
from interlude.practices.enums import Module
from interlude.practices.models import Client
from interlude.tracking.forms import CheckInForm
from interlude.tracking.models import CheckIn
from interlude.tracking.selectors import activity_option_list
from interlude.tracking.services import (
    CheckInValues,
    activity_options_ensure_defaults,
    checkin_create,
    checkin_update,
)


def _values(form: CheckInForm) -> CheckInValues:
    data = form.cleaned_data
    return CheckInValues(
        mood=data["mood"],
        anxiety=data["anxiety"],
        energy=data["energy"],
        sleep_hours=data["sleep_hours"],
        sleep_quality=data["sleep_quality"],
        emotions=[{"label": code, "intensity": None} for code in data["emotions"]],
        activities=data["activities"],
        note=data["note"] or None,
        note_shared=data["note_shared"],
    )


def _activity_labels(client: Client, extra: list[str] | None = None) -> list[str]:
    labels = [o.label for o in activity_option_list(client=client)]
    return labels + [a for a in (extra or []) if a not in labels]


@access(Access.CLIENT)
def checkin_new(request: InterludeRequest) -> HttpResponse:
    client = access_own_client(user=request.user, module=Module.CHECKINS)
    activity_options_ensure_defaults(client=client)
    form = CheckInForm(
        request.POST or None,
        initial={"idempotency_key": uuid.uuid4().hex},
        activity_labels=_activity_labels(client, request.POST.getlist("activities")),
    )
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["new_activity"]:
                # Joins the activity list in the service, as from the API and the offline queue.
                form.cleaned_data["activities"].append(form.cleaned_data["new_activity"])
            _, created = checkin_create(
                client=client,
                actor=request.user,
                values=_values(form),
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                "Check-in saved. Thank you." if created else "This check-in was already saved.",
            )
            return redirect("client_today")
    return render(
        request, "tracking/checkin_form.html", {"form": form, "nav": "today", "editing": None}
    )


@access(Access.CLIENT)
def checkin_edit(request: InterludeRequest, checkin_id: uuid.UUID) -> HttpResponse:
    client = access_own_client(user=request.user, module=Module.CHECKINS)
    checkin = CheckIn.objects.filter(client=client, public_id=checkin_id).first()
    if checkin is None:
        raise Http404
    initial = {
        "idempotency_key": checkin.idempotency_key,
        "mood": str(checkin.mood),
        "anxiety": "" if checkin.anxiety is None else str(checkin.anxiety),
        "energy": "" if checkin.energy is None else str(checkin.energy),
        "sleep_hours": checkin.sleep_hours,
        "sleep_quality": "" if checkin.sleep_quality is None else str(checkin.sleep_quality),
        "emotions": [e["label"] for e in checkin.emotions],
        "activities": checkin.activities,
        "note": checkin.note or "",
        "note_shared": checkin.note_shared,
    }
    form = CheckInForm(
        request.POST or None,
        initial=initial,
        activity_labels=_activity_labels(client, checkin.activities),
    )
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["new_activity"]:
                # Joins the activity list in the service, as from the API and the offline queue.
                form.cleaned_data["activities"].append(form.cleaned_data["new_activity"])
            checkin_update(checkin=checkin, actor=request.user, values=_values(form))
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Check-in updated.")
            return redirect("client_today")
    return render(
        request, "tracking/checkin_form.html", {"form": form, "nav": "today", "editing": checkin}
    )
