"""Appointments on the client record: add a session, mark it attended, cancelled or missed.

Times are typed and shown in the client's own time zone (stored as an aware instant in UTC).
Adding a session goes through `measures.services.appointment_add`, which also opens the
"before each appointment" questionnaires in the same transaction. The panel itself is
`care/_record_appointments.html`, included in the client record; the form lives here, beside its
only views, as the worksheet forms do.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from interlude.care.models import Appointment, AppointmentStatus
from interlude.care.selectors import appointment_list
from interlude.consents.access import CareAccess, access_client
from interlude.core.errors import ApplicationError
from interlude.core.http import StaffRequest
from interlude.core.policy import Access, access
from interlude.measures.services import appointment_add, appointment_status_change
from interlude.practices.enums import ShareScope
from interlude.practices.models import Client

PANEL_ANCHOR = "#appointments"
RECENT_LIMIT = 10


class AppointmentForm(forms.Form):
    day = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the date of the session.",
            "invalid": "Enter a real date, like 2026-03-02.",
        },
    )
    start = forms.TimeField(
        label="Start time",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": "Enter the start time, like 14:00.",
            "invalid": "Enter a time like 14:00.",
        },
    )
    duration_minutes = forms.IntegerField(
        label="Length (minutes)",
        initial=50,
        min_value=10,
        max_value=240,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Enter the length of the session in minutes, like 50.",
            "invalid": "Enter the length in whole minutes, like 50.",
            "min_value": "A session lasts 10 to 240 minutes.",
            "max_value": "A session lasts 10 to 240 minutes.",
        },
    )

    def __init__(self, *args: Any, time_zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone
        self.fields["start"].label = f"Start time ({time_zone})"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, start = data.get("day"), data.get("start")
        if day is None or start is None:
            return data
        zone = ZoneInfo(self.time_zone)
        wall = datetime.combine(day, start)
        starts_at = wall.replace(tzinfo=zone)
        # A wall time skipped when the clocks go forward does not survive the round trip.
        if starts_at.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
            self.add_error(
                "start",
                f"{start:%H:%M} does not exist on {day:%-d %B %Y} in {self.time_zone}: the clocks "
                "go forward then. Choose another time.",
            )
            return data
        now = timezone.now()
        if starts_at < now - timedelta(days=366):
            self.add_error("day", "Enter a date in the last year or later.")
        elif starts_at > now + timedelta(days=2 * 366):
            self.add_error("day", "Enter a date in the next two years.")
        else:
            data["starts_at"] = starts_at
        return data


@dataclass(frozen=True)
class AppointmentPanel:
    upcoming: list[Appointment]  # from now on, soonest first (any status)
    recent: list[Appointment]  # before now, latest first, at most RECENT_LIMIT


def appointment_panel(*, appointments: list[Appointment], now: datetime | None = None):
    now = now or timezone.now()
    return AppointmentPanel(
        upcoming=[a for a in appointments if a.starts_at >= now],
        recent=sorted(
            (a for a in appointments if a.starts_at < now), key=lambda a: a.starts_at, reverse=True
        )[:RECENT_LIMIT],
    )


def appointments_panel_context(*, access: CareAccess) -> dict[str, object]:
    """Everything `care/_record_appointments.html` shows, for the viewer the gate returned
    (appointments are the care team's record: never hidden by the client's sharing)."""
    client = access.client
    appointments = appointment_list(access=access)
    panel = appointment_panel(appointments=appointments)
    return {
        "appointments": appointments,
        "upcoming_appointments": panel.upcoming,
        "recent_appointments": panel.recent,
        "appointment_form": AppointmentForm(time_zone=client.time_zone),
    }


def _record_url(client: Client) -> str:
    return reverse("client_record", kwargs={"client_id": client.public_id}) + PANEL_ANCHOR


def _when(appointment: Appointment, zone: str) -> str:
    local = appointment.starts_at.astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%B %Y, %H:%M} ({zone})"


@access(Access.CLINICIAN)
def appointment_create_view(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    """GET: the form on its own page. POST: add the session, then back to the record."""
    client = access_client(
        user=request.user,
        client_id=client_id,
        scope=ShareScope.PROFILE,
        for_write=request.method not in ("GET", "HEAD"),
    ).client
    form = AppointmentForm(
        request.POST if request.method == "POST" else None, time_zone=client.time_zone
    )
    if request.method == "POST" and form.is_valid():
        try:
            appointment = appointment_add(
                actor=request.user,
                client=client,
                clinician=request.membership,
                starts_at=form.cleaned_data["starts_at"],
                duration_minutes=form.cleaned_data["duration_minutes"],
            )
        except ApplicationError as exc:
            field = exc.field if exc.field in form.fields else None
            form.add_error(field, exc.message)
        else:
            messages.success(request, f"Session added: {_when(appointment, client.time_zone)}.")
            return redirect(_record_url(client))
    return render(
        request,
        "measures/clinician/appointment_add.html",
        {"client": client, "appointment_form": form, "nav": "caseload"},
    )


STATUS_WORDS = {
    AppointmentStatus.SCHEDULED: "scheduled",
    AppointmentStatus.ATTENDED: "attended",
    AppointmentStatus.CANCELLED: "cancelled",
    AppointmentStatus.MISSED: "did not attend",
}


@access(Access.CLINICIAN)
@require_POST
def appointment_status_view(
    request: StaffRequest, client_id: uuid.UUID, appointment_id: uuid.UUID
) -> HttpResponse:
    care = access_client(
        user=request.user, client_id=client_id, scope=ShareScope.CARE_RECORD, for_write=True
    )
    client = care.client
    appointment = next(
        (a for a in appointment_list(access=care) if a.public_id == appointment_id), None
    )
    if appointment is None:
        raise Http404
    try:
        status = AppointmentStatus(request.POST.get("status", ""))
    except ValueError:
        messages.error(request, "Choose attended, cancelled or did not attend.")
        return redirect(_record_url(client))
    appointment_status_change(actor=request.user, appointment=appointment, status=status)
    messages.success(
        request,
        f"Session on {_when(appointment, client.time_zone)} marked {STATUS_WORDS[status]}.",
    )
    return redirect(_record_url(client))
