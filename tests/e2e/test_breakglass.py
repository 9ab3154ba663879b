"""In a real browser: a practice owner outside the care team finds a client by name, is asked
why, gets the error when the reason is blank, opens the record in an emergency, and the client
then sees it flagged on "Who has seen my information". axe runs on every page."""

from __future__ import annotations

import pytest
from django.core import mail

from interlude.practices.enums import Role
from tests.e2e.conftest import check_axe, expect_status, goto, login, screenshot
from tests.factories import PASSWORD, MembershipFactory, UserFactory, clinician_with_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def practice():
    clinician, client = clinician_with_client()
    clinician.user.full_name = "Dr. Alex Rivera"
    clinician.user.email = "alex@harbour.example"
    clinician.user.save()
    client.full_name = "Jordan Ellis"
    client.preferred_name = ""
    client.time_zone = "UTC"
    client.save()
    owner = MembershipFactory(
        practice=client.practice,
        role=Role.OWNER,
        user=UserFactory(full_name="Morgan Lee", email="morgan@harbour.example", mfa_exempt=True),
    )
    return owner, client


def test_owner_opens_a_record_in_an_emergency_and_the_client_sees_it(new_page, practice):
    owner, client = practice
    page = new_page("desktop")
    login(page, owner.user.email, PASSWORD)

    goto(page, "/clinic/emergency/")
    assert page.get_by_role("heading", level=1).inner_text() == "Open a record in an emergency"
    check_axe(page)
    screenshot(page, "breakglass-list")

    page.get_by_role("link", name="Open in an emergency (Jordan Ellis)", exact=True).click()
    page.wait_for_url(f"**/clinic/emergency/{client.public_id}/")
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "Open Jordan Ellis's record in an emergency"
    )
    check_axe(page)

    page.get_by_label("Why do you need to open this record now?").fill("   ")
    expect_status(page, 400)  # the form comes back with the error
    with page.expect_navigation():
        page.get_by_role("button", name="Open the record").click()
    summary = page.get_by_role("alert")
    assert "Please write the reason you need to open this record now." in summary.inner_text()
    check_axe(page)
    screenshot(page, "breakglass-reason-missing")

    page.get_by_label("Why do you need to open this record now?").fill(
        "Dr. Rivera is on leave and Jordan rang the front desk in distress"
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Open the record").click()
    assert page.url.endswith(f"/clinic/clients/{client.public_id}/")
    assert "You have emergency access to this record until" in page.content()
    screenshot(page, "breakglass-record")
    assert [m.to for m in mail.outbox] == [["alex@harbour.example"]]
    assert "distress" not in mail.outbox[0].body

    client_page = new_page("phone")
    client_page.set_viewport_size({"width": 390, "height": 844})
    login(client_page, client.user.email, PASSWORD)
    goto(client_page, "/me/who-has-seen/")
    people = [h.inner_text() for h in client_page.get_by_role("heading", level=3).all()]
    assert people == ["Morgan Lee (emergency access)"]
    assert "Opened your record in an emergency." in client_page.content()
    check_axe(client_page)
    screenshot(client_page, "breakglass-client-history")
