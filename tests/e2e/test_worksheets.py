"""Worksheets in a real browser on a phone: a client works through a thought record step by step
and sees the before/after change, then fills in the sleep diary. axe runs on every page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from interlude.exercises.models import SleepDiaryEntry, ThoughtRecord
from interlude.exercises.worksheets_selectors import client_local_today
from tests.e2e.conftest import check_axe, goto, login, screenshot
from tests.factories import PASSWORD, clinician_with_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def person() -> Any:
    membership, client = clinician_with_client()
    return membership, client


def heading(page: Any) -> str:
    return page.get_by_role("heading", level=1).inner_text().strip()


def progress(page: Any) -> str:
    return page.locator("#step-progress-text").inner_text().strip()


def error_text(page: Any, field: str) -> str:
    """The message beside a field, as a screen reader announces it."""
    return " ".join(page.locator(f"#id_{field}_error").text_content().split())


def next_step(page: Any, button: str = "Continue") -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()


def test_client_completes_a_thought_record_on_a_phone_and_sees_before_and_after(new_page, person):
    _, client = person
    page = new_page("phone")
    login(page, client.user.email, PASSWORD)

    goto(page, "/tools/")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("^Thought record")).click()
    assert heading(page) == "Thought records"
    check_axe(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Start a thought record").click()

    # 1. Situation: an empty answer is explained beside the field first.
    assert progress(page) == "Thought record · Step 1 of 11"
    assert heading(page) == "What happened?"
    check_axe(page)
    next_step(page)
    assert error_text(page, "situation") == ("Error: Describe what happened, in a few words.")
    check_axe(page)
    page.get_by_label("What happened?").fill("Team meeting; my manager frowned at my slides")
    next_step(page)
    record = ThoughtRecord.objects.get(client=client)
    assert record.is_complete is False  # the draft exists from the first step

    # 2. Thoughts
    assert progress(page) == "Thought record · Step 2 of 11"
    check_axe(page)
    page.get_by_label("A thought that went through your mind").fill("She thinks I'm useless")
    page.get_by_label("Another thought (optional)").first.fill("I'll be fired")
    next_step(page)

    # 3. Belief, with a quick pick for the first thought and the hot thought chosen
    assert heading(page) == "How much did you believe each thought?"
    check_axe(page)
    page.get_by_role("group", name=re.compile("Quick picks for “She thinks")).get_by_role(
        "button", name="90"
    ).click()
    assert page.get_by_label("“She thinks I'm useless”", exact=True).input_value() == "90"
    page.get_by_label("“I'll be fired”", exact=True).fill("60")
    page.get_by_label("She thinks I'm useless", exact=True).check()
    next_step(page)

    # 4. Feelings, from the list and in own words
    assert heading(page) == "What did you feel?"
    check_axe(page)
    page.get_by_label("Anxious").check()
    page.get_by_label("Ashamed").check()
    next_step(page)

    # 5. Strength
    check_axe(page)
    page.get_by_label("Anxious", exact=True).fill("80")
    page.get_by_label("Ashamed", exact=True).fill("50")
    next_step(page)

    # 6-7. Evidence for and against, with the hot thought quoted
    assert page.locator(".hot-thought blockquote").inner_text() == "She thinks I'm useless"
    check_axe(page)
    page.get_by_label("What makes this thought seem true?").fill("She frowned twice")
    next_step(page)
    check_axe(page)
    page.get_by_label("What doesn't fit with this thought?").fill("She thanked me afterwards")
    next_step(page)

    # 8. Thinking traps, each explained
    assert progress(page) == "Thought record · Step 8 of 11"
    check_axe(page)
    page.get_by_label("Mind reading").check()
    next_step(page)

    # 9. Balanced thought
    check_axe(page)
    page.get_by_label("What is a more balanced way to see it?").fill(
        "She may have been thinking about something else"
    )
    page.get_by_label("How much do you believe this balanced thought?", exact=True).fill("70")
    next_step(page)

    # 10. Re-rate
    assert heading(page) == "How do you feel now?"
    check_axe(page)
    page.get_by_label("Anxious", exact=True).fill("45")
    page.get_by_label("Ashamed", exact=True).fill("30")
    page.get_by_role("spinbutton", name=re.compile("^How much do you believe “She thinks")).fill(
        "40"
    )
    next_step(page)

    # 11. Action plan, then finish
    assert progress(page) == "Thought record · Step 11 of 11"
    check_axe(page)
    page.get_by_label("Is there anything you will do next? (optional)").fill("Ask her in our 1:1")
    next_step(page, "Finish")

    assert heading(page) == "Your thought record"
    assert page.locator(".change").all_inner_texts() == [
        "Anxious 80 → 45",
        "Ashamed 50 → 30",
        "Belief in the hot thought 90 → 40",
    ]
    check_axe(page)
    screenshot(page, "thought-record-finished-phone")
    record.refresh_from_db()
    assert record.is_complete is True
    assert (record.emotion_before, record.emotion_after) == (80, 45)
    assert record.distortions == ["mind_reading"]


def test_client_fills_in_the_sleep_diary_on_a_phone(new_page, person):
    _, client = person
    page = new_page("phone")
    login(page, client.user.email, PASSWORD)

    goto(page, "/tools/sleep/")
    assert heading(page) == "Sleep diary"
    check_axe(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Add last night").click()
    assert heading(page) == "Last night\u2019s sleep"
    check_axe(page)

    page.get_by_label("What time did you get into bed?").fill("22:30")
    page.get_by_label("What time did you try to go to sleep?").fill("23:00")
    page.get_by_label("How long did it take you to fall asleep? (minutes)").fill("20")
    page.get_by_label(re.compile("^How many times did you wake up")).fill("2")
    page.get_by_label("In total, how long did these awakenings last? (minutes)").fill("30")
    page.get_by_label("What time was your final awakening?").fill("07:30")
    page.get_by_label("What time did you get out of bed for the day?").fill("07:00")
    page.get_by_label("Fair").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    # Woke after getting up: said beside the field, nothing stored.
    assert error_text(page, "final_awakening") == (
        "Error: Your final awakening can't be after the time you got out of bed."
    )
    assert SleepDiaryEntry.objects.count() == 0
    check_axe(page)

    page.get_by_label("What time was your final awakening?").fill("06:30")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()

    assert heading(page) == "Sleep diary"
    night = client_local_today(client=client) - timedelta(days=1)
    row = page.locator("table.sleep-table tbody tr").first
    assert row.locator("td").all_inner_texts() == ["6h 40m", "78.4%", "8h 30m", "Fair"]
    assert page.locator("table.sleep-table tfoot").inner_text().split("\t")[0] == (
        "Average, 1 night"
    )
    check_axe(page)
    screenshot(page, "sleep-diary-phone")
    entry = SleepDiaryEntry.objects.get()
    assert entry.night_of == night


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_care_team_worksheets_page_shows_shared_entries_only_and_passes_axe(
    new_page, person, device
):
    from interlude.consents.sharing_services import sharing_update
    from interlude.exercises.schemas import JournalEntryIn, SleepDiaryIn
    from interlude.exercises.worksheets_services import journal_entry_create, sleep_diary_save

    membership, client = person
    # The journal category is off until the client shares it; then entries show one by one.
    sharing_update(client=client, actor=client.user, categories={"journal": True})
    journal_entry_create(
        client=client,
        actor=client.user,
        values=JournalEntryIn(title="Sunday", body="The walk helped.", shared=True),
    )
    journal_entry_create(
        client=client, actor=client.user, values=JournalEntryIn(body="Not for anyone else.")
    )
    night = client_local_today(client=client) - timedelta(days=1)
    sleep_diary_save(
        client=client,
        actor=client.user,
        values=SleepDiaryIn.model_validate(
            {
                "night_of": night,
                "into_bed": "22:30",
                "tried_to_sleep": "23:00",
                "minutes_to_fall_asleep": 20,
                "awakenings": 2,
                "minutes_awake_after_onset": 30,
                "final_awakening": "06:30",
                "out_of_bed": "07:00",
                "quality": 3,
            }
        ),
    )
    page = new_page(device)
    login(page, membership.user.email, PASSWORD)

    goto(page, f"/clinic/clients/{client.public_id}/worksheets/")

    assert heading(page).startswith("Worksheets")
    journal = page.locator("#journal").inner_text()
    assert "The walk helped." in journal
    assert "Not for anyone else." not in page.content()
    assert "78.4%" in page.locator("#sleep").inner_text()
    check_axe(page)
    screenshot(page, f"clinician-worksheets-{device}")
