"""Session notes pages of the care team: the list, a new note (SOAP or DAP), one note (changed
while it is a draft, then signed), and addenda to a signed note.

For the care team only: these routes are for clinicians (the route rule), the gate opens a
record only to its care team or an owner under emergency (break-glass) access, and the notes
selectors refuse a client's own access (ADR 0002: 404, never 403). Every POST asks the gate with
`for_write=True`, so emergency access reads and never writes. Thin: notes_services write.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from interlude.care.models import Appointment, AppointmentStatus, NoteTemplate, SessionNote
from interlude.care.notes_selectors import session_note_get, session_note_list
from interlude.care.notes_services import (
    MAX_ADDENDUM_CHARS,
    MAX_SECTION_CHARS,
    TEMPLATE_SECTIONS,
    NoteSignedError,
    session_note_addendum_add,
    session_note_create,
    session_note_sign,
    session_note_update,
)
from interlude.care.selectors import appointment_list
from interlude.consents.access import CareAccess, Viewer, access_client
from interlude.core.clock import client_date, client_today
from interlude.core.errors import ApplicationError
from interlude.core.http import StaffRequest
from interlude.core.policy import Access, access
from interlude.practices.enums import ShareScope

SECTION_HINTS = {
    "subjective": "What the client reported: their words, concerns, how the week went.",
    "objective": "What you observed: presentation, affect, scores, risk assessment.",
    "data": "What happened in the session: what the client said and what you observed.",
    "assessment": "Your clinical impression: progress, formulation, risk.",
    "plan": "Next steps: homework, focus of the next session, referrals.",
}


class NoteForm(forms.Form):
    session_date = forms.DateField(
        label="Date of the session",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the date of the session.",
            "invalid": "Enter a real date, like 2026-03-02.",
        },
    )
    appointment = forms.ChoiceField(
        label="Appointment (optional)",
        required=False,
        error_messages={"invalid_choice": "Choose one of this client's sessions, or none."},
    )

    def __init__(
        self,
        *args: Any,
        template: NoteTemplate,
        appointments: list[Appointment],
        zone: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.template = template
        self.appointments = {str(a.public_id): a for a in appointments}
        tz = ZoneInfo(zone)
        cast(forms.ChoiceField, self.fields["appointment"]).choices = [
            ("", "Not linked to an appointment")
        ] + [
            (
                str(a.public_id),
                f"{a.starts_at.astimezone(tz):%a %-d %b %Y, %H:%M} ({a.get_status_display()})",
            )
            for a in reversed(appointments)
        ]
        for key, label in TEMPLATE_SECTIONS[template]:
            self.fields[key] = forms.CharField(
                label=label,
                help_text=SECTION_HINTS[key],
                required=False,
                max_length=MAX_SECTION_CHARS,
                widget=forms.Textarea(attrs={"rows": 5}),
                error_messages={
                    "max_length": f"{label} must be {MAX_SECTION_CHARS} characters or fewer."
                },
            )

    @property
    def sections(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(key, "") for key, _ in TEMPLATE_SECTIONS[self.template]}

    @property
    def chosen_appointment(self) -> Appointment | None:
        return self.appointments.get(self.cleaned_data.get("appointment") or "")


class AddendumForm(forms.Form):
    text = forms.CharField(
        label="Addendum",
        help_text="Kept beside the signed note with your name and the time; the note stays as "
        "it was signed.",
        max_length=MAX_ADDENDUM_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter the addendum.",
            "max_length": f"The addendum must be {MAX_ADDENDUM_CHARS} characters or fewer.",
        },
    )


def _care(request: StaffRequest, client_id: uuid.UUID) -> CareAccess:
    return access_client(
        user=request.user,
        client_id=client_id,
        scope=ShareScope.CARE_RECORD,
        for_write=request.method not in ("GET", "HEAD"),
    )


def _note_url(care: CareAccess, note: SessionNote) -> str:
    return reverse("session_note", args=[care.client.public_id, note.public_id])


def _add_error(form: forms.Form, exc: ApplicationError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _read_only(care: CareAccess) -> bool:
    return care.viewer is Viewer.BREAK_GLASS


def _appointment_of(note: SessionNote | None, appointments: list[Appointment]) -> str:
    if note is None or note.appointment_id is None:
        return ""
    found = next((a for a in appointments if a.pk == note.appointment_id), None)
    return str(found.public_id) if found else ""


def _past_sessions(care: CareAccess) -> list[Appointment]:
    return [
        a
        for a in appointment_list(access=care)
        if a.status != AppointmentStatus.CANCELLED
        and client_date(a.starts_at, care.client) <= client_today(care.client)
    ]


@access(Access.CLINICIAN)
def session_notes(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    care = _care(request, client_id)
    notes = session_note_list(access=care)
    return render(
        request,
        "care/notes_list.html",
        {
            "client": care.client,
            "nav": "caseload",
            "notes": notes,
            "read_only": _read_only(care),
            "templates": [(t.value, t.label) for t in NoteTemplate],
        },
    )


def _default_day(care: CareAccess, appointments: list[Appointment]) -> tuple[date, str]:
    """Today's session when there is one (the note is usually written right after it)."""
    today = client_today(care.client)
    todays = [a for a in appointments if client_date(a.starts_at, care.client) == today]
    return today, str(todays[-1].public_id) if todays else ""


@access(Access.CLINICIAN)
def session_note_new(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    care = _care(request, client_id)
    raw = request.POST.get("template") if request.method == "POST" else request.GET.get("template")
    try:
        template = NoteTemplate(raw or NoteTemplate.SOAP)
    except ValueError:
        template = NoteTemplate.SOAP
    appointments = _past_sessions(care)
    day, appointment = _default_day(care, appointments)
    form = NoteForm(
        request.POST if request.method == "POST" else None,
        template=template,
        appointments=appointments,
        zone=care.client.time_zone,
        initial={"session_date": day, "appointment": appointment},
    )
    if request.method == "POST" and form.is_valid():
        try:
            note = session_note_create(
                care=care,
                template=template,
                sections=form.sections,
                session_date=form.cleaned_data["session_date"],
                appointment=form.chosen_appointment,
            )
            if request.POST.get("action") == "sign":
                session_note_sign(care=care, note=note)
                messages.success(request, "Note saved and signed. It can no longer be changed.")
            else:
                messages.success(request, "Draft saved. Sign it when it is complete.")
        except ApplicationError as exc:
            _add_error(form, exc)
        else:
            return redirect(_note_url(care, note))
    return render(
        request,
        "care/notes_edit.html",
        {
            "client": care.client,
            "nav": "caseload",
            "form": form,
            "template": template,
            "other_templates": [t for t in NoteTemplate if t != template],
            "note": None,
            "read_only": _read_only(care),
        },
        status=422 if form.errors else 200,
    )


def _detail(
    request: StaffRequest,
    care: CareAccess,
    note: SessionNote,
    *,
    form: NoteForm | None = None,
    addendum_form: AddendumForm | None = None,
    signed_error: str = "",
    status: int = 200,
) -> HttpResponse:
    read_only = _read_only(care)
    is_author = care.membership is not None and note.author_id == care.membership.pk
    editable = not note.is_signed and not read_only and is_author
    if editable and form is None:
        appointments = _past_sessions(care)
        form = NoteForm(
            template=NoteTemplate(note.template),
            appointments=appointments,
            zone=care.client.time_zone,
            initial={
                "session_date": note.session_date,
                "appointment": _appointment_of(note, appointments),
                **(note.sections or {}),
            },
        )
    if note.is_signed and not read_only and addendum_form is None:
        addendum_form = AddendumForm()
    sections = note.sections or {}
    return render(
        request,
        "care/notes_detail.html",
        {
            "client": care.client,
            "nav": "caseload",
            "note": note,
            "sections": [
                (label, sections.get(key, "")) for key, label in TEMPLATE_SECTIONS[note.template]
            ],
            "addenda": list(note.addenda.all()),
            "form": form if editable else None,
            "addendum_form": addendum_form,
            "signed_error": signed_error,
            "read_only": read_only,
            "is_author": is_author,
            "template": NoteTemplate(note.template),
        },
        status=status,
    )


@access(Access.CLINICIAN)
def session_note_detail(
    request: StaffRequest, client_id: uuid.UUID, note_id: uuid.UUID
) -> HttpResponse:
    """GET: the note (with its edit form while it is the viewer's draft). POST: save the draft;
    a signed note refuses, and the page says why and offers an addendum."""
    care = _care(request, client_id)
    note = session_note_get(access=care, note_id=note_id)
    if request.method != "POST":
        return _detail(request, care, note)
    if note.is_signed:
        return _detail(request, care, note, signed_error=NoteSignedError().message, status=409)
    appointments = _past_sessions(care)
    form = NoteForm(
        request.POST,
        template=NoteTemplate(note.template),
        appointments=appointments,
        zone=care.client.time_zone,
    )
    if form.is_valid():
        try:
            session_note_update(
                care=care,
                note=note,
                sections=form.sections,
                session_date=form.cleaned_data["session_date"],
                appointment=form.chosen_appointment,
            )
            if request.POST.get("action") == "sign":
                session_note_sign(care=care, note=note)
                messages.success(request, "Note saved and signed. It can no longer be changed.")
            else:
                messages.success(request, "Draft saved.")
        except NoteSignedError as exc:
            note = session_note_get(access=care, note_id=note_id)
            return _detail(request, care, note, signed_error=exc.message, status=409)
        except ApplicationError as exc:
            _add_error(form, exc)
        else:
            return redirect(_note_url(care, note))
    return _detail(request, care, note, form=form, status=422)


@access(Access.CLINICIAN)
@require_POST
def session_note_sign_view(
    request: StaffRequest, client_id: uuid.UUID, note_id: uuid.UUID
) -> HttpResponse:
    care = _care(request, client_id)
    note = session_note_get(access=care, note_id=note_id)
    try:
        session_note_sign(care=care, note=note)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, "Note signed. It can no longer be changed; add an addendum for anything later."
        )
    return redirect(_note_url(care, note))


@access(Access.CLINICIAN)
@require_POST
def session_note_addendum_view(
    request: StaffRequest, client_id: uuid.UUID, note_id: uuid.UUID
) -> HttpResponse:
    care = _care(request, client_id)
    note = session_note_get(access=care, note_id=note_id)
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            session_note_addendum_add(care=care, note=note, text=form.cleaned_data["text"])
        except ApplicationError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, "Addendum added. The signed note is unchanged.")
            return redirect(_note_url(care, note) + "#addenda")
    return _detail(request, care, note, addendum_form=form, status=422)


# --- the record's panel (registered in care/panels.py) --------------------------------------------
RECORD_NOTES_LIMIT = 5


def notes_panel_context(*, access: CareAccess) -> dict[str, Any] | None:
    """The record's "Session notes": the latest few, draft or signed. Nothing for a client's
    own access (the record is the care team's page; notes are never the client's to read)."""
    if access.is_self:
        return None
    return {
        "recent_notes": session_note_list(access=access, limit=RECORD_NOTES_LIMIT),
        "notes_url": reverse("session_notes", args=[access.client.public_id]),
    }
