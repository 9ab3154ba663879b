"""In a real browser: a client asks to close their account on a phone, the owner decides on a
desktop. axe runs on each page, nothing scrolls sideways, screenshots for review."""

from __future__ import annotations

import pytest

from interlude.consents.models import ClosureRequest, ClosureStatus
from interlude.practices.enums import Role
from tests.e2e.conftest import check_axe, goto, login, screenshot
from tests.factories import PASSWORD, MembershipFactory, UserFactory, clinician_with_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_client_asks_and_owner_closes_the_account(new_page):
    _clinician, client = clinician_with_client()
    client.full_name = "Jordan Ellis"
    client.save()
    owner = MembershipFactory(
        practice=client.practice,
        role=Role.OWNER,
        user=UserFactory(full_name="Olive Owner", email="olive@alder.example", mfa_exempt=True),
    )

    phone = new_page("phone")
    login(phone, client.user.email, PASSWORD)
    goto(phone, "/me/")
    phone.get_by_role("link", name="Close my account").click()
    phone.wait_for_url("**/me/close-account/")
    check_axe(phone)
    screenshot(phone, "closure_client_request")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Ask to close my account").click()
    assert "You asked to close your account on" in phone.content()
    check_axe(phone)
    screenshot(phone, "closure_client_requested")

    desktop = new_page("desktop")
    login(desktop, owner.user.email, PASSWORD)
    goto(desktop, "/practice/closures/")
    check_axe(desktop)
    screenshot(desktop, "closure_owner_list")
    desktop.get_by_role("link", name="Decide for Jordan Ellis").click()
    desktop.wait_for_url("**/practice/closures/*/")
    check_axe(desktop)
    screenshot(desktop, "closure_owner_decide")
    desktop.get_by_label("Questionnaires").check()
    desktop.get_by_label("Why the practice must keep them").fill(
        "Professional rule: records are kept for 7 years."
    )
    desktop.get_by_label("I understand that everything not ticked is erased for good.").check()
    with desktop.expect_navigation():
        desktop.get_by_role("button", name="Close the account").click()
    closure = ClosureRequest.objects.get(client=client)
    assert (closure.status, closure.kept) == (ClosureStatus.CLOSED, ["questionnaires"])
    assert closure.pseudonym in desktop.content()
    assert "Jordan Ellis" not in desktop.content()
    check_axe(desktop)
    screenshot(desktop, "closure_owner_closed")
