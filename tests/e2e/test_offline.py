"""Offline-first: the installed app keeps working without a connection, and a check-in made
offline is sent exactly once when the connection returns."""

from __future__ import annotations

import time
from typing import Any

import pytest

from interlude.tracking.models import CheckIn
from tests.e2e.conftest import check_axe, goto, login
from tests.factories import PASSWORD, clinician_with_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CACHED = """async (path) => {
  const cache = await caches.open("interlude-pages-v1");
  return (await cache.match(path)) !== undefined;
}"""


def _wait_for(page: Any, predicate: Any, *, seconds: float = 15.0) -> None:
    # Wait through Playwright, not time.sleep: its event loop must keep running, or the test's
    # request routing (which blocks third-party hosts) would hold every request meanwhile.
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        page.wait_for_timeout(200)
    raise AssertionError("timed out waiting")


def _install_worker(page: Any, paths: list[str]) -> None:
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    for path in paths:
        _wait_for(page, lambda path=path: page.evaluate(CACHED, path))


def test_an_offline_check_in_is_queued_then_sent_exactly_once(new_page):
    _, client = clinician_with_client()
    page = new_page("phone", service_workers=True)
    login(page, client.user.email, PASSWORD)
    assert page.url.endswith("/today/")
    _install_worker(page, ["/checkin/", "/today/"])

    page.context.set_offline(True)
    goto(page, "/checkin/")
    assert page.get_by_text("You are offline.").is_visible()
    page.locator("fieldset", has_text="Mood").get_by_label("7", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save check-in").first.click()

    assert page.url.endswith("/today/")
    pending = page.locator("[data-pending-checkins]")
    assert pending.inner_text() == (
        "1 check-in is saved on this phone and will be sent when you are online."
    )
    check_axe(page)
    queued = page.evaluate("() => window.InterludeOffline.pending()")
    assert [(item["mood"], item["owner"]) for item in queued] == [(7, str(client.public_id))]
    # (Whether the server already has it is not asserted here: Chromium's offline emulation does
    # not always cover requests that pass through a service worker, so a sync may slip out.)

    page.context.set_offline(False)
    _wait_for(page, lambda: CheckIn.objects.count() == 1)
    _wait_for(page, lambda: pending.is_hidden())
    stored = CheckIn.objects.get()
    assert (stored.client_id, stored.mood) == (client.pk, 7)

    # Coming back again (and syncing again) stores nothing twice.
    page.reload()
    page.evaluate("() => window.InterludeOffline.sync()")
    assert CheckIn.objects.count() == 1


def test_crisis_help_and_the_safety_plan_open_offline(new_page):
    _, client = clinician_with_client()
    page = new_page("phone", service_workers=True)
    login(page, client.user.email, PASSWORD)
    _install_worker(page, ["/help/", "/safety-plan/"])

    page.context.set_offline(True)
    goto(page, "/help/")
    assert page.get_by_role("heading", level=1).inner_text() == "Need help now?"
    assert page.locator('a[href^="tel:"]').count() >= 1
    goto(page, "/safety-plan/")
    assert "safety plan" in page.get_by_role("heading", level=1).inner_text().lower()
