"""Between sessions, in a real browser at phone width (issue [6] acceptance).

1. Homework: the clinician sets a thought record due tomorrow with a reminder; the client sees it
   on Today, does a thought record (which completes the homework through core.hooks); the
   clinician sees it done with the worksheet linked and leaves feedback the client then sees.
2. Messages both ways with read state, and the after-hours notice (when to expect a reply and
   crisis resources) shown before the client sends.
3. A risk phrase in a client's message shows crisis resources at once and raises an alert that
   the clinician sees in the alert inbox.

axe runs on every page visited. "Now" is the real clock (the live server answers from its own
threads, so the test does not freeze time); to keep "today" and "tomorrow" stable whatever the
hour the suite runs, the client and the practice are put in the time zone where it is nearest
midday now, so the test is hours away from a local midnight.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from interlude.alerts.models import Alert, AlertKind
from interlude.homework.models import Assignment, AssignmentOccurrence
from interlude.messaging.models import Message
from interlude.messaging.services import messaging_settings_save
from interlude.practices.models import CrisisResource
from tests.e2e.conftest import check_axe, goto, login, screenshot
from tests.factories import PASSWORD, clinician_with_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Real places whose UTC offsets cover every hour from -11 to +14 (some move for daylight saving;
# the choice below reads each zone's offset now, so that does not matter).
ZONES = (
    "Pacific/Pago_Pago",
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Halifax",
    "America/Sao_Paulo",
    "Atlantic/South_Georgia",
    "Atlantic/Cape_Verde",
    "Europe/London",
    "Europe/Paris",
    "Africa/Cairo",
    "Europe/Moscow",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Brisbane",
    "Pacific/Noumea",
    "Pacific/Fiji",
    "Pacific/Tongatapu",
    "Pacific/Kiritimati",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
INSTRUCTIONS = "When you notice a big drop in mood at work, write it down the same day."
FEEDBACK = "Great catch on the mind reading. Let's look at the balanced thought together."
CLIENT_MESSAGE = "Hi, the thought record helped. Can we talk about work on Tuesday?"
REPLY = "Yes, let's start with that on Tuesday. Thank you for writing."
RISK_MESSAGE = "Everything is too much and I want to die."


def zone_near_midday() -> str:
    """The zone where the local time is nearest 12:00 now (at most an hour away), so a test
    that takes a few minutes never crosses that zone's midnight."""
    now = timezone.now()

    def distance(zone: str) -> float:
        local = now.astimezone(ZoneInfo(zone))
        return abs(local.hour + local.minute / 60 - 12)

    return min(ZONES, key=distance)


def local_today(zone: str) -> date:
    return timezone.now().astimezone(ZoneInfo(zone)).date()


@pytest.fixture
def care() -> tuple[Any, Any]:
    membership, client = clinician_with_client()
    membership.user.full_name = "Dr. Alex Rivera"
    membership.user.save()
    zone = zone_near_midday()
    client.full_name = "Robin Ash"
    # The sign-in account has another name: the care team reads the client by their record name.
    client.user.full_name = "R. Ash"
    client.user.save()
    client.preferred_name = "Robin"
    client.time_zone = zone
    client.save()
    practice = client.practice
    practice.time_zone = zone
    practice.save()
    CrisisResource.objects.create(
        practice=practice,
        country=client.country,
        name="Emergency services",
        phone="911",
        hours="24/7",
        is_emergency=True,
    )
    CrisisResource.objects.create(
        practice=practice,
        country=client.country,
        name="988 Suicide & Crisis Lifeline",
        phone="988",
        sms="988",
        hours="24/7",
        position=1,
    )
    return membership, client


def heading(page: Any) -> str:
    return page.get_by_role("heading", level=1).inner_text().strip()


def text_of(locator: Any) -> str:
    return " ".join(locator.inner_text().split())


def next_step(page: Any, button: str = "Continue") -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()
    check_axe(page)


def tap_height(locator: Any) -> float:
    box = locator.bounding_box()
    assert box is not None
    return box["height"]


def do_a_thought_record(page: Any) -> None:
    """The client works through the thought record's eleven steps (the worksheet's own test
    checks each step; here it only has to finish)."""
    assert page.locator("#step-progress-text").inner_text().strip() == (
        "Thought record · Step 1 of 11"
    )
    page.get_by_label("What happened?").fill("Team meeting; my manager frowned at my slides")
    next_step(page)
    page.get_by_label("A thought that went through your mind").fill("She thinks I'm useless")
    next_step(page)
    page.get_by_label("“She thinks I'm useless”", exact=True).fill("90")
    next_step(page)
    page.get_by_label("Anxious").check()
    next_step(page)
    page.get_by_label("Anxious", exact=True).fill("80")
    next_step(page)
    page.get_by_label("What makes this thought seem true?").fill("She frowned twice")
    next_step(page)
    page.get_by_label("What doesn't fit with this thought?").fill("She thanked me afterwards")
    next_step(page)
    page.get_by_label("Mind reading").check()
    next_step(page)
    page.get_by_label("What is a more balanced way to see it?").fill(
        "She may have been thinking about something else"
    )
    page.get_by_label("How much do you believe this balanced thought?", exact=True).fill("70")
    next_step(page)
    page.get_by_label("Anxious", exact=True).fill("45")
    page.get_by_role("spinbutton", name=re.compile("^How much do you believe “She thinks")).fill(
        "40"
    )
    next_step(page)
    assert page.locator("#step-progress-text").inner_text().strip() == (
        "Thought record · Step 11 of 11"
    )
    next_step(page, "Finish")
    assert heading(page) == "Your thought record"


# --- 1. homework ------------------------------------------------------------------------------
def test_homework_set_due_tomorrow_done_by_the_client_and_fed_back_on_a_phone(new_page, care):
    membership, client = care
    today = local_today(client.time_zone)
    tomorrow = today + timedelta(days=1)

    # The clinician sets a thought record, once, due tomorrow, with a reminder at 19:00.
    desk = new_page("phone")
    login(desk, membership.user.email, PASSWORD)
    homework_url = f"/clinic/clients/{client.public_id}/homework/"
    goto(desk, homework_url)
    assert heading(desk) == "Homework"
    check_axe(desk)
    screenshot(desk, "homework-clinician-empty-phone")
    form = desk.get_by_role("region", name="Set homework")
    form.get_by_role("radio", name="Worksheet", exact=True).check()
    form.get_by_role("combobox", name="Worksheet", exact=True).select_option(label="Thought record")
    form.get_by_label("Instructions").fill(INSTRUCTIONS)
    assert form.get_by_label("Starts on").input_value() == today.isoformat()
    form.get_by_role("radio", name="Once, by a date").check()
    form.get_by_label("Due by (once)").fill(tomorrow.isoformat())
    form.get_by_label("Send the client a reminder on due days").check()
    form.get_by_label("Reminder time (optional)").fill("19:00")
    with desk.expect_navigation():
        form.get_by_role("button", name="Set homework").click()
    assert desk.url.endswith(homework_url)
    assert desk.get_by_text("Homework set. The client sees it on their Today page.").is_visible()
    assignment = Assignment.objects.get(client=client)
    assert (assignment.tool_kind, assignment.tool_ref, assignment.schedule) == (
        "worksheet",
        "thought_record",
        "once",
    )
    assert (assignment.starts_on, assignment.due_on) == (today, tomorrow)
    assert (assignment.reminder, assignment.reminder_time.isoformat()) == (True, "19:00:00")
    article = desk.get_by_role("article", name=re.compile("^Thought record"))
    assert f"Once, due {tomorrow.day} {tomorrow:%b %Y}" in text_of(article)
    assert "reminder at 19:00" in text_of(article)
    check_axe(desk)
    screenshot(desk, "homework-clinician-set-phone")

    # The client sees it on Today, due tomorrow, with the clinician's instructions.
    page = new_page("phone")
    login(page, client.user.email, PASSWORD)
    assert page.url.endswith("/today/")
    panel = page.get_by_role("region", name="Homework")
    item = panel.get_by_role("listitem").filter(has_text="Thought record")
    assert item.get_by_role("heading", name="Thought record").is_visible()
    assert item.get_by_text("Due tomorrow").is_visible()
    assert item.get_by_text(INSTRUCTIONS).is_visible()
    start = item.get_by_role("link", name=re.compile("^Start"))
    assert tap_height(start) >= 44
    check_axe(page)
    screenshot(page, "homework-today-due-tomorrow-phone")

    # Doing the tool completes the homework.
    with page.expect_navigation():
        start.click()
    check_axe(page)
    do_a_thought_record(page)
    screenshot(page, "homework-thought-record-done-phone")
    occurrence = AssignmentOccurrence.objects.get(assignment=assignment)
    assert (occurrence.due_on, occurrence.status, occurrence.record_type) == (
        tomorrow,
        "done",
        "exercises.thought_record",
    )
    goto(page, "/today/")
    panel = page.get_by_role("region", name="Homework")
    assert panel.get_by_text("Due tomorrow").count() == 0
    check_axe(page)
    screenshot(page, "homework-today-after-done-phone")

    # The clinician sees it done with the worksheet linked, and leaves feedback.
    goto(desk, homework_url)
    article = desk.get_by_role("article", name=re.compile("^Thought record"))
    row = article.get_by_role("list", name="Recorded days of Thought record").get_by_role(
        "listitem"
    )
    due_words = f"{tomorrow:%a} {tomorrow.day} {tomorrow:%b}"
    assert text_of(row.locator(".homework-day-head")) == f"{due_words} · Done · Thought record"
    worksheet = row.get_by_role("link", name=re.compile("^Thought record"))
    assert worksheet.get_attribute("href") == (
        f"/clinic/clients/{client.public_id}/worksheets/#thought-records"
    )
    # Done before its due day counts as on time.
    assert "1 on time, 0 late, 0 missed, 0 not possible (n = 1 due day; 100% done)" in text_of(
        article
    )
    check_axe(desk)
    screenshot(desk, "homework-clinician-done-phone")
    row.get_by_label("Feedback for the client").fill(FEEDBACK)
    with desk.expect_navigation():
        row.get_by_role("button", name="Send feedback").click()
    assert desk.get_by_text("Feedback sent. The client sees it with their homework.").is_visible()
    assert desk.get_by_text(FEEDBACK).is_visible()
    check_axe(desk)
    screenshot(desk, "homework-clinician-feedback-phone")

    # The worksheet link opens the client's thought records.
    with desk.expect_navigation():
        desk.get_by_role("link", name=re.compile("^Thought record")).first.click()
    assert "She thinks I'm useless" in desk.locator("#thought-records").inner_text()
    check_axe(desk)

    # The client sees the feedback on Today and on their homework page.
    goto(page, "/today/")
    panel = page.get_by_role("region", name="Homework")
    assert panel.get_by_text(FEEDBACK).is_visible()
    check_axe(page)
    screenshot(page, "homework-today-feedback-phone")
    with page.expect_navigation():
        panel.get_by_role("link", name="All your homework").click()
    assert heading(page) == "Your homework"
    assert page.get_by_role("region", name="From your therapist").get_by_text(FEEDBACK).is_visible()
    check_axe(page)
    screenshot(page, "homework-client-page-phone")


# --- 2. messages ------------------------------------------------------------------------------
def test_messages_both_ways_with_read_state_and_the_after_hours_notice(new_page, care):
    membership, client = care
    zone = ZoneInfo(client.time_zone)
    today = local_today(client.time_zone)
    # Open only on the day after tomorrow, 09:00 to 17:00: outside the hours now, whatever the
    # weekday, and the next hours are two days ahead.
    opens = today + timedelta(days=2)
    messaging_settings_save(
        actor=membership.user,
        practice=client.practice,
        hours={str(opens.weekday()): ["09:00", "17:00"]},
        reply_time="1",
    )

    page = new_page("phone")
    login(page, client.user.email, PASSWORD)
    goto(page, "/messages/")
    assert heading(page) == "Messages"
    notice = page.get_by_role("region", name="Your care team is outside their messaging hours")
    assert (
        f"They will next read messages from {WEEKDAYS[opens.weekday()]} {opens.day} "
        f"{opens:%B}, 09:00 (your time), and usually reply within 1 working day."
    ) in text_of(notice)
    card = notice.get_by_role("region", name="If you are in danger now")
    assert card.get_by_role("link", name="911", exact=True).get_attribute("href") == "tel:911"
    assert card.get_by_role("link", name="Crisis lines you can call or text").is_visible()
    # The notice comes before the box the client writes in.
    assert (
        notice.bounding_box()["y"]
        < page.get_by_label(  # type: ignore[index]
            "Write a message to your care team"
        ).bounding_box()["y"]
    )
    check_axe(page)
    screenshot(page, "messages-client-after-hours-phone")

    # The client sends; the thread shows it as sent (htmx swaps the thread in place).
    page.get_by_label("Write a message to your care team").fill(CLIENT_MESSAGE)
    page.get_by_role("button", name="Send").click()
    mine = page.locator(".thread-mine").filter(has_text=CLIENT_MESSAGE)
    mine.wait_for()
    assert mine.locator(".thread-state").inner_text() == "Sent"
    assert page.get_by_label("Write a message to your care team").input_value() == ""
    check_axe(page)
    screenshot(page, "messages-client-sent-phone")
    sent = Message.objects.get(client=client)
    assert (sent.by, sent.read_at) == ("client", None)

    # The clinician opens the thread (which marks it read) and replies.
    desk = new_page("phone")
    login(desk, membership.user.email, PASSWORD)
    goto(desk, "/clinic/messages/")
    row = desk.get_by_role("row").filter(has_text="Robin Ash")
    assert text_of(row.get_by_role("cell").first) == "1 unread"
    check_axe(desk)
    screenshot(desk, "messages-clinician-inbox-phone")
    with desk.expect_navigation():
        row.get_by_role("link", name="Robin Ash").click()
    assert heading(desk) == "Messages with Robin Ash"
    theirs = desk.locator(".thread-theirs").filter(has_text=CLIENT_MESSAGE)
    assert text_of(theirs.locator(".thread-meta")).startswith("Robin Ash (client) · ")
    # The care team is never shown the client-facing after-hours notice.
    assert desk.get_by_text("outside their messaging hours").count() == 0
    check_axe(desk)
    desk.get_by_label("Write a message to Robin").fill(REPLY)
    desk.get_by_role("button", name="Send").click()
    desk.locator(".thread-mine").filter(has_text=REPLY).wait_for()
    check_axe(desk)
    screenshot(desk, "messages-clinician-replied-phone")
    sent.refresh_from_db()
    assert sent.read_at is not None

    # The client sees "Seen" on their message, at the time the clinician opened it, and the reply.
    goto(page, "/messages/")
    mine = page.locator(".thread-mine").filter(has_text=CLIENT_MESSAGE)
    seen_at = sent.read_at.astimezone(zone)
    assert mine.locator(".thread-state").inner_text() == (
        f"Seen {seen_at:%a} {seen_at.day} {seen_at:%b, %H:%M}"
    )
    reply = page.locator(".thread-theirs").filter(has_text=REPLY)
    assert text_of(reply.locator(".thread-meta")).startswith("Dr. Alex Rivera · ")
    check_axe(page)
    screenshot(page, "messages-client-seen-and-reply-phone")
    # And the clinician sees their reply as seen once the client has opened the thread.
    goto(desk, f"/clinic/clients/{client.public_id}/messages/")
    assert (
        desk.locator(".thread-mine")
        .filter(has_text=REPLY)
        .locator(".thread-state")
        .inner_text()
        .startswith("Seen ")
    )
    check_axe(desk)


# --- 3. a risk phrase -------------------------------------------------------------------------
def test_a_risk_phrase_shows_crisis_resources_at_once_and_raises_an_alert(new_page, care):
    from playwright.sync_api import expect

    membership, client = care
    # Inside the hours every day, so the crisis resources come from the words alone.
    messaging_settings_save(
        actor=membership.user,
        practice=client.practice,
        hours={str(day): ["00:00", "23:59"] for day in range(7)},
        reply_time="2",
    )
    page = new_page("phone")
    login(page, client.user.email, PASSWORD)
    goto(page, "/messages/")
    assert page.get_by_role("region", name="If you are in danger now").count() == 0
    check_axe(page)
    page.get_by_label("Write a message to your care team").fill(RISK_MESSAGE)
    page.get_by_role("button", name="Send").click()
    crisis = page.get_by_role("alert").filter(has_text="Your message was sent.")
    crisis.wait_for()
    assert "sounds like you might be in danger" in crisis.inner_text()
    # Seen at once: focus (and the view) moves to it after the thread is swapped in.
    expect(crisis).to_be_focused()
    expect(crisis).to_be_in_viewport()
    card = crisis.get_by_role("region", name="If you are in danger now")
    assert card.get_by_role("link", name="911", exact=True).get_attribute("href") == "tel:911"
    assert card.get_by_role("link", name="Crisis lines you can call or text").is_visible()
    assert page.locator(".thread-mine").filter(has_text=RISK_MESSAGE).is_visible()
    check_axe(page)
    screenshot(page, "messages-client-risk-phrase-phone")
    message = Message.objects.get(client=client)
    assert message.risk_flagged is True
    alert = Alert.objects.get(client=client)
    assert (alert.kind, alert.severity) == (AlertKind.MESSAGE_RISK, "critical")

    # The clinician's navigation counts it; the inbox says where to look, never the words.
    desk = new_page("phone")
    login(desk, membership.user.email, PASSWORD)
    goto(desk, "/clinic/alerts/")
    row = desk.locator(f"#alert-{alert.public_id}")
    assert row.get_by_role("rowheader").inner_text() == "Robin Ash"
    reason = text_of(row.locator("td.alert-reason"))
    assert reason.startswith("A message from the client contains words that can suggest")
    assert "want to die" not in desk.content()
    check_axe(desk)
    screenshot(desk, "messages-clinician-alert-phone")
    goto(desk, f"/clinic/clients/{client.public_id}/messages/")
    assert desk.locator(".thread-theirs").filter(has_text=RISK_MESSAGE).is_visible()
    check_axe(desk)
    screenshot(desk, "messages-clinician-risk-thread-phone")
