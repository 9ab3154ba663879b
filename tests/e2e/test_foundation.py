"""Acceptance tests for the foundation, in a real browser: invitations, who sees what, MFA,
accessibility at phone and desktop widths, and crisis resources."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from interlude.clinic.demo import demo_seed
from interlude.clinic.services import invitation_create_for_client
from interlude.practices.models import Client, Membership
from tests.e2e.conftest import check_axe, goto, login, screenshot
from tests.factories import PASSWORD, clinician_with_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THERAPIST = "therapist@demo.interlude.test"
OWNER = "owner@demo.interlude.test"
CLIENT_A = "client@demo.interlude.test"  # Jordan Ellis
CLIENT_B = "client2@demo.interlude.test"  # Samira Haddad
OTHER_CLINICIAN = "other@demo.interlude.test"  # Harbour Counselling
DEVICES = ["phone", "desktop"]
CLIENT_PAGES = [
    ("/today/", "Good"),
    ("/progress/", "Progress"),
    ("/tools/", "Tools"),
    ("/messages/", "Messages"),
    ("/me/", "Me"),
    ("/me/who-has-seen/", "Who has seen my information"),
    ("/help/", "Need help now?"),
]
INVITE_LINK = re.compile(r"https?://\S+/invite/[\w-]+/")
GREETING = r"Good (morning|afternoon|evening)"


@pytest.fixture
def demo() -> dict[str, Client]:
    demo_seed()
    # Seeding raises the demo's alerts, whose notification emails are not what these tests check.
    mail.outbox.clear()
    return {
        c.user.email: c
        for c in Client.objects.filter(user__email__in=[CLIENT_A, CLIENT_B]).select_related("user")
    }


def heading(page: Any) -> str:
    return page.get_by_role("heading", level=1).inner_text().strip()


def record_path(client: Client) -> str:
    return f"/clinic/clients/{client.public_id}/"


# --- a. inviting a client ------------------------------------------------------------------------
def test_clinician_invites_client_who_sets_password_and_starts_onboarding(new_page, demo):
    page = new_page("desktop")
    login(page, THERAPIST)
    assert page.url.endswith("/clinic/")
    with page.expect_navigation():
        page.get_by_role("link", name="Add a client").click()
    assert heading(page) == "Add a client"
    check_axe(page)
    page.get_by_label("Full name").fill("Noor Rahimi")
    page.get_by_label("Email address (optional)").fill("Noor.Rahimi@example.org")
    page.get_by_label("Country").select_option(label="Germany")
    page.get_by_label("Time zone").fill("Europe/Berlin")
    with page.expect_navigation():
        page.get_by_role("button", name="Add client").click()

    client = Client.objects.get(full_name="Noor Rahimi")
    assert page.url.endswith(record_path(client))
    assert heading(page) == "Noor Rahimi"
    account = page.locator("dt", has_text="Account").locator("xpath=following-sibling::dd[1]")
    assert account.inner_text().startswith("Invitation sent ")
    assert page.get_by_role("status").inner_text() == (
        "Client added, and an invitation was sent to them."
    )
    check_axe(page)

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["noor.rahimi@example.org"]
    assert email.subject == "Your invitation to Interlude from Demo Practice"
    assert "Noor" not in email.body  # the email names the practice, never the client
    links = INVITE_LINK.findall(email.body)
    assert len(links) == 1
    link = links[0]

    invitee = new_page("phone")  # a fresh browser: the client's own phone
    goto(invitee, link)
    assert heading(invitee) == "Welcome to Interlude"
    assert invitee.get_by_label("Email address").input_value() == "noor.rahimi@example.org"
    assert invitee.get_by_label("Your name").input_value() == "Noor Rahimi"
    check_axe(invitee)
    invitee.get_by_label("Choose a password").fill("quiet harbour morning tide")
    invitee.get_by_label("Type the password again").fill("quiet harbour morning tide")
    with invitee.expect_navigation():
        invitee.get_by_role("button", name="Create my account").click()
    # A new client starts with onboarding and consent (tests/e2e/test_onboarding_consent.py).
    assert invitee.url.endswith("/welcome/")
    assert heading(invitee) == "Welcome, Noor"
    check_axe(invitee)
    client.refresh_from_db()
    assert client.status == "active"
    assert client.user is not None and client.user.email == "noor.rahimi@example.org"

    goto(invitee, link, status=410)
    assert heading(invitee) == "This invitation has already been used"
    check_axe(invitee)
    assert len(mail.outbox) == 1


# --- b. a client sees only themselves ------------------------------------------------------------
@pytest.mark.parametrize("device", DEVICES)
def test_client_cannot_open_clinician_pages_or_another_clients_data(new_page, demo, device):
    a, b = demo[CLIENT_A], demo[CLIENT_B]
    page = new_page(device)
    login(page, CLIENT_A)
    assert page.url.endswith("/today/")
    for path in (record_path(b), record_path(a), "/clinic/", "/practice/"):
        goto(page, path, status=404)
        assert heading(page) == "Page not found"
        body = page.locator("body").inner_text()
        assert "Samira" not in body and "Haddad" not in body
        check_axe(page)

    goto(page, f"/api/v1/clients/{b.public_id}", status=404)
    assert "Samira" not in page.content()
    goto(page, "/api/v1/clients", status=200)
    assert page.locator("body").inner_text().strip() == "[]"


# --- c. practices never see each other's clients -------------------------------------------------
def test_clinician_of_other_practice_cannot_reach_this_practices_clients(new_page, demo):
    page = new_page("desktop")
    login(page, OTHER_CLINICIAN)
    assert page.url.endswith("/clinic/")
    rows = page.locator("table.data-table tbody tr th[scope=row] a")
    assert rows.all_inner_texts() == ["Tom Hughes"]
    for name in ("Jordan Ellis", "Samira Haddad", "Priya Natarajan", "Daniel Okafor"):
        assert name not in page.content()
    check_axe(page)
    for client in demo.values():
        goto(page, record_path(client), status=404)
        assert heading(page) == "Page not found"
        check_axe(page)
        goto(page, f"/api/v1/clients/{client.public_id}", status=404)


# --- d. clinicians need a second factor before any client data -----------------------------------
ENROL = "/accounts/2fa/totp/activate/"


def test_clinician_without_mfa_is_sent_to_enrolment_before_any_client(new_page):
    membership, client = clinician_with_client(mfa_exempt=False)
    page = new_page("desktop")
    seen: list[str] = []
    login(page, membership.user.email, PASSWORD)
    seen.append(page.content())
    assert page.url.endswith(ENROL)
    seen.append(page.content())
    for path in ("/clinic/", record_path(client), "/"):
        goto(page, path)
        assert page.url.endswith(ENROL), path
        seen.append(page.content())
        assert page.get_by_role("status").first.inner_text() == (
            "Before you can see client information, please set up two-step verification. "
            "It protects your clients if your password is ever guessed or stolen."
        )
    check_axe(page)
    api = page.request.get(f"/api/v1/clients/{client.public_id}", max_redirects=0)
    assert api.status != 200
    seen.append(api.text())
    for content in seen:
        assert client.full_name not in content
        assert client.email not in content


def test_fresh_login_goes_straight_to_enrolment_without_a_second_password_prompt(new_page):
    membership, _ = clinician_with_client(mfa_exempt=False)
    page = new_page("desktop")
    login(page, membership.user.email, PASSWORD)
    assert page.url.endswith(ENROL)


# --- e. accessibility sweep ----------------------------------------------------------------------
@pytest.mark.parametrize("device", DEVICES)
def test_client_pages_have_no_serious_accessibility_violations(new_page, demo, device):
    page = new_page(device)
    goto(page, "/accounts/login/")
    assert heading(page) == "Sign in"
    check_axe(page)
    screenshot(page, f"login-{device}")
    login(page, CLIENT_A)
    for path, title in CLIENT_PAGES:
        goto(page, path)
        assert heading(page).startswith(title), path
        check_axe(page)
        screenshot(page, f"client-{path.strip('/').replace('/', '-')}-{device}")
    # The login error state is a page people see too.
    signed_out = new_page(device)
    goto(signed_out, "/accounts/login/")
    signed_out.get_by_label("Email address", exact=True).fill(CLIENT_A)
    signed_out.get_by_label("Password", exact=True).fill("not the password")
    with signed_out.expect_navigation():
        signed_out.get_by_role("button", name="Sign in").click()
    assert signed_out.get_by_role("heading", name="There is a problem").is_visible()
    check_axe(signed_out)


@pytest.mark.parametrize("device", DEVICES)
def test_clinician_pages_have_no_serious_accessibility_violations(new_page, demo, device):
    page = new_page(device)
    login(page, THERAPIST)
    assert heading(page).startswith("Caseload")
    check_axe(page)
    screenshot(page, f"caseload-{device}")
    with page.expect_navigation():
        page.get_by_role("link", name="Jordan Ellis").click()
    assert heading(page).startswith("Jordan Ellis")
    check_axe(page)
    screenshot(page, f"client-record-{device}")
    goto(page, "/clinic/clients/new/")
    check_axe(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Add client").click()  # empty: shows the errors
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    check_axe(page)
    screenshot(page, f"client-add-errors-{device}")
    goto(page, "/help/")
    check_axe(page)

    owner = new_page(device)
    login(owner, OWNER)
    goto(owner, "/practice/")
    assert heading(owner) == "Demo Practice"
    check_axe(owner)
    screenshot(owner, f"practice-settings-{device}")


@pytest.mark.parametrize("device", DEVICES)
def test_invitation_and_mfa_pages_have_no_serious_accessibility_violations(new_page, demo, device):
    therapist = Membership.objects.get(user__email=THERAPIST)
    client = Client.objects.create(
        practice=therapist.practice,
        full_name="Ada Byrne",
        email="ada@example.org",
        time_zone="America/New_York",
        country="US",
        created_by=therapist.user,
        updated_by=therapist.user,
    )
    client.care_team.create(membership=therapist, is_primary=True, added_by=therapist.user)
    _, token = invitation_create_for_client(
        actor=therapist.user,
        membership=therapist,
        client=client,
        email=client.email,
        base_url="http://testserver/",
    )
    page = new_page(device)
    goto(page, f"/invite/{token}/")
    assert heading(page) == "Welcome to Interlude"
    check_axe(page)
    screenshot(page, f"invitation-{device}")
    with page.expect_navigation():
        page.get_by_role("button", name="Create my account").click()  # empty: shows the errors
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    check_axe(page)
    goto(page, "/invite/not-a-real-token/", status=404)
    assert heading(page) == "We could not find this invitation"
    check_axe(page)

    membership, _ = clinician_with_client(mfa_exempt=False)
    enrol = new_page(device)
    login(enrol, membership.user.email, PASSWORD)
    assert enrol.url.endswith(ENROL)
    check_axe(enrol)
    screenshot(enrol, f"mfa-enrol-{device}")


# --- f. crisis resources -------------------------------------------------------------------------
def test_help_page_signed_out_shows_emergency_number_as_tel_link(new_page):
    page = new_page("phone")
    goto(page, "/help/")
    assert heading(page) == "Need help now?"
    emergency = page.locator(".care-card").get_by_role("link", name="911")
    assert emergency.is_visible()
    assert emergency.get_attribute("href") == "tel:911"
    lifeline = page.get_by_role("link", name="Call 988")
    assert lifeline.get_attribute("href") == "tel:988"
    check_axe(page)
    screenshot(page, "help-signed-out-phone")


@pytest.mark.parametrize("device", DEVICES)
def test_every_client_page_has_a_visible_need_help_now_link(new_page, demo, device):
    page = new_page(device)
    login(page, CLIENT_A)
    for path, _ in CLIENT_PAGES:
        goto(page, path)
        link = page.get_by_role("link", name="Need help now?", exact=True)
        assert link.count() == 1, path
        assert link.is_visible(), path
        assert link.get_attribute("href") == "/help/"
        box = link.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 740, path
        assert box["height"] >= 44 or device == "desktop", f"{path}: tap target {box}"
