"""Guided relaxation and the library in a real browser, on a phone: a client completes a box
breathing session that is saved through the API, works through muscle relaxation and grounding
one step per screen, and reads an article and marks it read. axe runs on every page visited."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from interlude.exercises.models import ArticleRead, RelaxationSession
from interlude.practices.models import Client
from interlude.tracking.models import Observation, ObservationKind
from tests.e2e.conftest import check_axe, goto, login, screenshot
from tests.factories import PASSWORD, clinician_with_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def client() -> Client:
    _, client = clinician_with_client()
    return client


def heading(page: Any) -> str:
    return page.get_by_role("heading", level=1).inner_text().strip()


def _signed_in_phone(new_page: Any, client: Client) -> Any:
    page = new_page("phone")
    login(page, client.user.email, PASSWORD)
    return page


def test_client_completes_box_breathing_and_it_is_saved(new_page, client):
    page = _signed_in_phone(new_page, client)
    goto(page, "/tools/")
    with page.expect_navigation():
        page.get_by_role("link", name="Box breathing").click()
    assert page.url.endswith("/tools/breathe/box/")
    check_axe(page)

    goto(page, "/tools/breathe/box/?seconds=6")  # a test-only six-second session
    assert heading(page) == "Box breathing"
    phase = page.locator("[data-phase-text]")
    expect(phase).to_have_text("Ready when you are")
    expect(page.locator("[data-time-left]")).to_have_text("0:06 in all")
    page.locator("label[for=id_pacer-distress_before_6]").click()  # distress before: 6
    check_axe(page)
    screenshot(page, "breathing-box-ready-phone")

    page.get_by_role("button", name="Start").click()
    expect(phase).to_have_text("Breathe in… 4")
    expect(page.locator("[data-announce]")).to_have_text("Breathe in")
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    expect(page.get_by_role("button", name="Stop")).to_be_visible()
    check_axe(page)
    screenshot(page, "breathing-box-running-phone")
    expect(phase).to_have_text("Hold… 4", timeout=6_000)
    expect(page.locator("[data-announce]")).to_have_text("Hold")

    message = page.get_by_role("status").filter(has_text="Saved")
    expect(message).to_have_text("Saved: 6 seconds of practice.", timeout=10_000)
    session = RelaxationSession.objects.get(client=client)
    assert (session.kind, session.seconds_practised) == ("box", 6)
    assert (session.distress_before, session.distress_after) == (6, None)
    assert dict(Observation.objects.filter(client=client).values_list("kind", "value")) == {
        ObservationKind.RELAXATION_MINUTES: 0.1,
        ObservationKind.DISTRESS_BEFORE: 6.0,
    }
    check_axe(page)

    page.locator("label[for=id_pacer-distress_after_2]").click()
    page.get_by_role("button", name="Save how I feel").click()
    expect(page.locator("[data-message]")).to_have_text(
        "Thank you. Saved how you feel: 2 out of 10."
    )
    session.refresh_from_db()
    assert session.distress_after == 2
    assert RelaxationSession.objects.count() == 1
    screenshot(page, "breathing-box-done-phone")


def test_stopping_early_saves_nothing_and_reduced_motion_keeps_the_circle_still(new_page, client):
    page = _signed_in_phone(new_page, client)
    page.emulate_media(reduced_motion="reduce")
    goto(page, "/tools/breathe/paced/?seconds=30")
    page.get_by_role("button", name="Start").click()
    expect(page.locator("[data-phase-text]")).to_have_text("Breathe in… 5")
    transform = page.locator(".pacer-circle").evaluate("el => getComputedStyle(el).transform")
    assert transform == "matrix(0.75, 0, 0, 0.75, 0, 0)"

    page.get_by_role("button", name="Pause").click()
    expect(page.locator("[data-phase-text]")).to_have_text("Paused")
    expect(page.get_by_role("button", name="Resume")).to_be_visible()
    page.get_by_role("button", name="Stop").click()

    expect(page.locator("[data-message]")).to_have_text(
        "Stopped. Sessions shorter than 10 seconds are not saved."
    )
    expect(page.get_by_role("button", name="Start")).to_be_visible()
    check_axe(page)
    assert RelaxationSession.objects.count() == 0


def test_client_changes_timings_and_they_are_remembered(new_page, client):
    page = _signed_in_phone(new_page, client)
    goto(page, "/tools/breathe/478/")
    page.get_by_text("Change the timings").click()
    breathe_out = page.get_by_label("Breathe out (seconds)")
    expect(breathe_out).to_have_value("8")
    page.get_by_role("button", name="Longer: breathe out").click()
    page.get_by_role("button", name="Longer: breathe out").click()
    page.get_by_role("button", name="Longer: breathe out").click()  # 10 is the most
    expect(breathe_out).to_have_value("10")
    page.get_by_label("Skip the holds").check()
    check_axe(page)

    goto(page, "/tools/breathe/478/?seconds=20")
    page.get_by_text("Change the timings").click()
    expect(page.get_by_label("Breathe out (seconds)")).to_have_value("10")
    expect(page.get_by_label("Skip the holds")).to_be_checked()
    page.get_by_role("button", name="Start").click()
    phase = page.locator("[data-phase-text]")
    expect(phase).to_have_text("Breathe in… 4")
    expect(phase).to_have_text("Breathe out… 10", timeout=6_000)  # the hold is skipped


def test_client_works_through_muscle_relaxation_one_step_per_screen(new_page, client):
    page = _signed_in_phone(new_page, client)
    goto(page, "/tools/relax/muscles/")
    assert heading(page) == "Muscle relaxation"
    expect(page.get_by_role("heading", name="Before you start")).to_be_visible()
    expect(page.get_by_role("heading", name="Hands")).to_be_hidden()
    check_axe(page)
    screenshot(page, "pmr-start-phone")

    page.get_by_role("button", name="Start").click()
    expect(page.get_by_text("Step 1 of 13")).to_be_visible()
    expect(page.get_by_role("heading", name="Hands")).to_be_focused()
    check_axe(page)
    screenshot(page, "pmr-step-phone")
    for _ in range(12):
        page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Step 13 of 13")).to_be_visible()
    page.get_by_role("button", name="Finish").click()
    expect(page.get_by_role("heading", name="Well done")).to_be_focused()
    expect(page.get_by_label("How many minutes did you practise?")).to_have_value("1")
    page.get_by_label("How many minutes did you practise?").fill("12")
    check_axe(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Save practice").click()

    expect(page.get_by_role("status")).to_have_text("Saved: 12 minutes of practice.")
    session = RelaxationSession.objects.get(client=client)
    assert (session.kind, session.seconds_practised) == ("pmr", 720)


def test_client_does_grounding_and_private_notes_are_not_sent(new_page, client):
    page = _signed_in_phone(new_page, client)
    goto(page, "/tools/grounding/")
    assert heading(page) == "5-4-3-2-1 grounding"
    check_axe(page)
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("heading", name="5 things you can see")).to_be_visible()
    page.get_by_label("Your notes (optional)").locator("visible=true").fill("the blue mug")
    check_axe(page)
    screenshot(page, "grounding-step-phone")
    for _ in range(4):
        page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Finish").click()
    page.get_by_label("How many minutes did you practise?").fill("4")
    with page.expect_request(lambda r: r.method == "POST") as posted:
        page.get_by_role("button", name="Save practice").click()
    page.wait_for_load_state()

    assert "blue" not in (posted.value.post_data or "")
    session = RelaxationSession.objects.get(client=client)
    assert (session.kind, session.seconds_practised) == ("grounding", 240)
    check_axe(page)


def test_client_reads_an_article_and_marks_it_read(new_page, client):
    page = _signed_in_phone(new_page, client)
    goto(page, "/library/")
    assert heading(page) == "Library"
    check_axe(page)
    screenshot(page, "library-phone")

    with page.expect_navigation():
        page.get_by_role("link", name="Worry time").click()
    assert page.url.endswith("/library/worry-time/")
    assert heading(page) == "Worry time"
    check_axe(page)
    screenshot(page, "article-phone")

    page.get_by_role("button", name="Mark as read").click()
    expect(page.get_by_text("You marked this as read.")).to_be_visible()
    assert ArticleRead.objects.filter(client=client, slug="worry-time").count() == 1
    check_axe(page)

    goto(page, "/library/")
    item = page.locator(".article-item.is-read")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Worry time")
    expect(item).to_contain_text("✓ Read")
    check_axe(page)
