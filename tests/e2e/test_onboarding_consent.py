"""Acceptance for consent and sharing, in a real browser: a new client is invited, signs in, goes
through onboarding and consent, and leaves "Check-in notes and journal" off. The clinician sees the
check-in score but no note or journal text anywhere (record, brief, timeline, PDF, API) and sees
"not shared"; the client switches it on, and the clinician's next page shows it. axe on every page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from interlude.clinic.services import client_create, invitation_create_for_client
from interlude.consents.models import ClientPrivacy, ConsentEvent, ConsentStatus
from interlude.insights import report
from interlude.tracking.models import CheckIn
from tests.e2e.conftest import check_axe, expect_status, goto, login, screenshot
from tests.factories import PASSWORD, MembershipFactory, PracticeFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "NOTE-canary the audition went badly"
JOURNAL = "JOURNAL-canary I told my sister about the panic"
CLIENT_PASSWORD = "quiet harbour morning tide"


def heading(page: Any) -> str:
    return page.get_by_role("heading", level=1).inner_text().strip()


def click_and_wait(page: Any, locator: Any) -> None:
    with page.expect_navigation():
        locator.click()


@pytest.fixture
def pdf_html(monkeypatch) -> list[str]:
    """The HTML each PDF was made from (the PDF itself is compressed; this is what it shows)."""
    seen: list[str] = []
    original = report.pdf_document

    def spy(html: str, *, base_url: str) -> Any:
        seen.append(html)
        return original(html, base_url=base_url)

    monkeypatch.setattr(report, "pdf_document", spy)
    return seen


def test_new_client_onboards_keeps_notes_private_then_shares_them(
    new_page, live_server, pdf_html, settings, tmp_path
):
    settings.REPORTS_DIR = tmp_path / "reports"
    practice = PracticeFactory(name="Riverside Therapy", country="US")
    membership = MembershipFactory(
        practice=practice, user=UserFactory(mfa_exempt=True, full_name="Dr. Kim Park")
    )
    client = client_create(
        actor=membership.user,
        membership=membership,
        full_name="Noor Rahimi",
        email="noor@example.org",
        time_zone="America/New_York",
        country="US",
    )
    _, token = invitation_create_for_client(
        actor=membership.user,
        membership=membership,
        client=client,
        email="noor@example.org",
        base_url=live_server.url,
    )

    # --- the client accepts the invitation on their phone and lands in onboarding ---------------
    phone = new_page("phone")
    goto(phone, f"/invite/{token}/")
    phone.get_by_label("Choose a password").fill(CLIENT_PASSWORD)
    phone.get_by_label("Type the password again").fill(CLIENT_PASSWORD)
    click_and_wait(phone, phone.get_by_role("button", name="Create my account"))
    assert phone.url.endswith("/welcome/")
    assert heading(phone) == "Welcome, Noor"
    assert phone.get_by_text("Getting started · Step 1 of 5").is_visible()
    check_axe(phone)
    screenshot(phone, "h1-onboarding-1-welcome")

    # Consent: the text, with the practice's crisis help beside it.
    click_and_wait(phone, phone.get_by_role("link", name="Start"))
    assert heading(phone) == "Using Interlude"
    assert phone.get_by_role("heading", name="If you are in danger now").is_visible()
    assert phone.get_by_text("Interlude is not watched around the clock.").is_visible()
    check_axe(phone)
    screenshot(phone, "h1-onboarding-2-consent")
    expect_status(phone, 422)  # agreeing without a typed name is explained, not accepted
    click_and_wait(phone, phone.get_by_role("button", name="I agree"))
    assert phone.get_by_role("heading", name="There is a problem").is_visible()
    check_axe(phone)
    phone.get_by_label("Type your name to agree").fill("Noor Rahimi")
    click_and_wait(phone, phone.get_by_role("button", name="I agree"))
    (event,) = ConsentEvent.objects.filter(client=client)
    assert (event.typed_name, event.method, event.document_version) == ("Noor Rahimi", "web", 1)

    # Sharing: the practice's defaults pre-set; notes and journal stay off.
    assert heading(phone) == "What you share with your care team"
    assert phone.get_by_label("Check-in scores").is_checked()
    assert not phone.get_by_label("Check-in notes and journal").is_checked()
    check_axe(phone)
    screenshot(phone, "h1-onboarding-3-sharing")
    click_and_wait(phone, phone.get_by_role("button", name="Save and continue"))

    # Time zone, then reminders, then done.
    assert heading(phone) == "Your time zone"
    check_axe(phone)
    phone.get_by_label("Your time zone").fill("Europe/Berlin")
    click_and_wait(phone, phone.get_by_role("button", name="Save and continue"))
    assert heading(phone) == "Reminders"
    check_axe(phone)
    phone.get_by_label("No, thank you").check()
    click_and_wait(phone, phone.get_by_role("button", name="Finish", exact=True))
    assert heading(phone) == "You are all set"
    check_axe(phone)
    screenshot(phone, "h1-onboarding-4-done")
    privacy = ClientPrivacy.objects.get(client=client)
    client.refresh_from_db()
    assert (privacy.consent_status, privacy.reminders_opt_in, client.time_zone) == (
        ConsentStatus.ACCEPTED,
        False,
        "Europe/Berlin",
    )
    assert privacy.onboarded_at is not None
    click_and_wait(phone, phone.get_by_role("link", name="Go to Today"))
    assert phone.url.endswith("/today/")

    # --- a check-in with a note (its own switch on) and a shared journal entry ------------------
    goto(phone, "/checkin/")
    phone.locator("fieldset", has_text="Mood").get_by_label("6", exact=True).check()
    phone.get_by_text("Add more (optional)").click()
    phone.get_by_label("Note (optional)").fill(NOTE)
    phone.get_by_label("Share this note with my therapist").check()
    click_and_wait(phone, phone.get_by_role("button", name="Save check-in").last)
    assert CheckIn.objects.get(client=client).mood == 6
    goto(phone, "/tools/journal/new/")
    phone.get_by_label("What's on your mind?").fill(JOURNAL)
    phone.get_by_label("Share this entry with my therapist").check()
    click_and_wait(phone, phone.get_by_role("button", name="Save", exact=True))

    # --- the clinician sees the score, never the words, and "not shared" -----------------------
    desk = new_page("desktop")
    login(desk, membership.user.email, PASSWORD)
    base = f"/clinic/clients/{client.public_id}"
    goto(desk, f"{base}/")
    record = desk.content()
    assert NOTE not in record and JOURNAL not in record
    assert desk.locator('[data-not-shared="journal"]').count() >= 1, (
        "the record does not say that notes and journal are not shared"
    )
    assert "Not shared by Noor" in desk.locator("main").inner_text()
    check_axe(desk)
    screenshot(desk, "h1-clinician-record-not-shared")
    for path in (f"{base}/brief/", f"{base}/report/", f"{base}/worksheets/"):
        goto(desk, path)
        html = desk.content()
        assert NOTE not in html and JOURNAL not in html, path
    goto(desk, f"{base}/report.pdf")  # the PDF is made by the task worker (immediate here)
    click_and_wait(desk, desk.get_by_role("button", name="Make the PDF"))
    with desk.expect_download() as info:
        desk.get_by_role("link", name="Download PDF").click()
    assert Path(info.value.path()).read_bytes().startswith(b"%PDF")
    assert pdf_html and all(NOTE not in h and JOURNAL not in h for h in pdf_html)
    api = desk.request.get(f"/api/v1/progress?client_id={client.public_id}")
    assert api.status == 200
    assert NOTE not in api.text() and JOURNAL not in api.text()
    assert 6 in _numbers(api.json()), "the check-in score is missing from the care team's API"

    # --- the client switches notes and journal on ----------------------------------------------
    goto(phone, "/me/sharing/")
    check_axe(phone)
    with phone.expect_response(re.compile(r"/me/sharing/$")):
        phone.get_by_role("switch", name="Check-in notes and journal").check()
    assert ClientPrivacy.objects.get(client=client).categories.get("journal") is True

    # --- the clinician's next page shows them ---------------------------------------------------
    goto(desk, f"{base}/")
    assert NOTE in desk.content()
    goto(desk, f"{base}/worksheets/")
    assert JOURNAL in desk.content()
    check_axe(desk)


def _numbers(data: Any) -> set[float]:
    """Every number anywhere in a JSON document."""
    found: set[float] = set()

    def walk(value: Any) -> None:
        if isinstance(value, bool):
            return
        if isinstance(value, int | float):
            found.add(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(json.loads(json.dumps(data)))
    return found


def test_withdrawal_from_me_is_one_button_after_the_explanation(new_page):
    membership = MembershipFactory(
        practice=PracticeFactory(name="Riverside Therapy"), user=UserFactory(mfa_exempt=True)
    )
    client = client_create(
        actor=membership.user,
        membership=membership,
        full_name="Ana Silva",
        time_zone="America/New_York",
    )
    client.user = UserFactory(email="ana@example.org")
    client.save()
    from interlude.consents.consent_services import consent_accept, consent_document_current

    consent_document_current(practice=client.practice)
    consent_accept(client=client, actor=client.user, version=1, typed_name="Ana", method="web")
    ClientPrivacy.objects.filter(client=client).update(onboarded_at=client.created_at)
    phone = new_page("phone")
    login(phone, "ana@example.org", PASSWORD)

    goto(phone, "/me/")
    click_and_wait(phone, phone.get_by_role("link", name="My consent to using Interlude"))
    assert heading(phone) == "Using Interlude: your consent"
    check_axe(phone)
    click_and_wait(phone, phone.get_by_role("link", name="Withdraw my consent"))
    assert heading(phone) == "Withdraw your consent"
    assert phone.get_by_role("heading", name="Your care team keeps").is_visible()
    check_axe(phone)
    screenshot(phone, "h1-withdraw")
    click_and_wait(phone, phone.get_by_role("button", name="Withdraw my consent"))
    assert ClientPrivacy.objects.get(client=client).consent_status == ConsentStatus.WITHDRAWN
    assert phone.get_by_text("You have withdrawn your consent.").is_visible()
    check_axe(phone)
    screenshot(phone, "h1-consent-withdrawn")
    click_and_wait(phone, phone.get_by_role("link", name="My consent history"))
    assert phone.get_by_text("You withdrew your consent", exact=True).is_visible()
    assert phone.get_by_text("You agreed to version 1").is_visible()
    check_axe(phone)

    # The owner's page lists the versions and publishes a new one.
    owner = MembershipFactory(
        practice=client.practice, role="owner", user=UserFactory(mfa_exempt=True)
    )
    desk = new_page("desktop")
    login(desk, owner.user.email, PASSWORD)
    goto(desk, "/practice/")
    click_and_wait(desk, desk.get_by_role("link", name="Consent documents"))
    assert heading(desk) == "Consent documents"
    check_axe(desk)
    screenshot(desk, "h1-owner-consent-documents")
    desk.get_by_label("Text").fill("## Using Interlude\n\nA shorter text.")
    click_and_wait(desk, desk.get_by_role("button", name="Publish version 2"))
    assert desk.get_by_text("Version 2 is published.").is_visible()
    check_axe(desk)
