"""In a real browser on a desktop: a clinician reads the pre-session brief of a client with data
since the last session, opens the progress report preview and downloads the PDF. axe runs on
every page."""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from interlude.care.models import AppointmentStatus
from interlude.care.services import appointment_create, appointment_set_status
from interlude.consents.models import ClientPrivacy
from interlude.exercises.schemas import JournalEntryIn, ThoughtRecordIn
from interlude.exercises.worksheets_services import journal_entry_create, thought_record_create
from interlude.measures.services import response_submit
from interlude.practices.models import CrisisResource
from interlude.tracking.services import CheckInValues, checkin_create
from tests.e2e.conftest import check_axe, goto, login, screenshot
from tests.factories import PASSWORD, clinician_with_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def care():
    """A client whose last session was 10 days ago: PHQ-9 16 at intake, 12 before the session,
    9 since it (recovered, with item 9 endorsed), and check-ins, a thought record and a shared
    journal entry since."""
    membership, client = clinician_with_client()
    membership.user.full_name = "Dr. Alex Rivera"
    membership.user.save()
    client.full_name = "Jordan Ellis"
    client.save()
    CrisisResource.objects.create(
        practice=client.practice,
        country="US",
        name="Emergency services",
        phone="911",
        hours="24/7",
        is_emergency=True,
    )
    CrisisResource.objects.create(
        practice=client.practice,
        country="US",
        name="988 Suicide & Crisis Lifeline",
        phone="988",
        hours="24/7",
        position=1,
    )
    now = timezone.now()
    actor = client.user

    def ago(days: float) -> Any:
        return now - timedelta(days=days)

    appointment_set_status(
        actor=membership.user,
        appointment=appointment_create(
            actor=membership.user, client=client, clinician=membership, starts_at=ago(10)
        ),
        status=AppointmentStatus.ATTENDED,
    )
    appointment_create(
        actor=membership.user, client=client, clinician=membership, starts_at=now + timedelta(1)
    )
    for key, days, answers in [
        ("p1", 60, [2, 2, 2, 2, 2, 2, 2, 2, 0]),
        ("p2", 40, [2, 2, 2, 2, 2, 1, 1, 1, 0]),
        ("p3", 20, [2, 2, 2, 2, 1, 1, 1, 1, 0]),
        ("p4", 3, [1, 1, 1, 1, 1, 1, 1, 1, 1]),
    ]:
        response_submit(
            client=client,
            actor=actor,
            instrument_code="phq9",
            answers=answers,
            idempotency_key=key,
            submitted_at=ago(days),
        )
    for n, (days, mood, note) in enumerate(
        [(9, 6, ""), (8, 3, "Awful day at work"), (6, 8, ""), (4, 5, ""), (2, 4, "")]
    ):
        checkin_create(
            client=client,
            actor=actor,
            values=CheckInValues(
                mood=mood,
                anxiety=10 - mood,
                sleep_hours=Decimal("6.5"),
                note=note or None,
                note_shared=bool(note),
            ),
            idempotency_key=f"c{n}",
            recorded_at=ago(days),
        )
    thought_record_create(
        client=client,
        actor=actor,
        values=ThoughtRecordIn.model_validate(
            {
                "idempotency_key": "t1",
                "occurred_at": ago(5),
                "situation": "Sister cancelled our plans at the last minute",
                "automatic_thoughts": [{"text": "She doesn't care", "belief": 90}],
                "emotions": [{"label": "Anxious", "intensity": 80}],
                "evidence_for": "She cancelled",
                "evidence_against": "She rang to explain",
                "balanced_thought": {"text": "Something came up", "belief": 60},
                "hot_thought_belief_after": 40,
                "emotions_rerated": [{"label": "Anxious", "intensity": 45}],
            }
        ),
    )
    journal_entry_create(
        client=client,
        actor=actor,
        values=JournalEntryIn(title="After the call", body="I felt calmer.", shared=True),
    )
    # The client shares their journal and check-in notes (off by default).
    ClientPrivacy.objects.filter(client=client).update(categories={"journal": True})
    return membership, client


def test_clinician_reads_the_brief_and_downloads_the_progress_report(
    new_page, care, tmp_path, settings
):
    settings.REPORTS_DIR = tmp_path / "reports"
    membership, client = care
    page = new_page("desktop")
    login(page, membership.user.email, PASSWORD)

    goto(page, f"/clinic/clients/{client.public_id}/brief/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Pre-session brief")
    assert page.get_by_text("Since the last session on").is_visible()
    assert page.get_by_text(
        "PHQ-9 9 (mild), down 3 since last session; down 7 since intake (16): recovered."
    ).is_visible()
    next_steps = page.get_by_role("note", name="Critical alert open: next steps")
    assert next_steps.get_by_role("link", name="safety plan").is_visible()
    assert next_steps.get_by_role("link", name="988").get_attribute("href") == "tel:988"
    assert page.get_by_text("Awful day at work").is_visible()
    assert page.get_by_text("Sister cancelled our plans at the last minute").is_visible()
    # The Print button appears once its script has run.
    assert page.get_by_role("button", name="Print").is_visible()
    check_axe(page)
    screenshot(page, "brief-desktop")
    page.emulate_media(color_scheme="dark")
    check_axe(page)
    screenshot(page, "brief-desktop-dark")
    page.emulate_media(color_scheme="light")
    page.emulate_media(media="print")
    assert not page.get_by_role("navigation", name="Main").is_visible()
    assert not page.get_by_role("button", name="Print").is_visible()
    screenshot(page, "brief-print")
    page.emulate_media(media="screen")

    with page.expect_navigation():
        page.get_by_role("link", name="Progress report").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Progress report")
    table = page.get_by_role("table")
    assert table.get_by_role("row", name="PHQ-9").count() == 1
    # One chart per instrument on screen: the wide one here (the narrow one is for phones).
    assert page.locator("svg.instrument-chart:visible").count() == 1
    assert page.locator("svg.instrument-chart.chart-wide:visible").count() == 1
    check_axe(page)
    screenshot(page, "report-preview-desktop")
    page.emulate_media(color_scheme="dark")  # the report stays on light "paper"
    check_axe(page)
    screenshot(page, "report-preview-dark")
    page.emulate_media(color_scheme="light")

    # The PDF is made by the task worker (immediate in tests): its page offers it once ready.
    with page.expect_navigation():
        page.get_by_role("button", name="Download PDF").click()
    assert page.get_by_role("heading", name="The PDF is ready").is_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").click()
    download = info.value
    assert download.suggested_filename.startswith("interlude-progress-report-")
    assert "Jordan" not in download.suggested_filename
    target = Path(tmp_path) / download.suggested_filename
    download.save_as(str(target))
    data = target.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(data) > 5 * 1024
    if os.environ.get("INTERLUDE_SCREENSHOTS"):  # for reviews, beside the screenshots
        (Path(os.environ["INTERLUDE_SCREENSHOTS"]) / "report.pdf").write_bytes(data)


def test_report_dates_that_are_wrong_are_explained(new_page, care):
    membership, client = care
    page = new_page("desktop")
    login(page, membership.user.email, PASSWORD)

    goto(page, f"/clinic/clients/{client.public_id}/report/?from=2026-02-30&to=", status=400)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Progress report")
    summary = page.get_by_role("alert")
    assert "The start date 2026-02-30 is not a date in the calendar." in summary.inner_text()
    assert page.get_by_role("link", name="Download PDF").count() == 0
    check_axe(page)
    screenshot(page, "report-date-error")
