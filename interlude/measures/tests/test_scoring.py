"""Scoring answer sets against every shipped instrument (pure; no database)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interlude.measures.instruments import (
    InstrumentDefinition,
    definition_parse,
    shipped_definition,
)
from interlude.measures.scoring import (
    CRITICAL_UNANSWERED,
    AnswerError,
    answers_validate,
    score,
)

ALL_CODES = [
    "auditc",
    "core10",
    "eheals",
    "gad2",
    "gad7",
    "isi",
    "k10",
    "pcl5",
    "phq2",
    "phq9",
    "who5",
]

# The published scoring rules, written out here independently of the definitions:
# (answer min, answer max, items reverse-scored, multiplier)
PUBLISHED_RULE = {
    "phq9": (0, 3, 9, frozenset(), 1),
    "phq2": (0, 3, 2, frozenset(), 1),
    "gad7": (0, 3, 7, frozenset(), 1),
    "gad2": (0, 3, 2, frozenset(), 1),
    "pcl5": (0, 4, 20, frozenset(), 1),
    "who5": (0, 5, 5, frozenset(), 4),
    "k10": (1, 5, 10, frozenset(), 1),
    "auditc": (0, 4, 3, frozenset(), 1),
    "eheals": (1, 5, 8, frozenset(), 1),
    "isi": (0, 4, 7, frozenset(), 1),
    "core10": (0, 4, 10, frozenset({2, 3}), 1),
}


def published_total(code: str, answers: list[int]) -> int:
    low, high, _, reverse, multiplier = PUBLISHED_RULE[code]
    raw = sum(
        (low + high - value) if number in reverse else value
        for number, value in enumerate(answers, start=1)
    )
    return raw * multiplier


def answers_for_raw(definition: InstrumentDefinition, raw: int) -> list[int]:
    """A complete answer set whose raw total (after reverse scoring) is `raw`."""
    remaining = raw - definition.raw_min
    answers = []
    for item in definition.items:
        step = min(remaining, item.max_value - item.min_value)
        scored = item.min_value + step
        remaining -= step
        answers.append(item.min_value + item.max_value - scored if item.reverse else scored)
    assert remaining == 0, f"raw total {raw} is not reachable"
    return answers


def answers_for_total(definition: InstrumentDefinition, total: int) -> list[int]:
    raw, rest = divmod(total, int(definition.multiplier))
    assert rest == 0
    return answers_for_raw(definition, raw)


# --- minimum and maximum --------------------------------------------------------------------
MIN_MAX = {
    "phq9": ([0] * 9, 0, [3] * 9, 27),
    "phq2": ([0, 0], 0, [3, 3], 6),
    "gad7": ([0] * 7, 0, [3] * 7, 21),
    "gad2": ([0, 0], 0, [3, 3], 6),
    "pcl5": ([0] * 20, 0, [4] * 20, 80),
    "who5": ([0] * 5, 0, [5] * 5, 100),
    "k10": ([1] * 10, 10, [5] * 10, 50),
    "auditc": ([0, 0, 0], 0, [4, 4, 4], 12),
    "eheals": ([1] * 8, 8, [5] * 8, 40),
    "isi": ([0] * 7, 0, [4] * 7, 28),
    "core10": ([0, 4, 4, 0, 0, 0, 0, 0, 0, 0], 0, [4, 0, 0, 4, 4, 4, 4, 4, 4, 4], 40),
}


@pytest.mark.parametrize("code", ALL_CODES)
def test_minimum_and_maximum_totals(code):
    low_answers, low_total, high_answers, high_total = MIN_MAX[code]
    d = shipped_definition(code)
    low, high = score(d, low_answers), score(d, high_answers)
    assert low.total == low_total
    assert high.total == high_total
    assert low.total == d.total_min
    assert high.total == d.total_max
    for result in (low, high):
        assert result.complete is True
        assert result.scorable is True
        assert result.prorated is False
        assert result.missing_items == ()
        assert result.band is not None


# --- both boundaries of every band ----------------------------------------------------------
BOUNDARIES = {
    "phq9": [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
        (27, "severe"),
    ],
    "phq2": [(0, "negative"), (2, "negative"), (3, "positive"), (6, "positive")],
    "gad7": [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
    "gad2": [(0, "negative"), (2, "negative"), (3, "positive"), (6, "positive")],
    "pcl5": [
        (0, "below_threshold"),
        (30, "below_threshold"),
        (31, "probable_ptsd"),
        (80, "probable_ptsd"),
    ],
    # WHO-5 totals are multiples of 4: 28 and 32, 48 and 52 are the achievable boundaries.
    "who5": [
        (0, "likely_depression"),
        (28, "likely_depression"),
        (32, "poor_wellbeing"),
        (48, "poor_wellbeing"),
        (52, "not_poor"),
        (100, "not_poor"),
    ],
    "k10": [
        (10, "low"),
        (15, "low"),
        (16, "moderate"),
        (21, "moderate"),
        (22, "high"),
        (29, "high"),
        (30, "very_high"),
        (50, "very_high"),
    ],
    "auditc": [(0, "negative"), (3, "negative"), (4, "positive"), (12, "positive")],
    "eheals": [(8, "no_cutoff"), (40, "no_cutoff")],
    "isi": [
        (0, "none"),
        (7, "none"),
        (8, "subthreshold"),
        (14, "subthreshold"),
        (15, "moderate"),
        (21, "moderate"),
        (22, "severe"),
        (28, "severe"),
    ],
    "core10": [
        (0, "healthy"),
        (5, "healthy"),
        (6, "low"),
        (10, "low"),
        (11, "mild"),
        (14, "mild"),
        (15, "moderate"),
        (19, "moderate"),
        (20, "moderately_severe"),
        (24, "moderately_severe"),
        (25, "severe"),
        (40, "severe"),
    ],
}

PRESET_BOUNDARIES = {
    ("k10", "primary_care"): [
        (10, "likely_well"),
        (19, "likely_well"),
        (20, "mild"),
        (24, "mild"),
        (25, "moderate"),
        (29, "moderate"),
        (30, "severe"),
        (50, "severe"),
    ],
    ("auditc", "us_women"): [(0, "negative"), (2, "negative"), (3, "positive"), (12, "positive")],
    ("auditc", "uk"): [(0, "negative"), (4, "negative"), (5, "positive"), (12, "positive")],
    ("pcl5", "psychiatric_outpatients"): [
        (0, "below_threshold"),
        (44, "below_threshold"),
        (45, "probable_ptsd"),
        (80, "probable_ptsd"),
    ],
}


@pytest.mark.parametrize(
    ("code", "total", "band"),
    [(code, total, band) for code, cases in BOUNDARIES.items() for total, band in cases],
)
def test_band_boundaries(code, total, band):
    d = shipped_definition(code)
    result = score(d, answers_for_total(d, total))
    assert result.total == total
    assert result.band is not None
    assert result.band.code == band


@pytest.mark.parametrize(
    ("code", "preset", "total", "band"),
    [
        (code, preset, total, band)
        for (code, preset), cases in PRESET_BOUNDARIES.items()
        for total, band in cases
    ],
)
def test_band_boundaries_of_presets(code, preset, total, band):
    d = shipped_definition(code).with_overrides(band_preset=preset)
    result = score(d, answers_for_total(d, total))
    assert result.total == total
    assert result.band is not None
    assert result.band.code == band


def test_every_band_boundary_is_tested():
    for code, cases in BOUNDARIES.items():
        d = shipped_definition(code)
        tested = {total for total, _ in cases}
        for band in d.bands:
            inside = [t for t in range(int(band.min), int(band.max) + 1) if t % d.multiplier == 0]
            assert {min(inside), max(inside)} <= tested, (code, band.code)


# --- reverse scoring (CORE-10) --------------------------------------------------------------
def test_core10_reverse_items():
    d = shipped_definition("core10")
    # All zeros: items 2 and 3 are reverse-scored, so each scores 4.
    assert score(d, [0] * 10).raw_total == 8
    # Answering 0 on item 2 scores 4; answering 4 on item 3 scores 0.
    assert score(d, [0, 0, 4, 0, 0, 0, 0, 0, 0, 0]).total == 4
    assert score(d, [0, 4, 0, 0, 0, 0, 0, 0, 0, 0]).total == 4
    assert score(d, [0, 1, 3, 0, 0, 0, 0, 0, 0, 0]).total == 4
    assert score(d, [4] * 10).total == 32
    # Item 1 is not reversed.
    assert score(d, [1, 4, 4, 0, 0, 0, 0, 0, 0, 0]).total == 1


def test_core10_risk_item():
    d = shipped_definition("core10")
    clean = score(d, [0, 4, 4, 0, 0, 0, 0, 0, 0, 0])
    assert clean.flags == ()
    assert clean.critical is False
    for value in (1, 2, 3, 4):
        answers = [0, 4, 4, 0, 0, value, 0, 0, 0, 0]
        result = score(d, answers)
        assert result.critical is True
        assert result.flag_codes == ["critical_item"]
        (flag,) = result.flags
        assert (flag.item, flag.value, flag.critical) == (6, value, True)
        assert flag.reason.startswith("Item 6 (the CORE-10 risk item) was scored above 0.")
        assert result.total == value
    missing = score(d, [0, 4, 4, 0, 0, None, 0, 0, 0, 0])
    assert missing.critical is False
    assert missing.flag_codes == [CRITICAL_UNANSWERED]
    assert missing.complete is False
    # One missing item is prorated (version 2); the unanswered risk item is still flagged.
    assert (missing.total, missing.prorated) == (0.0, True)


# --- WHO-5 ----------------------------------------------------------------------------------
def test_who5_scaling_band_and_clinical_range():
    d = shipped_definition("who5")
    result = score(d, [3, 3, 2, 2, 2])
    assert result.raw_total == 12
    assert result.total == 48
    assert result.band is not None
    assert result.band.code == "poor_wellbeing"
    assert d.clinical_range is not None
    assert d.clinical_range.contains(48) is True
    assert result.flags == ()

    above = score(d, [3, 3, 3, 2, 2])
    assert above.raw_total == 13
    assert above.total == 52
    assert above.band is not None
    assert above.band.code == "not_poor"
    assert d.clinical_range.contains(52) is False

    depression = score(d, [2, 2, 1, 1, 1])
    assert depression.total == 28
    assert depression.band is not None
    assert depression.band.code == "likely_depression"


def test_who5_low_item_flag():
    d = shipped_definition("who5")
    result = score(d, [1, 5, 5, 5, 5])
    assert result.total == 84
    assert result.flag_codes == ["low_item"]
    (flag,) = result.flags
    assert (flag.item, flag.value, flag.critical) == (1, 1, False)
    assert flag.reason == "An item was answered 0 or 1: consider screening for depression."
    assert result.critical is False

    two = score(d, [5, 0, 5, 1, 5])
    assert [(f.item, f.value) for f in two.flags] == [(2, 0), (4, 1)]

    assert score(d, [2, 2, 2, 2, 2]).flags == ()


def test_who5_low_item_flag_on_an_incomplete_set():
    result = score(shipped_definition("who5"), [0, None, 5, 5, 5])
    assert result.total is None
    assert [(f.flag, f.item) for f in result.flags] == [("low_item", 1)]


# --- PHQ-9 item 9 ---------------------------------------------------------------------------
def test_phq9_item9_zero_is_not_flagged():
    result = score(shipped_definition("phq9"), [3, 3, 3, 3, 3, 3, 3, 3, 0])
    assert result.flags == ()
    assert result.critical is False
    assert result.total == 24


@pytest.mark.parametrize("value", [1, 2, 3])
def test_phq9_item9_above_zero_is_critical(value):
    d = shipped_definition("phq9")
    result = score(d, [0] * 8 + [value])
    assert result.critical is True
    assert result.flag_codes == ["critical_item"]
    (flag,) = result.flags
    assert (flag.flag, flag.item, flag.value, flag.critical) == ("critical_item", 9, value, True)
    assert flag.reason == d.critical_items[0].reason
    # A low total does not hide the flag.
    assert result.total == value
    assert result.band is not None
    assert result.band.code == "minimal"


def test_phq9_item9_missing():
    d = shipped_definition("phq9")
    result = score(d, [1] * 8 + [None])
    assert result.critical is False
    assert result.flag_codes == [CRITICAL_UNANSWERED]
    (flag,) = result.flags
    assert (flag.item, flag.value, flag.critical) == (9, None, False)
    assert flag.reason == f"Item 9 was left unanswered. {d.critical_items[0].reason}"
    assert result.complete is False
    assert result.scorable is False
    assert result.total is None
    assert result.raw_total is None
    assert result.band is None
    assert result.missing_items == (9,)


# --- missing answers ------------------------------------------------------------------------
@pytest.mark.parametrize("code", ALL_CODES)
def test_missing_answers_leave_no_total(code):
    d = shipped_definition(code)
    answers: list[int | None] = list(answers_for_raw(d, d.raw_max))
    answers[0] = None
    answers[-1] = None
    result = score(d, answers)
    assert result.complete is False
    assert result.scorable is False
    assert result.prorated is False
    assert result.total is None
    assert result.raw_total is None
    assert result.band is None
    assert result.missing_items == (1, d.item_count)


@pytest.mark.parametrize("code", ALL_CODES)
def test_nothing_answered(code):
    d = shipped_definition(code)
    result = score(d, [None] * d.item_count)
    assert result.total is None
    assert result.missing_items == tuple(range(1, d.item_count + 1))


# --- the published rule, for any complete answer set ----------------------------------------
@pytest.mark.parametrize("code", ALL_CODES)
@given(data=st.data())
def test_total_equals_the_published_rule(code, data):
    d = shipped_definition(code)
    low, high, count, _, _ = PUBLISHED_RULE[code]
    answers = data.draw(st.lists(st.integers(low, high), min_size=count, max_size=count))
    result = score(d, answers)
    expected = published_total(code, answers)
    assert result.total == expected
    assert result.complete is True
    assert result.scorable is True
    for bands in (d.bands, *d.band_presets.values()):
        containing = [b for b in bands if b.contains(expected)]
        assert len(containing) == 1
    assert result.band is not None
    assert result.band.contains(expected)


@pytest.mark.parametrize("code", ALL_CODES)
@given(data=st.data())
def test_out_of_range_values_are_refused(code, data):
    d = shipped_definition(code)
    low, high, count, _, _ = PUBLISHED_RULE[code]
    answers = data.draw(st.lists(st.integers(low, high), min_size=count, max_size=count))
    position = data.draw(st.integers(0, count - 1))
    bad = data.draw(st.integers(-1000, low - 1) | st.integers(high + 1, 1000))
    answers[position] = bad
    with pytest.raises(AnswerError) as info:
        score(d, answers)
    assert info.value.item == position + 1
    assert str(info.value) == (
        f"Item {position + 1}: {bad} is not an answer to this item; answers are {low} to {high}."
    )


# --- AnswerError ----------------------------------------------------------------------------
def _answer_error(code: str, answers: Any) -> AnswerError:
    with pytest.raises(AnswerError) as info:
        score(shipped_definition(code), answers)
    return info.value


def test_out_of_range_value_names_the_item():
    error = _answer_error("phq9", [0, 0, 4, 0, 0, 0, 0, 0, 0])
    assert str(error) == "Item 3: 4 is not an answer to this item; answers are 0 to 3."
    assert error.message.startswith("Item 3:")
    assert error.item == 3

    error = _answer_error("k10", [0] + [1] * 9)
    assert str(error) == "Item 1: 0 is not an answer to this item; answers are 1 to 5."

    error = _answer_error("who5", [5, 5, 5, 5, 6])
    assert str(error) == "Item 5: 6 is not an answer to this item; answers are 0 to 5."

    error = _answer_error("auditc", [0, 5, 0])
    assert str(error) == "Item 2: 5 is not an answer to this item; answers are 0 to 4."

    error = _answer_error("phq9", [0, 0, 0, 0, 0, 0, 0, 0, -1])
    assert str(error) == "Item 9: -1 is not an answer to this item; answers are 0 to 3."


def test_first_bad_item_is_named():
    error = _answer_error("phq9", [0, 7, 9, 0, 0, 0, 0, 0, 0])
    assert error.item == 2


def test_wrong_length():
    error = _answer_error("phq9", [0] * 8)
    assert str(error) == "PHQ-9 has 9 items; 8 answers were given."
    assert error.item is None
    error = _answer_error("who5", [0] * 6)
    assert str(error) == "WHO-5 has 5 items; 6 answers were given."
    error = _answer_error("gad7", [])
    assert str(error) == "GAD-7 has 7 items; 0 answers were given."


def test_bools_are_refused():
    error = _answer_error("phq9", [0, True, 0, 0, 0, 0, 0, 0, 0])
    assert str(error) == "Item 2: answer must be a whole number."
    assert error.item == 2
    error = _answer_error("phq2", [False, 0])
    assert str(error) == "Item 1: answer must be a whole number."


def test_strings_and_floats_are_refused():
    error = _answer_error("phq9", ["1", 0, 0, 0, 0, 0, 0, 0, 0])
    assert str(error) == "Item 1: answer must be a whole number."
    assert error.item == 1
    error = _answer_error("gad7", [0, 0, 0, 1.0, 0, 0, 0])
    assert str(error) == "Item 4: answer must be a whole number."
    assert error.item == 4


@pytest.mark.parametrize("answers", ["000000000", b"000000000", {"1": 0}, 9, None])
def test_answers_must_be_a_list(answers):
    error = _answer_error("phq9", answers)
    assert str(error) == "Answers must be a list, one per item."
    assert error.item is None


def test_answers_validate_keeps_raw_answers():
    d = shipped_definition("core10")
    answers = [0, 0, 4, None, 1, 2, 3, 4, 0, 1]
    assert answers_validate(d, answers) == answers
    assert answers_validate(d, tuple(answers)) == answers


# --- prorating (a practice's own definition, not a shipped one) -----------------------------
def prorate_definition(**changes: Any) -> InstrumentDefinition:
    doc: dict[str, Any] = {
        "code": "custom_prorate",
        "version": "1",
        "name": "Custom prorated scale",
        "short_name": "CPS",
        "licence": "practice_own",
        "options": [
            {"value": 0, "label": "0"},
            {"value": 1, "label": "1"},
            {"value": 2, "label": "2"},
            {"value": 3, "label": "3"},
        ],
        "items": [{"text": f"Item {n}"} for n in range(1, 6)],
        "scoring": {"method": "sum"},
        "bands": [
            {"min": 0, "max": 7, "code": "low", "label": "Low"},
            {"min": 8, "max": 15, "code": "high", "label": "High"},
        ],
        "missing": {"rule": "prorate", "max_missing": 1},
    }
    doc.update(changes)
    return definition_parse(doc, practice_own=True)


def test_prorate_within_the_allowed_number_of_missing_items():
    d = prorate_definition()
    result = score(d, [3, 2, None, 2, 3])
    # Mean of the four answered items (10 / 4 = 2.5) times 5 items = 12.5, rounded half up.
    assert result.raw_total == 13
    assert result.total == 13
    assert result.prorated is True
    assert result.complete is False
    assert result.scorable is True
    assert result.missing_items == (3,)
    assert result.band is not None
    assert result.band.code == "high"


def test_prorate_rounds_half_up_not_to_even():
    d = prorate_definition()
    # 2 / 4 * 5 = 2.5 -> 3 (banker's rounding would give 2).
    assert score(d, [1, 1, 0, 0, None]).raw_total == 3
    # 1 / 4 * 5 = 1.25 -> 1.
    assert score(d, [1, 0, 0, 0, None]).raw_total == 1
    # 3 / 4 * 5 = 3.75 -> 4.
    assert score(d, [1, 1, 1, 0, None]).raw_total == 4


def test_prorate_refuses_too_many_missing_items():
    d = prorate_definition()
    result = score(d, [3, None, None, 2, 3])
    assert result.raw_total is None
    assert result.total is None
    assert result.scorable is False
    assert result.prorated is False
    assert result.band is None
    assert result.missing_items == (2, 3)


def test_prorate_with_nothing_answered():
    d = prorate_definition(missing={"rule": "prorate", "max_missing": 5})
    result = score(d, [None] * 5)
    assert result.raw_total is None
    assert result.scorable is False


def test_prorate_with_a_complete_set_is_a_plain_sum():
    result = score(prorate_definition(), [3, 2, 1, 0, 3])
    assert result.raw_total == 9
    assert result.prorated is False
    assert result.complete is True


def test_prorate_uses_reverse_scored_values_and_the_multiplier():
    d = prorate_definition(
        items=[{"text": "A", "reverse": True}, {"text": "B"}, {"text": "C"}, {"text": "D"}],
        scoring={"method": "sum_scaled", "multiplier": 2},
        bands=[{"min": 0, "max": 24, "code": "all", "label": "All"}],
    )
    # Item 1 answered 0 scores 3; (3 + 3 + 3) / 3 * 4 = 12; reported total 12 x 2 = 24.
    result = score(d, [0, 3, 3, None])
    assert result.raw_total == 12
    assert result.total == 24
    assert result.prorated is True


def test_prorate_still_flags_an_unanswered_critical_item():
    d = prorate_definition(critical_items=[{"item": 5, "above": 0, "reason": "Risk item."}])
    result = score(d, [1, 1, 1, 1, None])
    assert result.raw_total == 5
    assert result.flag_codes == [CRITICAL_UNANSWERED]
    assert result.critical is False
    assert result.flags[0].reason == "Item 5 was left unanswered. Risk item."
