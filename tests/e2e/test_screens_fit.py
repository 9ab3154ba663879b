"""Screens that read well: the caseload fits a 1280 px screen, account pages fit a phone.

The caseload used to sit in a box that scrolled sideways at 1280 px, hiding homework and last
activity behind a scrollbar. These tests load it as the demo therapist, with extra clients whose
long names and three questionnaires make the widest realistic rows, and measure.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.utils import timezone

from interlude.clinic.demo import demo_seed
from interlude.measures.services import response_submit
from interlude.practices.models import Client, Membership
from tests.e2e.conftest import (
    DEMO_PASSWORD,
    OVERFLOWING_JS,
    check_axe,
    goto,
    login,
    screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THERAPIST = "therapist@demo.interlude.test"
CLIENT = "client@demo.interlude.test"
DESKTOP_1280 = {"viewport": {"width": 1280, "height": 800}}

# Does an element scroll sideways, or does the page?
OVERFLOW_JS = """(selector) => {
  const box = document.querySelector(selector);
  const root = document.documentElement;
  return {
    box: box ? [box.scrollWidth, box.clientWidth] : null,
    boxHeight: box ? [box.scrollHeight, box.clientHeight] : null,
    page: [root.scrollWidth, root.clientWidth],
  };
}"""


@pytest.fixture
def busy_caseload() -> None:
    demo_seed()
    therapist = Membership.objects.get(user__email=THERAPIST)
    now = timezone.now()
    # The widest rows a real caseload has: long names with a preferred name, three
    # questionnaires with a band and a change each.
    for i, name in enumerate(
        [
            ("Alexandrina Featherstonehaugh-Okonkwo", "Sandy"),
            ("Bartholomew Montgomery-Vasquez", "Bart"),
        ]
    ):
        client = Client.objects.create(
            practice=therapist.practice,
            full_name=name[0],
            preferred_name=name[1],
            time_zone="America/New_York",
            country="US",
            created_by=therapist.user,
            updated_by=therapist.user,
        )
        client.care_team.create(membership=therapist, is_primary=True, added_by=therapist.user)
        # An intake answer and a latest one for three questionnaires, each with a change.
        for code, first, latest in [
            ("phq9", [3, 3, 3, 3, 2, 2, 2, 2, 0], [2, 2, 1, 2, 1, 1, 1, 1, i]),
            ("gad7", [3, 3, 2, 2, 2, 2, 2], [3, 3, 3, 2, 3, 2, 3]),
            ("who5", [1, 1, 1, 2, 1], [3, 2, 3, 2, 3]),
        ]:
            for n, answers in enumerate([first, latest]):
                response_submit(
                    client=client,
                    actor=therapist.user,
                    instrument_code=code,
                    answers=list(answers),
                    idempotency_key=f"wide-{i}-{code}-{n}",
                    submitted_at=now - timedelta(days=30 - 20 * n),
                )
    mail.outbox.clear()


def _overflow(page: Any, selector: str) -> dict[str, Any]:
    return page.evaluate(OVERFLOW_JS, selector)


def test_caseload_fits_1280_without_sideways_scrolling(new_page, busy_caseload):
    page = new_page("desktop")
    page.set_viewport_size(DESKTOP_1280["viewport"])
    login(page, THERAPIST)
    goto(page, "/clinic/")
    assert page.locator(".caseload-table tbody tr").count() >= 5
    screenshot(page, "caseload-1280")

    sizes = _overflow(page, "#caseload-table")
    box_scroll, box_client = sizes["box"]
    assert box_scroll <= box_client, (
        f"the caseload scrolls sideways: {box_scroll}px of content in {box_client}px; "
        f"overflowing: {page.evaluate(OVERFLOWING_JS)}"
    )
    # Nor down: a box with its own vertical scrollbar hides rows behind a second scrollbar.
    assert sizes["boxHeight"][0] <= sizes["boxHeight"][1], sizes["boxHeight"]
    page_scroll, page_client = sizes["page"]
    assert page_scroll <= page_client, page.evaluate(OVERFLOWING_JS)
    # Every column, the last included, is on screen without scrolling.
    last_header = page.locator(".caseload-table thead th").last.bounding_box()
    assert last_header is not None
    assert last_header["x"] + last_header["width"] <= 1280
    check_axe(page)


ACCOUNT_PAGES = [
    ("/accounts/password/change/", "Change your password"),
    ("/accounts/sessions/", "Where you are signed in"),
    ("/accounts/2fa/", "Two-step verification"),
    ("/accounts/email/", "Your email address"),
    ("/accounts/logout/", "Sign out?"),
    ("/accounts/reauthenticate/", "Confirm it is you"),
]


def test_account_pages_fit_a_phone_and_pass_axe(new_page, busy_caseload):
    page = new_page("phone")
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, CLIENT)
    for path, title in ACCOUNT_PAGES:
        goto(page, path)
        assert page.get_by_role("heading", level=1).inner_text().strip() == title
        root = _overflow(page, "body")["page"]
        assert root[0] <= root[1], (path, page.evaluate(OVERFLOWING_JS))
        check_axe(page)
        screenshot(page, "account" + path.replace("/", "-").rstrip("-"))

    # With an authenticator app: the recovery codes and turning it off.
    user = Client.objects.get(user__email=CLIENT).user
    TOTP.activate(user, generate_totp_secret())
    RecoveryCodes.activate(user)
    for path, title in [
        ("/accounts/2fa/recovery-codes/", "Your recovery codes"),
        ("/accounts/2fa/totp/deactivate/", "Turn off your authenticator app?"),
    ]:
        goto(page, path)
        if "/accounts/reauthenticate/" in page.url:
            page.get_by_label("Your password").fill(DEMO_PASSWORD)
            with page.expect_navigation():
                page.get_by_role("button", name="Continue").click()
        assert page.get_by_role("heading", level=1).inner_text().strip() == title
        root = _overflow(page, "body")["page"]
        assert root[0] <= root[1], (path, page.evaluate(OVERFLOWING_JS))
        check_axe(page)
        screenshot(page, "account" + path.replace("/", "-").rstrip("-"))

    signed_out = new_page("phone")
    signed_out.set_viewport_size({"width": 390, "height": 844})
    for path, title in [
        ("/accounts/password/reset/", "Reset your password"),
        ("/accounts/password/reset/done/", "Check your email"),
    ]:
        goto(signed_out, path)
        assert signed_out.get_by_role("heading", level=1).inner_text().strip() == title
        check_axe(signed_out)
        screenshot(signed_out, "account" + path.replace("/", "-").rstrip("-"))


def test_time_zone_search_puts_the_chosen_countrys_zones_first(new_page, busy_caseload):
    page = new_page("desktop")
    login(page, THERAPIST)
    goto(page, "/clinic/clients/new/")
    first = (
        "() => [...document.querySelectorAll('#id_time_zone_list option')].slice(0, 2)"
        ".map((o) => [o.value, o.label])"
    )
    assert page.evaluate(first)[0] == ["America/New_York", "Eastern time (New York)"]
    page.get_by_label("Country").select_option("AU")
    assert page.evaluate(first) == [
        ["Australia/Sydney", "New South Wales (Sydney)"],
        ["Australia/Melbourne", "Victoria (Melbourne)"],
    ]
    # A city typed by hand is understood on the server.
    page.get_by_label("Full name").fill("Mia Tran")
    page.get_by_label("Time zone").fill("melbourne")
    with page.expect_navigation():
        page.get_by_role("button", name="Add client").click()
    assert Client.objects.get(full_name="Mia Tran").time_zone == "Australia/Melbourne"
