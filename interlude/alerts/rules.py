"""Pure alert rules over plain values (no ORM), so each can be tested exhaustively.

Sharp mood drop (documented in docs/clinical.md): take the client's daily mean mood (0-10, local
days). The recent window is the last `recent_days` days up to and including today; the baseline is
the `baseline_days` days before it. Raise when the baseline has at least `min_baseline_days` days
with a check-in, the recent window has at least 2, and

    baseline mean - recent mean >= max(min_points, sd_multiplier * baseline SD)

i.e. a drop both large in points and unusual for this person (their own day-to-day spread).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class MoodDrop:
    baseline_mean: float
    baseline_sd: float
    baseline_days: int
    recent_mean: float
    recent_days: int
    threshold: float

    @property
    def drop(self) -> float:
        return self.baseline_mean - self.recent_mean

    def reason(self) -> str:
        return (
            f"Mood averaged {self.recent_mean:.1f} over the last {self.recent_days} days with a "
            f"check-in, against {self.baseline_mean:.1f} (SD {self.baseline_sd:.1f}, "
            f"{self.baseline_days} days) before: a drop of {self.drop:.1f} points "
            f"(rule: {self.threshold:.1f} or more)."
        )


def mood_drop(
    *,
    daily_means: dict[date, float],
    today: date,
    recent_days: int = 3,
    baseline_days: int = 28,
    min_baseline_days: int = 10,
    sd_multiplier: float = 1.5,
    min_points: float = 2.0,
) -> MoodDrop | None:
    recent_start = today - timedelta(days=recent_days - 1)
    baseline_start = recent_start - timedelta(days=baseline_days)
    recent = [v for d, v in daily_means.items() if recent_start <= d <= today]
    baseline = [v for d, v in daily_means.items() if baseline_start <= d < recent_start]
    if len(baseline) < min_baseline_days or len(recent) < 2:
        return None
    base_mean = statistics.fmean(baseline)
    base_sd = statistics.stdev(baseline) if len(baseline) > 1 else 0.0
    recent_mean = statistics.fmean(recent)
    threshold = max(min_points, sd_multiplier * base_sd)
    if base_mean - recent_mean >= threshold:
        return MoodDrop(
            baseline_mean=base_mean,
            baseline_sd=base_sd,
            baseline_days=len(baseline),
            recent_mean=recent_mean,
            recent_days=len(recent),
            threshold=threshold,
        )
    return None


# A client's message matched the risk phrases (messaging/risk_phrases.py). The reason never quotes
# the message: the alert says where to look, the thread (behind the gate) says what was written.
MESSAGE_RISK_REASON = (
    "A message from the client contains words that can suggest immediate risk of suicide or "
    "self-harm. Read the message thread and contact the client today. The words were matched "
    "against a phrase list: this is not an assessment."
)
