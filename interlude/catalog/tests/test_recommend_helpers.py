"""Catalog entries and recommendations for the recommend tests (helpers only, no tests here)."""

from __future__ import annotations

from datetime import date
from typing import Any

from interlude.catalog.models import CatalogApp, EvaluationAnswer
from interlude.catalog.recommend_services import HomeworkChoice, recommendation_create
from interlude.consents.access import access_client

REVIEWED = date(2026, 2, 1)

# A fully answered privacy section: every summary sentence is a known one.
KNOWN = {
    "privacy_policy": "yes",
    "sells_or_advertises": "no",
    "data_deletable": "yes",
    "account_required": "no",
    "where_data_lives": "On your phone, with an optional backup to your own cloud account",
    "crisis_help": "no",
    "cost": "freemium",
}


def make_app(
    *,
    practice: Any = None,
    slug: str = "moodlog-test",
    name: str = "Moodlog",
    importer: str = "",
    website: str = "https://moodlog.example.org/",
    answers: dict[str, Any] | None = None,
    unknown: tuple[str, ...] = (),
    reviewed_on: date = REVIEWED,
    **fields: Any,
) -> CatalogApp:
    """A catalog entry with the given answers (code -> value) and answers marked unknown."""
    app = CatalogApp.objects.create(
        practice=practice,
        slug=slug,
        name=name,
        website=website,
        summary=fields.pop("summary", "A mood diary with a tap a day."),
        importer=importer,
        goals=fields.pop("goals", ["mood", "habits"]),
        platforms=fields.pop("platforms", ["ios", "android"]),
        cost=fields.pop("cost", "freemium"),
        reviewed_on=reviewed_on,
        **fields,
    )
    for code, value in (answers or {}).items():
        EvaluationAnswer.objects.create(
            app=app,
            question=code,
            value=value,
            evidence="The developer's privacy page",
            links=["https://moodlog.example.org/privacy"],
            reviewer_name="Interlude starter set",
            reviewed_on=reviewed_on,
        )
    for code in unknown:
        EvaluationAnswer.objects.create(
            app=app,
            question=code,
            value=None,
            unknown=True,
            reviewer_name="Interlude starter set",
            reviewed_on=reviewed_on,
        )
    return app


def care_of(membership: Any, client: Any):
    return access_client(user=membership.user, client_id=client.public_id, for_write=True)


def recommend(
    membership: Any,
    client: Any,
    app: CatalogApp,
    reason: str = "It makes noticing your mood a two-second habit.",
    homework: HomeworkChoice | None = None,
):
    return recommendation_create(
        care=care_of(membership, client),
        membership=membership,
        app=app,
        reason=reason,
        homework=homework,
    )
