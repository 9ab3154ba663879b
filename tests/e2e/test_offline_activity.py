"""An activity typed in while offline joins the person's activity list once the check-in syncs,
exactly as one added online does (the service puts it there, whatever the entry point)."""

from __future__ import annotations

import pytest

from interlude.tracking.models import ActivityOption, CheckIn
from tests.e2e.conftest import check_axe, goto, login
from tests.e2e.test_offline import _install_worker, _wait_for
from tests.factories import PASSWORD, clinician_with_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_activity_added_offline_joins_the_activity_list_after_sync(new_page):
    _, client = clinician_with_client()
    page = new_page("phone", service_workers=True)
    login(page, client.user.email, PASSWORD)
    _install_worker(page, ["/checkin/", "/today/"])

    page.context.set_offline(True)
    goto(page, "/checkin/")
    page.locator("fieldset", has_text="Mood").get_by_label("6", exact=True).check()
    page.get_by_text("Add more (optional)").click()
    page.get_by_label("Add your own activity (optional)").fill("Choir practice")
    with page.expect_navigation():
        page.get_by_role("button", name="Save check-in").first.click()
    assert page.url.endswith("/today/")

    page.context.set_offline(False)
    _wait_for(page, lambda: CheckIn.objects.count() == 1)
    assert CheckIn.objects.get().activities == ["Choir practice"]
    assert ActivityOption.objects.filter(client=client, label="Choir practice").count() == 1

    # The next check-in offers it as a choice, like any activity on the list.
    goto(page, "/checkin/")
    page.get_by_text("Add more (optional)").click()
    choice = page.get_by_label("Choir practice", exact=True)
    assert choice.is_visible()
    assert choice.get_attribute("type") == "checkbox"
    check_axe(page)
