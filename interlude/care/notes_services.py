"""Writes for session notes: a draft is written and changed by its author, signing locks it, and
a change after that is an addendum that leaves the signed note as it was (SECURITY.md SR-28).

Every function takes the `CareAccess` the gate returned for a write (`for_write=True`): only a
clinician on the care team writes; emergency (break-glass) access reads only. The write and its
audit event share one transaction; the signed state is re-read under a row lock, so an edit that
races a signature loses instead of changing a signed note.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from interlude.audit.services import (
    event_session_note_addendum,
    event_session_note_saved,
    event_session_note_signed,
)
from interlude.care.models import Appointment, NoteTemplate, SessionNote, SessionNoteAddendum
from interlude.care.plan_services import care_team_writer, clean_text
from interlude.consents.access import CareAccess
from interlude.core.errors import ApplicationError
from interlude.core.validation import BoundError, check_past_date

MAX_SECTION_CHARS = 20_000
MAX_ADDENDUM_CHARS = 10_000

# The sections of each template, in order, with their headings.
TEMPLATE_SECTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    NoteTemplate.SOAP: (
        ("subjective", "Subjective"),
        ("objective", "Objective"),
        ("assessment", "Assessment"),
        ("plan", "Plan"),
    ),
    NoteTemplate.DAP: (
        ("data", "Data"),
        ("assessment", "Assessment"),
        ("plan", "Plan"),
    ),
}


class NoteSignedError(ApplicationError):
    """The note is signed: it cannot change. The page offers an addendum instead."""

    def __init__(self) -> None:
        super().__init__(
            "This note is signed, so it cannot be changed. Add an addendum instead: it is kept "
            "beside the signed note, which stays as it was signed.",
            field="sections",
        )


def _template(value: object) -> NoteTemplate:
    try:
        return NoteTemplate(str(value))
    except ValueError:
        raise ApplicationError("Choose the SOAP or the DAP template.", field="template") from None


def _sections(template: NoteTemplate, sections: object) -> dict[str, str]:
    """Exactly the template's sections, each text (empty allowed in a draft)."""
    if not isinstance(sections, dict):
        raise ApplicationError("The note's sections are missing.", field="sections")
    keys = [k for k, _ in TEMPLATE_SECTIONS[template]]
    unknown = sorted(set(sections) - set(keys))
    if unknown:
        raise ApplicationError(
            f"A {template.name} note has no section called {unknown[0]!r}.", field="sections"
        )
    labels = dict(TEMPLATE_SECTIONS[template])
    return {
        key: clean_text(
            sections.get(key, ""),
            field=key,
            label=labels[key],
            required=False,
            limit=MAX_SECTION_CHARS,
        )
        for key in keys
    }


def _session_date(value: object) -> date:
    if not isinstance(value, date):
        raise ApplicationError("Enter the date of the session.", field="session_date")
    try:
        return check_past_date(value)
    except BoundError as exc:
        raise ApplicationError(str(exc), field="session_date") from None


def _appointment(care: CareAccess, appointment: Appointment | None) -> Appointment | None:
    if appointment is not None and appointment.client_id != care.client.pk:
        raise ApplicationError("Choose one of this client's sessions.", field="appointment")
    return appointment


def _own(care: CareAccess, note: SessionNote) -> None:
    if note.client_id != care.client.pk:
        raise Http404


def session_note_create(
    *,
    care: CareAccess,
    template: str,
    sections: dict[str, Any],
    session_date: date,
    appointment: Appointment | None = None,
) -> SessionNote:
    """A new draft note by the clinician writing it."""
    author = care_team_writer(care)
    checked_template = _template(template)
    note = SessionNote(
        practice_id=care.client.practice_id,
        client=care.client,
        template=checked_template,
        sections=_sections(checked_template, sections),
        session_date=_session_date(session_date),
        appointment=_appointment(care, appointment),
        author=author,
        created_by=care.user,
        updated_by=care.user,
    )
    with transaction.atomic():
        note.save()
        event_session_note_saved(
            actor=care.user,
            client=care.client,
            note_id=str(note.public_id),
            template=str(checked_template),
        )
    return note


def _lock(note: SessionNote) -> SessionNote:
    """The note re-read under a row lock (PostgreSQL; SQLite has one writer anyway)."""
    return SessionNote.objects.select_for_update().get(pk=note.pk)


def _require_author(care: CareAccess, note: SessionNote) -> None:
    author = care_team_writer(care)
    if note.author_id != author.pk:
        raise ApplicationError(
            "Only the clinician who wrote this draft can change or sign it.", field="sections"
        )


def session_note_update(
    *,
    care: CareAccess,
    note: SessionNote,
    sections: dict[str, Any],
    session_date: date,
    appointment: Appointment | None = None,
) -> SessionNote:
    """Change a draft. A signed note raises NoteSignedError and nothing changes."""
    _own(care, note)
    care_team_writer(care)
    if note.is_signed:
        raise NoteSignedError
    _require_author(care, note)
    template = NoteTemplate(note.template)
    checked = _sections(template, sections)
    day = _session_date(session_date)
    linked = _appointment(care, appointment)
    with transaction.atomic():
        current = _lock(note)
        if current.is_signed:
            raise NoteSignedError
        current.sections = checked
        current.session_date = day
        current.appointment = linked
        current.updated_by = care.user
        current.save()
        event_session_note_saved(
            actor=care.user,
            client=care.client,
            note_id=str(note.public_id),
            template=str(template),
        )
    return current


def session_note_sign(*, care: CareAccess, note: SessionNote) -> SessionNote:
    """Sign a draft: from now on it never changes. An empty note cannot be signed."""
    _own(care, note)
    care_team_writer(care)
    if note.is_signed:
        raise ApplicationError("This note is already signed.", field="sections")
    _require_author(care, note)
    with transaction.atomic():
        current = _lock(note)
        if current.is_signed:
            raise ApplicationError("This note is already signed.", field="sections")
        if not any(str(v).strip() for v in (current.sections or {}).values()):
            raise ApplicationError(
                "The note is empty. Write at least one section before signing.", field="sections"
            )
        current.signed_at = timezone.now()
        current.signed_by = care.user
        current.updated_by = care.user
        current.save(update_fields=["signed_at", "signed_by", "updated_by", "updated_at"])
        event_session_note_signed(actor=care.user, client=care.client, note_id=str(note.public_id))
    return current


def session_note_addendum_add(
    *, care: CareAccess, note: SessionNote, text: str
) -> SessionNoteAddendum:
    """Add to a signed note; the note itself is not touched. A draft is simply edited."""
    _own(care, note)
    author = care_team_writer(care)
    if not note.is_signed:
        raise ApplicationError(
            "This note is still a draft: change it directly. Addenda are for signed notes.",
            field="text",
        )
    addendum = SessionNoteAddendum(
        practice_id=care.client.practice_id,
        client=care.client,
        note=note,
        text=clean_text(
            text, field="text", label="The addendum", required=True, limit=MAX_ADDENDUM_CHARS
        ),
        author=author,
        created_by=care.user,
        updated_by=care.user,
    )
    with transaction.atomic():
        addendum.save()
        event_session_note_addendum(
            actor=care.user,
            client=care.client,
            note_id=str(note.public_id),
            addendum_id=str(addendum.public_id),
        )
    return addendum
