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


def test_a_queued_check_in_whose_key_was_used_for_another_is_kept_and_can_be_sent_as_new(
    new_page,
):
    """409: the key was already used for a different check-in. The entry leaves the queue (it
    would be refused for ever), the person is told, and what they wrote stays on the phone until
    they send it as a new check-in or discard it: never dropped in silence."""
    _, client = clinician_with_client()
    checkin_create(
        client=client, actor=client.user, values=CheckInValues(mood=3), idempotency_key="used"
    )
    page = new_page("phone")
    login(page, client.user.email, PASSWORD)
    assert page.url.endswith("/today/")
    page.evaluate(
        """(owner) => localStorage.setItem("interlude.pendingCheckins.v1", JSON.stringify([
             {owner: owner, mood: 8, emotions: [], activities: [], idempotency_key: "used",
              recorded_at: new Date(Date.now() - 3600 * 1000).toISOString()}]))""",
        str(client.public_id),
    )
    page.evaluate("() => window.InterludeOffline.sync()")

    failed = page.locator("[data-failed-checkins]")
    _wait_for(page, lambda: failed.is_visible())
    # The time is written the way this phone writes times.
    when = page.evaluate(
        """() => new Date(JSON.parse(localStorage.getItem("interlude.failedCheckins.v1"))[0]
             .recorded_at).toLocaleString()"""
    )
    assert failed.locator("p").inner_text() == (
        f"A check-in you made offline ({when}) was not saved: a different check-in was already "
        "saved from the same form. It is still on this phone."
    )
    assert page.evaluate("() => window.InterludeOffline.pending()") == []
    assert list(CheckIn.objects.values_list("mood", flat=True)) == [3]
    # The 409 was expected; Chromium logs every failed fetch to the console.
    watch_of(page).clear()
    check_axe(page)

    # Still there after a reload: nothing is forgotten until the person chooses.
    goto(page, "/today/")
    assert failed.is_visible()
    failed.get_by_role("button", name="Send it as a new check-in").click()
    _wait_for(page, lambda: CheckIn.objects.count() == 2)
    assert sorted(CheckIn.objects.values_list("mood", flat=True)) == [3, 8]
    assert CheckIn.objects.exclude(idempotency_key="used").get().mood == 8
    _wait_for(page, lambda: not failed.is_visible())
    goto(page, "/today/")
    assert not failed.is_visible()


def test_a_kept_check_in_can_be_discarded(new_page):
    _, client = clinician_with_client()
    checkin_create(
        client=client, actor=client.user, values=CheckInValues(mood=3), idempotency_key="used"
    )
    page = new_page("phone")
    login(page, client.user.email, PASSWORD)
    page.evaluate(
        """(owner) => localStorage.setItem("interlude.pendingCheckins.v1", JSON.stringify([
             {owner: owner, mood: 8, emotions: [], activities: [], idempotency_key: "used"}]))""",
        str(client.public_id),
    )
    page.evaluate("() => window.InterludeOffline.sync()")
    failed = page.locator("[data-failed-checkins]")
    _wait_for(page, lambda: failed.is_visible())
    watch_of(page).clear()

    failed.get_by_role("button", name="Discard it").click()

    assert not failed.is_visible()
    goto(page, "/today/")
    assert not failed.is_visible()
    assert list(CheckIn.objects.values_list("mood", flat=True)) == [3]
