"""An activity typed in while offline joins the person's activity list once the check-in syncs,
exactly as one added online does (the service puts it there, whatever the entry point)."""

from __future__ import annotations

import pytest

from interlude.tracking.models import ActivityOption, CheckIn
from interlude.tracking.services import CheckInValues, checkin_create
from tests.e2e.conftest import check_axe, goto, login, watch_of
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


def test_a_queued_check_in_whose_key_was_used_for_another_is_shown_not_kept(new_page):
    """409: the key was already used for a different check-in. The entry leaves the queue and the
    person is told, instead of it being retried for ever or dropped silently."""
    _, client = clinician_with_client()
    checkin_create(
        client=client, actor=client.user, values=CheckInValues(mood=3), idempotency_key="used"
    )
    page = new_page("phone")
    login(page, client.user.email, PASSWORD)
    assert page.url.endswith("/today/")
    page.evaluate(
        """(owner) => localStorage.setItem("interlude.pendingCheckins.v1", JSON.stringify([
             {owner: owner, mood: 8, emotions: [], activities: [], idempotency_key: "used"}]))""",
        str(client.public_id),
    )
    page.evaluate("() => window.InterludeOffline.sync()")

    failed = page.locator("[data-failed-checkins]")
    _wait_for(page, lambda: failed.is_visible())
    assert failed.inner_text() == (
        "A check-in you made offline could not be saved (another check-in was already saved "
        "from the same form). Please check in again."
    )
    assert page.evaluate("() => window.InterludeOffline.pending()") == []
    assert list(CheckIn.objects.values_list("mood", flat=True)) == [3]
    # The 409 was expected; Chromium logs every failed fetch to the console.
    watch_of(page).clear()
    check_axe(page)
