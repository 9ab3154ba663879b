"""Builders for the catalog tests: entries with answers made here, so the tests do not depend on
the starter set's content (no tests in this module)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from interlude.catalog.models import CatalogApp, EvaluationAnswer
from interlude.catalog.questions import facets_from_answers

NOW = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)  # 11:00 in New York, the practices' zone
TODAY = date(2026, 3, 11)
SOURCE = "https://example.org/app-store-page"
NOTE = "Read on the store page."


def make_app(
    *,
    name: str,
    practice: Any = None,
    answers: dict[str, Any] | None = None,
    reviewed_on: date = date(2026, 1, 10),
    summary: str = "",
    importer: str = "",
    based_on: CatalogApp | None = None,
    archived: bool = False,
) -> CatalogApp:
    """An entry whose answers are `answers` (code -> value, or None for "unknown"), each sourced
    by SOURCE and reviewed on `reviewed_on`; facets derived as the services derive them."""
    answers = answers or {}
    facets = facets_from_answers(answers)
    app = CatalogApp.objects.create(
        practice=practice,
        based_on=based_on,
        slug=name.lower().replace(" ", "-"),
        name=name,
        website=f"https://{name.lower().replace(' ', '')}.example.org",
        summary=summary,
        importer=importer,
        available=facets.available,
        platforms=facets.platforms,
        cost=facets.cost,
        goals=facets.goals,
        evidence=facets.evidence,
        privacy=facets.privacy,
        reviewed_on=reviewed_on if answers else None,
        archived_at=NOW if archived else None,
    )
    EvaluationAnswer.objects.bulk_create(
        [
            EvaluationAnswer(
                app=app,
                question=code,
                value=value,
                unknown=value is None,
                evidence="" if value is None else NOTE,
                links=[] if value is None else [SOURCE],
                reviewer_name="Interlude starter set",
                reviewed_on=reviewed_on,
            )
            for code, value in answers.items()
        ]
    )
    return app


def clear_catalog() -> None:
    """Remove the shipped starter set (migration 0002) so a test sees only the rows it makes."""
    CatalogApp.objects.filter(based_on__isnull=False).delete()
    CatalogApp.objects.all().delete()
