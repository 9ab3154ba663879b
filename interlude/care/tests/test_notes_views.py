"""Session notes pages over HTTP: for the care team only (404 for the client, an admin, another
practice and a colleague off the team), break-glass reads and never writes, drafts are changed
until signed, a signed note refuses edits and says why, addenda, the record's panel, queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from interlude.care.models import SessionNote, SessionNoteAddendum
from interlude.care.notes_services import (
    session_note_addendum_add,
    session_note_create,
    session_note_sign,
)
from interlude.care.services import appointment_create
from interlude.care.tests.plan_notes_support import logged_in, owner_with_grant, team_access, text
from interlude.practices.enums import Role
from tests.factories import MembershipFactory, UserFactory, clinician_with_client

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 18, 15, 0, tzinfo=UTC)  # 11:00 in New York
SOAP = {
    "subjective": "Slept badly all week",
    "objective": "Tearful",
    "assessment": "Low mood, no current risk",
    "plan": "Activity schedule",
}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pair():
    return clinician_with_client()


def notes_url(client) -> str:
    return f"/clinic/clients/{client.public_id}/notes/"


def note_url(client, note) -> str:
    return f"{notes_url(client)}{note.public_id}/"


def _note(membership, client, *, signed=False, day=date(2026, 3, 18)):
    care = team_access(membership, client)
    note = session_note_create(care=care, template="soap", sections=SOAP, session_date=day)
    return session_note_sign(care=care, note=note) if signed else note


def _form(day="2026-03-18", **sections):
    return {"template": "soap", "session_date": day, "appointment": "", **SOAP, **sections}


# --- who reaches the notes ------------------------------------------------------------------------
def test_the_client_an_admin_another_practice_and_a_colleague_off_the_team_get_404(pair):
    membership, client = pair
    note = _note(membership, client)
    admin = MembershipFactory(
        practice=client.practice, role=Role.ADMIN, user=UserFactory(mfa_exempt=True)
    )
    colleague = MembershipFactory(practice=client.practice, user=UserFactory(mfa_exempt=True))
    stranger, _ = clinician_with_client()

    for user in (client.user, admin.user, colleague.user, stranger.user):
        http = logged_in(user)
        assert http.get(notes_url(client)).status_code == 404
        assert http.get(note_url(client, note)).status_code == 404
        assert http.post(f"{notes_url(client)}new/", _form()).status_code == 404
        assert http.post(note_url(client, note), _form(plan="Taken over")).status_code == 404
    assert SessionNote.objects.get(pk=note.pk).sections == SOAP
    assert SessionNote.objects.count() == 1


def test_the_client_cannot_open_the_record_that_holds_the_notes_panel(pair):
    # The client's own record pages never include the care team's notes panel.
    membership, client = pair
    _note(membership, client)

    response = logged_in(client.user).get(f"/clinic/clients/{client.public_id}/")

    assert response.status_code == 404


def test_break_glass_reads_a_note_and_cannot_write(pair):
    membership, client = pair
    note = _note(membership, client, signed=True)
    owner = owner_with_grant(client, until=NOW + timedelta(minutes=60))
    http = logged_in(owner.user)

    listing = http.get(notes_url(client))
    page = http.get(note_url(client, note))

    assert listing.status_code == 200
    assert page.status_code == 200
    html = page.content.decode()
    assert "Slept badly all week" in html
    assert "Emergency access" in html
    assert "Add addendum" not in html
    assert (
        http.post(f"{note_url(client, note)}addenda/", {"text": "From the owner"}).status_code
        == 404
    )
    assert http.post(f"{notes_url(client)}new/", _form()).status_code == 404
    assert SessionNoteAddendum.objects.count() == 0


# --- writing, signing, addenda --------------------------------------------------------------------
def test_a_new_soap_note_is_saved_as_a_draft_linked_to_todays_session(pair):
    membership, client = pair
    appointment = appointment_create(
        actor=membership.user,
        client=client,
        clinician=membership,
        starts_at=datetime(2026, 3, 18, 14, 0, tzinfo=UTC),
    )
    http = logged_in(membership.user)

    form_page = http.get(f"{notes_url(client)}new/?template=soap")
    assert form_page.status_code == 200
    assert form_page.context["form"].initial["appointment"] == str(appointment.public_id)
    response = http.post(f"{notes_url(client)}new/", _form(appointment=str(appointment.public_id)))

    note = SessionNote.objects.get()
    assert response.status_code == 302
    assert response["Location"] == note_url(client, note)
    assert (note.template, note.sections, note.appointment_id, note.signed_at) == (
        "soap",
        SOAP,
        appointment.pk,
        None,
    )


def test_a_dap_form_has_the_dap_sections(pair):
    membership, client = pair

    response = logged_in(membership.user).get(f"{notes_url(client)}new/?template=dap")

    assert list(response.context["form"].fields) == [
        "session_date",
        "appointment",
        "data",
        "assessment",
        "plan",
    ]


def test_a_bad_date_is_a_422_with_an_error_summary(pair):
    membership, client = pair

    response = logged_in(membership.user).post(f"{notes_url(client)}new/", _form(day="2026-13-40"))

    assert response.status_code == 422
    assert '<a href="#id_session_date">Enter a real date, like 2026-03-02.</a>' in (
        response.content.decode()
    )
    assert SessionNote.objects.count() == 0


def test_save_and_sign_locks_the_note_and_a_later_edit_is_refused_with_the_reason(pair):
    membership, client = pair
    http = logged_in(membership.user)
    http.post(f"{notes_url(client)}new/", {**_form(), "action": "sign"})
    note = SessionNote.objects.get()
    assert note.signed_at == NOW

    response = http.post(note_url(client, note), _form(plan="Rewritten"))

    assert response.status_code == 409
    assert "This note is signed, so it cannot be changed. Add an addendum instead" in (
        response.content.decode()
    )
    assert SessionNote.objects.get(pk=note.pk).sections == SOAP


def test_a_draft_is_changed_then_signed_from_its_page(pair):
    membership, client = pair
    note = _note(membership, client)
    http = logged_in(membership.user)

    http.post(note_url(client, note), _form(plan="Activity schedule and a walk"))
    response = http.post(f"{note_url(client, note)}sign/")

    note.refresh_from_db()
    assert response.status_code == 302
    assert note.sections["plan"] == "Activity schedule and a walk"
    assert note.signed_at == NOW


def test_an_addendum_is_shown_beside_the_unchanged_signed_note(pair):
    membership, client = pair
    note = _note(membership, client, signed=True)
    http = logged_in(membership.user)

    response = http.post(f"{note_url(client, note)}addenda/", {"text": "Risk reviewed by phone"})
    page = text(http.get(note_url(client, note)).content.decode())

    assert response.status_code == 302
    assert "Slept badly all week" in page
    assert "Risk reviewed by phone" in page
    assert SessionNote.objects.get(pk=note.pk).sections == SOAP


def test_an_empty_addendum_is_a_422_naming_the_field(pair):
    membership, client = pair
    note = _note(membership, client, signed=True)

    response = logged_in(membership.user).post(f"{note_url(client, note)}addenda/", {"text": ""})

    assert response.status_code == 422
    assert '<a href="#id_text">Enter the addendum.</a>' in response.content.decode()


# --- the record's panel ---------------------------------------------------------------------------
def test_the_record_lists_the_latest_notes_draft_and_signed(pair):
    membership, client = pair
    _note(membership, client, signed=True, day=date(2026, 3, 4))
    _note(membership, client, day=date(2026, 3, 18))

    page = text(
        logged_in(membership.user).get(f"/clinic/clients/{client.public_id}/").content.decode()
    )

    assert "Session notes Session Template Written by Status" in page
    assert f"Wed 18 Mar 2026 SOAP {membership.user.get_full_name()} Draft" in page
    assert f"Wed 4 Mar 2026 SOAP {membership.user.get_full_name()} Signed 18 Mar 2026" in page


# --- queries --------------------------------------------------------------------------------------
def test_the_notes_list_reads_in_a_fixed_number_of_queries(pair, django_assert_num_queries):
    membership, client = pair
    http = logged_in(membership.user)
    note = _note(membership, client, signed=True)
    care = team_access(membership, client)
    session_note_addendum_add(care=care, note=note, text="One")
    http.get(notes_url(client))
    with CaptureQueriesContext(connection) as small:
        http.get(notes_url(client))
    for i in range(6):
        later = _note(membership, client, signed=i % 2 == 0, day=date(2026, 3, 1 + i))
        if later.signed_at:
            session_note_addendum_add(care=care, note=later, text="More")

    with django_assert_num_queries(len(small.captured_queries)):
        response = http.get(notes_url(client))

    assert response.content.decode().count("<tr>") == 8  # the header and seven notes
