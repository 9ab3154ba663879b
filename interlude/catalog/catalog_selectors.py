"""Reads of the app catalog: what one practice sees, one entry with its evaluation, two entries
side by side.

A practice sees the shared starter set (`practice=None`) except the entries it has copied (its copy
replaces the starter entry, even once archived: archiving a copy takes the app out of the
practice's catalog), plus its own entries; never an archived entry, never another practice's.

Catalogs are small (tens to a few hundred rows), so the list is one query and the filters on the
JSON list facets (goals, platforms) run in Python: the query count stays the same whatever the
filters and however many entries there are.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from interlude.catalog.enums import Cost, Evidence, Goal, Platform, Privacy, Step
from interlude.catalog.models import CatalogApp, EvaluationAnswer
from interlude.catalog.questions import QUESTIONS, Kind, Question
from interlude.core.errors import ApplicationError
from interlude.practices.models import Practice

REVIEW_AFTER_DAYS = 365
Q_MAX = 100

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class CatalogFilters:
    """What the clinician filters the catalog by ("" or None: any)."""

    goal: str = ""
    cost: str = ""
    platform: str = ""
    privacy: str = ""
    evidence: str = ""
    importable: bool | None = None  # True: Interlude can import its data; False: it cannot
    q: str = ""  # words in the name or the summary
    include_unavailable: bool = False  # show apps answered "no longer available" too

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> CatalogFilters:
        """From query parameters; ApplicationError naming the parameter for a bad value."""

        def choice(name: str, choices: type[Goal | Cost | Platform | Privacy | Evidence]) -> str:
            value = (params.get(name) or "").strip()
            if value and value not in choices.values:
                raise ApplicationError(
                    f"'{value[:40]}' is not a {name} filter: use one of "
                    f"{', '.join(choices.values)}.",
                    field=name,
                )
            return value

        def flag(name: str) -> bool | None:
            value = (params.get(name) or "").strip().lower()
            if not value:
                return None
            if value in _TRUE:
                return True
            if value in _FALSE:
                return False
            raise ApplicationError(
                f"'{value[:40]}' is not a yes or no value for {name}: use true or false.",
                field=name,
            )

        q = (params.get("q") or "").strip()
        if len(q) > Q_MAX:
            raise ApplicationError(f"Keep the search under {Q_MAX} characters.", field="q")
        return cls(
            goal=choice("goal", Goal),
            cost=choice("cost", Cost),
            platform=choice("platform", Platform),
            privacy=choice("privacy", Privacy),
            evidence=choice("evidence", Evidence),
            importable=flag("importable"),
            q=q,
            include_unavailable=bool(flag("include_unavailable")),
        )

    @property
    def active(self) -> bool:
        """Whether any filter narrows the list (showing unavailable apps widens it)."""
        return bool(
            self.goal
            or self.cost
            or self.platform
            or self.privacy
            or self.evidence
            or self.importable is not None
            or self.q
        )


def catalog_apps_of_practice(*, practice_id: int) -> QuerySet[CatalogApp]:
    """The one rule of what a practice's catalog holds: the starter set and the practice's own
    entries, where a practice's copy of a starter entry replaces that entry (archived copies
    too). Archived entries are included: callers that list leave them out."""
    copied = CatalogApp.objects.filter(practice_id=practice_id, based_on=OuterRef("pk"))
    return CatalogApp.objects.filter(
        Q(practice_id=practice_id) | (Q(practice__isnull=True) & ~Exists(copied))
    )


def _matches(app: CatalogApp, f: CatalogFilters) -> bool:
    if not f.include_unavailable and not app.available:
        return False
    if f.goal and f.goal not in (app.goals or []):
        return False
    if f.platform and f.platform not in (app.platforms or []):
        return False
    if f.cost and app.cost != f.cost:
        return False
    if f.privacy and app.privacy != f.privacy:
        return False
    if f.evidence and app.evidence != f.evidence:
        return False
    if f.importable is not None and bool(app.importer) != f.importable:
        return False
    if f.q:
        needle = f.q.casefold()
        if needle not in app.name.casefold() and needle not in app.summary.casefold():
            return False
    return True


def catalog_apps(*, practice: Practice, filters: CatalogFilters | None = None) -> list[CatalogApp]:
    """The practice's catalog, by name, narrowed by `filters`. One query."""
    filters = filters or CatalogFilters()
    rows = catalog_apps_of_practice(practice_id=practice.pk).filter(archived_at__isnull=True)
    apps = [a for a in rows if _matches(a, filters)]
    return sorted(apps, key=lambda a: (a.name.casefold(), a.pk))


def catalog_app_get(
    *, practice: Practice, public_id: uuid.UUID, include_archived: bool = False
) -> CatalogApp | None:
    """One entry this practice may see (a starter entry or its own), its answers prefetched;
    None for another practice's entry, an unknown id, or an archived one (unless asked)."""
    qs = CatalogApp.objects.filter(
        Q(practice=practice) | Q(practice__isnull=True), public_id=public_id
    ).prefetch_related(Prefetch("answers", queryset=EvaluationAnswer.objects.order_by("question")))
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return qs.first()


def catalog_copy_of(*, practice: Practice, app: CatalogApp) -> CatalogApp | None:
    """The practice's own copy of a starter entry (archived or not), if it made one."""
    if app.practice_id is not None:
        return None
    return CatalogApp.objects.filter(practice=practice, based_on=app).first()


def review_due(app: CatalogApp, today: date) -> bool:
    """Never reviewed, or its oldest answer is more than a year old."""
    return app.reviewed_on is None or (today - app.reviewed_on).days > REVIEW_AFTER_DAYS


# --- the evaluation, step by step -----------------------------------------------------------------
@dataclass(frozen=True)
class AnswerView:
    question: Question
    answer: EvaluationAnswer | None  # None: not answered yet
    value_label: str  # the value in words ("" when unknown or not answered)
    unknown: bool  # marked unknown, or not answered yet
    concern: bool  # the answer is the one that is a concern ("Sells data: Yes")
    evidence: str
    links: list[str]
    reviewer_name: str
    reviewed_on: date | None

    @property
    def answered(self) -> bool:
        return self.answer is not None


@dataclass(frozen=True)
class StepView:
    step: Step
    label: str
    number: int
    answers: list[AnswerView] = field(default_factory=list)


def value_label(question: Question, value: object) -> str:
    """A stored value in the words the reviewer chose it by."""
    if value is None:
        return ""
    if question.kind is Kind.TEXT:
        return str(value)
    labels = question.labels()
    if question.kind is Kind.MULTI:
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in values)
    return labels.get(str(value), str(value))


def _answer_view(question: Question, answer: EvaluationAnswer | None) -> AnswerView:
    if answer is None:
        return AnswerView(question, None, "", True, False, "", [], "", None)
    value = None if answer.unknown else answer.value
    return AnswerView(
        question=question,
        answer=answer,
        value_label=value_label(question, value),
        unknown=answer.unknown,
        concern=bool(question.concern) and value == question.concern,
        evidence=answer.evidence,
        links=list(answer.links or []),
        reviewer_name=answer.reviewer_name,
        reviewed_on=answer.reviewed_on,
    )


def evaluation_by_step(app: CatalogApp) -> list[StepView]:
    """The five APA steps in order, each with its questions and their answers (uses the
    prefetched answers: no query when the app came from `catalog_app_get`)."""
    by_code = {a.question: a for a in app.answers.all()}
    steps = []
    for number, (value, label) in enumerate(Step.choices, start=1):
        step = Step(value)
        steps.append(
            StepView(
                step=step,
                label=str(label),
                number=number,
                answers=[_answer_view(q, by_code.get(q.code)) for q in QUESTIONS if q.step == step],
            )
        )
    return steps
