"""The care team's worksheets page and summary follow the client's sharing through the gate's
CareAccess: worksheets, relaxation practice and the journal each show their content when shared
and "Not shared by <name>" when not, never the content and never an empty state; a journal entry
needs both the journal category and its own switch."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import Client as HttpClient

from interlude.consents.access import Viewer, care_access_for
from interlude.consents.consent_services import consent_withdraw
from interlude.consents.markers import NotShared
from interlude.consents.models import ConsentMethod
from interlude.consents.sharing_services import sharing_update
from interlude.exercises.relaxation_services import relaxation_session_create
from interlude.exercises.schemas import (
    EmotionIn,
    JournalEntryIn,
    ThoughtIn,
    ThoughtRecordIn,
)
from interlude.exercises.worksheets_selectors import (
    journal_entries_shared,
    worksheets_summary_for_clinician,
)
from interlude.exercises.worksheets_services import journal_entry_create, thought_record_create
from interlude.practices.enums import ShareScope
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
WORKSHEET_CANARY = "CANARY-situation-51c2 at the bus stop"
JOURNAL_CANARY = "CANARY-journal-9d04 about the weekend"
UNSHARED_ENTRY = "CANARY-unshared-entry-0e1f"


@pytest.fixture
def pair():
    with time_machine.travel(NOW, tick=False):
        membership, client = clinician_with_client()
        thought_record_create(
            client=client,
            actor=client.user,
            values=ThoughtRecordIn(
                idempotency_key="tr",
                situation=WORKSHEET_CANARY,
                automatic_thoughts=[ThoughtIn(text="T", belief=80, hot=True)],
                emotions=[EmotionIn(label="Anxious", intensity=70)],
                evidence_for="F",
                evidence_against="A",
                balanced_thought={"text": "B", "belief": 60},
                hot_thought_belief_after=40,
                emotions_rerated=[EmotionIn(label="Anxious", intensity=40)],
            ),
        )
        journal_entry_create(
            client=client,
            actor=client.user,
            values=JournalEntryIn(body=JOURNAL_CANARY, shared=True),
        )
        journal_entry_create(
            client=client, actor=client.user, values=JournalEntryIn(body=UNSHARED_ENTRY)
        )
        relaxation_session_create(
            client=client,
            actor=client.user,
            kind="pmr",
            started_at=datetime(2026, 3, 9, 20, 0, tzinfo=UTC),
            seconds_practised=600,
            idempotency_key="r1",
            distress_before=7,
            distress_after=3,
        )
        yield membership, client


def share(client, **categories: bool) -> None:
    sharing_update(client=client, actor=client.user, categories=categories)


def care_view(membership, client):
    return care_access_for(
        client=client, user=membership.user, viewer=Viewer.CARE_TEAM, membership=membership
    )


def page(membership, client) -> str:
    http = HttpClient()
    http.force_login(membership.user)
    response = http.get(f"/clinic/clients/{client.public_id}/worksheets/")
    assert response.status_code == 200
    return response.content.decode()


def not_shared(client) -> str:
    return f"Not shared by {client.display_name}."


def test_everything_shared_shows_worksheets_relaxation_and_the_shared_entry_only(pair):
    membership, client = pair
    share(client, worksheets=True, relaxation=True, journal=True)

    html = page(membership, client)

    assert WORKSHEET_CANARY in html
    assert JOURNAL_CANARY in html
    assert "Progressive muscle relaxation" in html
    assert "7 → 3" in html
    assert UNSHARED_ENTRY not in html
    assert "Not shared by" not in html


def test_worksheets_off_hides_every_worksheet_and_says_not_shared(pair):
    membership, client = pair
    share(client, worksheets=False, relaxation=True, journal=True)

    html = page(membership, client)

    assert WORKSHEET_CANARY not in html
    assert html.count('data-not-shared="worksheets"') == 4  # thought records, BA, exposure, sleep
    assert not_shared(client) in html
    assert "No completed thought records." not in html
    assert "No exposure hierarchy yet." not in html
    assert JOURNAL_CANARY in html  # the journal is its own category


def test_relaxation_off_hides_the_sessions_and_says_not_shared(pair):
    membership, client = pair
    share(client, relaxation=False)

    html = page(membership, client)

    assert "Progressive muscle relaxation" not in html
    assert 'data-not-shared="relaxation"' in html
    assert "No relaxation practice logged." not in html


def test_journal_off_hides_even_an_entry_the_client_shared(pair):
    membership, client = pair
    share(client, journal=False)

    html = page(membership, client)

    assert JOURNAL_CANARY not in html
    assert UNSHARED_ENTRY not in html
    assert 'data-not-shared="journal"' in html
    assert "No shared entries." not in html


def test_a_journal_entry_needs_both_the_category_and_its_own_switch(pair):
    membership, client = pair
    share(client, journal=True)

    entries = journal_entries_shared(access=care_view(membership, client))

    assert isinstance(entries, list)
    assert [e.body for e in entries] == [JOURNAL_CANARY]
    share(client, journal=False)
    hidden = journal_entries_shared(access=care_view(membership, client))
    assert isinstance(hidden, NotShared)
    assert hidden.category == ShareScope.JOURNAL


def test_withdrawn_consent_hides_worksheets_relaxation_and_journal(pair):
    membership, client = pair
    share(client, worksheets=True, relaxation=True, journal=True)
    consent_withdraw(client=client, actor=client.user, method=ConsentMethod.WEB)

    html = page(membership, client)

    for canary in (WORKSHEET_CANARY, JOURNAL_CANARY, "Progressive muscle relaxation"):
        assert canary not in html
    assert f"{client.display_name} withdrew their consent to sharing." in html


def test_the_summary_says_not_shared_and_counts_nothing_for_a_hidden_category(pair):
    membership, client = pair
    share(client, worksheets=False, journal=True)

    summary = worksheets_summary_for_clinician(access=care_view(membership, client))
    html = render_to_string("exercises/clinician/_summary.html", {"summary": summary})

    assert "thought_records_complete" not in summary
    assert summary["journal_shared"] == 1
    assert not_shared(client) in html
    assert "Thought records" not in html
    assert "1 entry" in html


def test_the_summary_says_not_shared_for_the_journal_when_it_is_off(pair):
    membership, client = pair
    share(client, worksheets=True, journal=False)

    summary = worksheets_summary_for_clinician(access=care_view(membership, client))
    html = render_to_string("exercises/clinician/_summary.html", {"summary": summary})

    assert "journal_shared" not in summary
    assert summary["thought_records_complete"] == 1
    assert f"Not shared by {client.display_name}" in html
