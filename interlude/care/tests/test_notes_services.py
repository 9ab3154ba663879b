"""Session notes' writes: drafts, signing locks a note, addenda keep the original, encryption at
rest, audit, and who may write (the care team only; emergency access reads)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.http import Http404

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.care.models import SessionNote, SessionNoteAddendum
from interlude.care.notes_selectors import session_note_get, session_note_list
from interlude.care.notes_services import (
    NoteSignedError,
    session_note_addendum_add,
    session_note_create,
    session_note_sign,
    session_note_update,
)
from interlude.care.tests.plan_notes_support import (
    break_glass_access,
    own_access,
    owner_with_grant,
    team_access,
)
from interlude.core.errors import ApplicationError
from tests.factories import (
    CareTeamMemberFactory,
    MembershipFactory,
    UserFactory,
    clinician_with_client,
)

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 18, 15, 0, tzinfo=UTC)
SOAP = {
    "subjective": "Slept badly all week CANARY-S",
    "objective": "Tearful, PHQ-9 14",
    "assessment": "Low mood, no current risk",
    "plan": "Activity schedule; review in two weeks",
}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def care():
    membership, client = clinician_with_client()
    return team_access(membership, client)


def _draft(care, **changes):
    return session_note_create(
        care=care,
        template="soap",
        sections={**SOAP, **changes},
        session_date=date(2026, 3, 18),
    )


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_a_draft_is_stored_encrypted_by_its_author(care):
    note = _draft(care)

    stored = SessionNote.objects.get(pk=note.pk)
    assert stored.sections == SOAP
    assert stored.author_id == care.membership.pk
    assert stored.signed_at is None
    assert "CANARY-S" not in _raw("care_sessionnote", "sections", note.pk)
    assert "Slept" not in _raw("care_sessionnote", "sections", note.pk)
    event = AuditEvent.objects.get(action=AuditAction.SESSION_NOTE_SAVED)
    assert (event.object_id, event.detail) == (str(note.public_id), {"template": "soap"})


def test_a_dap_note_has_data_assessment_and_plan_only(care):
    note = session_note_create(
        care=care,
        template="dap",
        sections={"data": "Talked about work", "plan": "Exposure list"},
        session_date=date(2026, 3, 18),
    )
    with pytest.raises(ApplicationError) as wrong:
        session_note_create(
            care=care,
            template="dap",
            sections={"subjective": "Not a DAP section"},
            session_date=date(2026, 3, 18),
        )

    assert note.sections == {"data": "Talked about work", "assessment": "", "plan": "Exposure list"}
    assert wrong.value.field == "sections"


def test_an_unknown_template_or_a_future_date_is_refused_naming_the_field(care):
    with pytest.raises(ApplicationError) as template:
        session_note_create(care=care, template="birp", sections={}, session_date=date(2026, 3, 1))
    with pytest.raises(ApplicationError) as future:
        session_note_create(care=care, template="soap", sections={}, session_date=date(2026, 5, 1))
    with pytest.raises(ApplicationError) as nul:
        _draft(care, plan="bad\x00text")

    assert (template.value.field, future.value.field, nul.value.field) == (
        "template",
        "session_date",
        "plan",
    )


def test_signing_locks_the_note_and_an_edit_after_it_is_refused(care):
    note = _draft(care)
    session_note_sign(care=care, note=note)

    signed = SessionNote.objects.get(pk=note.pk)
    with pytest.raises(NoteSignedError) as refused:
        session_note_update(
            care=care,
            note=signed,
            sections={**SOAP, "plan": "Changed"},
            session_date=date(2026, 3, 18),
        )

    assert (signed.signed_at, signed.signed_by_id) == (NOW, care.user.pk)
    assert "cannot be changed. Add an addendum instead" in refused.value.message
    assert SessionNote.objects.get(pk=note.pk).sections == SOAP
    assert AuditEvent.objects.filter(action=AuditAction.SESSION_NOTE_SIGNED).count() == 1


def test_an_edit_from_a_stale_copy_loaded_before_signing_is_refused(care):
    note = _draft(care)
    stale = SessionNote.objects.get(pk=note.pk)  # opened before the signature
    session_note_sign(care=care, note=note)

    with pytest.raises(NoteSignedError):
        session_note_update(
            care=care,
            note=stale,
            sections={**SOAP, "plan": "Changed"},
            session_date=date(2026, 3, 18),
        )

    assert SessionNote.objects.get(pk=note.pk).sections == SOAP


def test_a_note_cannot_be_signed_twice_or_empty(care):
    empty = session_note_create(
        care=care, template="soap", sections={}, session_date=date(2026, 3, 18)
    )
    with pytest.raises(ApplicationError, match="The note is empty"):
        session_note_sign(care=care, note=empty)
    note = _draft(care)
    session_note_sign(care=care, note=note)
    with pytest.raises(ApplicationError, match="already signed"):
        session_note_sign(care=care, note=SessionNote.objects.get(pk=note.pk))


def test_an_addendum_keeps_the_signed_original_intact(care):
    note = _draft(care)
    signed = session_note_sign(care=care, note=note)

    addendum = session_note_addendum_add(
        care=care, note=signed, text="Client phoned: risk reviewed CANARY-A"
    )

    after = session_note_get(access=care, note_id=note.public_id)
    assert after.sections == SOAP
    assert after.signed_at == NOW
    assert [a.text for a in after.addenda.all()] == ["Client phoned: risk reviewed CANARY-A"]
    assert "CANARY-A" not in _raw("care_sessionnoteaddendum", "text", addendum.pk)
    event = AuditEvent.objects.get(action=AuditAction.SESSION_NOTE_ADDENDUM)
    assert event.detail == {"addendum": str(addendum.public_id)}


def test_a_draft_takes_no_addendum(care):
    note = _draft(care)

    with pytest.raises(ApplicationError) as refused:
        session_note_addendum_add(care=care, note=note, text="Later thought")

    assert refused.value.field == "text"
    assert SessionNoteAddendum.objects.count() == 0


def test_only_the_author_changes_or_signs_a_draft_but_a_colleague_may_add_an_addendum(care):
    client = care.client
    colleague = MembershipFactory(practice=client.practice, user=UserFactory(mfa_exempt=True))
    CareTeamMemberFactory(client=client, membership=colleague, is_primary=False)
    theirs = team_access(colleague, client)
    note = _draft(care)

    with pytest.raises(ApplicationError, match="Only the clinician who wrote this draft"):
        session_note_update(care=theirs, note=note, sections=SOAP, session_date=date(2026, 3, 18))
    with pytest.raises(ApplicationError, match="Only the clinician who wrote this draft"):
        session_note_sign(care=theirs, note=note)
    signed = session_note_sign(care=care, note=note)
    addendum = session_note_addendum_add(care=theirs, note=signed, text="Covered the session")

    assert addendum.author_id == colleague.pk


def test_break_glass_and_the_client_never_write_a_note(care):
    client = care.client
    note = session_note_sign(care=care, note=_draft(care))
    owner = owner_with_grant(client, until=datetime(2026, 3, 18, 16, 0, tzinfo=UTC))

    for access in (break_glass_access(owner, client), own_access(client)):
        with pytest.raises(Http404):
            session_note_create(
                care=access, template="soap", sections=SOAP, session_date=date(2026, 3, 18)
            )
        with pytest.raises(Http404):
            session_note_addendum_add(care=access, note=note, text="x")
    assert SessionNote.objects.count() == 1


def test_the_client_never_reads_a_note_and_break_glass_does(care):
    client = care.client
    note = _draft(care)
    owner = owner_with_grant(client, until=datetime(2026, 3, 18, 16, 0, tzinfo=UTC))

    with pytest.raises(Http404):
        session_note_list(access=own_access(client))
    with pytest.raises(Http404):
        session_note_get(access=own_access(client), note_id=note.public_id)
    assert [n.pk for n in session_note_list(access=break_glass_access(owner, client))] == [note.pk]


def test_a_note_of_another_client_is_a_404(care):
    other_membership, other_client = clinician_with_client()
    foreign = _draft(team_access(other_membership, other_client))

    with pytest.raises(Http404):
        session_note_get(access=care, note_id=foreign.public_id)
    with pytest.raises(Http404):
        session_note_update(care=care, note=foreign, sections=SOAP, session_date=date(2026, 3, 1))
