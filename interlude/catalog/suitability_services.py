"""Writes for suitability notes: what the care team notes about how digital tools suit a client
("Prefers paper for worksheets", "Shares a phone with partner: no reminders"), shown on the
client record and in the pre-session brief.

Notes are the care team's own record (`Category.CARE_RECORD`). Every function takes the
`CareAccess` the gate returned for a write (`access_client(..., for_write=True)`) and refuses
anyone but the care team: emergency (break-glass) access only reads, and the client never writes
here. Removing is soft (`removed_at`): any member of the care team may remove any note, and the
row stays for the audit trail and the client's data download. Each write and its audit event
share one transaction; the audit rows carry ids only, never the text.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from interlude.audit.services import event_suitability_note_removed, event_suitability_note_saved
from interlude.catalog.models import SuitabilityNote
from interlude.consents.access import CareAccess, Viewer
from interlude.core.errors import ApplicationError
from interlude.core.validation import MSG_BAD_TEXT, text_problem
from interlude.practices.models import Membership

NOTE_MAX_CHARS = 500


def _care_team_writer(care: CareAccess, membership: Membership) -> Membership:
    """The membership writing: on this client's care team, and the signed-in person's. The gate
    already refuses the client and break-glass for `for_write=True`; this is the second lock."""
    if (
        care.viewer is not Viewer.CARE_TEAM
        or care.membership is None
        or membership.pk != care.membership.pk
        or membership.user_id != care.user.pk
    ):
        raise Http404
    return membership


def suitability_note_clean(text: object) -> str:
    """The note's text, stripped, or an `ApplicationError` naming what is wrong with it."""
    if not isinstance(text, str):
        raise ApplicationError("The note must be text.", field="text")
    if text_problem(text) is not None:
        raise ApplicationError(MSG_BAD_TEXT, field="text")
    cleaned = text.strip()
    if not cleaned:
        raise ApplicationError(
            "Write the note first, for example: Prefers paper for worksheets.", field="text"
        )
    if len(cleaned) > NOTE_MAX_CHARS:
        raise ApplicationError(
            f"A note can be up to {NOTE_MAX_CHARS} characters; this one has {len(cleaned)}. "
            "Shorten it, or split it into two notes.",
            field="text",
        )
    return cleaned


def suitability_note_add(*, care: CareAccess, membership: Membership, text: str) -> SuitabilityNote:
    """Record a note for the client of `care` (read with `for_write=True`), written by
    `membership`."""
    author = _care_team_writer(care, membership)
    cleaned = suitability_note_clean(text)
    note = SuitabilityNote(
        practice_id=care.client.practice_id,
        client=care.client,
        text=cleaned,
        author=author,
        created_by=care.user,
        updated_by=care.user,
    )
    with transaction.atomic():
        note.save()
        event_suitability_note_saved(
            actor=care.user, client=care.client, note_id=str(note.public_id)
        )
    return note


def suitability_note_remove(
    *, care: CareAccess, membership: Membership, note_id: uuid.UUID | str
) -> SuitabilityNote:
    """Remove a current note of this client (any member of the care team may). A note of another
    client, an unknown id or a note already removed is a 404: there is nothing here to remove."""
    _care_team_writer(care, membership)
    try:
        public_id = uuid.UUID(str(note_id))
    except ValueError:
        raise Http404 from None
    with transaction.atomic():
        note = (
            SuitabilityNote.objects.select_for_update()
            .filter(client_id=care.client.pk, public_id=public_id, removed_at__isnull=True)
            .first()
        )
        if note is None:
            raise Http404
        note.removed_at = timezone.now()
        note.updated_by = care.user
        note.save(update_fields=["removed_at", "updated_by", "updated_at"])
        event_suitability_note_removed(
            actor=care.user, client=care.client, note_id=str(note.public_id)
        )
    return note
