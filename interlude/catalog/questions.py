"""The evaluation questions, one list for the starter set, the review form and the filters.

Each question belongs to one step of the APA App Evaluation Model (psychiatry.org, "App
Evaluation Model"). An answer is either a value with its evidence (a note and links), or marked
unknown: nothing in between (models.EvaluationAnswer). The filter facets on `CatalogApp` are
derived from the answers here, by one pure function, so the list and the facets cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import models

from interlude.catalog.enums import Cost, Evidence, Goal, Platform, Privacy, Step, YesNo


class Kind(StrEnum):
    YES_NO = "yes_no"  # a YesNo value
    CHOICE = "choice"  # one value of `choices`
    MULTI = "multi"  # a non-empty list of values of `choices`
    TEXT = "text"  # free text (at most 500 characters)


@dataclass(frozen=True)
class Question:
    code: str
    step: Step
    text: str  # what the reviewer answers, in plain words
    kind: Kind
    choices: type[models.TextChoices] | None = None
    # For yes/no questions: the answer that is a concern ("Sells data: yes"); shown in amber.
    concern: str = ""

    def labels(self) -> dict[str, str]:
        source = self.choices if self.choices is not None else YesNo
        return {str(v): str(label) for v, label in source.choices}

    def validate(self, value: Any) -> str | list[str]:
        """The value, normalised; ValueError with a message naming the problem otherwise."""
        if self.kind is Kind.TEXT:
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{self.text}: write an answer or mark it unknown.")
            if len(value) > 500:
                raise ValueError(f"{self.text}: keep the answer under 500 characters.")
            return value.strip()
        allowed = self.labels()
        if self.kind is Kind.MULTI:
            values = [value] if isinstance(value, str) else value
            if not isinstance(values, list) or not values:
                raise ValueError(f"{self.text}: choose at least one, or mark it unknown.")
            wrong = [v for v in values if v not in allowed]
            if wrong:
                raise ValueError(f"{self.text}: '{wrong[0]}' is not one of {', '.join(allowed)}.")
            return [v for v in allowed if v in values]  # in the list's order, no repeats
        if value not in allowed:
            raise ValueError(f"{self.text}: '{value}' is not one of {', '.join(allowed)}.")
        return str(value)


Q = Question
QUESTIONS: tuple[Question, ...] = (
    # 1. Access and background
    Q("available", Step.ACCESS, "Can people still download and use it?", Kind.YES_NO, concern="no"),
    Q("platforms", Step.ACCESS, "Which devices does it run on?", Kind.MULTI, Platform),
    Q("cost", Step.ACCESS, "What does it cost?", Kind.CHOICE, Cost),
    Q("developer", Step.ACCESS, "Who makes it, and who pays for it?", Kind.TEXT),
    Q("updated_recently", Step.ACCESS, "Updated in the last 180 days?", Kind.YES_NO, concern="no"),
    Q("medical_claims", Step.ACCESS, "Does it claim to diagnose or treat?", Kind.YES_NO),
    Q("works_offline", Step.ACCESS, "Does it work without a connection?", Kind.YES_NO),
    Q("crisis_help", Step.ACCESS, "Does it point to crisis help?", Kind.YES_NO, concern="no"),
    Q(
        "accessibility",
        Step.ACCESS,
        "Accessibility features (screen reader, text size)?",
        Kind.YES_NO,
    ),
    # 2. Privacy and security
    Q(
        "privacy_policy",
        Step.PRIVACY,
        "Is the privacy policy readable before sign-up?",
        Kind.YES_NO,
        concern="no",
    ),
    Q(
        "sells_or_advertises",
        Step.PRIVACY,
        "Does it sell data or use it for advertising?",
        Kind.YES_NO,
        concern="yes",
    ),
    Q("account_required", Step.PRIVACY, "Does it need an account?", Kind.YES_NO),
    Q("data_deletable", Step.PRIVACY, "Can people delete their data?", Kind.YES_NO, concern="no"),
    Q(
        "where_data_lives",
        Step.PRIVACY,
        "Where is the data kept (device, company servers)?",
        Kind.TEXT,
    ),
    # 3. Clinical foundation
    Q("evidence", Step.CLINICAL, "What evidence is there for this app?", Kind.CHOICE, Evidence),
    Q("evidence_summary", Step.CLINICAL, "What does the evidence say?", Kind.TEXT),
    Q(
        "content_sound",
        Step.CLINICAL,
        "Is the content in line with accepted practice?",
        Kind.YES_NO,
        concern="no",
    ),
    # 4. Engagement and usability
    Q("easy_to_use", Step.USABILITY, "Is it easy to start and to keep using?", Kind.YES_NO),
    Q("customisable", Step.USABILITY, "Can people adjust it to themselves?", Kind.YES_NO),
    Q("languages", Step.USABILITY, "Which languages?", Kind.TEXT),
    # 5. Therapeutic goal and data integration
    Q("goals", Step.INTEGRATION, "Which therapeutic goals does it support?", Kind.MULTI, Goal),
    Q("exports_data", Step.INTEGRATION, "Can people export their data?", Kind.YES_NO),
    Q("export_format", Step.INTEGRATION, "In what form (CSV, PDF, Apple Health)?", Kind.TEXT),
)
QUESTIONS_BY_CODE: dict[str, Question] = {q.code: q for q in QUESTIONS}


def questions_of(step: Step) -> list[Question]:
    return [q for q in QUESTIONS if q.step == step]


# --- facets ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Facets:
    """What the catalog filters on, derived from the answers (`None`: unknown)."""

    available: bool  # False only when answered "no": an unknown app is not hidden
    platforms: list[str]
    cost: str
    goals: list[str]
    evidence: str
    privacy: str


def privacy_rating(answers: Mapping[str, Any]) -> str:
    """Concerns when any privacy answer is a concern; clear when the three that matter most
    (policy before sign-up, no selling or advertising, deletable) are all known and fine;
    otherwise not yet checked."""
    keys = ("privacy_policy", "sells_or_advertises", "data_deletable")
    for code in (*keys, "account_required"):
        q = QUESTIONS_BY_CODE[code]
        if q.concern and answers.get(code) == q.concern:
            return Privacy.CONCERNS
    if all(answers.get(k) is not None for k in keys):
        fine = {"privacy_policy": "yes", "sells_or_advertises": "no", "data_deletable": "yes"}
        if all(answers.get(k) == v for k, v in fine.items()):
            return Privacy.CLEAR
        return Privacy.CONCERNS
    return Privacy.UNKNOWN


def facets_from_answers(answers: Mapping[str, Any]) -> Facets:
    """`answers`: question code -> value, or None (or absent) when unknown."""
    return Facets(
        available=answers.get("available") != "no",
        platforms=list(answers.get("platforms") or []),
        cost=answers.get("cost") or Cost.UNKNOWN,
        goals=list(answers.get("goals") or []),
        evidence=answers.get("evidence") or Evidence.UNKNOWN,
        privacy=privacy_rating(answers),
    )
