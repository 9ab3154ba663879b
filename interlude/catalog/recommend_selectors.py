"""Reads for app recommendations: the open ones for a client (for the clinician's record panel,
the client's page and the API), one by id, and the catalog entries a practice may recommend.

A recommendation is written by the care team for the client, like homework, so the care team
always sees it (the gate's CARE_RECORD category, never hidden). Lists load the app, its answers
(for the privacy summary), the recommender and the homework in a fixed number of queries.
"""

from __future__ import annotations

import uuid

from django.db.models import Prefetch, QuerySet

from interlude.catalog.catalog_selectors import catalog_apps_of_practice
from interlude.catalog.models import CatalogApp, EvaluationAnswer, Recommendation
from interlude.consents.access import CareAccess
from interlude.practices.enums import ShareScope

# The gate category a recommendation belongs to (never hidden from the care team).
CATEGORY = ShareScope.CARE_RECORD


def catalog_app_for_practice(*, practice_id: int, public_id: uuid.UUID | str) -> CatalogApp | None:
    """One entry of the practice's catalog (None when it is another practice's, replaced by the
    practice's copy, or does not exist). Archived and unavailable entries are returned: the
    service says why they cannot be recommended."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return catalog_apps_of_practice(practice_id=practice_id).filter(public_id=key).first()


def _with_related(qs: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
    return qs.select_related("app", "recommended_by__user", "assignment").prefetch_related(
        Prefetch("app__answers", queryset=EvaluationAnswer.objects.order_by("question"))
    )


def recommendations_open(*, access: CareAccess, unseen: bool = False) -> list[Recommendation]:
    """The client's open (not withdrawn) recommendations, newest first; `unseen`: only those the
    client has not opened yet. For the care team and for the client themselves."""
    qs = access.scope(Recommendation.objects.filter(withdrawn_at__isnull=True), CATEGORY)
    if unseen:
        qs = qs.filter(seen_at__isnull=True)
    return list(_with_related(qs).order_by("-created_at", "-pk"))


def recommendation_open_for_app(*, client_id: int, app: CatalogApp) -> Recommendation | None:
    """The client's open recommendation of this app, if there is one (one at most)."""
    return Recommendation.objects.filter(
        client_id=client_id, app=app, withdrawn_at__isnull=True
    ).first()


def recommendation_get_for_care(
    *, access: CareAccess, public_id: uuid.UUID
) -> Recommendation | None:
    """One of the client's recommendations (open or withdrawn), or None."""
    qs = access.scope(Recommendation.objects.filter(public_id=public_id), CATEGORY)
    return qs.select_related("app", "assignment").first()
