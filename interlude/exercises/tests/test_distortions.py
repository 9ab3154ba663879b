"""The thinking-traps list (CLINICAL.md 4.2): eleven traps, each explained once, with an example."""

from __future__ import annotations

from interlude.exercises.distortions import (
    DISTORTION_CODES,
    DISTORTIONS,
    DISTORTIONS_BY_CODE,
    distortion_names,
)


def test_the_eleven_traps_of_clinical_4_2_in_order():
    assert [d.code for d in DISTORTIONS] == [
        "all_or_nothing",
        "overgeneralisation",
        "mental_filter",
        "disqualifying_positive",
        "mind_reading",
        "fortune_telling",
        "catastrophising",
        "emotional_reasoning",
        "should_statements",
        "labelling",
        "personalisation",
    ]
    assert len(DISTORTION_CODES) == 11


def test_each_trap_has_one_plain_sentence_and_a_quoted_example():
    for d in DISTORTIONS:
        assert d.explanation.endswith("."), d.code
        assert d.explanation.count(". ") == 0, f"{d.code}: one sentence only"
        assert d.explanation.startswith("You "), f"{d.code}: second person"
        assert len(d.explanation) <= 130, d.code
        assert d.example.startswith("“") and d.example.endswith("”"), d.code


def test_names_of_stored_codes_follow_the_list_order_and_skip_unknown_codes():
    assert distortion_names(["labelling", "no_such_trap", "mind_reading"]) == [
        "Mind reading",
        "Labelling",
    ]
    assert DISTORTIONS_BY_CODE["catastrophising"].name == "Catastrophising"
