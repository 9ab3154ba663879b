"""Reads of session notes through the gate's `CareAccess`.

Session notes are the care team's own record (`Category.CARE_RECORD`) and for the care team only:
the clinicians on the team, and an owner reading under emergency (break-glass) access. The client
never reads them here (a practice admin never gets a `CareAccess` at all): for a client's own
access every read is a 404, as for a record that does not exist (ADR 0002). What a client may
download about themselves is the export's rule (rights), not this module's.
"""

from __future__ import annotations

import uuid

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from interlude.care.models import SessionNote, SessionNoteAddendum
from interlude.consents.access import CareAccess, Category


def _notes(access: CareAccess) -> QuerySet[SessionNote]:
    if access.is_self:
        raise Http404
    return access.scope(SessionNote.objects.all(), Category.CARE_RECORD)


def session_note_list(*, access: CareAccess, limit: int | None = None) -> list[SessionNote]:
    """Notes newest session first, with author, signer and how many addenda, in one query.
    The sections are not decrypted until a page reads them."""
    rows = (
        _notes(access)
        .select_related("author__user", "signed_by", "appointment")
        .annotate(addenda_count=Count("addenda"))
        .order_by("-session_date", "-created_at")
    )
    return list(rows[:limit] if limit else rows)


def session_note_get(*, access: CareAccess, note_id: uuid.UUID | str) -> SessionNote:
    """One note with its addenda (oldest first, with their authors), or 404."""
    found = (
        _notes(access)
        .select_related("author__user", "signed_by", "appointment")
        .prefetch_related(
            Prefetch(
                "addenda",
                queryset=SessionNoteAddendum.objects.select_related("author__user").order_by(
                    "created_at"
                ),
            )
        )
        .filter(public_id=note_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


def session_notes_for_own_export(*, access: CareAccess) -> list[SessionNote]:
    """The signed notes (with their addenda) for the client's own data download, when the
    practice includes notes in downloads (rights decides that). Only for the client's own access:
    the care team reads notes through `session_note_list`. Drafts are work in progress, not yet
    part of the record, so they are left out."""
    if not access.is_self:
        raise Http404
    return list(
        SessionNote.objects.filter(client_id=access.client.pk, signed_at__isnull=False)
        .select_related("author__user")
        .prefetch_related(
            Prefetch(
                "addenda",
                queryset=SessionNoteAddendum.objects.select_related("author__user").order_by(
                    "created_at"
                ),
            )
        )
        .order_by("session_date", "created_at")
    )
