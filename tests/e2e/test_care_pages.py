"""In a real browser: the pages of issue [6] for the care plan, session notes, appointments, the
calendar feed and reminders. Clients on a 360 px phone (their appointments, reminder settings and
Today's next-appointment panel); the care team on desktop (the treatment plan with a goal linked to
PHQ-9 and its GAS chart, the goal and review forms, session notes from list to addendum, the
calendar feed, the owner's reminder switch, the client record's new panels). axe runs on each."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from interlude.care.notes_services import (
    session_note_addendum_add,
    session_note_create,
    session_note_sign,
)
from interlude.care.plan_services import goal_create, goal_review_add, problem_create
from interlude.care.services import appointment_create, appointment_logistics_set
from interlude.care.tests.plan_notes_support import phq9, team_access
from interlude.practices.enums import Role
from tests.e2e.conftest import check_axe, expect_status, goto, login, screenshot
from tests.factories import (
    PASSWORD,
    CareTeamMemberFactory,
    ClientFactory,
    MembershipFactory,
    PracticeFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ZONE = "America/New_York"
MINUS = "\u2212"  # the charts and tables print a real minus sign
SOAP = {
    "subjective": "Slept badly all week; dreading Mondays.",
    "objective": "Tearful when talking about work, otherwise settled.",
    "assessment": "Low mood, no current risk.",
    "plan": "Activity schedule: one walk with Sam at the weekend.",
}


@pytest.fixture
def team():
    practice = PracticeFactory(name="Harbour Counselling", country="US", time_zone=ZONE)
    clinician = MembershipFactory(
        practice=practice,
        role=Role.OWNER,
        user=UserFactory(
            full_name="Dr. Alex Rivera", email="alex@harbour.example", mfa_exempt=True
        ),
    )
    client = ClientFactory(
        practice=practice,
        full_name="Jordan Ellis",
        preferred_name="",
        country="US",
        time_zone=ZONE,
        user=UserFactory(full_name="Jordan Ellis", email="jordan@example.org"),
    )
    CareTeamMemberFactory(client=client, membership=clinician)
    return clinician, client


def heading(page: Any) -> str:
    return " ".join(page.get_by_role("heading", level=1).inner_text().split())


def squash(value: str | None) -> str:
    return " ".join((value or "").split())


def _local_today(client):
    return timezone.localdate(timezone=ZoneInfo(client.time_zone))


def _at(client, days: int, hour: int, minute: int = 0) -> datetime:
    """An instant `days` from the client's today at a wall-clock time in their zone."""
    day = _local_today(client) + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(client.time_zone))


def day_month_year(day) -> str:  # Django's "j M Y"
    return f"{day.day} {day:%b %Y}"


def weekday_day(day) -> str:  # Django's "D j M Y"
    return f"{day:%a} {day.day} {day:%b %Y}"


def session_heading(instant: datetime, zone: str) -> str:  # Django's "l j F, H:i"
    local = instant.astimezone(ZoneInfo(zone))
    return f"{local:%A} {local.day} {local:%B}, {local:%H:%M}"


def dl_pairs(scope: Any) -> dict[str, str]:
    """A definition list as {term: description}, whitespace squashed."""
    terms = [squash(t) for t in scope.locator("dt").all_inner_texts()]
    descriptions = [squash(d) for d in scope.locator("dd").all_inner_texts()]
    return dict(zip(terms, descriptions, strict=True))


def _plan(clinician, client):
    care = team_access(clinician, client)
    problem = problem_create(care=care, title="Low mood since the bereavement")
    goal = goal_create(
        care=care,
        problem=problem,
        description="Enjoy weekends again",
        instrument_code="phq9",
        target_direction="below",
        target_value=10,
    )
    today = _local_today(client)
    for weeks_ago, score, note in [(6, -2, "Stayed in bed"), (3, -1, ""), (0, 0, "Walked twice")]:
        goal_review_add(
            care=care,
            goal=goal,
            reviewed_on=today - timedelta(weeks=weeks_ago),
            score=score,
            note=note,
        )
    phq9(client, total=16, at=_at(client, -40, 12), key="e2e-a")
    phq9(client, total=8, at=_at(client, -2, 12), key="e2e-b")
    return problem, goal


def test_the_care_team_reads_the_plan_with_its_chart_and_reviews_a_goal_on_desktop(new_page, team):
    clinician, client = team
    _problem, goal = _plan(clinician, client)
    today = _local_today(client)
    page = new_page("desktop")
    login(page, clinician.user.email, PASSWORD)

    # The plan: the problem, its goal linked to PHQ-9 with the latest score, and the GAS chart.
    goto(page, f"/clinic/clients/{client.public_id}/plan/")
    assert heading(page) == "Treatment plan for Jordan Ellis"
    problem = page.get_by_role("region", name="Low mood since the bereavement")
    goal_box = problem.get_by_role("article", name="Goal: Enjoy weekends again Active")
    assert dl_pairs(goal_box.locator("dl.details")) == {
        "Target": "PHQ-9 below 10",
        "Latest PHQ-9": f"8 on {day_month_year(today - timedelta(days=2))}: target met",
        "Latest GAS": f"0 (expected level), {day_month_year(today)}",
    }
    six_weeks_ago = day_month_year(today - timedelta(weeks=6))
    chart = goal_box.get_by_role("img", name="Goal attainment reviews over time")
    assert chart.locator("circle").count() == 3
    assert (
        goal_box.get_by_role("paragraph")
        .get_by_text(
            f"3 reviews from {six_weeks_ago} to {day_month_year(today)}: "
            f"first {MINUS}2 (much less than expected), latest 0 (expected level)."
        )
        .is_visible()
    )
    goal_box.get_by_text("Reviews as a table").click()
    rows = goal_box.locator("table tbody tr")
    assert [squash(r) for r in rows.all_inner_texts()] == [
        f"{six_weeks_ago} {MINUS}2 Much less than expected Stayed in bed",
        f"{day_month_year(today - timedelta(weeks=3))} {MINUS}1 Somewhat less than expected",
        f"{day_month_year(today)} 0 Expected level Walked twice",
    ]
    # Links and buttons in an action row line up and each is a 44 px target.
    actions = goal_box.locator(".actions").first
    change = actions.get_by_role("link", name="Change this goal")
    close = actions.get_by_role("button", name="Close as achieved")
    change_box, close_box = change.bounding_box(), close.bounding_box()
    assert change_box is not None and close_box is not None
    assert change_box["height"] >= 44 and close_box["height"] >= 44
    assert abs(change_box["y"] - close_box["y"]) < 1
    goal_box.get_by_text("Add a GAS review").click()
    assert goal_box.get_by_role("radio", name="+1: Somewhat more than expected").is_visible()
    check_axe(page)
    screenshot(page, "plan-page-desktop")

    # Add a goal: a PHQ-9 target out of range is refused beside the field, nothing is saved.
    with page.expect_navigation():
        page.get_by_role("link", name="Add a goal", exact=True).first.click()
    assert heading(page) == "Add a goal for Jordan Ellis"
    page.get_by_label("Goal", exact=True).fill("Sleep through the night")
    page.get_by_label("Questionnaire that shows progress (optional)").select_option("phq9")
    page.get_by_label("Below the target score").check()
    page.get_by_label("Target score", exact=True).fill("40")
    expect_status(page, 422)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Add goal").click()
    assert answer.value.status == 422
    page.wait_for_load_state()
    assert page.title().startswith("Error: Add a goal")
    summary = page.get_by_role("alert")
    assert summary.get_by_role("heading", name="There is a problem").is_visible()
    assert summary.get_by_role("link", name="Enter a PHQ-9 score from 0 to 27.").is_visible()
    assert squash(page.locator("#id_target_value_error").text_content()) == (
        "Error: Enter a PHQ-9 score from 0 to 27."
    )
    assert page.get_by_label("Goal", exact=True).input_value() == "Sleep through the night"
    check_axe(page)
    screenshot(page, "plan-goal-add-error-desktop")

    # The GAS review form on its own page: save a +1.
    goto(page, f"/clinic/clients/{client.public_id}/plan/goals/{goal.public_id}/review/")
    assert heading(page) == "Review a goal (Goal Attainment Scaling) for Jordan Ellis"
    assert page.get_by_label("Date of the review").input_value() == today.isoformat()
    assert page.get_by_role("radio").count() == 5
    check_axe(page)
    screenshot(page, "plan-review-desktop")
    page.get_by_label("+1: Somewhat more than expected").check()
    page.get_by_label("Note (optional)").fill("Went to the market on Saturday")
    with page.expect_navigation():
        page.get_by_role("button", name="Save review").click()
    assert page.get_by_text("Review saved.").is_visible()
    goal_box = page.get_by_role("article", name="Goal: Enjoy weekends again Active")
    assert dl_pairs(goal_box.locator("dl.details"))["Latest GAS"] == (
        f"+1 (somewhat more than expected), {day_month_year(today)}"
    )
    assert goal_box.get_by_role("img").locator("circle").count() == 4
    check_axe(page)


def test_the_care_team_writes_signs_and_adds_to_session_notes_on_desktop(new_page, team):
    clinician, client = team
    care = team_access(clinician, client)
    today = _local_today(client)
    last_week = today - timedelta(days=7)
    signed = session_note_create(care=care, template="soap", sections=SOAP, session_date=last_week)
    signed = session_note_sign(care=care, note=signed)
    session_note_addendum_add(
        care=care, note=signed, text="Client phoned: the walk went ahead on Sunday."
    )
    signed_day = signed.signed_at.astimezone(ZoneInfo(ZONE)).date()
    page = new_page("desktop")
    login(page, clinician.user.email, PASSWORD)

    goto(page, f"/clinic/clients/{client.public_id}/notes/")
    assert heading(page) == "Session notes for Jordan Ellis"
    assert page.get_by_text(
        "For the care team only: Jordan does not see these notes in Interlude."
    ).is_visible()
    rows = page.get_by_role("table", name="Session notes, newest session first").locator("tbody tr")
    assert [squash(r) for r in rows.all_inner_texts()] == [
        f"{weekday_day(last_week)} SOAP Dr. Alex Rivera "
        f"Signed {day_month_year(signed_day)} by Dr. Alex Rivera 1"
    ]
    check_axe(page)
    screenshot(page, "notes-list-desktop")

    # A new SOAP note, saved and signed at once.
    with page.expect_navigation():
        page.get_by_role("link", name="New SOAP note").click()
    assert heading(page) == "New SOAP note for Jordan Ellis"
    assert page.get_by_label("Date of the session").input_value() == today.isoformat()
    check_axe(page)
    screenshot(page, "notes-new-desktop")
    page.get_by_label("Subjective").fill("Better week; went to the market.")
    page.get_by_label("Plan", exact=True).fill("Keep the Saturday walk.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and sign").click()
    assert page.get_by_text("Note saved and signed. It can no longer be changed.").is_visible()
    assert heading(page) == (f"SOAP note, session of {today.day} {today:%B %Y} for Jordan Ellis")
    assert dl_pairs(page.locator("dl.note-sections")) == {
        "Subjective": "Better week; went to the market.",
        "Objective": "—",
        "Assessment": "—",
        "Plan": "Keep the Saturday walk.",
    }
    assert page.get_by_text("No addenda.").is_visible()
    assert page.get_by_role("button", name="Save draft").count() == 0
    check_axe(page)

    # The signed note of last week: the original stays, the addendum sits beside it.
    goto(page, f"/clinic/clients/{client.public_id}/notes/{signed.public_id}/")
    assert heading(page) == (
        f"SOAP note, session of {last_week.day} {last_week:%B %Y} for Jordan Ellis"
    )
    assert dl_pairs(page.locator("dl.note-sections")) == {
        "Subjective": SOAP["subjective"],
        "Objective": SOAP["objective"],
        "Assessment": SOAP["assessment"],
        "Plan": SOAP["plan"],
    }
    addenda = page.get_by_role("region", name="Addenda")
    page.get_by_label("Addendum", exact=True).fill("Sam confirmed the walk by message.")
    with page.expect_navigation():
        addenda.get_by_role("button", name="Add addendum").click()
    assert page.get_by_text("Addendum added. The signed note is unchanged.").is_visible()
    texts = [squash(t) for t in addenda.locator(".note-addendum .entry-text").all_inner_texts()]
    assert texts == [
        "Client phoned: the walk went ahead on Sunday.",
        "Sam confirmed the walk by message.",
    ]
    assert dl_pairs(page.locator("dl.note-sections"))["Plan"] == SOAP["plan"]
    check_axe(page)
    screenshot(page, "notes-signed-desktop")


def test_the_client_record_shows_the_plan_notes_appointments_and_reach_panels(new_page, team):
    clinician, client = team
    _plan(clinician, client)
    care = team_access(clinician, client)
    last_week = _local_today(client) - timedelta(days=7)
    note = session_note_create(
        care=care, template="dap", sections={"data": "Calm"}, session_date=last_week
    )
    upcoming = appointment_create(
        actor=clinician.user, client=client, clinician=clinician, starts_at=_at(client, 3, 9, 30)
    )
    appointment_logistics_set(
        actor=clinician.user, appointment=upcoming, modality="phone", location="", join_url=""
    )
    page = new_page("desktop")
    login(page, clinician.user.email, PASSWORD)

    goto(page, f"/clinic/clients/{client.public_id}/")
    assert heading(page).startswith("Jordan Ellis")
    plan = page.get_by_role("region", name="Treatment plan")
    assert [squash(r) for r in plan.locator("tbody tr").all_inner_texts()] == [
        "Enjoy weekends again Target PHQ-9 below 10 Latest PHQ-9 "
        f"8 on {day_month_year(_local_today(client) - timedelta(days=2))}: target met "
        f"0 (expected level) {day_month_year(_local_today(client))}"
    ]
    notes = page.get_by_role("region", name="Session notes")
    assert [squash(r) for r in notes.locator("tbody tr").all_inner_texts()] == [
        f"{weekday_day(last_week)} DAP Dr. Alex Rivera Draft"
    ]
    assert notes.get_by_role("link", name=weekday_day(last_week)).get_attribute("href") == (
        f"/clinic/clients/{client.public_id}/notes/{note.public_id}/"
    )
    appointments = page.get_by_role("region", name="Appointments")
    local = upcoming.starts_at.astimezone(ZoneInfo(ZONE))
    upcoming_table = appointments.get_by_role("table", name="Upcoming")
    first_row = squash(upcoming_table.locator("tbody tr").first.inner_text())
    assert first_row.startswith(
        f"{weekday_day(local)}, {local:%H:%M} 50 min Dr. Alex Rivera Phone call Scheduled"
    )
    reach = page.get_by_role("region", name="Reaching the client")
    assert [squash(r) for r in reach.locator("tr").all_inner_texts()] == [
        "Last recorded Nothing recorded yet",
        "Reminders Off (the client chose no reminders)",
        "Last reminder sent None yet",
        "Last failure None",
    ]
    check_axe(page)
    screenshot(page, "record-desktop")
    for name, region in [
        ("record-plan", plan),
        ("record-notes", notes),
        ("record-appointments", appointments),
        ("record-reach", reach),
    ]:
        region.scroll_into_view_if_needed()
        shot_region(region, name)


def shot_region(region: Any, name: str) -> None:
    import os
    from pathlib import Path

    directory = os.environ.get("INTERLUDE_SCREENSHOTS")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        region.screenshot(path=str(Path(directory) / f"{name}.png"), caret="initial")


def test_a_clinician_makes_a_calendar_link_and_the_owner_sets_practice_reminders(new_page, team):
    clinician, client = team
    appointment_create(
        actor=clinician.user, client=client, clinician=clinician, starts_at=_at(client, 2, 10)
    )
    page = new_page("desktop")
    login(page, clinician.user.email, PASSWORD)

    with page.expect_navigation():
        page.get_by_role("link", name="Calendar", exact=True).click()
    assert heading(page) == "Your calendar feed"
    assert page.get_by_text("You have no calendar link.").is_visible()
    check_axe(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Make a calendar link").click()
    assert page.get_by_role("status").inner_text().startswith("Copy this link now.")
    link = page.get_by_label("Calendar link").input_value()
    assert link.startswith(page.url.split("/clinic/")[0] + "/calendar/") and link.endswith(".ics")
    assert dl_pairs(page.locator("dl.details"))["Last used by a calendar app"] == "Not yet"
    assert page.get_by_role("button", name="Switch off this link").is_visible()
    # The owner also names what sessions are called in every feed.
    assert page.get_by_role("region", name="What sessions are called (whole practice)").is_visible()
    check_axe(page)
    screenshot(page, "calendar-desktop")

    # The feed answers without signing in, with initials and no name.
    feed = page.request.get(link)
    assert feed.status == 200
    body = feed.text()
    assert "SUMMARY:J.E." in body.replace("\r\n ", "")
    assert "Jordan" not in body and "Ellis" not in body

    goto(page, "/practice/reminders/")
    assert heading(page) == "Reminders"
    offer = page.get_by_label("Offer reminders as notifications on clients' phones (web push)")
    assert offer.is_checked() is False
    assert page.get_by_text("This server has no web push keys.").is_visible()
    check_axe(page)
    screenshot(page, "practice-reminders-desktop")
    offer.check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Saved the reminder settings.").is_visible()
    check_axe(page)


def test_the_client_sees_appointments_and_sets_reminders_on_a_phone(new_page, team):
    clinician, client = team
    soon = appointment_create(
        actor=clinician.user, client=client, clinician=clinician, starts_at=_at(client, 2, 10)
    )
    appointment_logistics_set(
        actor=clinician.user,
        appointment=soon,
        modality="video",
        location="",
        join_url="https://video.example.org/room/harbour-12",
    )
    later = appointment_create(
        actor=clinician.user, client=client, clinician=clinician, starts_at=_at(client, 9, 16, 30)
    )
    appointment_logistics_set(
        actor=clinician.user,
        appointment=later,
        modality="in_person",
        location="Harbour Counselling, 12 Quay Street, Room 3",
        join_url="",
    )
    soon_words = session_heading(soon.starts_at, ZONE)
    later_words = session_heading(later.starts_at, ZONE)
    page = new_page("phone")
    login(page, client.user.email, PASSWORD)

    goto(page, "/today/")
    panel = page.get_by_role("region", name="Your next appointment")
    assert panel.get_by_role("heading", level=3).inner_text() == soon_words
    assert squash(panel.locator(".small").first.inner_text()) == (
        f"50 minutes, {ZONE} time · with Dr. Alex Rivera"
    )
    join = panel.get_by_role("link", name=f"Join the video call on {soon_words}")
    assert join.get_attribute("href") == "https://video.example.org/room/harbour-12"
    # The link to the full list keeps its distance from the buttons above it.
    calendar_box = panel.get_by_role("link", name="Add to calendar").bounding_box()
    all_box = panel.get_by_role("link", name="All your appointments").bounding_box()
    assert calendar_box is not None and all_box is not None
    assert all_box["y"] - (calendar_box["y"] + calendar_box["height"]) >= 12
    check_axe(page)
    screenshot(page, "today-phone")

    with page.expect_navigation():
        panel.get_by_role("link", name="All your appointments").click()
    assert heading(page) == "Your appointments"
    assert page.get_by_text(f"Times are in your time zone, {ZONE}.").is_visible()
    cards = page.get_by_role("region", name="Coming up").get_by_role("article")
    assert cards.count() == 2
    assert cards.nth(0).get_by_role("heading").inner_text() == soon_words
    assert cards.nth(1).get_by_role("heading").inner_text() == later_words
    assert (
        cards.nth(1)
        .get_by_text("In person: Harbour Counselling, 12 Quay Street, Room 3.")
        .is_visible()
    )
    download = cards.nth(1).get_by_role("link", name=f"Add to calendar (session on {later_words})")
    assert download.get_attribute("href") == f"/appointments/{later.public_id}/calendar.ics"
    for card in (cards.nth(0), cards.nth(1)):
        for link in card.get_by_role("link").all():
            box = link.bounding_box()
            assert box is not None and box["height"] >= 44
    check_axe(page)
    screenshot(page, "appointments-phone")

    goto(page, "/me/reminders/")
    assert heading(page) == "Reminders"
    assert page.get_by_label("No reminders").is_checked()
    assert page.get_by_text(
        "Your practice does not offer notifications on your phone, so reminders can only come "
        "by email."
    ).is_visible()
    check_axe(page)
    screenshot(page, "reminders-phone")
    shot_region(page.get_by_role("group", name="Quiet hours"), "reminders-quiet-hours-phone")
    page.get_by_label("Email").check()
    page.get_by_label("Usual time for reminders").fill("18:30")
    with page.expect_navigation():
        page.get_by_role("button", name="Save reminder settings").click()
    # Said once (client/base.html shows the messages; the page used to show them again).
    assert page.get_by_text("Saved your reminder settings.").count() == 1
    assert page.get_by_role("status").get_by_text("Saved your reminder settings.").is_visible()
    assert page.get_by_label("Email").is_checked()
    assert page.get_by_label("Usual time for reminders").input_value() == "18:30"
    check_axe(page)
