"""A big caseload in the browser: pages, the "no check-in for" filter and the name search work
with htmx (the address follows, a name never goes into it) and pass axe.

Pages are made 4 rows long here (the live server runs in this process), so the demo therapist's
caseload plus a few clients spans pages.
"""

from __future__ import annotations

import re

import pytest

from interlude.clinic.demo import demo_seed
from interlude.clinic.views import clinician as clinician_views
from interlude.insights import selectors_caseload
from interlude.practices.models import Client, Membership
from tests.e2e.conftest import check_axe, goto, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THERAPIST = "therapist@demo.interlude.test"
PAGE = 4


@pytest.fixture
def big_caseload(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(selectors_caseload, "PAGE_SIZE", PAGE)
    monkeypatch.setattr(clinician_views, "PAGE_SIZE", PAGE)
    demo_seed()
    therapist = Membership.objects.get(user__email=THERAPIST)
    for i in range(1, 8):
        client = Client.objects.create(
            practice=therapist.practice,
            full_name=f"Quinn Pager {i:02d}",
            time_zone="America/New_York",
            country="US",
            created_by=therapist.user,
            updated_by=therapist.user,
        )
        client.care_team.create(membership=therapist, is_primary=True, added_by=therapist.user)
    return (
        Client.objects.filter(care_team__membership=therapist).exclude(status="discharged").count()
    )


def test_pages_filter_and_search_with_htmx(new_page, big_caseload):
    current = big_caseload
    pages = -(-current // PAGE)
    page = new_page("desktop")
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, THERAPIST)
    goto(page, "/clinic/")

    rows = page.locator(".caseload-table tbody tr")
    assert rows.count() == PAGE
    count = page.locator(".caseload-count")
    assert count.inner_text() == f"Showing 1\u2013{PAGE} of {current} clients."
    pager = page.get_by_role("navigation", name="Pages of clients")
    assert pager.locator('[aria-current="page"]').inner_text() == "1"
    check_axe(page)
    screenshot(page, "caseload-paged")

    # Page 2 through htmx: the table is swapped, the address follows.
    pager.get_by_role("link", name="Page 2").click()
    page.wait_for_url(re.compile(r"/clinic/\?page=2$"))
    assert pager.locator('[aria-current="page"]').inner_text() == "2"
    assert (
        count.inner_text()
        == f"Showing {PAGE + 1}\u2013{min(2 * PAGE, current)} of {current} clients."
    )

    # A filter resets to its first page and goes into the address.
    page.get_by_label("No check-in for").select_option("7")
    page.wait_for_url(re.compile(r"/clinic/\?.*quiet=7"))
    assert "page=" not in page.url
    # The added clients have no account yet, so none of them counts as quiet.
    assert "Quinn Pager" not in page.locator("#caseload-table").inner_text()

    # The name search is posted: the table shows the match, the address keeps no name.
    goto(page, "/clinic/")
    page.get_by_label("Find by name").fill("pager 06")
    page.get_by_role("button", name="Search").click()
    page.wait_for_function(
        "() => document.querySelectorAll('.caseload-table tbody tr').length === 1"
    )
    assert page.locator(".caseload-table tbody th a").all_inner_texts() == ["Quinn Pager 06"]
    assert "pager" not in page.url.lower() and "06" not in page.url
    check_axe(page)
    screenshot(page, "caseload-search")
    assert pages >= 2
