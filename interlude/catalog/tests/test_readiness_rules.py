"""The readiness check's pure rules: the questions' validation (messages that name the question),
the eHEALS part through the measures scorer, the suggested modules with their reasons for five
answer profiles, and the answers in plain words."""

from __future__ import annotations

from typing import Any

import pytest

from interlude.catalog.readiness import (
    QUESTIONS,
    ReadinessError,
    answers_summary,
    answers_validate,
    eheals_phrase,
    eheals_score,
    modules_suggest,
    suggested_off,
)
from interlude.measures.instruments import shipped_definition
from interlude.measures.scoring import score
from interlude.practices.enums import Module

DEFAULT = "Nothing in the answers argues against it."


def answers(**changes: Any) -> dict[str, Any]:
    """A client at ease with a phone of their own: nothing to switch off."""
    raw: dict[str, Any] = {
        "devices": ["smartphone", "computer"],
        "connection": "wifi",
        "phone_shared": "only_me",
        "comfort": "4",
        "reminders": "yes",
        "privacy": ["none"],
        "worksheets": "either",
        "accessibility": "",
        "apps_used": "no",
    }
    raw.update(changes)
    return answers_validate(raw)


def table(suggestions) -> list[tuple[str, bool, str]]:
    return [(s.module.value, s.on, s.reason) for s in suggestions]


# --- the questions --------------------------------------------------------------------------------
def test_there_are_nine_questions_in_a_fixed_order():
    assert [q.code for q in QUESTIONS] == [
        "devices",
        "connection",
        "phone_shared",
        "comfort",
        "reminders",
        "privacy",
        "worksheets",
        "accessibility",
        "apps_used",
    ]


def test_valid_answers_are_normalised():
    cleaned = answers_validate(
        {
            "devices": ["computer", "smartphone"],
            "connection": "limited",
            "phone_shared": "may_look",
            "comfort": "2",
            "reminders": "few",
            "privacy": ["companies", "others_see"],
            "privacy_note": "  my partner checks my phone ",
            "worksheets": "paper",
            "accessibility": "  Larger text ",
            "apps_used": "yes",
            "apps_used_note": "Daylio",
        }
    )
    assert cleaned == {
        "devices": ["smartphone", "computer"],
        "connection": "limited",
        "phone_shared": "may_look",
        "comfort": 2,
        "reminders": "few",
        "privacy": ["others_see", "companies"],
        "privacy_note": "my partner checks my phone",
        "worksheets": "paper",
        "accessibility": "Larger text",
        "apps_used": "yes",
        "apps_used_note": "Daylio",
    }


def test_every_missing_answer_is_named_with_its_question():
    with pytest.raises(ReadinessError) as caught:
        answers_validate({"accessibility": ""})
    assert caught.value.errors == {
        "devices": "Which of these do you use? Choose at least one answer.",
        "connection": "How do you usually get online? Choose one answer.",
        "phone_shared": "Does anyone else use your phone, or might look at it? Choose one answer.",
        "comfort": "How comfortable are you using apps? Choose one answer.",
        "reminders": "Would you like reminders on your phone? Choose one answer.",
        "privacy": "Is there anything about privacy that worries you? Choose at least one answer.",
        "worksheets": "Do you prefer worksheets on paper or on a screen? Choose one answer.",
        "apps_used": "Do you already use any apps for mood, sleep or health? Choose one answer.",
    }
    assert caught.value.message == "Which of these do you use? Choose at least one answer."
    assert caught.value.field == "devices"


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        (
            {"devices": ["none", "tablet"]},
            "devices",
            "Which of these do you use? Choose “None of these” on its own, or untick it.",
        ),
        (
            {"comfort": "7"},
            "comfort",
            "How comfortable are you using apps? Choose one of the answers listed.",
        ),
        (
            {"comfort": True},
            "comfort",
            "How comfortable are you using apps? Choose one of the answers listed.",
        ),
        (
            {"devices": ["phone"]},
            "devices",
            "Which of these do you use? Choose from the answers listed.",
        ),
        (
            {"accessibility": "x" * 301},
            "accessibility",
            "Is there anything that would make the app easier for you to use? Keep your answer "
            "under 300 characters.",
        ),
        (
            {"privacy_note": "bad\x00"},
            "privacy",
            "Is there anything about privacy that worries you? The note has characters that "
            "cannot be stored.",
        ),
        (
            {"favourite_colour": "blue"},
            "favourite_colour",
            "'favourite_colour' is not one of the questions.",
        ),
    ],
)
def test_a_wrong_answer_is_refused_with_a_message_naming_the_question(change, code, message):
    with pytest.raises(ReadinessError) as caught:
        answers(**change)
    assert caught.value.errors == {code: message}


def test_the_optional_questions_can_be_left_out():
    cleaned = answers(accessibility=None)
    assert cleaned["accessibility"] == ""
    assert "apps_used_note" not in cleaned


# --- eHEALS ---------------------------------------------------------------------------------------
def test_eheals_is_scored_by_the_measures_scorer_from_8_to_40():
    definition = shipped_definition("eheals")
    assert eheals_score([1] * 8) == ([1] * 8, 8)
    assert eheals_score(["5"] * 8) == ([5] * 8, 40)
    values, total = eheals_score([3, 4, 2, 5, 1, 3, 4, 2])
    assert total == 24 == score(definition, values).total


def test_eheals_skipped_as_a_whole_is_none():
    assert eheals_score(None) == (None, None)
    assert eheals_score([None] * 8) == (None, None)
    assert eheals_score([""] * 8) == (None, None)


def test_eheals_partly_answered_is_refused():
    with pytest.raises(ReadinessError) as caught:
        eheals_score([4, 4, 4, None, None, None, None, None])
    assert caught.value.errors == {
        "eheals": "The health information statements: you answered 3 of 8. Answer the other 5, "
        "or send without this part."
    }


@pytest.mark.parametrize(
    ("answers_", "message"),
    [
        ([3] * 7 + [6], "Health information statement 8: choose one of the answers."),
        ([0] + [3] * 7, "Health information statement 1: choose one of the answers."),
        ([3, "x"] + [3] * 6, "Health information statement 2: choose one of the answers."),
        ([3] * 9, "The health information part has 8 statements; 9 answers were given."),
    ],
)
def test_eheals_answers_out_of_range_are_refused(answers_, message):
    with pytest.raises(ReadinessError) as caught:
        eheals_score(answers_)
    assert caught.value.errors == {"eheals": message}


def test_eheals_is_information_with_no_cutoff():
    assert eheals_phrase(22) == (
        "eHEALS 22 of 40 — no official cutoff; higher means more confident finding and using "
        "health information online."
    )
    assert eheals_phrase(None) == "eHEALS skipped — the client chose not to answer this part."


# --- suggested modules ----------------------------------------------------------------------------
def test_a_client_at_ease_keeps_everything_on():
    assert table(modules_suggest(answers=answers(), eheals_total=36)) == [
        ("checkins", True, DEFAULT),
        ("journal", True, DEFAULT),
        ("worksheets", True, DEFAULT),
        ("relaxation", True, DEFAULT),
        ("questionnaires", True, DEFAULT),
        ("library", True, DEFAULT),
        ("homework", True, DEFAULT),
        ("messaging", True, DEFAULT),
        ("reminders", True, "They said reminders help them."),
        ("imports", True, DEFAULT),
    ]


def test_a_low_eheals_total_alone_never_turns_anything_off():
    low = modules_suggest(answers=answers(), eheals_total=8)
    assert low == modules_suggest(answers=answers(), eheals_total=40)
    assert low == modules_suggest(answers=answers(), eheals_total=None)
    assert suggested_off(low) == []


def test_no_device_keeps_only_what_works_on_paper():
    no_device = "No smartphone, tablet or computer to use it on."
    result = modules_suggest(
        answers=answers(devices=["none"], connection="rarely", apps_used="yes"), eheals_total=None
    )
    assert table(result) == [
        ("checkins", False, no_device),
        ("journal", False, no_device),
        ("worksheets", False, no_device),
        ("relaxation", False, no_device),
        (
            "questionnaires",
            True,
            "No device, but questionnaires can be answered on paper in sessions.",
        ),
        ("library", False, no_device),
        ("homework", True, "No device, but homework can be set and done on paper."),
        ("messaging", False, no_device),
        ("reminders", False, no_device),
        ("imports", False, no_device),
    ]


def test_a_shared_phone_turns_reminders_off_and_says_why():
    result = modules_suggest(
        answers=answers(phone_shared="shared", reminders="none", worksheets="paper"),
        eheals_total=30,
    )
    assert table(result) == [
        ("checkins", True, DEFAULT),
        ("journal", True, DEFAULT),
        ("worksheets", False, "They prefer worksheets on paper."),
        ("relaxation", True, DEFAULT),
        ("questionnaires", True, DEFAULT),
        ("library", True, DEFAULT),
        ("homework", True, DEFAULT),
        ("messaging", True, DEFAULT),
        (
            "reminders",
            False,
            "Their phone is shared or someone may look at it, and reminders show on the lock "
            "screen. They asked for no reminders.",
        ),
        ("imports", True, DEFAULT),
    ]


def test_a_worry_that_others_see_turns_reminders_off():
    result = modules_suggest(
        answers=answers(privacy=["others_see"], reminders="few"), eheals_total=None
    )
    assert [s for s in table(result) if s[0] == "reminders"] == [
        (
            "reminders",
            False,
            "They worry someone else may see their device, and reminders show on the lock screen.",
        )
    ]
    assert suggested_off(result) == ["reminders"]


def test_low_comfort_starts_small_but_imports_stay_for_an_app_already_used():
    later = "Comfort with apps 1 of 5: start small and add this later."
    start = "Comfort with apps 1 of 5: a good place to start."
    result = modules_suggest(
        answers=answers(
            comfort="1",
            reminders="few",
            apps_used="yes",
            apps_used_note="Bearable",
            connection="rarely",
            devices=["tablet"],
        ),
        eheals_total=12,
    )
    assert table(result) == [
        ("checkins", True, start),
        ("journal", False, later),
        ("worksheets", False, later),
        ("relaxation", True, start),
        ("questionnaires", True, start),
        ("library", False, later),
        ("homework", False, later),
        ("messaging", False, later),
        (
            "reminders",
            True,
            "No smartphone: reminders reach a tablet or computer only while it is on. They would "
            "like a few reminders, not many.",
        ),
        (
            "imports",
            True,
            "They already use an app for mood, sleep or health (Bearable): its data can be "
            "brought in.",
        ),
    ]
    assert suggested_off(result) == ["journal", "worksheets", "library", "homework", "messaging"]


def test_rarely_online_is_a_note_on_messages_not_a_switch():
    result = modules_suggest(answers=answers(connection="rarely"), eheals_total=None)
    assert [s for s in table(result) if s[0] == "messaging"] == [
        ("messaging", True, "Not online very often: agree how quickly messages will be read.")
    ]


def test_every_suggestion_is_a_module_so_the_safety_plan_cannot_be_suggested_off():
    for profile in (answers(), answers(devices=["none"]), answers(comfort="1")):
        result = modules_suggest(answers=profile, eheals_total=8)
        assert [s.module for s in result] == list(Module)


# --- the answers in plain words -------------------------------------------------------------------
def test_the_answers_read_in_plain_words():
    summary = answers_summary(
        answers(
            comfort="2",
            privacy=["others_see", "companies"],
            privacy_note="my partner",
            apps_used="yes",
            apps_used_note="Daylio",
        )
    )
    assert summary == [
        ("Devices", "A smartphone, A computer or laptop"),
        ("Connection", "Wi-Fi at home, most of the time"),
        ("Phone shared", "No, only I use it"),
        ("Comfort with apps", "2 of 5, a little comfortable"),
        ("Reminders", "Yes, reminders help me"),
        (
            "Privacy worries",
            "Someone else seeing what I write on my device, What companies do with my data "
            "— “my partner”",
        ),
        ("Worksheets", "Either is fine"),
        ("Accessibility", "Nothing given"),
        ("Apps already used", "Yes — “Daylio”"),
    ]
