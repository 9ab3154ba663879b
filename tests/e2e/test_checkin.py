"""A client checks in on a phone: mood first, more if they like, acknowledged once stored."""

from __future__ import annotations

import pytest

from interlude.tracking.models import CheckIn, Observation
from tests.e2e.conftest import check_axe, goto, login
from tests.factories import PASSWORD, clinician_with_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_client_checks_in_with_three_taps_and_sees_it_on_today(new_page):
    _, client = clinician_with_client()
    page = new_page("phone")
    login(page, client.user.email, PASSWORD)

    page.get_by_role("link", name="Check in").click()
    assert page.get_by_role("heading", level=1).inner_text() == "How are you right now?"
    check_axe(page)
    page.locator("fieldset", has_text="Mood").get_by_label("6", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save check-in").first.click()

    assert page.url.endswith("/today/")
    assert page.get_by_text("Check-in saved. Thank you.").is_visible()
    assert "Mood 6" in page.locator(".checkin-list").inner_text()
    check_axe(page)
    assert list(CheckIn.objects.values_list("mood", flat=True)) == [6]


def test_a_fuller_check_in_and_a_missing_mood_explained(new_page):
    _, client = clinician_with_client()
    page = new_page("phone")
    login(page, client.user.email, PASSWORD)
    goto(page, "/checkin/")

    # Saving without a mood explains what is missing, beside the question.
    with page.expect_navigation():
        page.get_by_role("button", name="Save check-in").first.click()
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    assert page.get_by_text("Choose a number for your mood, from 0 to 10.").first.is_visible()
    check_axe(page)
    assert CheckIn.objects.count() == 0

    page.locator("fieldset", has_text="Mood").get_by_label("4", exact=True).check()
    # After an error the optional questions are already open, so nothing is hidden from view.
    assert page.locator("details.more").get_attribute("open") == ""
    page.locator("fieldset", has_text="Anxiety or worry").get_by_label("7", exact=True).check()
    page.get_by_label("Hours of sleep last night").fill("6.5")
    page.get_by_label("Worried", exact=True).check()
    page.get_by_label("Add your own activity (optional)").fill("Choir practice")
    page.get_by_label("Note (optional)").fill("Nervous before the audition.")
    check_axe(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Save check-in").last.click()

    stored = CheckIn.objects.get()
    assert (stored.mood, stored.anxiety, float(stored.sleep_hours)) == (4, 7, 6.5)
    assert stored.emotions == [{"label": "worried", "intensity": None}]
    assert stored.activities == ["Choir practice"]
    assert (stored.note, stored.note_shared) == ("Nervous before the audition.", False)
    assert Observation.objects.filter(client=client).count() == 3
