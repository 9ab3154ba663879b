"""In a real browser on a 360 px phone: a client edits their safety plan and finds the new
version listed, and reads their Progress charts; the care team opens the same plan. axe runs on
every page."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from interlude.care.services import safety_plan_save
from interlude.practices.models import CrisisResource
from interlude.tracking.services import CheckInValues, checkin_create
from tests.e2e.conftest import check_axe, goto, login, screenshot
from tests.factories import PASSWORD, clinician_with_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def care():
    membership, client = clinician_with_client()
    membership.user.full_name = "Dr. Alex Rivera"
    membership.user.save()
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
    return membership, client


def heading(page: Any) -> str:
    return page.get_by_role("heading", level=1).inner_text().strip()


def _noon_days_ago(client, days: int) -> datetime:
    zone = ZoneInfo(client.time_zone)
    day = timezone.localdate(timezone=zone) - timedelta(days=days)
    return datetime.combine(day, time(12, 0), tzinfo=zone)


def test_client_edits_the_safety_plan_on_a_phone_and_sees_version_2(new_page, care):
    membership, client = care
    safety_plan_save(
        client=client,
        actor=membership.user,
        content={
            "warning_signs": ["Not answering my phone"],
            "reasons_for_living": ["My dog, Pepper"],
        },
        base_version=0,
    )
    page = new_page("phone")
    login(page, client.user.email, PASSWORD)

    # One tap from any client page.
    with page.expect_navigation():
        page.get_by_role("link", name="Safety plan", exact=True).click()
    assert page.url.endswith("/safety-plan/")
    assert heading(page) == "My safety plan"
    care_card = page.get_by_role("region", name="If you are in danger now")
    assert care_card.get_by_role("link", name="911").get_attribute("href") == "tel:911"
    assert page.get_by_text("Version 1 · Updated by Dr. Alex Rivera on").is_visible()
    check_axe(page)
    screenshot(page, "safety-plan-v1-phone")

    with page.expect_navigation():
        page.get_by_role("link", name="Edit the plan").click()
    assert heading(page) == "Edit my safety plan"
    assert page.get_by_label("Warning sign 1", exact=True).input_value() == (
        "Not answering my phone"
    )
    check_axe(page)
    page.get_by_label("Warning sign 2", exact=True).fill("Pacing the flat at night")
    page.get_by_label("Person 1: Name").fill("Sam (my sister)")
    page.get_by_label("Person 1: Phone number").fill("555 010 2345")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the plan").click()

    assert page.url.endswith("/safety-plan/")
    assert page.get_by_role("status").inner_text() == (
        "Your safety plan is saved. This is version 2."
    )
    assert page.get_by_text("Pacing the flat at night").is_visible()
    call = page.get_by_role("link", name="Call Sam (my sister): 555 010 2345")
    assert call.get_attribute("href") == "tel:5550102345"
    box = call.bounding_box()
    assert box is not None and box["height"] >= 44
    check_axe(page)
    screenshot(page, "safety-plan-v2-phone")

    with page.expect_navigation():
        page.get_by_role("link", name="Earlier versions").click()
    assert heading(page) == "Versions of my plan"
    versions = page.locator(".plan-versions > li")
    assert versions.count() == 2
    assert versions.nth(0).inner_text().startswith("Version 2\nCurrent\nUpdated by you on")
    assert versions.nth(1).inner_text().startswith("Version 1\nUpdated by Dr. Alex Rivera on")
    check_axe(page)

    with page.expect_navigation():
        page.get_by_role("link", name="Version 1", exact=True).click()
    assert heading(page) == "Version 1"
    assert page.get_by_text("This is an earlier version, kept for reference.").is_visible()
    assert page.get_by_text("Pacing the flat at night").count() == 0
    check_axe(page)

    goto(page, "/safety-plan/print/")
    assert heading(page) == "Safety plan for " + client.full_name
    check_axe(page)
    page.emulate_media(media="print")
    assert not page.locator(".print-controls").is_visible()
    page.emulate_media(media="screen")

    # Errors: a phone number with letters is refused beside the field, nothing is saved.
    goto(page, "/safety-plan/edit/")
    page.get_by_label("Person 2: Phone number").fill("call me")
    page.get_by_label("Person 2: Name").fill("Ari")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the plan").click()
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    error = page.locator("#id_people_to_ask-1-phone_error").text_content() or ""
    assert " ".join(error.split()) == (
        "Error: Person 2: Enter a phone number using digits, like 555 010 2345 or +44 20 7946 0958."
    )
    check_axe(page)


def test_care_team_clinician_opens_the_plan_on_desktop(new_page, care):
    membership, client = care
    safety_plan_save(
        client=client,
        actor=client.user,
        content={"people_to_ask": [{"name": "Sam", "phone": "555 010 2345"}]},
        base_version=0,
    )
    page = new_page("desktop")
    login(page, membership.user.email, PASSWORD)

    goto(page, f"/clinic/clients/{client.public_id}/safety-plan/")
    assert heading(page) == f"Safety plan for {client.full_name}"
    assert page.get_by_text(f"Updated by {client.user.full_name} (client) on").is_visible()
    check_axe(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Edit the plan").click()
    check_axe(page)
    page.get_by_label("Safety step 1", exact=True).fill("Ask Sam to keep my spare pills")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the plan").click()
    assert page.get_by_role("status").inner_text() == (
        "The safety plan is saved. This is version 2."
    )
    check_axe(page)


def test_client_reads_progress_charts_with_summaries_on_a_phone(new_page, care):
    _, client = care
    for days_ago, mood, anxiety, sleep in [
        (1, 8, None, None),
        (3, 6, 5, Decimal("8")),
        (5, 4, 7, Decimal("6.5")),
    ]:
        checkin_create(
            client=client,
            actor=client.user,
            values=CheckInValues(mood=mood, anxiety=anxiety, sleep_hours=sleep),
            idempotency_key=f"e2e-{days_ago}",
            recorded_at=_noon_days_ago(client, days_ago),
        )
    page = new_page("phone")
    login(page, client.user.email, PASSWORD)

    with page.expect_navigation():
        page.get_by_role("link", name="Progress").click()
    assert heading(page) == "Progress"
    assert page.locator("svg.chart").count() == 3
    assert page.locator(".chart-summary").all_inner_texts() == [
        "Mood averaged 6.0 over 3 days with a check-in; lowest 4, highest 8.",
        "Anxiety averaged 6.0 over 2 days with a check-in; lowest 5, highest 7.",
        "Sleep averaged 7.2 hours over 2 days with a check-in; lowest 6.5, highest 8.",
    ]
    mood_chart = page.get_by_role("img", name="Mood, last 30 days")
    assert mood_chart.locator("circle").count() == 3
    width = mood_chart.bounding_box()
    assert width is not None and 280 <= width["width"] <= 340
    check_axe(page)
    screenshot(page, "progress-30-phone")

    with page.expect_navigation():
        page.get_by_role("link", name="7 days").click()
    assert page.get_by_role("link", name="7 days").get_attribute("aria-current") == "page"
    page.get_by_text("Mood as a table").click()
    rows = page.locator(".chart-card").first.locator("tbody tr")
    assert rows.count() == 3
    check_axe(page)

    goto(page, "/progress/?days=90")
    assert page.get_by_role("img", name="Sleep, last 90 days").is_visible()
    check_axe(page)
