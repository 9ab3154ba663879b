"""In a real browser: a clinician opens the record and the brief of a client who does not share
questionnaires or their journal. Each panel of that category says "Not shared by <name>", the risk
alert says only that a risk answer was given, and no content of those categories is on the page;
axe runs on both pages."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from interlude.consents.models import ClientPrivacy
from interlude.exercises.schemas import JournalEntryIn
from interlude.exercises.worksheets_services import journal_entry_create
from interlude.measures.services import response_submit
from interlude.tracking.services import CheckInValues, checkin_create
from tests.e2e.conftest import check_axe, goto, login, screenshot
from tests.factories import PASSWORD, clinician_with_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_record_and_brief_say_not_shared_and_show_none_of_it(new_page):
    membership, client = clinician_with_client()
    client.full_name = "Robin Ash"
    client.save()
    actor = client.user
    now = timezone.now()
    for days in (3, 2, 1):
        checkin_create(
            client=client,
            actor=actor,
            values=CheckInValues(mood=4 + days, anxiety=5, note="PRIVATE-NOTE", note_shared=True),
            idempotency_key=f"c{days}",
            recorded_at=now - timedelta(days=days),
        )
    journal_entry_create(
        client=client,
        actor=actor,
        values=JournalEntryIn(title="PRIVATE-TITLE", body="PRIVATE-JOURNAL", shared=True),
    )
    response_submit(
        client=client,
        actor=actor,
        instrument_code="phq9",
        answers=[1, 1, 1, 1, 1, 1, 1, 1, 1],
        idempotency_key=str(uuid.uuid4()),
        submitted_at=now - timedelta(hours=5),
    )
    ClientPrivacy.objects.filter(client=client).update(
        categories={"measures": False, "journal": False, "checkins": True}
    )

    page = new_page("desktop")
    login(page, membership.user.email, PASSWORD)
    goto(page, f"/clinic/clients/{client.public_id}/")
    body = page.locator("main").inner_text()
    for secret in ("PRIVATE-NOTE", "PRIVATE-JOURNAL", "PRIVATE-TITLE", "PHQ-9 9", "item 9"):
        assert secret not in body, secret
    questionnaires = page.locator("#questionnaires")
    assert questionnaires.get_by_text("Not shared by Robin").is_visible()
    assert (
        page.locator("#alerts")
        .get_by_text("A risk answer was given on a questionnaire.")
        .is_visible()
    )
    assert page.locator("#timeline").get_by_text("Not shared by Robin").first.is_visible()
    assert page.locator("#series").get_by_role("heading", name="Mood", exact=True).is_visible()
    check_axe(page)
    screenshot(page, "record-not-shared-desktop")

    goto(page, f"/clinic/clients/{client.public_id}/brief/")
    body = page.locator("main").inner_text()
    for secret in ("PRIVATE-NOTE", "PRIVATE-JOURNAL", "PRIVATE-TITLE", "item 9"):
        assert secret not in body, secret
    assert page.get_by_role("heading", name="Not shared with you").is_visible()
    check_axe(page)
    screenshot(page, "brief-not-shared-desktop")
