"""In a real browser: a clinician adds and removes a suitability note on the record with htmx and
sees the notes in the pre-session brief (desktop); a client with messaging switched off opens
"Something missing?" on Tools and a messages page that says why (phone). axe runs on each page.
INTERLUDE_SCREENSHOTS=<dir> saves screenshots for review."""

from __future__ import annotations

import pytest

from interlude.consents.modules_services import client_modules_set
from interlude.practices.enums import Module
from tests.e2e.conftest import (
    check_axe,
    goto,
    login,
    screenshot,
)
from tests.factories import PASSWORD, clinician_with_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clinician_notes_suitability_on_the_record_and_sees_it_in_the_brief(new_page):
    membership, client = clinician_with_client()
    membership.user.full_name = "Dr Ada Rivera"
    membership.user.save()
    page = new_page("desktop")
    login(page, membership.user.email, PASSWORD)
    goto(page, f"/clinic/clients/{client.public_id}/#suitability")
    panel = page.locator("#suitability-panel")

    for text in ("Prefers paper for worksheets", "Shares a phone with partner: no reminders"):
        panel = page.locator("#suitability-panel")
        panel.get_by_label("Add a note").fill(text)
        panel.get_by_role("button", name="Add note").click()
        page.locator("#suitability-panel").get_by_text(text, exact=True).wait_for()
    panel = page.locator("#suitability-panel")
    assert panel.get_by_role("status").inner_text() == (
        "Note added. It shows in the pre-session brief."
    )
    assert panel.locator(".suitability-text").all_inner_texts() == [
        "Shares a phone with partner: no reminders",
        "Prefers paper for worksheets",
    ]
    check_axe(page)
    panel.scroll_into_view_if_needed()
    screenshot(page, "suitability-record-desktop")

    # Empty: the problem is named beside the field, in place.
    panel.get_by_label("Add a note").fill("   ")
    panel.get_by_role("button", name="Add note").click()
    error = page.locator("#suitability-text-error")
    error.wait_for()
    assert error.text_content() == (
        "Error: Write the note first, for example: Prefers paper for worksheets."
    )
    assert page.locator("#suitability-text").get_attribute("aria-invalid") == "true"
    check_axe(page)

    page.locator("#suitability-panel").get_by_role(
        "button", name="Remove the note “Prefers paper for worksheets”"
    ).click()
    page.locator("#suitability-panel").get_by_text("Note removed.").wait_for()
    assert page.locator("#suitability-panel .suitability-text").all_inner_texts() == [
        "Shares a phone with partner: no reminders"
    ]
    check_axe(page)

    goto(page, f"/clinic/clients/{client.public_id}/brief/")
    brief = page.locator('section[aria-labelledby="brief-suitability-title"]')
    assert brief.get_by_role("heading", name="Suitability").is_visible()
    assert brief.locator("li > p:first-child").all_inner_texts() == [
        "Shares a phone with partner: no reminders"
    ]
    check_axe(page)
    screenshot(page, "suitability-brief-desktop")


def test_a_client_asks_why_messages_are_missing_on_a_phone(new_page):
    membership, client = clinician_with_client()
    client_modules_set(
        client=client, actor=membership.user, modules_off=[Module.MESSAGING, Module.REMINDERS]
    )
    page = new_page("phone")
    login(page, client.user.email, PASSWORD)
    goto(page, "/tools/")
    assert page.locator(".tabbar").get_by_role("link", name="Messages").count() == 0
    summary = page.get_by_text("Something missing?", exact=True)
    summary.scroll_into_view_if_needed()
    summary.click()
    assert page.locator("#modules-off li").all_inner_texts() == ["Messages", "Reminders"]
    assert (
        page.locator("#modules-off")
        .get_by_text("Your therapist has not switched these on.")
        .is_visible()
    )
    check_axe(page)
    screenshot(page, "suitability-tools-missing-phone")

    goto(page, "/messages/", status=404)
    assert page.get_by_role("heading", name="This is not switched on for you").is_visible()
    check_axe(page)
    screenshot(page, "suitability-switched-off-404-phone")
    page.get_by_role("link", name="Back to Tools").click()
    page.wait_for_url("**/tools/#modules-off")
    # Arriving at the fragment opens the disclosure, so the answer is in view.
    assert page.locator("#modules-off li").first.is_visible()
