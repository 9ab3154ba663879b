"""Jacobson-Truax classification and the not-on-track rule, with CLINICAL.md's thresholds."""

from __future__ import annotations

import math

import pytest

from interlude.measures.change import (
    Classification,
    TrackStatus,
    classify,
    improvement,
    jt_cutoff_c,
    jt_threshold_points,
    track_status,
)
from interlude.measures.instruments import (
    ClinicalRange,
    Direction,
    InstrumentDefinition,
    shipped_definition,
)

C = Classification


def classify_with(definition: InstrumentDefinition, baseline: float, current: float):
    return classify(
        baseline=baseline,
        current=current,
        direction=definition.direction,
        reliable_change=definition.reliable_change,
        clinical_range=definition.clinical_range,
        short_name=definition.short_name,
    )


def classify_code(code: str, baseline: float, current: float):
    return classify_with(shipped_definition(code), baseline, current)


# --- PHQ-9: reliable change 6, caseness 10 --------------------------------------------------
@pytest.mark.parametrize(
    ("baseline", "current", "expected", "change"),
    [
        (16, 10, C.IMPROVED, -6),  # exactly 6 counts; 10 is still in the clinical range
        (16, 11, C.NO_CHANGE, -5),
        (12, 6, C.RECOVERED, -6),  # crossed below 10
        (10, 4, C.RECOVERED, -6),
        (9, 3, C.IMPROVED, -6),  # baseline not in the clinical range: not "recovered"
        (8, 14, C.DETERIORATED, 6),
        (8, 13, C.NO_CHANGE, 5),
        (16, 16, C.NO_CHANGE, 0),
        (27, 0, C.RECOVERED, -27),
        (0, 27, C.DETERIORATED, 27),
    ],
)
def test_phq9(baseline, current, expected, change):
    result = classify_code("phq9", baseline, current)
    assert result.classification is expected
    assert result.change == change
    assert result.reliable_change == 6


def test_phq9_explanations():
    assert classify_code("phq9", 16, 10).explanation == (
        "Improved by 6; reliable change is 6 or more."
    )
    assert classify_code("phq9", 16, 11).explanation == (
        "Changed by 5, less than the 6 needed for a reliable change."
    )
    assert classify_code("phq9", 12, 6).explanation == (
        "Improved by 6 (reliable change is 6 or more) and moved out of the clinical range "
        "(10 or more)."
    )
    assert classify_code("phq9", 8, 14).explanation == ("Worse by 6; reliable change is 6 or more.")
    assert classify_code("phq9", 16, 16).explanation == "No change."
    assert classify_code("phq9", 13, 14).explanation == (
        "Changed by 1, less than the 6 needed for a reliable change."
    )


# --- GAD-7: reliable change 4, caseness 8 ---------------------------------------------------
@pytest.mark.parametrize(
    ("baseline", "current", "expected"),
    [
        (10, 6, C.RECOVERED),  # 4 points and below 8
        (10, 7, C.NO_CHANGE),  # 3 points
        (12, 8, C.IMPROVED),  # 8 is still caseness
        (11, 7, C.RECOVERED),
        (7, 3, C.IMPROVED),  # not a case at baseline
        (10, 14, C.DETERIORATED),
        (10, 13, C.NO_CHANGE),
        (3, 7, C.DETERIORATED),
    ],
)
def test_gad7(baseline, current, expected):
    result = classify_code("gad7", baseline, current)
    assert result.classification is expected
    assert result.reliable_change == 4


def test_gad7_recovered_explanation():
    assert classify_code("gad7", 10, 6).explanation == (
        "Improved by 4 (reliable change is 4 or more) and moved out of the clinical range "
        "(8 or more)."
    )


# --- WHO-5: higher is better, reliable change 10, clinical range 50 or less -----------------
@pytest.mark.parametrize(
    ("baseline", "current", "expected", "change"),
    [
        (40, 52, C.RECOVERED, 12),  # 12 >= 10 and left the 50-or-less range
        (60, 48, C.DETERIORATED, -12),
        (44, 52, C.NO_CHANGE, 8),
        (52, 44, C.NO_CHANGE, -8),
        (28, 40, C.IMPROVED, 12),  # still 50 or less
        (52, 64, C.IMPROVED, 12),  # was never in the clinical range
        (48, 60, C.RECOVERED, 12),
        (0, 100, C.RECOVERED, 100),
        (100, 0, C.DETERIORATED, -100),
    ],
)
def test_who5(baseline, current, expected, change):
    result = classify_code("who5", baseline, current)
    assert result.classification is expected
    assert result.change == change


def test_who5_explanations():
    assert classify_code("who5", 40, 52).explanation == (
        "Improved by 12 (reliable change is 10 or more) and moved out of the clinical range "
        "(50 or less)."
    )
    assert classify_code("who5", 60, 48).explanation == (
        "Worse by 12; reliable change is 10 or more."
    )
    assert classify_code("who5", 44, 52).explanation == (
        "Changed by 8, less than the 10 needed for a reliable change."
    )


# --- CORE-10: reliable change 6, cutoff 11 --------------------------------------------------
@pytest.mark.parametrize(
    ("baseline", "current", "expected"),
    [
        (15, 9, C.RECOVERED),
        (15, 10, C.NO_CHANGE),  # below 11 but only 5 points
        (20, 14, C.IMPROVED),  # 14 is still 11 or more
        (16, 10, C.RECOVERED),
        (10, 4, C.IMPROVED),
        (10, 16, C.DETERIORATED),
        (10, 15, C.NO_CHANGE),
    ],
)
def test_core10(baseline, current, expected):
    result = classify_code("core10", baseline, current)
    assert result.classification is expected
    assert result.reliable_change == 6


# --- PCL-5: reliable change 10, provisional threshold 31 ------------------------------------
@pytest.mark.parametrize(
    ("baseline", "current", "expected"),
    [
        (50, 40, C.IMPROVED),
        (40, 30, C.RECOVERED),
        (40, 31, C.NO_CHANGE),
        (20, 30, C.DETERIORATED),
    ],
)
def test_pcl5(baseline, current, expected):
    assert classify_code("pcl5", baseline, current).classification is expected


# --- no reliable-change threshold -----------------------------------------------------------
@pytest.mark.parametrize("code", ["phq2", "gad2", "k10", "auditc", "eheals", "isi"])
def test_no_threshold_is_not_available(code):
    d = shipped_definition(code)
    low, high = int(d.total_min), int(d.total_max)
    result = classify_with(d, high, low)
    assert result.classification is C.NOT_AVAILABLE
    assert result.change == low - high
    assert result.reliable_change is None
    assert result.explanation == (
        f"{d.short_name} has no published reliable-change threshold; the change is shown as it is."
    )


def test_classification_labels():
    assert [c.label for c in Classification] == [
        "Recovered",
        "Reliably improved",
        "No reliable change",
        "Reliably deteriorated",
        "Baseline",
        "No reliable-change threshold",
    ]
    assert C.IMPROVED.value == "reliably_improved"
    assert C.DETERIORATED.value == "reliably_deteriorated"


def test_improvement_direction():
    assert improvement(before=16, after=10, direction=Direction.HIGHER_IS_WORSE) == 6
    assert improvement(before=10, after=16, direction=Direction.HIGHER_IS_WORSE) == -6
    assert improvement(before=40, after=52, direction=Direction.HIGHER_IS_BETTER) == 12
    assert improvement(before=52, after=40, direction=Direction.HIGHER_IS_BETTER) == -12


def test_classify_without_a_clinical_range_never_says_recovered():
    result = classify(
        baseline=30,
        current=0,
        direction=Direction.HIGHER_IS_WORSE,
        reliable_change=6,
        clinical_range=None,
    )
    assert result.classification is C.IMPROVED


# --- Jacobson-Truax from local norms --------------------------------------------------------
def test_jt_threshold_points_by_hand():
    # SD 5, r 0.84: SE = 5 * sqrt(0.16) = 2; S_diff = sqrt(2 * 2^2) = 2.8284271...;
    # 1.96 * S_diff = 5.5437171...
    assert jt_threshold_points(sd_pre=5, reliability=0.84) == pytest.approx(
        5.543717164502533, abs=1e-12
    )
    assert jt_threshold_points(sd_pre=5, reliability=0.84) == pytest.approx(
        1.96 * math.sqrt(8), abs=1e-12
    )


def test_jt_threshold_points_other_values():
    # r 0: SE = SD, threshold = 1.96 * sqrt(2) * SD.
    assert jt_threshold_points(sd_pre=10, reliability=0) == pytest.approx(
        27.718585822512665, abs=1e-12
    )
    # SD 4, r 0.75: SE = 2, same S_diff as above.
    assert jt_threshold_points(sd_pre=4, reliability=0.75) == pytest.approx(
        5.543717164502533, abs=1e-12
    )
    # A different z (90% two-tailed).
    assert jt_threshold_points(sd_pre=5, reliability=0.84, z=1.645) == pytest.approx(
        1.645 * math.sqrt(8), abs=1e-12
    )


@pytest.mark.parametrize("sd_pre", [0, -1, -0.5])
def test_jt_threshold_points_needs_a_positive_sd(sd_pre):
    with pytest.raises(ValueError) as info:
        jt_threshold_points(sd_pre=sd_pre, reliability=0.8)
    assert str(info.value) == "The baseline standard deviation must be greater than 0."


@pytest.mark.parametrize("reliability", [1, 1.2, -0.1])
def test_jt_threshold_points_needs_reliability_below_one(reliability):
    with pytest.raises(ValueError) as info:
        jt_threshold_points(sd_pre=5, reliability=reliability)
    assert str(info.value) == "Reliability must be at least 0 and less than 1."


def test_jt_threshold_points_used_as_a_practice_threshold():
    threshold = jt_threshold_points(sd_pre=5, reliability=0.84)
    d = shipped_definition("phq9").with_overrides(reliable_change=threshold)
    assert classify_with(d, 16, 11).classification is C.NO_CHANGE  # 5 < 5.54
    assert classify_with(d, 16, 10).classification is C.IMPROVED  # 6 > 5.54
    assert classify_with(d, 16, 10).explanation == (
        "Improved by 6; reliable change is 5.54372 or more."
    )


def test_jt_cutoff_c():
    # (6 * 6 + 4 * 18) / (6 + 4) = 108 / 10 = 10.8
    assert jt_cutoff_c(mean_clin=18, sd_clin=6, mean_norm=6, sd_norm=4) == pytest.approx(
        10.8, abs=1e-12
    )
    # Equal SDs: the plain midpoint.
    assert jt_cutoff_c(mean_clin=20, sd_clin=5, mean_norm=10, sd_norm=5) == 15
    # High-is-good scale: same formula, the midpoint sits between the means.
    assert jt_cutoff_c(mean_clin=40, sd_clin=10, mean_norm=70, sd_norm=20) == 50


# --- not-on-track ---------------------------------------------------------------------------
PHQ9_RANGE = ClinicalRange(at_or_above=10)


def track(classification, administrations=5, current=15, clinical_range=PHQ9_RANGE):
    return track_status(
        classification=classification,
        administrations=administrations,
        at_risk_after=8,
        current=current,
        clinical_range=clinical_range,
        short_name="PHQ-9",
    )


def test_deteriorated_is_not_on_track():
    result = track(C.DETERIORATED, administrations=2, current=20)
    assert result.status is TrackStatus.NOT_ON_TRACK
    assert result.reason == "PHQ-9 is reliably worse than at the start."
    # Even outside the clinical range or late in treatment.
    assert track(C.DETERIORATED, administrations=12, current=7).status is (TrackStatus.NOT_ON_TRACK)


def test_baseline_is_on_track():
    result = track(C.BASELINE, administrations=1)
    assert result.status is TrackStatus.ON_TRACK
    assert result.reason == "First PHQ-9: this sets the starting point."


def test_not_available_is_on_track():
    result = track_status(
        classification=C.NOT_AVAILABLE,
        administrations=10,
        at_risk_after=8,
        current=30,
        clinical_range=None,
        short_name="K10",
    )
    assert result.status is TrackStatus.ON_TRACK
    assert result.reason == "K10 has no reliable-change threshold, so progress is not rated."


def test_outside_the_clinical_range_is_on_track():
    result = track(C.NO_CHANGE, administrations=12, current=9)
    assert result.status is TrackStatus.ON_TRACK
    assert result.reason == "PHQ-9 is outside the clinical range now."


def test_who5_outside_the_clinical_range_is_on_track():
    result = track_status(
        classification=C.NO_CHANGE,
        administrations=12,
        at_risk_after=8,
        current=52,
        clinical_range=ClinicalRange(at_or_below=50),
        short_name="WHO-5",
    )
    assert result.status is TrackStatus.ON_TRACK
    assert result.reason == "WHO-5 is outside the clinical range now."


def test_reliably_improved_is_on_track():
    result = track(C.IMPROVED, administrations=12, current=12)
    assert result.status is TrackStatus.ON_TRACK
    assert result.reason == "PHQ-9 has reliably improved."


def test_no_improvement_by_the_expected_answer_is_at_risk():
    result = track(C.NO_CHANGE, administrations=8, current=15)
    assert result.status is TrackStatus.AT_RISK
    assert (
        result.reason == "No reliable improvement in PHQ-9 after 8 answers (expected by answer 8)."
    )
    later = track(C.NO_CHANGE, administrations=11, current=15)
    assert later.status is TrackStatus.AT_RISK
    assert later.reason == (
        "No reliable improvement in PHQ-9 after 11 answers (expected by answer 8)."
    )


def test_before_the_expected_answer_is_on_track():
    result = track(C.NO_CHANGE, administrations=7, current=15)
    assert result.status is TrackStatus.ON_TRACK
    assert result.reason == (
        "7 PHQ-9 answers so far; reliable improvement is not expected before answer 8."
    )


def test_no_clinical_range_still_rates_progress():
    result = track(C.NO_CHANGE, administrations=8, current=3, clinical_range=None)
    assert result.status is TrackStatus.AT_RISK


def test_track_status_labels_and_rank():
    assert [(s.label, s.rank) for s in TrackStatus] == [
        ("On track", 0),
        ("At risk", 1),
        ("Not on track", 2),
    ]


# --- practice overrides change the classification --------------------------------------------
def test_override_reliable_change():
    d = shipped_definition("phq9")
    assert classify_with(d, 16, 11).classification is C.NO_CHANGE
    practice = d.with_overrides(reliable_change=5)
    assert practice.reliable_change == 5
    assert practice.reliable_change_source == "practice setting"
    assert classify_with(practice, 16, 11).classification is C.IMPROVED
    assert classify_with(practice, 14, 9).classification is C.RECOVERED
    # The shipped definition is unchanged.
    assert shipped_definition("phq9").reliable_change == 6


def test_override_reliable_change_on_an_instrument_without_one():
    d = shipped_definition("k10")
    assert classify_with(d, 30, 20).classification is C.NOT_AVAILABLE
    practice = d.with_overrides(reliable_change=8)
    assert classify_with(practice, 30, 20).classification is C.IMPROVED
    assert classify_with(practice, 20, 28).classification is C.DETERIORATED


def test_override_clinical_cutoff_gad7_spitzer():
    d = shipped_definition("gad7")
    assert classify_with(d, 12, 8).classification is C.IMPROVED
    spitzer = d.with_overrides(clinical_cutoff=10)
    assert spitzer.clinical_range == ClinicalRange(at_or_above=10)
    assert spitzer.clinical_range_source == "practice setting"
    assert classify_with(spitzer, 12, 8).classification is C.RECOVERED
    # Baseline 9 is a case at 8 but not at 10.
    assert classify_with(d, 9, 5).classification is C.RECOVERED
    assert classify_with(spitzer, 9, 5).classification is C.IMPROVED


def test_override_clinical_cutoff_on_a_higher_is_better_scale():
    d = shipped_definition("who5")
    assert classify_with(d, 36, 48).classification is C.IMPROVED
    practice = d.with_overrides(clinical_cutoff=40)
    assert practice.clinical_range == ClinicalRange(at_or_below=40)
    assert classify_with(practice, 36, 48).classification is C.RECOVERED


def test_override_band_preset():
    from interlude.measures.scoring import score

    pcl5 = shipped_definition("pcl5")
    outpatients = pcl5.with_overrides(band_preset="psychiatric_outpatients")
    answers = [2] * 20  # total 40
    default_band = score(pcl5, answers).band
    outpatient_band = score(outpatients, answers).band
    assert default_band is not None and default_band.code == "probable_ptsd"
    assert outpatient_band is not None and outpatient_band.code == "below_threshold"
    assert outpatients.band_preset == "psychiatric_outpatients"
    # The band set does not move the clinical range: that is a separate practice setting.
    assert outpatients.clinical_range == pcl5.clinical_range
    stricter = outpatients.with_overrides(clinical_cutoff=45)
    assert classify_with(pcl5, 50, 40).classification is C.IMPROVED
    assert classify_with(stricter, 50, 40).classification is C.RECOVERED

    k10 = shipped_definition("k10").with_overrides(band_preset="primary_care")
    band = score(k10, [2] * 10).band
    assert band is not None and band.code == "mild"

    auditc = shipped_definition("auditc")
    women = auditc.with_overrides(band_preset="us_women")
    men_band = score(auditc, [1, 1, 1]).band
    women_band = score(women, [1, 1, 1]).band
    assert men_band is not None and men_band.code == "negative"
    assert women_band is not None and women_band.code == "positive"


def test_override_with_the_current_preset_changes_nothing():
    d = shipped_definition("k10")
    assert d.with_overrides(band_preset="abs") == d
    assert d.with_overrides() == d
