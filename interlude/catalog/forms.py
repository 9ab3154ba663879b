"""Forms of the app catalog: the filter form (GET), adding an app, and reading the review form.

The review form is built from `questions.QUESTIONS` in its template (one fieldset per step);
`review_inputs` reads what was posted into the service's `AnswerInput`s, and `review_rows` gives
the template each question with what to show in its inputs (the posted values after an error,
else the saved answer).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import QueryDict

from interlude.catalog.catalog_services import IMPORTERS, MAX_LINK_LENGTH, AnswerInput
from interlude.catalog.enums import Cost, Evidence, Goal, Platform, Privacy, Step
from interlude.catalog.models import EvaluationAnswer
from interlude.catalog.questions import QUESTIONS, Kind, Question
from interlude.core.errors import ApplicationError

UNKNOWN = "__unknown__"  # the "Not known" radio of a one-answer question


def _any(label: str, choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", label), *choices]


class CatalogFilterForm(forms.Form):
    """Only renders the inputs: catalog_selectors.CatalogFilters.parse reads the values."""

    q = forms.CharField(label="Name or words", required=False, max_length=100)
    goal = forms.ChoiceField(label="Goal", required=False, choices=_any("Any goal", Goal.choices))
    platform = forms.ChoiceField(
        label="Platform", required=False, choices=_any("Any platform", Platform.choices)
    )
    cost = forms.ChoiceField(label="Cost", required=False, choices=_any("Any cost", Cost.choices))
    privacy = forms.ChoiceField(
        label="Privacy", required=False, choices=_any("Any", Privacy.choices)
    )
    evidence = forms.ChoiceField(
        label="Evidence", required=False, choices=_any("Any", Evidence.choices)
    )
    importable = forms.ChoiceField(
        label="Import into Interlude",
        required=False,
        choices=[("", "Any"), ("true", "Interlude can import its data"), ("false", "No importer")],
    )
    include_unavailable = forms.BooleanField(
        label="Include apps that are no longer available", required=False
    )


class CatalogAppForm(forms.Form):
    name = forms.CharField(label="Name", max_length=120)
    website = forms.CharField(
        label="Website (optional)",
        required=False,
        max_length=MAX_LINK_LENGTH,
        help_text="The app's own page, starting with https://",
        widget=forms.URLInput,
    )
    summary = forms.CharField(
        label="What it is (optional)",
        required=False,
        max_length=2000,
        help_text="One or two sentences in your words: what it does and for whom.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    importer = forms.ChoiceField(
        label="Can Interlude import its data?",
        required=False,
        choices=[("", "No importer"), *IMPORTERS.items()],
        help_text="Choose the importer that reads this app's export, if there is one.",
    )

    def add_service_error(self, exc: ApplicationError) -> None:
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def review_inputs(post: QueryDict) -> dict[str, AnswerInput]:
    """What was posted, per question (every question of the evaluation)."""
    result = {}
    for q in QUESTIONS:
        unknown = False
        value: Any
        if q.kind is Kind.MULTI:
            value = post.getlist(f"{q.code}-value")
            unknown = post.get(f"{q.code}-unknown") == "1"
        elif q.kind is Kind.TEXT:
            value = post.get(f"{q.code}-value", "").strip()
            unknown = post.get(f"{q.code}-unknown") == "1"
        else:
            value = post.get(f"{q.code}-value", "")
            if value == UNKNOWN:
                value, unknown = "", True
        result[q.code] = AnswerInput(
            value=value,
            unknown=unknown,
            evidence=post.get(f"{q.code}-evidence", ""),
            links=_lines(post.get(f"{q.code}-links", "")),
        )
    return result


@dataclass(frozen=True)
class ReviewRow:
    """One question on the review form, with what its inputs show."""

    question: Question
    choices: list[tuple[str, str]]  # value, label (for radios and checkboxes)
    selected: list[str]  # values checked (radios: one; UNKNOWN for "Not known")
    text: str  # a text answer
    unknown: bool
    evidence: str
    links: str  # one per line
    error: str
    reviewed: str  # "Answered by X on 3 Mar 2026" or ""

    @property
    def radio(self) -> bool:
        return self.question.kind in (Kind.YES_NO, Kind.CHOICE)

    @property
    def multi(self) -> bool:
        return self.question.kind is Kind.MULTI


@dataclass(frozen=True)
class ReviewStep:
    step: Step
    label: str
    number: int
    rows: list[ReviewRow]


def _choices(q: Question) -> list[tuple[str, str]]:
    # The enums' own "unknown" choice is the form's "Not known" option.
    return [(v, label) for v, label in q.labels().items() if v != "unknown"]


def review_steps(
    *,
    answers: list[EvaluationAnswer],
    posted: Mapping[str, AnswerInput] | None = None,
    errors: Mapping[str, str] | None = None,
) -> list[ReviewStep]:
    saved = {a.question: a for a in answers}
    errors = errors or {}
    steps = []
    for number, (step_value, step_label) in enumerate(Step.choices, start=1):
        rows = []
        for q in QUESTIONS:
            if q.step != step_value:
                continue
            a = saved.get(q.code)
            if posted is not None:
                given = posted.get(q.code, AnswerInput())
                value, unknown = given.value, given.unknown
                evidence, links = given.evidence, "\n".join(given.links)
            elif a is not None:
                value, unknown = a.value, a.unknown
                evidence, links = a.evidence, "\n".join(a.links or [])
            else:
                value, unknown, evidence, links = None, False, "", ""
            if isinstance(value, list):
                selected = [str(v) for v in value]
            elif value:
                selected = [str(value)]
            else:
                selected = []
            if unknown and q.kind in (Kind.YES_NO, Kind.CHOICE):
                selected = [UNKNOWN]
            rows.append(
                ReviewRow(
                    question=q,
                    choices=_choices(q),
                    selected=selected,
                    text=str(value) if q.kind is Kind.TEXT and value else "",
                    unknown=unknown,
                    evidence=evidence,
                    links=links,
                    error=errors.get(q.code, ""),
                    reviewed=(
                        f"Last answered by {a.reviewer_name} on {a.reviewed_on:%-d %b %Y}"
                        if a is not None
                        else "Not answered yet"
                    ),
                )
            )
        steps.append(ReviewStep(Step(step_value), str(step_label), number, rows))
    return steps
