"""Change that means something: Jacobson-Truax reliable change and the not-on-track rule.

Pure functions (CLINICAL.md 2.1 and 2.2). Thresholds are points on the instrument's reported total;
a practice may set them directly (e.g. IAPT's 6 for PHQ-9) or derive one from local norms with
`jt_threshold_points` (the Christensen & Mendoza standard error of the difference, with the √2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from interlude.measures.instruments import ClinicalRange, Direction


class Classification(StrEnum):
    RECOVERED = "recovered"
    IMPROVED = "reliably_improved"
    NO_CHANGE = "no_reliable_change"
    DETERIORATED = "reliably_deteriorated"
    BASELINE = "baseline"  # the first answer: nothing to compare with yet
    NOT_AVAILABLE = "not_available"  # no reliable-change threshold for this instrument

    @property
    def label(self) -> str:
        return CLASSIFICATION_LABELS[self]


CLASSIFICATION_LABELS = {
    Classification.RECOVERED: "Recovered",
    Classification.IMPROVED: "Reliably improved",
    Classification.NO_CHANGE: "No reliable change",
    Classification.DETERIORATED: "Reliably deteriorated",
    Classification.BASELINE: "Baseline",
    Classification.NOT_AVAILABLE: "No reliable-change threshold",
}


class TrackStatus(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    NOT_ON_TRACK = "not_on_track"

    @property
    def label(self) -> str:
        return {
            TrackStatus.ON_TRACK: "On track",
            TrackStatus.AT_RISK: "At risk",
            TrackStatus.NOT_ON_TRACK: "Not on track",
        }[self]

    @property
    def rank(self) -> int:
        """Higher needs attention sooner (for sorting the caseload)."""
        return {TrackStatus.ON_TRACK: 0, TrackStatus.AT_RISK: 1, TrackStatus.NOT_ON_TRACK: 2}[self]


def jt_threshold_points(*, sd_pre: float, reliability: float, z: float = 1.96) -> float:
    """The smallest raw change that counts as reliable: z * S_diff (Jacobson & Truax 1991).

    S_diff = sqrt(2 * SE^2) with SE = SD_pre * sqrt(1 - r_xx). A change counts when |change|
    exceeds this number (|RCI| > 1.96).
    """
    if sd_pre <= 0:
        raise ValueError("The baseline standard deviation must be greater than 0.")
    if not 0 <= reliability < 1:
        raise ValueError("Reliability must be at least 0 and less than 1.")
    se = sd_pre * math.sqrt(1 - reliability)
    return z * math.sqrt(2 * se**2)


def jt_whole_points(threshold: float) -> int:
    """On whole-point scores, the smallest change that exceeds `threshold` (|RCI| > 1.96)."""
    return int(threshold) + 1


def jt_cutoff_c(*, mean_clin: float, sd_clin: float, mean_norm: float, sd_norm: float) -> float:
    """Criterion c: the weighted midpoint between the clinical and functional populations."""
    return (sd_clin * mean_norm + sd_norm * mean_clin) / (sd_clin + sd_norm)


def improvement(*, before: float, after: float, direction: Direction) -> float:
    """Change in the direction of getting better (positive = better) for either kind of scale."""
    change = after - before
    return change if direction is Direction.HIGHER_IS_BETTER else -change


@dataclass(frozen=True)
class ChangeResult:
    classification: Classification
    change: float  # after - before on the reported total (sign as on the scale)
    reliable_change: float | None
    explanation: str  # one sentence for the clinician


def classify(
    *,
    baseline: float,
    current: float,
    direction: Direction,
    reliable_change: float | None,
    clinical_range: ClinicalRange | None,
    short_name: str = "",
) -> ChangeResult:
    """Jacobson-Truax classification of `current` against `baseline`.

    Reliable when the change is at least `reliable_change` points (CLINICAL.md 1.4 words the
    published thresholds as "a decrease of 6 or more"). Recovered = reliably improved AND moved from
    the clinical range at baseline to outside it now. Direction is flipped for high-is-good scales.
    """
    change = current - baseline
    name = f"{short_name} " if short_name else ""
    if reliable_change is None:
        return ChangeResult(
            Classification.NOT_AVAILABLE,
            change,
            None,
            f"{name}has no published reliable-change threshold; the change is shown as it is.",
        )
    better = improvement(before=baseline, after=current, direction=direction)
    threshold = _num(reliable_change)
    if better >= reliable_change:
        crossed = (
            clinical_range is not None
            and clinical_range.contains(baseline)
            and not clinical_range.contains(current)
        )
        if crossed:
            assert clinical_range is not None
            return ChangeResult(
                Classification.RECOVERED,
                change,
                reliable_change,
                f"Improved by {_num(abs(change))} (reliable change is {threshold} or more) and "
                f"moved out of the clinical range ({clinical_range.describe()}).",
            )
        return ChangeResult(
            Classification.IMPROVED,
            change,
            reliable_change,
            f"Improved by {_num(abs(change))}; reliable change is {threshold} or more.",
        )
    if -better >= reliable_change:
        return ChangeResult(
            Classification.DETERIORATED,
            change,
            reliable_change,
            f"Worse by {_num(abs(change))}; reliable change is {threshold} or more.",
        )
    return ChangeResult(
        Classification.NO_CHANGE,
        change,
        reliable_change,
        f"Changed by {_num(abs(change))}, less than the {threshold} needed for a reliable change."
        if change
        else "No change.",
    )


@dataclass(frozen=True)
class TrackResult:
    status: TrackStatus
    reason: str


def track_status(
    *,
    classification: Classification,
    administrations: int,
    at_risk_after: int,
    current: float,
    clinical_range: ClinicalRange | None,
    short_name: str,
) -> TrackResult:
    """The transparent fallback of CLINICAL.md 2.2 (no proprietary curves).

    - not on track: reliably worse than at the start (red);
    - at risk: no reliable improvement by the `at_risk_after`-th administration (yellow);
    - on track otherwise, including when the score is outside the clinical range.
    `administrations` counts every scored answer set so far, the first (baseline) included.
    """
    if classification is Classification.DETERIORATED:
        return TrackResult(
            TrackStatus.NOT_ON_TRACK, f"{short_name} is reliably worse than at the start."
        )
    if classification is Classification.BASELINE:
        return TrackResult(
            TrackStatus.ON_TRACK, f"First {short_name}: this sets the starting point."
        )
    if classification is Classification.NOT_AVAILABLE:
        return TrackResult(
            TrackStatus.ON_TRACK,
            f"{short_name} has no reliable-change threshold, so progress is not rated.",
        )
    if clinical_range is not None and not clinical_range.contains(current):
        return TrackResult(TrackStatus.ON_TRACK, f"{short_name} is outside the clinical range now.")
    if classification in (Classification.RECOVERED, Classification.IMPROVED):
        return TrackResult(TrackStatus.ON_TRACK, f"{short_name} has reliably improved.")
    if administrations >= at_risk_after:
        return TrackResult(
            TrackStatus.AT_RISK,
            f"No reliable improvement in {short_name} after {administrations} answers "
            f"(expected by answer {at_risk_after}).",
        )
    return TrackResult(
        TrackStatus.ON_TRACK,
        f"{administrations} {short_name} answers so far; reliable improvement is not expected "
        f"before answer {at_risk_after}.",
    )


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
