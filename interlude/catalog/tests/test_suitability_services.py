"""Suitability notes: adding (validated, audited by id only), removing (soft, by anyone on the
care team, audited), and reading the current notes newest first in a constant number of queries.
Only the care team writes; the client never reads them through these selectors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.http import Http404

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.catalog.models import SuitabilityNote
from interlude.catalog.suitability_selectors import (
    NoteRow,
    suitability_notes_current,
    suitability_notes_for_own_export,
)
from interlude.catalog.suitability_services import suitability_note_add, suitability_note_remove
from interlude.consents.access import access_client, access_own
from interlude.consents.breakglass_services import break_glass_open
from interlude.core.errors import ApplicationError
from interlude.practices.enums import Role, ShareScope
from tests.factories import (
    CareTeamMemberFactory,
    MembershipFactory,
    UserFactory,
    clinician_with_client,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _write(membership, client):
    return access_client(
        user=membership.user,
        client_id=client.public_id,
        scope=ShareScope.CARE_RECORD,
        for_write=True,
    )


def _read(membership, client):
    return access_client(
        user=membership.user, client_id=client.public_id, scope=ShareScope.CARE_RECORD
    )


def _events(action: AuditAction) -> list[tuple[str, str, int | None]]:
    return list(
        AuditEvent.objects.filter(action=action)
        .order_by("seq")
        .values_list("object_type", "object_id", "client_id")
    )


def test_add_stores_the_stripped_text_with_its_author_and_audits_the_id_only():
    membership, client = clinician_with_client()
    membership.user.full_name = "Dr Ada Rivera"
    membership.user.save()

    note = suitability_note_add(
        care=_write(membership, client),
        membership=membership,
        text="  Prefers paper for worksheets \n",
    )

    stored = SuitabilityNote.objects.get()
    assert (stored.text, stored.author_id, stored.client_id, stored.practice_id) == (
        "Prefers paper for worksheets",
        membership.pk,
        client.pk,
        client.practice_id,
    )
    assert (stored.created_by_id, stored.updated_by_id, stored.removed_at) == (
        membership.user_id,
        membership.user_id,
        None,
    )
    assert stored.created_at == NOW
    assert _events(AuditAction.SUITABILITY_NOTE_SAVED) == [
        ("suitability_note", str(note.public_id), client.pk)
    ]
    event = AuditEvent.objects.get(action=AuditAction.SUITABILITY_NOTE_SAVED)
    assert "paper" not in str(event.detail)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write the note first, for example: Prefers paper for worksheets."),
        ("   \n ", "Write the note first, for example: Prefers paper for worksheets."),
        (
            "x" * 501,
            "A note can be up to 500 characters; this one has 501. Shorten it, or split it "
            "into two notes.",
        ),
        (
            "No\x00reminders",
            "This text contains characters that cannot be stored. Remove them and try again.",
        ),
        (
            "No \ud800 reminders",
            "This text contains characters that cannot be stored. Remove them and try again.",
        ),
        (42, "The note must be text."),
    ],
)
def test_add_refuses_a_note_that_is_empty_too_long_or_unstorable(text, message):
    membership, client = clinician_with_client()

    with pytest.raises(ApplicationError) as caught:
        suitability_note_add(care=_write(membership, client), membership=membership, text=text)

    assert (caught.value.message, caught.value.field) == (message, "text")
    assert SuitabilityNote.objects.count() == 0
    assert _events(AuditAction.SUITABILITY_NOTE_SAVED) == []


def test_add_takes_exactly_500_characters():
    membership, client = clinician_with_client()

    note = suitability_note_add(
        care=_write(membership, client), membership=membership, text="y" * 500
    )

    assert SuitabilityNote.objects.get(pk=note.pk).text == "y" * 500


def test_only_the_care_team_writes_notes():
    membership, client = clinician_with_client()
    owner = MembershipFactory(
        practice=client.practice, role=Role.OWNER, user=UserFactory(mfa_exempt=True)
    )
    break_glass_open(
        user=owner.user, client_public_id=client.public_id, reason="The client rang in distress"
    )
    emergency = _read(owner, client)  # break-glass opens the record for reading only
    own = access_own(user=client.user)
    colleague, _ = clinician_with_client(practice=client.practice)

    with pytest.raises(Http404):
        suitability_note_add(care=emergency, membership=owner, text="No reminders")
    with pytest.raises(Http404):
        suitability_note_add(care=own, membership=membership, text="No reminders")
    # The writer must be the membership the gate found on the care team.
    with pytest.raises(Http404):
        suitability_note_add(
            care=_write(membership, client), membership=colleague, text="No reminders"
        )
    assert SuitabilityNote.objects.count() == 0


def test_any_member_of_the_care_team_removes_a_note_softly_and_it_is_audited():
    membership, client = clinician_with_client()
    second = MembershipFactory(practice=client.practice, user=UserFactory(mfa_exempt=True))
    CareTeamMemberFactory(client=client, membership=second, is_primary=False)
    note = suitability_note_add(
        care=_write(membership, client), membership=membership, text="No reminders"
    )

    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        removed = suitability_note_remove(
            care=_write(second, client), membership=second, note_id=note.public_id
        )

    stored = SuitabilityNote.objects.get()
    assert stored.pk == removed.pk
    assert (stored.removed_at, stored.updated_by_id, stored.text) == (
        NOW + timedelta(hours=2),
        second.user_id,
        "No reminders",
    )
    assert _events(AuditAction.SUITABILITY_NOTE_REMOVED) == [
        ("suitability_note", str(note.public_id), client.pk)
    ]
    assert suitability_notes_current(access=_read(membership, client)) == []


def test_removing_an_unknown_removed_or_other_clients_note_is_a_404():
    membership, client = clinician_with_client()
    _, other_client = clinician_with_client(practice=client.practice)
    CareTeamMemberFactory(client=other_client, membership=membership, is_primary=False)
    theirs = suitability_note_add(
        care=_write(membership, other_client), membership=membership, text="Other client's"
    )
    mine = suitability_note_add(care=_write(membership, client), membership=membership, text="Mine")
    suitability_note_remove(
        care=_write(membership, client), membership=membership, note_id=mine.public_id
    )

    for note_id in (theirs.public_id, mine.public_id, "not-a-uuid"):
        with pytest.raises(Http404):
            suitability_note_remove(
                care=_write(membership, client), membership=membership, note_id=note_id
            )

    assert SuitabilityNote.objects.get(pk=theirs.pk).removed_at is None
    assert len(_events(AuditAction.SUITABILITY_NOTE_REMOVED)) == 1


def test_current_notes_are_newest_first_with_author_and_date_in_constant_queries(
    django_assert_num_queries,
):
    membership, client = clinician_with_client()
    membership.user.full_name = "Dr Ada Rivera"
    membership.user.save()
    second = MembershipFactory(
        practice=client.practice, user=UserFactory(mfa_exempt=True, full_name="Sam Okafor")
    )
    CareTeamMemberFactory(client=client, membership=second, is_primary=False)
    writes = [
        (membership, "Prefers paper for worksheets"),
        (second, "Shares a phone with partner: no reminders"),
        (membership, "Removed later"),
        (second, "Wants check-ins in the evening"),
    ]
    notes = []
    for hours, (who, text) in enumerate(writes):
        with time_machine.travel(NOW + timedelta(hours=hours), tick=False):
            notes.append(suitability_note_add(care=_write(who, client), membership=who, text=text))
    suitability_note_remove(
        care=_write(membership, client), membership=membership, note_id=notes[2].public_id
    )
    care = _read(membership, client)

    with django_assert_num_queries(1):
        rows = suitability_notes_current(access=care)

    assert rows == [
        NoteRow(
            public_id=str(notes[3].public_id),
            text="Wants check-ins in the evening",
            author_name="Sam Okafor",
            created_at=NOW + timedelta(hours=3),
        ),
        NoteRow(
            public_id=str(notes[1].public_id),
            text="Shares a phone with partner: no reminders",
            author_name="Sam Okafor",
            created_at=NOW + timedelta(hours=1),
        ),
        NoteRow(
            public_id=str(notes[0].public_id),
            text="Prefers paper for worksheets",
            author_name="Dr Ada Rivera",
            created_at=NOW,
        ),
    ]
    for hours in range(4, 24):
        suitability_note_add(
            care=_write(membership, client), membership=membership, text=f"Note {hours}"
        )
    with django_assert_num_queries(1):
        assert len(suitability_notes_current(access=care)) == 23


def test_the_client_does_not_read_notes_in_the_app_but_gets_all_of_them_in_their_download():
    membership, client = clinician_with_client()
    kept = suitability_note_add(
        care=_write(membership, client), membership=membership, text="Prefers paper"
    )
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        gone = suitability_note_add(
            care=_write(membership, client), membership=membership, text="No reminders"
        )
        suitability_note_remove(
            care=_write(membership, client), membership=membership, note_id=gone.public_id
        )
    own = access_own(user=client.user)

    with pytest.raises(Http404):
        suitability_notes_current(access=own)
    exported = suitability_notes_for_own_export(access=own)
    assert [(n.public_id, n.text, n.removed_at) for n in exported] == [
        (kept.public_id, "Prefers paper", None),
        (gone.public_id, "No reminders", NOW + timedelta(minutes=5)),
    ]
    with pytest.raises(Http404):
        suitability_notes_for_own_export(access=_read(membership, client))
