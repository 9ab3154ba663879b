"""The client's download carries their clinicians' signed session notes with addenda when the
practice includes notes, and none (with the practice's reason) when it does not."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from interlude.care.notes_services import (
    session_note_addendum_add,
    session_note_create,
    session_note_sign,
)
from interlude.consents.access import access_client, access_own
from interlude.consents.models import PracticePrivacySettings
from interlude.practices.enums import ShareScope
from interlude.rights.selectors import export_session_notes
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


@pytest.fixture
def noted():
    membership, client = clinician_with_client()
    client.time_zone = "Europe/Berlin"
    client.save()
    membership.user.full_name = "Dr Ann Okafor"
    membership.user.save()
    with time_machine.travel(NOW, tick=False):
        care = access_client(
            user=membership.user,
            client_id=client.public_id,
            scope=ShareScope.CARE_RECORD,
            for_write=True,
        )
        signed = session_note_create(
            care=care,
            template="dap",
            sections={"data": "Talked about the new job", "plan": "Two walks a week"},
            session_date=date(2026, 11, 20),
        )
        signed = session_note_sign(care=care, note=signed)
        session_note_addendum_add(care=care, note=signed, text="Moved the next session")
        session_note_create(
            care=care,
            template="soap",
            sections={"subjective": "Draft only"},
            session_date=date(2026, 11, 24),
        )
    return client


def test_signed_notes_and_their_addenda_are_in_the_download_and_drafts_are_not(noted):
    notes = export_session_notes(care=access_own(user=noted.user))

    assert notes.included is True
    assert notes.records == [
        {
            "session_date": "2026-11-20",
            "template": "DAP",
            "clinician": "Dr Ann Okafor",
            "signed_at": "2026-11-25T16:00:00+01:00",
            "sections": {
                "Data": "Talked about the new job",
                "Assessment": "",
                "Plan": "Two walks a week",
            },
            "addenda": [
                {
                    "added_at": "2026-11-25T16:00:00+01:00",
                    "clinician": "Dr Ann Okafor",
                    "text": "Moved the next session",
                }
            ],
        }
    ]
    assert "(1)" in notes.explanation


def test_a_practice_that_leaves_notes_out_gives_none_and_its_reason(noted):
    PracticePrivacySettings.objects.update_or_create(
        practice=noted.practice,
        defaults={
            "export_includes_session_notes": False,
            "export_exemption": "Notes are kept under the clinic's records policy.",
        },
    )

    notes = export_session_notes(care=access_own(user=noted.user))

    assert (notes.included, notes.records) == (False, [])
    assert notes.explanation.endswith(
        "The reason it gives: Notes are kept under the clinic's records policy."
    )
