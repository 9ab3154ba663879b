"""Reads of suitability notes through the gate's `CareAccess`.

Suitability notes are the care team's own record (`Category.CARE_RECORD`, never hidden from the
care team): the clinicians on the team read them, and an owner under emergency (break-glass)
access. The client does not read them in the app: for a client's own access these reads are a
404, as for a record that does not exist (ADR 0002). What a client gets in their data download
is `suitability_notes_for_own_export`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404

from interlude.catalog.models import SuitabilityNote
from interlude.consents.access import CareAccess, Category


@dataclass(frozen=True)
class NoteRow:
    """One current note as the record and the brief show it."""

    public_id: str
    text: str
    author_name: str
    created_at: datetime


def _notes(access: CareAccess) -> QuerySet[SuitabilityNote]:
    if access.is_self:
        raise Http404
    return access.scope(SuitabilityNote.objects.all(), Category.CARE_RECORD)


def _row(note: SuitabilityNote) -> NoteRow:
    return NoteRow(
        public_id=str(note.public_id),
        text=note.text,
        author_name=note.author.user.get_full_name(),
        created_at=note.created_at,
    )


def suitability_notes_current(*, access: CareAccess) -> list[NoteRow]:
    """The client's current (not removed) notes, newest first, with who wrote them: one query
    however many there are."""
    rows = (
        _notes(access)
        .filter(removed_at__isnull=True)
        .select_related("author__user")
        .order_by("-created_at", "-pk")
    )
    return [_row(note) for note in rows]


def suitability_notes_for_own_export(*, access: CareAccess) -> list[SuitabilityNote]:
    """Every note held about the client, removed ones too (with `removed_at`), oldest first, for
    the client's own data download. Only for the client's own access (rights calls it)."""
    if not access.is_self:
        raise Http404
    return list(
        SuitabilityNote.objects.filter(client_id=access.client.pk)
        .select_related("author__user")
        .order_by("created_at", "pk")
    )
