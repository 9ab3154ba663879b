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
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from interlude.care.calendar_selectors import (
    MODALITY_WORDS,
    appointment_for_client,
    appointment_ics_for_client,
    appointments_for_client,
)
from interlude.care.ics import calendar_bytes
from interlude.care.models import Appointment, AppointmentModality, AppointmentStatus
from interlude.care.selectors import appointment_list
from interlude.care.services import appointment_logistics_check, appointment_logistics_set
from interlude.consents.access import CareAccess, access_client, access_own
from interlude.core.errors import ApplicationError
from interlude.core.http import InterludeRequest, StaffRequest
from interlude.core.policy import Access, access
from interlude.measures.services import appointment_add, appointment_status_change
from interlude.practices.enums import ShareScope
from interlude.practices.models import Client

PANEL_ANCHOR = "#appointments"
RECENT_LIMIT = 10


class LogisticsForm(forms.Form):
    """How and where the session happens. The rules are `care.services.appointment_logistics_check`
    (one check for every way in); the form only puts each problem beside its field."""

    modality = forms.ChoiceField(
        label="How you will meet",
        choices=AppointmentModality.choices,
        initial=AppointmentModality.IN_PERSON,
        required=False,
        widget=forms.RadioSelect,
    )
    location = forms.CharField(
        label="Address (in person)",
        help_text="Where the client should come. Shown to the client; leave empty if they know.",
        required=False,
        max_length=400,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    join_url = forms.CharField(
        label="Join link (video call)",
        help_text="The link the client opens to join, starting with https://. Shown only to "
        "the client and their care team, never in your calendar feed.",
        required=False,
        max_length=600,
        widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "off"}),
    )

    def clean_logistics(self, data: dict[str, Any]) -> None:
        try:
            kind, location, join_url = appointment_logistics_check(
                modality=data.get("modality") or AppointmentModality.IN_PERSON,
                location=data.get("location", ""),
                join_url=data.get("join_url", ""),
            )
        except ApplicationError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
            return
        data.update(modality=kind, location=location, join_url=join_url)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(f in self.errors for f in ("modality", "location", "join_url")):
            self.clean_logistics(data)
        return data


class AppointmentForm(LogisticsForm):
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

    field_order = ("day", "start", "duration_minutes", "modality", "location", "join_url")

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
        data = form.cleaned_data
        try:
            # Booking (with its questionnaires) and its logistics commit together or not at all.
            with transaction.atomic():
                appointment = appointment_add(
                    actor=request.user,
                    client=client,
                    clinician=request.membership,
                    starts_at=data["starts_at"],
                    duration_minutes=data["duration_minutes"],
                )
                if (data["modality"], data["location"], data["join_url"]) != (
                    AppointmentModality.IN_PERSON,
                    "",
                    "",
                ):
                    appointment_logistics_set(
                        actor=request.user,
                        appointment=appointment,
                        modality=data["modality"],
                        location=data["location"],
                        join_url=data["join_url"],
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


# --- changing how and where a session happens ----------------------------------------------------
class AppointmentChangeForm(LogisticsForm):
    pass


@access(Access.CLINICIAN)
def appointment_change_view(
    request: StaffRequest, client_id: uuid.UUID, appointment_id: uuid.UUID
) -> HttpResponse:
    """GET: the session's modality, address and join link in a form. POST: save them. (A new
    time is a new booking: cancel this one and add another, so questionnaires follow.)"""
    care = access_client(
        user=request.user,
        client_id=client_id,
        scope=ShareScope.CARE_RECORD,
        for_write=request.method not in ("GET", "HEAD"),
    )
    client = care.client
    appointment = next(
        (a for a in appointment_list(access=care) if a.public_id == appointment_id), None
    )
    if appointment is None:
        raise Http404
    form = AppointmentChangeForm(
        request.POST if request.method == "POST" else None,
        initial={
            "modality": appointment.modality,
            "location": appointment.location,
            "join_url": appointment.join_url,
        },
    )
    if request.method == "POST" and form.is_valid():
        appointment_logistics_set(
            actor=request.user,
            appointment=appointment,
            modality=form.cleaned_data["modality"],
            location=form.cleaned_data["location"],
            join_url=form.cleaned_data["join_url"],
        )
        messages.success(request, f"Session on {_when(appointment, client.time_zone)} changed.")
        return redirect(_record_url(client))
    return render(
        request,
        "care/appointments_change.html",
        {
            "client": client,
            "appointment": appointment,
            "when": _when(appointment, client.time_zone),
            "form": form,
            "nav": "caseload",
        },
    )


# --- the client's own appointments ---------------------------------------------------------------
def calendar_domain(request: HttpRequest) -> str:
    """The domain in event UIDs: the site's configured address, so a UID stays the same whichever
    host name the request came in on (else the request's host, without its port)."""
    configured = urlsplit(settings.SITE_URL).hostname if settings.SITE_URL else None
    return configured or request.get_host().rsplit(":", 1)[0] or "interlude.invalid"


@access(Access.CLIENT)
def client_appointments_view(request: InterludeRequest) -> HttpResponse:
    """The client's sessions: upcoming ones in full, a short history folded away."""
    care = access_own(user=request.user)
    listing = appointments_for_client(access=care)
    return render(
        request,
        "care/appointments_client.html",
        {
            "client": care.client,
            "upcoming": listing.upcoming,
            "past": listing.past,
            "modality_words": MODALITY_WORDS,
            "nav": "today",
        },
    )


@access(Access.CLIENT)
def client_appointment_ics_view(
    request: InterludeRequest, appointment_id: uuid.UUID
) -> HttpResponse:
    """ "Add to calendar": one session as an .ics file for the client's own calendar."""
    care = access_own(user=request.user)
    appointment = appointment_for_client(access=care, appointment_id=appointment_id)
    body = calendar_bytes(
        [appointment_ics_for_client(appointment, domain=calendar_domain(request))],
        stamp=timezone.now(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="appointment.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
