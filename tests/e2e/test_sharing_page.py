"""In a real browser on a 390 px phone: a client with two clinicians opens Me > What I share,
switches check-in scores off (saved with htmx, the summary updates at once), stops sharing with
one clinician, and the gate agrees with what the page says. axe runs on each state; nothing
scrolls sideways. Then the clinician switches the journal off for the client on the record."""

from __future__ import annotations

import pytest

from interlude.consents.access import access_client
from interlude.consents.models import ClientPrivacy
from interlude.practices.enums import ShareScope
from tests.e2e.conftest import check_axe, goto, login, screenshot
from tests.factories import (
    PASSWORD,
    CareTeamMemberFactory,
    MembershipFactory,
    UserFactory,
    clinician_with_client,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team():
    membership, client = clinician_with_client()
    membership.user.full_name = "Dr. Alex Rivera"
    membership.user.save()
    membership.title = "Clinical psychologist"
    membership.save()
    client.full_name = "Jordan Ellis"
    client.save()
    colleague = MembershipFactory(
        practice=client.practice, user=UserFactory(full_name="Dr. Sam Okoye", mfa_exempt=True)
    )
    CareTeamMemberFactory(client=client, membership=colleague, is_primary=False)
    return membership, colleague, client


def _summary(page) -> str:
    return page.locator("#sharing-summary").inner_text()


def test_a_client_changes_what_they_share_on_a_phone(new_page, team):
    alex, sam, client = team
    page = new_page("phone")
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, client.user.email, PASSWORD)

    goto(page, "/me/")
    page.get_by_role("link", name="What I share with my care team").click()
    page.wait_for_url("**/me/sharing/")

    assert page.get_by_role("heading", level=1).inner_text() == "What I share"
    switches = page.get_by_role("switch")
    assert [s.get_attribute("value") for s in switches.all()] == [
        "checkins",
        "journal",
        "worksheets",
        "measures",
        "imports",
        "relaxation",
        str(alex.pk),
        str(sam.pk),
    ]
    assert page.get_by_role("switch", name="Check-in scores").is_checked()
    assert not page.get_by_role("switch", name="Check-in notes and journal").is_checked()
    assert (
        "Check-in scores, Worksheets, Questionnaires, Data from other apps, Relaxation practice"
        in (_summary(page))
    )
    check_axe(page)
    screenshot(page, "sharing_phone_before")

    # htmx saves on change; the summary answers with what the gate now lets the team see.
    with page.expect_response("**/me/sharing/"):
        page.get_by_role("switch", name="Check-in scores").click()
    page.locator(".sharing-saved").wait_for()
    assert "Worksheets, Questionnaires, Data from other apps, Relaxation practice" in _summary(page)
    assert "Check-in scores" not in _summary(page)
    assert (
        access_client(user=alex.user, client_id=client.public_id).can_see(ShareScope.CHECKINS)
        is False
    )

    with page.expect_response("**/me/sharing/"):
        page.get_by_role("switch", name="Dr. Sam Okoye").click()
    page.locator(f'[data-sees-member="{sam.pk}"]').wait_for()
    assert page.locator(f'[data-sees-member="{sam.pk}"]').inner_text() == "none of these"
    assert page.locator(f'[data-sees-member="{alex.pk}"]').inner_text() == (
        "Worksheets, Questionnaires, Data from other apps, Relaxation practice"
    )
    assert access_client(user=sam.user, client_id=client.public_id).hidden_categories() == [
        ShareScope.CHECKINS,
        ShareScope.JOURNAL,
        ShareScope.WORKSHEETS,
        ShareScope.MEASURES,
        ShareScope.IMPORTS,
        ShareScope.RELAXATION,
    ]
    assert ClientPrivacy.objects.get(client=client).hidden_from == [sam.pk]
    check_axe(page)
    screenshot(page, "sharing_phone_after")

    # A reload shows the saved state: nothing depended on the page staying open.
    goto(page, "/me/sharing/")
    assert not page.get_by_role("switch", name="Check-in scores").is_checked()
    assert not page.get_by_role("switch", name="Dr. Sam Okoye").is_checked()
    assert page.get_by_role("switch", name="Dr. Alex Rivera, Clinical psychologist").is_checked()


def test_the_clinician_switches_the_journal_off_on_the_record(new_page, team):
    alex, _sam, client = team
    page = new_page("desktop")
    login(page, alex.user.email, PASSWORD)
    goto(page, f"/clinic/clients/{client.public_id}/")

    panel = page.locator("#modules-panel")
    panel.get_by_role("switch", name="Journal").click()
    with page.expect_response(f"**/clinic/clients/{client.public_id}/modules/"):
        panel.get_by_role("button", name="Save").click()
    page.get_by_text("Saved. The client's app shows only what is on.").wait_for()

    assert ClientPrivacy.objects.get(client=client).modules_off == ["journal"]
    assert not page.locator("#modules-panel").get_by_role("switch", name="Journal").is_checked()
    check_axe(page)
    screenshot(page, "modules_panel_desktop")
