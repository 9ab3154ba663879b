"""Issue [8] acceptance, in a real browser: a clinician filters the app catalog, opens an entry
of the starter set and recommends it to a client with a reason; the client, on their phone, sees
the suggestion with its reason, a plain-language privacy summary and the link that brings that
app's data into Interlude (the import page opens with the app chosen). axe runs on every page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from interlude.catalog.models import CatalogApp, EvaluationAnswer, Recommendation
from interlude.catalog.starter import starter_sync
from tests.e2e.conftest import check_axe, goto, login, screenshot
from tests.factories import PASSWORD, clinician_with_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "You already keep Daylio; bring it in so we can look at your weeks together."


@pytest.fixture
def care() -> tuple[Any, Any]:
    # A transactional test starts from empty tables: load the starter set as a migration would.
    starter_sync(app_model=CatalogApp, answer_model=EvaluationAnswer)
    membership, client = clinician_with_client()
    membership.user.full_name = "Dr. Alex Rivera"
    membership.user.save()
    client.full_name = "Robin Ash"
    client.preferred_name = "Robin"
    client.save()
    return membership, client


NAMES = "table.catalog-table tbody tr th a"


def test_clinician_filters_and_recommends_client_sees_privacy_and_import_link(new_page, care):
    membership, client = care
    desk = new_page("desktop")
    login(desk, membership.user.email, PASSWORD)

    goto(desk, "/clinic/catalog/")
    # Retrying assertions: htmx may still be settling the results region.
    expect(desk.locator(NAMES).filter(has_text="Daylio")).to_have_count(1)
    expect(desk.locator(NAMES).filter(has_text="Headspace")).to_have_count(1)
    check_axe(desk)

    # Filter: apps for tracking mood whose data Interlude can import.
    desk.get_by_label("Goal").select_option(label="Tracking mood")
    desk.get_by_label("Import into Interlude").select_option(label="Interlude can import its data")
    desk.get_by_role("button", name="Show").click()  # htmx swaps the results in place
    # Of the starter set, the two mood trackers Interlude has an importer for.
    expect(desk.locator(NAMES)).to_have_text(["Bearable", "Daylio"])
    expect(desk).to_have_url(re.compile(r"importable=true"))  # the filtered list has an address
    check_axe(desk)
    screenshot(desk, "catalog-filtered-desktop")

    # The entry, then the recommendation with a reason.
    with desk.expect_navigation():
        desk.get_by_role("link", name="Daylio", exact=True).click()
    assert desk.get_by_role("heading", level=1).inner_text().split() == ["Daylio", "Starter", "set"]
    form = desk.locator("#recommend form")
    form.wait_for()
    check_axe(desk)
    form.get_by_label("Client").select_option(label="Robin Ash")
    form.get_by_label("Why you recommend it").fill(REASON)
    with desk.expect_navigation():
        form.get_by_role("button", name="Recommend Daylio").click()
    assert "You recommended Daylio to Robin Ash." in desk.locator("main").inner_text()
    check_axe(desk)
    recommendation = Recommendation.objects.get(client=client)
    assert (recommendation.app.slug, recommendation.reason) == ("daylio", REASON)

    # The client, on their phone.
    phone = new_page("phone")
    login(phone, client.user.email, PASSWORD)
    goto(phone, "/apps/")
    main = phone.locator("main")
    assert phone.get_by_role("heading", level=1).inner_text().strip() == (
        "Apps your therapist suggested"
    )
    assert REASON in main.inner_text()
    assert phone.get_by_role("heading", name="Your privacy in Daylio").is_visible()
    summary = phone.locator("ul.privacy-summary li").all_inner_texts()
    assert "You can read its privacy policy before you sign up." in summary
    assert any(line.startswith("We last checked this in") for line in summary)
    check_axe(phone)
    screenshot(phone, "catalog-suggestion-phone")
    link = phone.get_by_role("link", name="Already use Daylio? Bring your data in")
    assert link.get_attribute("href") == "/imports/?source=daylio"
    with phone.expect_navigation():
        link.click()
    assert phone.get_by_label("Daylio").is_checked()
    check_axe(phone)
    recommendation.refresh_from_db()
    assert recommendation.seen_at is not None
