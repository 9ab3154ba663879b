"""In a real browser, on desktop: the catalog list filtered with htmx, an entry, the review form
with an error, and two apps compared. axe runs on each page."""

from __future__ import annotations

from datetime import date

import pytest

from interlude.catalog.tests.test_catalog_helpers import clear_catalog, make_app
from interlude.practices.enums import Role
from tests.e2e.conftest import (
    check_axe,
    expect_status,
    goto,
    login,
    screenshot,
)
from tests.factories import PASSWORD, MembershipFactory, PracticeFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def owner():
    clear_catalog()
    practice = PracticeFactory(name="Harbour Counselling", time_zone="America/New_York")
    m = MembershipFactory(
        practice=practice,
        role=Role.OWNER,
        user=UserFactory(
            full_name="Dr. Alex Rivera", email="alex@harbour.example", mfa_exempt=True
        ),
    )
    make_app(
        name="Daylio",
        summary="A mood and activity diary: tap how the day went, no writing needed.",
        answers={
            "available": "yes",
            "platforms": ["ios", "android"],
            "cost": "freemium",
            "developer": None,
            "privacy_policy": "yes",
            "sells_or_advertises": "no",
            "data_deletable": "yes",
            "evidence": "none_found",
            "goals": ["mood", "habits"],
            "exports_data": "yes",
            "export_format": "CSV backup",
        },
        importer="daylio",
        reviewed_on=date(2026, 1, 12),
    )
    make_app(
        name="Headspace",
        summary="Guided meditation and sleep sounds.",
        answers={
            "platforms": ["ios", "android", "web"],
            "cost": "subscription",
            "sells_or_advertises": "yes",
            "evidence": "trials",
            "goals": ["relaxation", "sleep", "anxiety"],
        },
        reviewed_on=date(2024, 11, 2),
    )
    make_app(name="Our own worksheet app", practice=practice, summary="Made by a colleague.")
    return m


def test_catalog_pages_on_desktop(new_page, owner):
    page = new_page("desktop")
    login(page, "alex@harbour.example", PASSWORD)

    goto(page, "/clinic/catalog/")
    check_axe(page)
    page.get_by_label("Goal").select_option("sleep")
    page.wait_for_url("**goal=sleep**")
    page.locator("#catalog-results").get_by_role("link", name="Headspace").wait_for()
    assert page.locator(".catalog-name").count() == 1
    goto(page, "/clinic/catalog/")
    screenshot(page, "catalog-list")

    page.get_by_label("Compare Daylio").check()
    page.get_by_label("Compare Headspace").check()
    page.get_by_role("button", name="Compare").click()
    page.get_by_role("heading", name="Daylio and Headspace").wait_for()
    check_axe(page)
    screenshot(page, "catalog-compare")

    page.get_by_role("link", name="Daylio").first.click()
    page.get_by_role("heading", name="Evaluation").wait_for()
    check_axe(page)
    screenshot(page, "catalog-detail-starter")
    page.get_by_role("button", name="Make our own copy to review").click()
    page.get_by_role("heading", name="Review Daylio").wait_for()
    page.locator("#cost-value-1").check()  # Free: no source given
    page.locator("#cost-evidence").fill("")
    page.locator("#cost-links").fill("")
    expect_status(page, 422)
    page.get_by_role("button", name="Save the review").click()
    page.get_by_text("There is a problem").wait_for()
    check_axe(page)
    screenshot(page, "catalog-review-error")
    page.locator("#cost-links").fill("https://example.org/daylio-pricing")
    page.get_by_role("button", name="Save the review").click()
    page.get_by_text("Review saved: 1 answer updated.").wait_for()
    check_axe(page)
    screenshot(page, "catalog-detail-own")
