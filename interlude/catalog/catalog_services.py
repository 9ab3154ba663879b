"""Writes of the app catalog: add an entry, copy a starter entry, save its evaluation, archive.

The shared starter set (`practice=None`) is never edited by a practice: a practice makes its own
copy (`catalog_app_copy`), which replaces the starter entry in its catalog, and reviews that.
Every answer is a value with a source (a link or an evidence note) or is marked unknown; the
filter facets and the entry's review date are recomputed from the answers on every save.
Nothing here is client data; the audit events name question codes only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from interlude.accounts.models import User
from interlude.audit.services import event_catalog_app_archived, event_catalog_app_saved
from interlude.catalog.models import CatalogApp, EvaluationAnswer
from interlude.catalog.questions import QUESTIONS_BY_CODE, Kind, facets_from_answers
from interlude.core.clock import client_today
from interlude.core.errors import ApplicationError
from interlude.practices.models import Practice

# The importers Interlude has (interop.enums.ImportSource values; the catalog does not import
# interop, and a test checks the two lists agree).
IMPORTERS: dict[str, str] = {
    "daylio": "Daylio",
    "bearable": "Bearable",
    "apple_health": "Apple Health",
    "fhir": "FHIR Bundle",
    "csv": "Spreadsheet (CSV)",
}
MAX_LINKS = 5
MAX_LINK_LENGTH = 500
MAX_EVIDENCE = 2000
MAX_SUMMARY = 2000
MSG_STARTER = (
    "This entry belongs to the starter set that every practice shares, so it cannot be changed "
    "here. Make your practice's own copy first, then review that."
)

_https = URLValidator(schemes=["https"])


@dataclass(frozen=True)
class AnswerInput:
    """One question's answer as the reviewer gave it: a value, or `unknown`; with its sources."""

    value: Any = None
    unknown: bool = False
    evidence: str = ""
    links: Sequence[str] = ()

    @property
    def blank(self) -> bool:
        empty = self.value is None or self.value == "" or self.value == []
        return empty and not self.unknown and not self.evidence.strip() and not self.links


class EvaluationErrors(ApplicationError):
    """Every problem with a review, question code -> message (the first one is the message)."""

    def __init__(self, errors: dict[str, str]) -> None:
        code, message = next(iter(errors.items()))
        super().__init__(message, field=code)
        self.errors = errors


def _https_link(url: str) -> bool:
    try:
        _https(url)
    except ValidationError:
        return False
    return True


def _clean_answer(code: str, given: AnswerInput) -> tuple[Any, bool, str, list[str]]:
    """(value, unknown, evidence, links) normalised; ValueError naming the problem."""
    question = QUESTIONS_BY_CODE[code]
    evidence = (given.evidence or "").strip()
    if len(evidence) > MAX_EVIDENCE:
        raise ValueError(
            f"{question.text}: keep the evidence note under {MAX_EVIDENCE} characters."
        )
    links = [link.strip() for link in given.links if link and link.strip()]
    if len(links) > MAX_LINKS:
        raise ValueError(f"{question.text}: give at most {MAX_LINKS} source links.")
    for link in links:
        if len(link) > MAX_LINK_LENGTH:
            raise ValueError(
                f"{question.text}: a source link is longer than {MAX_LINK_LENGTH} characters."
            )
        if not _https_link(link):
            raise ValueError(
                f"{question.text}: '{link[:80]}' is not a web address starting with https://."
            )
    has_value = not (given.value is None or given.value == "" or given.value == [])
    if given.unknown:
        if has_value:
            raise ValueError(f"{question.text}: give an answer or mark it unknown, not both.")
        return None, True, evidence, links
    if not has_value and question.kind in (Kind.YES_NO, Kind.CHOICE):
        raise ValueError(f"{question.text}: choose an answer or mark it unknown.")
    value = question.validate(given.value)
    if not evidence and not links:
        raise ValueError(
            f"{question.text}: add a source link or an evidence note, or mark it unknown."
        )
    return value, False, evidence, links


def _refresh_facets(app: CatalogApp) -> None:
    answers = list(EvaluationAnswer.objects.filter(app=app))
    facets = facets_from_answers({a.question: None if a.unknown else a.value for a in answers})
    app.available = facets.available
    app.platforms = facets.platforms
    app.cost = facets.cost
    app.goals = facets.goals
    app.evidence = facets.evidence
    app.privacy = facets.privacy
    app.reviewed_on = min((a.reviewed_on for a in answers), default=None)
    app.save(
        update_fields=[
            "available",
            "platforms",
            "cost",
            "goals",
            "evidence",
            "privacy",
            "reviewed_on",
            "updated_at",
        ]
    )


def _editable(app: CatalogApp) -> None:
    if app.practice_id is None:
        raise ApplicationError(MSG_STARTER)
    if app.archived_at is not None:
        raise ApplicationError(f"{app.name} is archived, so it cannot be changed.")


def evaluation_save(
    *,
    app: CatalogApp,
    actor: User,
    answers: Mapping[str, AnswerInput],
    confirm_unchanged: bool = False,
) -> list[str]:
    """Save a review of a practice's entry; the codes of the answers written, sorted.

    Only changed answers get the reviewer and today's date, unless `confirm_unchanged` (the
    reviewer checked every answer today): then every answer given is dated today. A question left
    blank that was never answered stays unanswered; an answer once given can become "unknown" but
    not blank. EvaluationErrors (an ApplicationError) lists every problem; nothing is saved then.
    """
    _editable(app)
    assert app.practice is not None  # nosec B101 - _editable refused starters
    existing = {a.question: a for a in EvaluationAnswer.objects.filter(app=app)}
    errors: dict[str, str] = {}
    cleaned: dict[str, tuple[Any, bool, str, list[str]]] = {}
    for code, given in answers.items():
        if code not in QUESTIONS_BY_CODE:
            errors[code] = f"'{code[:40]}' is not a question of the evaluation."
            continue
        if given.blank and code not in existing:
            continue
        try:
            cleaned[code] = _clean_answer(code, given)
        except ValueError as exc:
            errors[code] = str(exc)
    if errors:
        raise EvaluationErrors(errors)
    today = client_today(app.practice)
    reviewer_name = actor.get_full_name()[:150]
    written: list[str] = []
    with transaction.atomic():
        for code, (value, unknown, evidence, links) in cleaned.items():
            row = existing.get(code)
            same = row is not None and (row.value, row.unknown, row.evidence, list(row.links)) == (
                value,
                unknown,
                evidence,
                links,
            )
            if same and not confirm_unchanged:
                continue
            EvaluationAnswer.objects.update_or_create(
                app=app,
                question=code,
                defaults={
                    "value": value,
                    "unknown": unknown,
                    "evidence": evidence,
                    "links": links,
                    "reviewer": actor,
                    "reviewer_name": reviewer_name,
                    "reviewed_on": today,
                },
            )
            written.append(code)
        if written:
            _refresh_facets(app)
            event_catalog_app_saved(
                actor=actor, practice=app.practice, app_id=str(app.public_id), questions=written
            )
    return sorted(written)


def _unique_slug(practice: Practice, name: str) -> str:
    base = (slugify(name) or "app")[:50]
    taken = set(
        CatalogApp.objects.filter(practice=practice, slug__startswith=base).values_list(
            "slug", flat=True
        )
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def catalog_app_create(
    *,
    practice: Practice,
    actor: User,
    name: str,
    website: str = "",
    summary: str = "",
    importer: str = "",
) -> CatalogApp:
    """Add an app to the practice's catalog, not yet reviewed (every answer unknown until then)."""
    name = (name or "").strip()
    website = (website or "").strip()
    summary = (summary or "").strip()
    if not name:
        raise ApplicationError("Give the app's name.", field="name")
    if len(name) > 120:
        raise ApplicationError("Keep the name under 120 characters.", field="name")
    if website and (len(website) > MAX_LINK_LENGTH or not _https_link(website)):
        raise ApplicationError(
            "Give the app's web address starting with https://, or leave it empty.",
            field="website",
        )
    if len(summary) > MAX_SUMMARY:
        raise ApplicationError(f"Keep the summary under {MAX_SUMMARY} characters.", field="summary")
    if importer and importer not in IMPORTERS:
        raise ApplicationError(
            f"'{importer[:40]}' is not an importer: use one of {', '.join(IMPORTERS)}, or none.",
            field="importer",
        )
    if CatalogApp.objects.filter(
        practice=practice, archived_at__isnull=True, name__iexact=name
    ).exists():
        raise ApplicationError(f"Your catalog already has an app called {name}.", field="name")
    starter = CatalogApp.objects.filter(
        practice__isnull=True, archived_at__isnull=True, name__iexact=name
    ).first()
    if starter is not None:
        raise ApplicationError(
            f"{starter.name} is already in the starter set: open it and make your practice's "
            "own copy instead.",
            field="name",
        )
    with transaction.atomic():
        app = CatalogApp.objects.create(
            practice=practice,
            slug=_unique_slug(practice, name),
            name=name,
            website=website,
            summary=summary,
            importer=importer,
        )
        event_catalog_app_saved(
            actor=actor, practice=practice, app_id=str(app.public_id), questions=[]
        )
    return app


def catalog_app_copy(*, practice: Practice, actor: User, app: CatalogApp) -> CatalogApp:
    """The practice's own copy of a starter entry, with every answer (their reviewer and date
    kept: they are still the starter set's), replacing the starter entry in its catalog.
    Copying again returns the copy already made."""
    if app.practice_id is not None:
        raise ApplicationError("Only starter entries are copied: this one is already yours.")
    if app.archived_at is not None:
        raise ApplicationError(f"{app.name} is no longer in the starter set.")
    with transaction.atomic():
        existing = (
            CatalogApp.objects.select_for_update().filter(practice=practice, based_on=app).first()
        )
        if existing is not None:
            if existing.archived_at is not None:
                raise ApplicationError(
                    f"Your practice archived its copy of {app.name}, so it is not in your catalog."
                )
            return existing
        copy = CatalogApp.objects.create(
            practice=practice,
            based_on=app,
            slug=_unique_slug(practice, app.slug),
            name=app.name,
            website=app.website,
            summary=app.summary,
            importer=app.importer,
            available=app.available,
            platforms=list(app.platforms),
            cost=app.cost,
            goals=list(app.goals),
            evidence=app.evidence,
            privacy=app.privacy,
            reviewed_on=app.reviewed_on,
        )
        answers = list(EvaluationAnswer.objects.filter(app=app))
        EvaluationAnswer.objects.bulk_create(
            [
                EvaluationAnswer(
                    app=copy,
                    question=a.question,
                    value=a.value,
                    unknown=a.unknown,
                    evidence=a.evidence,
                    links=list(a.links),
                    reviewer=a.reviewer,
                    reviewer_name=a.reviewer_name,
                    reviewed_on=a.reviewed_on,
                )
                for a in answers
            ]
        )
        event_catalog_app_saved(
            actor=actor,
            practice=practice,
            app_id=str(copy.public_id),
            questions=[a.question for a in answers],
        )
    return copy


def catalog_app_archive(*, practice: Practice, actor: User, app: CatalogApp) -> CatalogApp:
    """Take a practice's entry out of its catalog (recommendations already made keep it)."""
    if app.practice_id is None:
        raise ApplicationError(
            "Starter entries are shared by every practice and cannot be archived. Make your "
            "practice's own copy, then archive that."
        )
    if app.practice_id != practice.pk:
        raise ApplicationError("This entry is not in your practice's catalog.")
    if app.archived_at is not None:
        return app
    with transaction.atomic():
        app.archived_at = timezone.now()
        app.save(update_fields=["archived_at", "updated_at"])
        event_catalog_app_archived(actor=actor, practice=practice, app_id=str(app.public_id))
    return app
