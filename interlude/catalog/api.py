"""App catalog API: `GET /catalog/apps`, the caller's practice catalog with the same filters as the
catalog page, as query parameters.

For signed-in staff of a practice (owners, admins and clinicians). Anyone else, a client or a
client's access token, gets 404 like anything out of reach. A bad filter value is a 422 in
ninja's validation shape, naming the parameter: {"detail": [{"loc": ["query", "goal"], ...}]}.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from interlude.catalog.catalog_selectors import CatalogFilters, catalog_apps, review_due
from interlude.catalog.enums import Cost, Evidence, Goal, Platform, Privacy
from interlude.core.clock import client_today
from interlude.core.errors import ApplicationError
from interlude.core.http import InterludeRequest
from interlude.practices.selectors import membership_active_for

router = Router(tags=["catalog"])


class ErrorOut(Schema):
    detail: list[dict]


class CatalogAppOut(Schema):
    id: uuid.UUID
    slug: str
    name: str
    website: str
    summary: str
    importer: str = Field(..., description="The importer that reads this app's export, or ''")
    importable: bool
    available: bool = Field(..., description="False only when answered 'no longer available'")
    platforms: list[str]
    cost: str
    goals: list[str]
    evidence: str
    privacy: str
    reviewed_on: date | None = Field(..., description="The oldest answer's review date")
    review_due: bool = Field(..., description="Never reviewed, or reviewed over a year ago")
    starter: bool = Field(..., description="A shared starter entry (not the practice's own)")


def _choices(enum) -> str:
    return "one of " + ", ".join(enum.values)


@router.get(
    "/catalog/apps",
    response={200: list[CatalogAppOut], 404: ErrorOut, 422: ErrorOut},
    summary="The practice's app catalog, filtered (staff)",
)
def catalog_app_list(
    request: InterludeRequest,
    goal: Annotated[str, Query(description=_choices(Goal))] = "",
    cost: Annotated[str, Query(description=_choices(Cost))] = "",
    platform: Annotated[str, Query(description=_choices(Platform))] = "",
    privacy: Annotated[str, Query(description=_choices(Privacy))] = "",
    evidence: Annotated[str, Query(description=_choices(Evidence))] = "",
    importable: Annotated[
        str, Query(description="true: Interlude can import its data; false: not")
    ] = "",
    q: Annotated[str, Query(description="Words in the name or summary")] = "",
    include_unavailable: Annotated[
        str, Query(description="true: include apps no longer available")
    ] = "",
):
    membership = membership_active_for(user=request.user)
    if membership is None:
        raise Http404("Not found.")
    params = {
        "goal": goal,
        "cost": cost,
        "platform": platform,
        "privacy": privacy,
        "evidence": evidence,
        "importable": importable,
        "q": q,
        "include_unavailable": include_unavailable,
    }
    try:
        filters = CatalogFilters.parse(params)
    except ApplicationError as exc:
        return Status(
            422,
            {"detail": [{"loc": ["query", exc.field], "msg": exc.message, "type": "value_error"}]},
        )
    practice = membership.practice
    today = client_today(practice)
    return [
        {
            "id": a.public_id,
            "slug": a.slug,
            "name": a.name,
            "website": a.website,
            "summary": a.summary,
            "importer": a.importer,
            "importable": bool(a.importer),
            "available": a.available,
            "platforms": list(a.platforms or []),
            "cost": a.cost,
            "goals": list(a.goals or []),
            "evidence": a.evidence,
            "privacy": a.privacy,
            "reviewed_on": a.reviewed_on,
            "review_due": review_due(a, today),
            "starter": a.practice_id is None,
        }
        for a in catalog_apps(practice=practice, filters=filters)
    ]
