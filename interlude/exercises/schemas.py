"""Pydantic models for worksheet data: what is encrypted in `ThoughtRecord.content`, and the
values each worksheet write accepts (the JSON API takes these as request bodies, so a value out of
range answers 422 naming the field; the HTML views build the same models from their forms).

No queries here. Services in worksheets_services.py re-validate and apply the rules that need the
database (idempotency, one diary entry per night).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from interlude.core.validation import PastDate, PastDateTime, PlannedDate, TimeOfDay
from interlude.exercises.distortions import DISTORTION_CODES
from interlude.exercises.models import LifeArea

Rating100 = Annotated[int, Field(ge=0, le=100)]
Rating10 = Annotated[int, Field(ge=0, le=10)]
MAX_THOUGHTS = 3
MAX_EMOTIONS = 6

# Feelings offered in the thought record (clients can add their own words as well).
THOUGHT_RECORD_EMOTIONS: tuple[str, ...] = (
    "Anxious",
    "Worried",
    "Scared",
    "Sad",
    "Hopeless",
    "Lonely",
    "Angry",
    "Frustrated",
    "Ashamed",
    "Guilty",
    "Embarrassed",
    "Hurt",
)

SLEEP_QUALITY_CHOICES: tuple[tuple[int, str], ...] = (
    (1, "Very poor"),
    (2, "Poor"),
    (3, "Fair"),
    (4, "Good"),
    (5, "Very good"),
)
SLEEP_QUALITY_LABELS = dict(SLEEP_QUALITY_CHOICES)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- thought record content ----------------------------------------------------------------------
class AutomaticThought(_Strict):
    text: str = Field(min_length=1, max_length=1000)
    belief: Rating100 | None = None  # how much it was believed at the time, 0-100
    hot: bool = False  # the thought that carries the most feeling


class EmotionRating(_Strict):
    label: str = Field(min_length=1, max_length=60)
    intensity: Rating100 | None = None


class BalancedThought(_Strict):
    text: str = Field(default="", max_length=2000)
    belief: Rating100 | None = None


def _same_label(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


def _labels_listed_once[E: (EmotionRating, EmotionIn)](emotions: list[E]) -> list[E]:
    """One rule for the stored record and the API: "Sad" and "sad" are the same feeling."""
    seen: list[str] = []
    for emotion in emotions:
        if any(_same_label(emotion.label, s) for s in seen):
            raise ValueError(f"“{emotion.label}” is listed twice.")
        seen.append(emotion.label)
    return emotions


class ThoughtRecordContent(_Strict):
    """The encrypted JSON of a thought record (CLINICAL.md 4.1). A draft may leave parts empty;
    `missing_for_completion()` says what a finished record still needs."""

    situation: str = Field(default="", max_length=2000)
    automatic_thoughts: list[AutomaticThought] = Field(
        default_factory=list, max_length=MAX_THOUGHTS
    )
    emotions: list[EmotionRating] = Field(default_factory=list, max_length=MAX_EMOTIONS)
    evidence_for: str = Field(default="", max_length=4000)
    evidence_against: str = Field(default="", max_length=4000)
    balanced_thought: BalancedThought = Field(default_factory=BalancedThought)
    # How much the hot thought is believed after the balanced thought (0-100).
    hot_thought_belief_after: Rating100 | None = None
    emotions_rerated: list[EmotionRating] = Field(default_factory=list, max_length=MAX_EMOTIONS)
    action_plan: str = Field(default="", max_length=2000)

    @field_validator("automatic_thoughts")
    @classmethod
    def _one_hot_thought_at_most(cls, thoughts: list[AutomaticThought]) -> list[AutomaticThought]:
        if sum(t.hot for t in thoughts) > 1:
            raise ValueError("Mark only one thought as the hot thought.")
        return thoughts

    @field_validator("emotions")
    @classmethod
    def _labels_unique(cls, emotions: list[EmotionRating]) -> list[EmotionRating]:
        return _labels_listed_once(emotions)

    @field_validator("emotions_rerated")
    @classmethod
    def _rerated_are_the_same_feelings(
        cls, rerated: list[EmotionRating], info: ValidationInfo
    ) -> list[EmotionRating]:
        before = [e.label for e in info.data.get("emotions", [])]
        for emotion in rerated:
            if not any(_same_label(emotion.label, b) for b in before):
                raise ValueError(
                    f"“{emotion.label}” is not one of the feelings you rated before. "
                    "Re-rate the same feelings."
                )
        return rerated

    @classmethod
    def from_stored(cls, text: str | None) -> ThoughtRecordContent:
        """Parse the decrypted JSON of `ThoughtRecord.content` (empty for a brand-new draft)."""
        return cls.model_validate_json(text) if text else cls()

    # --- reading --------------------------------------------------------------------------------
    @property
    def hot_thought(self) -> AutomaticThought | None:
        for thought in self.automatic_thoughts:
            if thought.hot:
                return thought
        return self.automatic_thoughts[0] if len(self.automatic_thoughts) == 1 else None

    @property
    def strongest_emotion(self) -> EmotionRating | None:
        rated = [e for e in self.emotions if e.intensity is not None]
        if not rated:
            return None
        # The first listed wins a tie: it is the one the person named first.
        return max(rated, key=lambda e: e.intensity or 0)

    def rerated(self, label: str) -> int | None:
        for emotion in self.emotions_rerated:
            if _same_label(emotion.label, label):
                return emotion.intensity
        return None

    def emotion_changes(self) -> list[tuple[str, int | None, int | None]]:
        """(label, before, after) for each feeling, in the order they were named."""
        return [(e.label, e.intensity, self.rerated(e.label)) for e in self.emotions]

    def numbers(self) -> dict[str, int | None]:
        """The values kept in clear on the model for charts."""
        hot = self.hot_thought
        strongest = self.strongest_emotion
        return {
            "belief_before": hot.belief if hot else None,
            "belief_after": self.hot_thought_belief_after,
            "emotion_before": strongest.intensity if strongest else None,
            "emotion_after": self.rerated(strongest.label) if strongest else None,
        }

    def missing_for_completion(self) -> list[tuple[str, str]]:
        """(field, message) for each part a finished thought record still needs, in step order."""
        missing: list[tuple[str, str]] = []
        if not self.situation:
            missing.append(("situation", "Describe what happened."))
        if not self.automatic_thoughts:
            missing.append(("automatic_thoughts", "Write down at least one thought."))
        elif any(t.belief is None for t in self.automatic_thoughts):
            missing.append(
                ("automatic_thoughts", "Rate how much you believed each thought, from 0 to 100.")
            )
        elif self.hot_thought is None:
            missing.append(("hot_thought", "Choose the thought that upset you most."))
        if not self.emotions:
            missing.append(("emotions", "Choose at least one feeling."))
        elif any(e.intensity is None for e in self.emotions):
            missing.append(("emotions", "Rate how strong each feeling was, from 0 to 100."))
        if not self.evidence_for:
            missing.append(("evidence_for", "Write what supports the hot thought."))
        if not self.evidence_against:
            missing.append(("evidence_against", "Write what does not fit with the hot thought."))
        if not self.balanced_thought.text:
            missing.append(("balanced_thought", "Write a more balanced thought."))
        elif self.balanced_thought.belief is None:
            missing.append(
                ("balanced_thought", "Rate how much you believe the balanced thought, 0 to 100.")
            )
        if self.hot_thought_belief_after is None:
            missing.append(
                ("hot_thought_belief_after", "Rate how much you believe the hot thought now.")
            )
        if self.emotions and any(self.rerated(e.label) is None for e in self.emotions):
            missing.append(("emotions_rerated", "Rate each feeling again, from 0 to 100."))
        return missing

    # --- changing (each step of the flow returns a new draft) --------------------------------
    def with_situation(self, situation: str) -> Self:
        return self.model_copy(update={"situation": situation})

    def with_thoughts(self, texts: list[str]) -> Self:
        """Keep the rating and hot mark of a thought whose text is unchanged."""
        old = {t.text: t for t in self.automatic_thoughts}
        thoughts = [
            AutomaticThought(
                text=text,
                belief=old[text].belief if text in old else None,
                hot=old[text].hot if text in old else False,
            )
            for text in texts
        ]
        if len(thoughts) == 1:
            thoughts[0] = thoughts[0].model_copy(update={"hot": True})
        return self.model_copy(update={"automatic_thoughts": thoughts})

    def with_beliefs(self, beliefs: list[int], hot_index: int) -> Self:
        thoughts = [
            t.model_copy(update={"belief": b, "hot": i == hot_index})
            for i, (t, b) in enumerate(zip(self.automatic_thoughts, beliefs, strict=True))
        ]
        return self.model_copy(update={"automatic_thoughts": thoughts})

    def with_emotions(self, labels: list[str]) -> Self:
        """Keep ratings of feelings that stay; drop re-ratings of feelings that were removed."""
        old = {e.label.casefold(): e for e in self.emotions}
        emotions = [
            EmotionRating(
                label=label,
                intensity=old[label.casefold()].intensity if label.casefold() in old else None,
            )
            for label in labels
        ]
        keep = {label.casefold() for label in labels}
        rerated = [e for e in self.emotions_rerated if e.label.casefold() in keep]
        return self.model_copy(update={"emotions": emotions, "emotions_rerated": rerated})

    def with_intensities(self, intensities: list[int]) -> Self:
        emotions = [
            e.model_copy(update={"intensity": v})
            for e, v in zip(self.emotions, intensities, strict=True)
        ]
        return self.model_copy(update={"emotions": emotions})

    def with_rerating(self, intensities: list[int], hot_belief: int) -> Self:
        rerated = [
            EmotionRating(label=e.label, intensity=v)
            for e, v in zip(self.emotions, intensities, strict=True)
        ]
        return self.model_copy(
            update={"emotions_rerated": rerated, "hot_thought_belief_after": hot_belief}
        )


def distortion_codes_valid(codes: list[str]) -> list[str]:
    unknown = [c for c in codes if c not in DISTORTION_CODES]
    if unknown:
        raise ValueError(f"Unknown thinking trap: {', '.join(unknown)}.")
    return sorted(set(codes), key=codes.index)


# --- thought record (API: a finished record in one request) --------------------------------------
class ThoughtIn(_Strict):
    text: str = Field(min_length=1, max_length=1000)
    belief: Rating100
    hot: bool = False


class EmotionIn(_Strict):
    label: str = Field(min_length=1, max_length=60)
    intensity: Rating100


class BalancedThoughtIn(_Strict):
    text: str = Field(min_length=1, max_length=2000)
    belief: Rating100


class ThoughtRecordIn(_Strict):
    idempotency_key: str = Field(min_length=1, max_length=100)
    occurred_at: PastDateTime | None = None
    situation: str = Field(min_length=1, max_length=2000)
    automatic_thoughts: list[ThoughtIn] = Field(min_length=1, max_length=MAX_THOUGHTS)
    emotions: list[EmotionIn] = Field(min_length=1, max_length=MAX_EMOTIONS)
    evidence_for: str = Field(min_length=1, max_length=4000)
    evidence_against: str = Field(min_length=1, max_length=4000)
    distortions: list[str] = Field(default_factory=list, max_length=11)
    balanced_thought: BalancedThoughtIn
    hot_thought_belief_after: Rating100
    emotions_rerated: list[EmotionIn] = Field(min_length=1, max_length=MAX_EMOTIONS)
    action_plan: str = Field(default="", max_length=2000)

    @field_validator("automatic_thoughts")
    @classmethod
    def _exactly_one_hot(cls, thoughts: list[ThoughtIn]) -> list[ThoughtIn]:
        hot = sum(t.hot for t in thoughts)
        if hot > 1:
            raise ValueError("Mark only one thought as the hot thought.")
        if hot == 0 and len(thoughts) > 1:
            raise ValueError("Mark one thought as the hot thought (hot: true).")
        return thoughts

    @field_validator("emotions")
    @classmethod
    def _emotions_once(cls, emotions: list[EmotionIn]) -> list[EmotionIn]:
        return _labels_listed_once(emotions)

    @field_validator("emotions_rerated")
    @classmethod
    def _rerated_once(cls, emotions: list[EmotionIn]) -> list[EmotionIn]:
        return _labels_listed_once(emotions)

    @field_validator("distortions")
    @classmethod
    def _known_distortions(cls, codes: list[str]) -> list[str]:
        return distortion_codes_valid(codes)

    @field_validator("emotions_rerated")
    @classmethod
    def _same_feelings(cls, rerated: list[EmotionIn], info: ValidationInfo) -> list[EmotionIn]:
        before = sorted(e.label.casefold() for e in info.data.get("emotions", []))
        if sorted(e.label.casefold() for e in rerated) != before:
            raise ValueError("Re-rate exactly the same feelings as in `emotions`.")
        return rerated

    def content(self) -> ThoughtRecordContent:
        thoughts = [AutomaticThought(**t.model_dump()) for t in self.automatic_thoughts]
        if len(thoughts) == 1:
            thoughts[0] = thoughts[0].model_copy(update={"hot": True})
        return ThoughtRecordContent(
            situation=self.situation,
            automatic_thoughts=thoughts,
            emotions=[EmotionRating(**e.model_dump()) for e in self.emotions],
            evidence_for=self.evidence_for,
            evidence_against=self.evidence_against,
            balanced_thought=BalancedThought(**self.balanced_thought.model_dump()),
            hot_thought_belief_after=self.hot_thought_belief_after,
            emotions_rerated=[EmotionRating(**e.model_dump()) for e in self.emotions_rerated],
            action_plan=self.action_plan,
        )


# --- behavioural activation ----------------------------------------------------------------------
class ActivityPlanIn(_Strict):
    title: str = Field(min_length=1, max_length=200)
    life_area: LifeArea
    planned_for: PlannedDate
    planned_time: TimeOfDay | None = None
    difficulty: int | None = Field(default=None, ge=1, le=5)


class ActivityLogIn(_Strict):
    done: bool
    mastery: Rating10 | None = None
    pleasure: Rating10 | None = None


# --- exposure ------------------------------------------------------------------------------------
class ExposureStepIn(_Strict):
    description: str = Field(min_length=1, max_length=500)
    suds_anticipated: Rating100


class ExposurePracticeIn(_Strict):
    practiced_at: PastDateTime | None = None
    duration_minutes: int = Field(ge=1, le=600)
    suds_pre: Rating100
    suds_peak: Rating100
    suds_post: Rating100
    safety_behaviours: str = Field(default="", max_length=2000)
    notes: str = Field(default="", max_length=4000)


class ExposurePracticeApiIn(ExposurePracticeIn):
    step_id: uuid.UUID


# --- sleep diary ---------------------------------------------------------------------------------
class SleepDiaryIn(_Strict):
    """Consensus Sleep Diary core items for the night that began on `night_of`."""

    night_of: PastDate
    into_bed: TimeOfDay
    tried_to_sleep: TimeOfDay
    minutes_to_fall_asleep: int = Field(ge=0, le=720)
    awakenings: int = Field(ge=0, le=50)
    minutes_awake_after_onset: int = Field(ge=0, le=720)
    final_awakening: TimeOfDay
    out_of_bed: TimeOfDay
    quality: int = Field(ge=1, le=5)
    comments: str = Field(default="", max_length=2000)


# --- journal -------------------------------------------------------------------------------------
class JournalEntryIn(_Strict):
    title: str = Field(default="", max_length=200)
    body: str = Field(min_length=1, max_length=20000)
    shared: bool = False
