"""The shipped instrument definitions (definitions/*.json) and the definition parser.

Numbers are checked against CLINICAL.md tables 1.1 and 1.4; no database is needed.
"""

from __future__ import annotations

import copy
import itertools
import json
from typing import Any

import pytest

from interlude.measures.instruments import (
    DEFINITIONS_DIR,
    ClinicalRange,
    DefinitionError,
    Direction,
    InstrumentDefinition,
    Licence,
    MissingRule,
    definition_parse,
    shipped_definition,
    shipped_definitions,
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

# code: (items, answer min, answer max, total min, total max, licence, text shipped)
SHAPE = {
    "phq9": (9, 0, 3, 0, 27, Licence.FREE_WITH_ATTRIBUTION, True),
    "phq2": (2, 0, 3, 0, 6, Licence.FREE_WITH_ATTRIBUTION, True),
    "gad7": (7, 0, 3, 0, 21, Licence.FREE_WITH_ATTRIBUTION, True),
    "gad2": (2, 0, 3, 0, 6, Licence.FREE_WITH_ATTRIBUTION, True),
    "pcl5": (20, 0, 4, 0, 80, Licence.PUBLIC_DOMAIN, True),
    "who5": (5, 0, 5, 0, 100, Licence.FREE_WITH_ATTRIBUTION, True),
    "k10": (10, 1, 5, 10, 50, Licence.FREE_WITH_ATTRIBUTION, True),
    "auditc": (3, 0, 4, 0, 12, Licence.PUBLIC_DOMAIN, True),
    "eheals": (8, 1, 5, 8, 40, Licence.FREE_WITH_ATTRIBUTION, True),
    "isi": (7, 0, 4, 0, 28, Licence.LICENCE_REQUIRED, False),
    "core10": (10, 0, 4, 0, 40, Licence.CC_BY_NC_ND, False),
}

# code: [(min, max, code, clinical), ...] for the default band set
BANDS = {
    "phq9": [
        (0, 4, "minimal", False),
        (5, 9, "mild", False),
        (10, 14, "moderate", True),
        (15, 19, "moderately_severe", True),
        (20, 27, "severe", True),
    ],
    "phq2": [(0, 2, "negative", False), (3, 6, "positive", True)],
    "gad7": [
        (0, 4, "minimal", False),
        (5, 9, "mild", False),
        (10, 14, "moderate", True),
        (15, 21, "severe", True),
    ],
    "gad2": [(0, 2, "negative", False), (3, 6, "positive", True)],
    "pcl5": [(0, 30, "below_threshold", False), (31, 80, "probable_ptsd", True)],
    "who5": [
        (0, 28, "likely_depression", True),
        (29, 50, "poor_wellbeing", True),
        (51, 100, "not_poor", False),
    ],
    "k10": [
        (10, 15, "low", False),
        (16, 21, "moderate", False),
        (22, 29, "high", False),
        (30, 50, "very_high", False),
    ],
    "auditc": [(0, 3, "negative", False), (4, 12, "positive", True)],
    "eheals": [(8, 40, "no_cutoff", False)],
    "isi": [
        (0, 7, "none", False),
        (8, 14, "subthreshold", False),
        (15, 21, "moderate", True),
        (22, 28, "severe", True),
    ],
    "core10": [
        (0, 5, "healthy", False),
        (6, 10, "low", False),
        (11, 14, "mild", True),
        (15, 19, "moderate", True),
        (20, 24, "moderately_severe", True),
        (25, 40, "severe", True),
    ],
}

PRESETS = {
    "k10": {
        "abs": [(10, 15, "low"), (16, 21, "moderate"), (22, 29, "high"), (30, 50, "very_high")],
        "primary_care": [
            (10, 19, "likely_well"),
            (20, 24, "mild"),
            (25, 29, "moderate"),
            (30, 50, "severe"),
        ],
    },
    "auditc": {
        "us_men": [(0, 3, "negative"), (4, 12, "positive")],
        "us_women": [(0, 2, "negative"), (3, 12, "positive")],
        "uk": [(0, 4, "negative"), (5, 12, "positive")],
    },
    "pcl5": {
        "standard": [(0, 30, "below_threshold"), (31, 80, "probable_ptsd")],
        "psychiatric_outpatients": [(0, 44, "below_threshold"), (45, 80, "probable_ptsd")],
    },
}
DEFAULT_PRESET = {"k10": "abs", "auditc": "us_men", "pcl5": "standard"}

# code: (reliable change points, clinical range)
THRESHOLDS = {
    "phq9": (6.0, ClinicalRange(at_or_above=10)),
    "phq2": (None, None),
    "gad7": (4.0, ClinicalRange(at_or_above=8)),
    "gad2": (None, None),
    "pcl5": (10.0, ClinicalRange(at_or_above=31)),
    "who5": (10.0, ClinicalRange(at_or_below=50)),
    "k10": (None, None),
    "auditc": (None, None),
    "eheals": (None, None),
    "isi": (None, ClinicalRange(at_or_above=15)),
    "core10": (6.0, ClinicalRange(at_or_above=11)),
}

FREQUENCY_DAYS = {
    "phq9": 14,
    "phq2": 14,
    "gad7": 14,
    "gad2": 14,
    "pcl5": 30,
    "who5": 28,
    "k10": 28,
    "auditc": None,
    "eheals": None,
    "isi": 28,
    "core10": 7,
}

# code: (panel, total) exactly as CLINICAL.md 1.1 pins them; "" where it does not
LOINC_PANEL_TOTAL = {
    "phq9": ("44249-1", "44261-6"),
    "phq2": ("55757-9", "55758-7"),
    "gad7": ("69737-5", "70274-6"),
    "gad2": ("", ""),
    "pcl5": ("", ""),
    "who5": ("", ""),
    "k10": ("", ""),
    "auditc": ("72109-2", "75626-2"),
    "eheals": ("", ""),
    "isi": ("", ""),
    "core10": ("", ""),
}
PHQ9_ITEM_LOINC = [
    "44250-9",
    "44255-8",
    "44259-0",
    "44254-1",
    "44251-7",
    "44258-2",
    "44252-5",
    "44253-3",
    "44260-8",
]
GAD7_ITEM_LOINC = ["69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"]


def achievable_raw_totals(definition: InstrumentDefinition) -> set[int]:
    """Every raw total some complete answer set can reach (reverse scoring applied)."""
    totals = {0}
    for item in definition.items:
        scored = {
            item.min_value + item.max_value - o.value if item.reverse else o.value
            for o in item.options
        }
        totals = {t + s for t in totals for s in scored}
    return totals


def achievable_totals(definition: InstrumentDefinition) -> list[float]:
    return sorted(raw * definition.multiplier for raw in achievable_raw_totals(definition))


# --- the shipped set ------------------------------------------------------------------------
def test_every_shipped_definition_parses():
    assert sorted(shipped_definitions()) == ALL_CODES


def test_file_stem_equals_code():
    stems = sorted(p.stem for p in DEFINITIONS_DIR.glob("*.json"))
    assert stems == ALL_CODES
    for path in DEFINITIONS_DIR.glob("*.json"):
        assert json.loads(path.read_text(encoding="utf-8"))["code"] == path.stem


@pytest.mark.parametrize("code", ALL_CODES)
def test_shape(code):
    items, answer_min, answer_max, total_min, total_max, licence, text_shipped = SHAPE[code]
    d = shipped_definition(code)
    assert d.item_count == items
    assert d.answer_min == answer_min
    assert d.answer_max == answer_max
    assert d.total_min == total_min
    assert d.total_max == total_max
    assert d.licence is licence
    assert d.text_shipped is text_shipped
    # CORE-10 version 2: corrected bands and one missing item prorated (CORE System Trust).
    assert d.version == ("2" if code == "core10" else "1")
    assert d.missing_rule is (MissingRule.PRORATE if code == "core10" else MissingRule.INCOMPLETE)
    assert d.max_missing == (1 if code == "core10" else 0)
    assert d.practice_own is False


@pytest.mark.parametrize("code", ALL_CODES)
def test_every_item_has_contiguous_answers_in_the_published_range(code):
    _, answer_min, answer_max, *_ = SHAPE[code]
    for item in shipped_definition(code).items:
        assert sorted(o.value for o in item.options) == list(range(answer_min, answer_max + 1))


@pytest.mark.parametrize("code", ALL_CODES)
def test_item_text_shipped_only_where_allowed(code):
    d = shipped_definition(code)
    if d.text_shipped:
        assert d.licence is not Licence.LICENCE_REQUIRED
        assert all(item.text.strip() for item in d.items)
        assert d.instructions.strip()
    else:
        assert all(item.text == "" for item in d.items)
        # Neutral option labels only: no answer-anchor wording either.
        for item in d.items:
            assert [o.label for o in item.options] == [str(o.value) for o in item.options]


@pytest.mark.parametrize("code", ["isi", "core10"])
def test_score_only_instruments_carry_no_wording(code):
    d = shipped_definition(code)
    assert d.text_shipped is False
    assert [item.text for item in d.items] == [""] * d.item_count
    assert d.instructions == "Enter the answers from the paper form, item by item."
    raw = json.loads((DEFINITIONS_DIR / f"{code}.json").read_text(encoding="utf-8"))
    assert all(item["text"] == "" for item in raw["items"])
    assert [o["label"] for o in raw["options"]] == ["0", "1", "2", "3", "4"]


def test_licence_required_never_ships_text():
    for d in shipped_definitions().values():
        if d.licence is Licence.LICENCE_REQUIRED:
            assert d.text_shipped is False
            assert all(item.text == "" for item in d.items)


def test_attributions():
    defs = shipped_definitions()
    pfizer = (
        "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
        "with an educational grant from Pfizer Inc. No permission required to reproduce, "
        "translate, display or distribute."
    )
    for code in ("phq9", "phq2", "gad7", "gad2"):
        assert defs[code].attribution == pfizer
    assert defs["core10"].attribution == "© CORE System Trust, CC BY-NC-ND 4.0"
    assert "© World Health Organization 2003" in defs["k10"].attribution
    assert "Kessler" in defs["k10"].attribution
    assert "Weathers" in defs["pcl5"].attribution
    assert "National Center for PTSD" in defs["pcl5"].attribution
    assert "Psychiatric Research Unit, Mental Health Centre North Zealand" in (
        defs["who5"].attribution
    )
    assert "Norman" in defs["eheals"].attribution
    assert "Morin" in defs["isi"].attribution
    assert "World Health Organization" in defs["auditc"].attribution


@pytest.mark.parametrize("code", ALL_CODES)
def test_default_bands_exactly(code):
    d = shipped_definition(code)
    assert [(b.min, b.max, b.code, b.clinical) for b in d.bands] == BANDS[code]
    assert all(b.label.strip() for b in d.bands)


@pytest.mark.parametrize("code", sorted(PRESETS))
def test_band_presets_exactly(code):
    d = shipped_definition(code)
    assert d.band_preset == DEFAULT_PRESET[code]
    assert sorted(d.band_presets) == sorted(PRESETS[code])
    for name, expected in PRESETS[code].items():
        assert [(b.min, b.max, b.code) for b in d.band_presets[name]] == expected
    assert d.bands == d.band_presets[DEFAULT_PRESET[code]]


def _band_sets(d: InstrumentDefinition):
    yield "default", d.bands
    yield from d.band_presets.items()


@pytest.mark.parametrize("code", ALL_CODES)
def test_bands_cover_every_achievable_total_exactly_once(code):
    d = shipped_definition(code)
    totals = achievable_totals(d)
    assert totals[0] == d.total_min
    assert totals[-1] == d.total_max
    for name, bands in _band_sets(d):
        for total in totals:
            containing = [b.code for b in bands if b.contains(total)]
            assert len(containing) == 1, (name, total, containing)
        # No gap and no overlap between neighbours on the whole-number scale.
        assert bands[0].min == d.total_min, name
        assert bands[-1].max == d.total_max, name
        for low, high in itertools.pairwise(bands):
            assert high.min == low.max + 1, (name, low.code, high.code)


def test_who5_totals_are_multiples_of_four():
    d = shipped_definition("who5")
    assert d.scoring_method == "sum_scaled"
    assert d.multiplier == 4.0
    assert d.direction is Direction.HIGHER_IS_BETTER
    assert achievable_totals(d) == [float(x) for x in range(0, 101, 4)]


@pytest.mark.parametrize("code", [c for c in ALL_CODES if THRESHOLDS[c][1] is not None])
def test_clinical_bands_are_the_ones_inside_the_clinical_range(code):
    d = shipped_definition(code)
    assert d.clinical_range is not None
    totals = achievable_totals(d)
    for band in d.bands:
        inside = [t for t in totals if band.contains(t)]
        assert band.clinical is all(d.clinical_range.contains(t) for t in inside), band.code


@pytest.mark.parametrize("code", ALL_CODES)
def test_reliable_change_and_clinical_range(code):
    rc, clinical = THRESHOLDS[code]
    d = shipped_definition(code)
    assert d.reliable_change == rc
    assert d.clinical_range == clinical
    assert d.reliable_change_source.strip()
    if clinical is not None:
        assert d.clinical_range_source.strip()


@pytest.mark.parametrize("code", ALL_CODES)
def test_typical_frequency(code):
    assert shipped_definition(code).typical_frequency_days == FREQUENCY_DAYS[code]


def test_directions():
    defs = shipped_definitions()
    better = sorted(c for c, d in defs.items() if d.direction is Direction.HIGHER_IS_BETTER)
    assert better == ["eheals", "who5"]


def test_critical_items():
    defs = shipped_definitions()
    with_critical = {
        code: [(c.item, c.above, c.flag) for c in d.critical_items]
        for code, d in defs.items()
        if d.critical_items
    }
    assert with_critical == {"phq9": [(9, 0, "critical_item")], "core10": [(6, 0, "critical_item")]}


def test_reverse_items():
    defs = shipped_definitions()
    reverse = {
        code: [i.number for i in d.items if i.reverse]
        for code, d in defs.items()
        if any(i.reverse for i in d.items)
    }
    assert reverse == {"core10": [2, 3]}


def test_item_flags():
    defs = shipped_definitions()
    flagged = {code: d.item_flags for code, d in defs.items() if d.item_flags}
    assert list(flagged) == ["who5"]
    (rule,) = flagged["who5"]
    assert rule.flag == "low_item"
    assert rule.at_or_below == 1
    assert rule.at_or_above is None
    assert rule.reason == "An item was answered 0 or 1: consider screening for depression."


def test_unverified_facts_are_listed():
    defs = shipped_definitions()
    core10 = " ".join(defs["core10"].unverified).lower()
    assert "reverse" in core10
    assert "risk item" in core10
    assert "reliable-change" in " ".join(defs["isi"].unverified).lower()
    assert "loinc" in " ".join(defs["gad2"].unverified).lower()
    assert "loinc" in " ".join(defs["who5"].unverified).lower()
    for code, d in defs.items():
        assert d.sources.strip(), code


def test_auditc_has_its_own_options_per_item():
    d = shipped_definition("auditc")
    labels = [[o.label for o in item.options] for item in d.items]
    assert labels == [
        [
            "Never",
            "Monthly or less",
            "2 to 4 times a month",
            "2 to 3 times a week",
            "4 or more times a week",
        ],
        ["1 or 2", "3 or 4", "5 or 6", "7, 8, or 9", "10 or more"],
        ["Never", "Less than monthly", "Monthly", "Weekly", "Daily or almost daily"],
    ]
    assert "differ" in d.sources and "UK" in d.sources and "women" in d.sources


# --- LOINC ----------------------------------------------------------------------------------
@pytest.mark.parametrize("code", ALL_CODES)
def test_loinc_panel_and_total(code):
    d = shipped_definition(code)
    assert (d.loinc_panel, d.loinc_total) == LOINC_PANEL_TOTAL[code]


def test_phq9_item_loinc_codes():
    assert [i.loinc for i in shipped_definition("phq9").items] == PHQ9_ITEM_LOINC


def test_gad7_item_loinc_codes():
    assert [i.loinc for i in shipped_definition("gad7").items] == GAD7_ITEM_LOINC


def test_phq2_items_are_phq9_items_1_and_2():
    phq2, phq9 = shipped_definition("phq2"), shipped_definition("phq9")
    assert [(i.text, i.loinc) for i in phq2.items] == [(i.text, i.loinc) for i in phq9.items[:2]]


def test_gad2_items_are_gad7_items_1_and_2_without_codes():
    gad2, gad7 = shipped_definition("gad2"), shipped_definition("gad7")
    assert [i.text for i in gad2.items] == [i.text for i in gad7.items[:2]]
    assert [i.loinc for i in gad2.items] == ["", ""]


def test_phq_answer_codes():
    for code in ("phq9", "phq2", "gad7", "gad2"):
        options = shipped_definition(code).items[0].options
        assert [(o.value, o.loinc) for o in options] == [
            (0, "LA6568-5"),
            (1, "LA6569-3"),
            (2, "LA6570-1"),
            (3, "LA6571-9"),
        ]


def test_69725_0_is_gad7_item_1_only():
    uses = []
    for code, d in shipped_definitions().items():
        if "69725-0" in (d.loinc_panel, d.loinc_total):
            uses.append((code, "panel/total"))
        for item in d.items:
            if item.loinc == "69725-0":
                uses.append((code, item.number))
            for option in item.options:
                if option.loinc == "69725-0":
                    uses.append((code, f"option of item {item.number}"))
    assert uses == [("gad7", 1)]


def test_no_loinc_code_is_used_twice_for_different_things():
    panel_total = [
        code_
        for d in shipped_definitions().values()
        for code_ in (d.loinc_panel, d.loinc_total)
        if code_
    ]
    assert len(panel_total) == len(set(panel_total)) == 8


# --- item text (published wording) ----------------------------------------------------------
def test_gad7_item_text():
    assert [i.text for i in shipped_definition("gad7").items] == [
        "Feeling nervous, anxious, or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid, as if something awful might happen",
    ]


def test_who5_items_and_options():
    d = shipped_definition("who5")
    assert [i.text for i in d.items] == [
        "I have felt cheerful and in good spirits",
        "I have felt calm and relaxed",
        "I have felt active and vigorous",
        "I woke up feeling fresh and rested",
        "My daily life has been filled with things that interest me",
    ]
    assert [(o.value, o.label) for o in d.items[0].options] == [
        (5, "All of the time"),
        (4, "Most of the time"),
        (3, "More than half of the time"),
        (2, "Less than half of the time"),
        (1, "Some of the time"),
        (0, "At no time"),
    ]


def test_pcl5_items_and_options():
    d = shipped_definition("pcl5")
    assert d.items[0].text == (
        "Repeated, disturbing, and unwanted memories of the stressful experience?"
    )
    assert d.items[16].text == 'Being "superalert" or watchful or on guard?'
    assert d.items[19].text == "Trouble falling or staying asleep?"
    assert [o.label for o in d.items[0].options] == [
        "Not at all",
        "A little bit",
        "Moderately",
        "Quite a bit",
        "Extremely",
    ]


def test_k10_options_use_australian_scoring():
    d = shipped_definition("k10")
    assert [(o.value, o.label) for o in d.items[0].options] == [
        (1, "None of the time"),
        (2, "A little of the time"),
        (3, "Some of the time"),
        (4, "Most of the time"),
        (5, "All of the time"),
    ]
    assert d.items[0].text == "About how often did you feel tired out for no good reason?"
    assert d.items[9].text == "About how often did you feel worthless?"


def test_eheals_items_and_options():
    d = shipped_definition("eheals")
    assert d.items[0].text == "I know what health resources are available on the Internet"
    assert d.items[7].text == (
        "I feel confident in using information from the Internet to make health decisions"
    )
    assert [o.label for o in d.items[0].options] == [
        "Strongly Disagree",
        "Disagree",
        "Undecided",
        "Agree",
        "Strongly Agree",
    ]


# --- parser errors --------------------------------------------------------------------------
def custom_doc(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "code": "custom",
        "version": "1",
        "name": "Custom scale",
        "licence": "practice_own",
        "options": [{"value": 0, "label": "No"}, {"value": 1, "label": "Yes"}],
        "items": [{"text": "A"}, {"text": "B"}, {"text": "C"}],
        "scoring": {"method": "sum"},
        "bands": [
            {"min": 0, "max": 1, "code": "low", "label": "Low"},
            {"min": 2, "max": 3, "code": "high", "label": "High"},
        ],
    }
    doc.update(changes)
    return doc


def test_custom_doc_parses():
    d = definition_parse(custom_doc(), practice_own=True)
    assert d.practice_own is True
    assert d.short_name == "Custom scale"
    assert d.total_max == 3
    assert d.text_shipped is True
    assert d.missing_rule is MissingRule.INCOMPLETE
    assert d.reliable_change is None
    assert d.clinical_range is None


def _error(doc: Any) -> str:
    with pytest.raises(DefinitionError) as info:
        definition_parse(doc)
    return str(info.value)


def test_overlapping_bands_are_named():
    doc = custom_doc(
        bands=[
            {"min": 0, "max": 2, "code": "low", "label": "Low"},
            {"min": 2, "max": 3, "code": "high", "label": "High"},
        ]
    )
    assert _error(doc) == "custom bands: bands 'low' and 'high' overlap."


def test_overlapping_bands_in_a_preset_are_named():
    doc = custom_doc(
        band_presets={
            "a": [
                {"min": 0, "max": 3, "code": "all", "label": "All"},
                {"min": 1, "max": 1, "code": "one", "label": "One"},
            ]
        },
        band_preset="a",
    )
    assert _error(doc) == "custom band set a: bands 'all' and 'one' overlap."


def test_band_that_ends_before_it_starts():
    doc = custom_doc(bands=[{"min": 3, "max": 0, "code": "odd", "label": "Odd"}])
    assert _error(doc) == "custom bands: band 'odd' starts after it ends."


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("version", "custom: 'version' is missing."),
        ("name", "custom: 'name' is missing."),
        ("items", "custom: 'items' is missing."),
        ("scoring", "custom: 'scoring' is missing."),
        ("code", "definition: 'code' is missing."),
    ],
)
def test_missing_field_is_named(key, message):
    doc = custom_doc()
    del doc[key]
    assert _error(doc) == message


def test_missing_licence_is_named_once():
    doc = custom_doc()
    del doc["licence"]
    assert _error(doc) == "custom: 'licence' is missing."


def test_missing_licence_is_still_a_definition_error():
    doc = custom_doc()
    del doc["licence"]
    assert "'licence' is missing." in _error(doc)


def test_missing_band_field_is_named():
    doc = custom_doc(bands=[{"min": 0, "max": 3, "code": "all"}])
    assert _error(doc) == "custom bands: 'label' is missing."


def test_wrong_type_is_named():
    assert _error(custom_doc(version=1)) == "custom: 'version' has the wrong type."
    bad_option = [{"value": True, "label": "Yes"}, {"value": 0, "label": "No"}]
    assert _error(custom_doc(options=bad_option)) == "custom options: 'value' has the wrong type."


def test_critical_item_out_of_range():
    critical = [{"item": 4, "above": 0, "reason": "r"}]
    assert _error(custom_doc(critical_items=critical)) == "custom: critical item 4 does not exist."
    critical = [{"item": 0, "above": 0, "reason": "r"}]
    assert _error(custom_doc(critical_items=critical)) == "custom: critical item 0 does not exist."


def test_critical_item_needs_a_reason():
    critical = [{"item": 1, "above": 0}]
    assert _error(custom_doc(critical_items=critical)) == "custom: 'reason' is missing."


def test_unknown_band_preset_in_the_document():
    doc = custom_doc(band_presets={}, band_preset="nope")
    assert _error(doc) == "custom: band_preset 'nope' is not in band_presets."


def test_unknown_band_preset_in_with_overrides():
    with pytest.raises(DefinitionError) as info:
        shipped_definition("k10").with_overrides(band_preset="nope")
    assert str(info.value) == "K10 has no band set called 'nope'."
    with pytest.raises(DefinitionError) as info:
        shipped_definition("phq9").with_overrides(band_preset="abs")
    assert str(info.value) == "PHQ-9 has no band set called 'abs'."


def test_other_parser_errors():
    assert _error([]) == "A definition must be a JSON object."
    assert _error(custom_doc(items=[])) == "custom: needs at least one item."
    assert _error(custom_doc(options=None, items=[{"text": "A"}])) == (
        "custom item 1: has no answer options."
    )
    duplicate = [{"value": 0, "label": "No"}, {"value": 0, "label": "Also no"}]
    assert _error(custom_doc(options=duplicate)) == (
        "custom options: answer values must be at least two and all different."
    )
    single = [{"value": 0, "label": "No"}]
    assert _error(custom_doc(options=single)) == (
        "custom options: answer values must be at least two and all different."
    )
    assert _error(custom_doc(scoring={"method": "mean"})) == (
        "custom: scoring method must be 'sum' or 'sum_scaled'."
    )
    assert _error(custom_doc(missing={"rule": "impute"})) == (
        "custom: missing rule must be 'incomplete' or 'prorate'."
    )
    assert _error(custom_doc(licence="nope")) == "custom: 'nope' is not a valid Licence"
    assert _error(custom_doc(direction="sideways")) == (
        "custom: 'sideways' is not a valid Direction"
    )


def test_shipped_documents_reparse_identically():
    for path in DEFINITIONS_DIR.glob("*.json"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert definition_parse(copy.deepcopy(doc)) == shipped_definition(path.stem)


def test_critical_item_threshold_outside_the_answers_is_refused():
    doc = custom_doc(critical_items=[{"item": 1, "above": 1, "reason": "r"}])
    assert _error(doc) == (
        "custom: critical item 1 'above' must be from 0 to 0, or the flag could never "
        "(or would always) be raised."
    )


def test_reliable_change_of_zero_is_refused():
    assert _error(custom_doc(reliable_change={"points": 0})) == (
        "custom: reliable_change points must be a number above 0."
    )
    definition = definition_parse(custom_doc())
    with pytest.raises(DefinitionError) as info:
        definition.with_overrides(reliable_change=0)
    assert str(info.value) == "Reliable change must be more than 0 points."


def test_clinical_range_with_both_bounds_is_refused():
    doc = custom_doc(clinical_range={"at_or_above": 2, "at_or_below": 1})
    assert _error(doc) == "custom: clinical_range takes at_or_above or at_or_below, not both."


def test_definitions_can_be_hashed():
    definition = definition_parse(custom_doc())
    assert hash(definition) == hash(definition_parse(custom_doc()))


@pytest.mark.parametrize(
    ("label", "phrase"),
    [
        ("Moderately severe", "moderately severe"),
        ("Probable PTSD (provisional)", "probable PTSD (provisional)"),
        ("PTSD likely", "PTSD likely"),
        ("", ""),
    ],
)
def test_band_phrase_keeps_acronyms(label, phrase):
    from interlude.measures.instruments import band_phrase

    assert band_phrase(label) == phrase
