"""App recommendations API. Thin: the gate loads the client, recommend_services writes,
recommend_selectors reads. Session or bearer authentication (config/api.py); a client's token
with the `read` scope may read their own recommendations, and no token may recommend.

- `POST /clients/{client_id}/recommendations` (care team): body
  `{"app_id": uuid, "reason": str, "homework": {"schedule": "weekly", "times_per_week": 3,
  "until": "2026-04-08"} | {"schedule": "once", "due_on": "2026-03-20"} | null}`; 201 with
  `{id, app: {id, name}, reason, created_at, assignment_id}` (`assignment_id` null without
  homework). 404 when the client is not on the caller's care team or the app is not in their
  practice's catalog (never 403). 422 naming the field (`reason`, `app_id` for an archived or
  unavailable app, `homework` when homework is switched off for the client,
  `homework.times_per_week`, `homework.until`, `homework.due_on`, ...). **409** when the client
  already has an open recommendation of that app: the request is well formed but conflicts with
  the current state; the message names the date of the open one (withdraw it first). Nothing is
  stored on any error.
- `GET /clients/{client_id}/recommendations` (care team): the open recommendations.
- `GET /me/recommendations` (the client): their open recommendations with the app's facts and a
  plain-language privacy summary. Reading it does not mark them seen (opening the page does).

Errors have ninja's validation shape, {"detail": [{"loc": [...], "msg": ..., "type": ...}]}.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from django.http import Http404
from ninja import Field, Router, Schema, Status

from interlude.catalog.models import Recommendation
from interlude.catalog.privacy import privacy_summary
from interlude.catalog.recommend_selectors import (
    CATEGORY,
    catalog_app_for_practice,
    recommendations_open,
)
from interlude.catalog.recommend_services import (
    MAX_REASON,
    DuplicateRecommendation,
    HomeworkChoice,
    recommendation_create,
)
from interlude.consents.access import Viewer, access_client, access_own
from interlude.core.api_errors import error_body
from interlude.core.clock import client_today
from interlude.core.errors import ApplicationError
from interlude.core.http import InterludeRequest

router = Router(tags=["recommendations"])


class ErrorOut(Schema):
    detail: list[dict]


class HomeworkIn(Schema):
    schedule: Literal["weekly", "once"] = Field(
        ..., description="weekly: `times_per_week` times a week until `until`; once: by `due_on`"
    )
    times_per_week: int | None = Field(None, description="weekly: 1 to 7")
    until: date | None = Field(None, description="weekly: the last day (the client's calendar)")
    due_on: date | None = Field(None, description="once: the day it is due")
    starts_on: date | None = Field(None, description="default: today, in the client's calendar")


class RecommendationIn(Schema):
    app_id: uuid.UUID = Field(..., description="The catalog entry's id")
    reason: str = Field(
        ..., description=f"Why, in your words (1 to {MAX_REASON:,} characters); the client reads it"
    )
    homework: HomeworkIn | None = Field(None, description="Also set a 'try this app' homework")


class AppRef(Schema):
    id: uuid.UUID
    name: str


class RecommendationOut(Schema):
    id: uuid.UUID
    app: AppRef
    reason: str
    created_at: datetime
    assignment_id: uuid.UUID | None


class CareRecommendationOut(RecommendationOut):
    recommended_by: str
    seen_at: datetime | None


class OwnAppOut(Schema):
    id: uuid.UUID
    name: str
    website: str
    summary: str
    cost: str = Field(..., description="free, freemium, subscription, paid or unknown")
    platforms: list[str]
    goals: list[str]
    importer: str = Field(
        ..., description="The import source that reads this app's export ('' if none)"
    )


class OwnRecommendationOut(Schema):
    id: uuid.UUID
    app: OwnAppOut
    reason: str
    recommended_by: str
    created_at: datetime
    assignment_id: uuid.UUID | None
    seen_at: datetime | None
    privacy_summary: list[str] = Field(
        ..., description="Plain sentences about the app's privacy, then when it was checked"
    )


def _out(r: Recommendation) -> dict:
    return {
        "id": r.public_id,
        "app": {"id": r.app.public_id, "name": r.app.name},
        "reason": r.reason,
        "created_at": r.created_at,
        "assignment_id": r.assignment.public_id if r.assignment is not None else None,
    }


@router.post(
    "/clients/{client_id}/recommendations",
    response={201: RecommendationOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Recommend a catalog app to a client, optionally as homework (care team)",
)
def care_recommendation_post(
    request: InterludeRequest, client_id: uuid.UUID, payload: RecommendationIn
):
    care = access_client(user=request.user, client_id=client_id, scope=CATEGORY, for_write=True)
    if care.viewer is not Viewer.CARE_TEAM or care.membership is None:
        raise Http404
    app = catalog_app_for_practice(practice_id=care.client.practice_id, public_id=payload.app_id)
    if app is None:
        raise Http404("No such app in the practice's catalog.")
    homework = None
    if payload.homework is not None:
        homework = HomeworkChoice(**payload.homework.model_dump())
    try:
        recommendation = recommendation_create(
            care=care,
            membership=care.membership,
            app=app,
            reason=payload.reason,
            homework=homework,
        )
    except DuplicateRecommendation as exc:
        return Status(409, error_body(exc.field or "app_id", exc.message))
    except ApplicationError as exc:
        return Status(422, error_body(exc.field or "body", exc.message))
    return Status(201, _out(recommendation))


@router.get(
    "/clients/{client_id}/recommendations",
    response={200: list[CareRecommendationOut], 404: ErrorOut},
    summary="A client's open app recommendations (care team)",
)
def care_recommendation_list(request: InterludeRequest, client_id: uuid.UUID):
    care = access_client(user=request.user, client_id=client_id, scope=CATEGORY)
    return [
        {
            **_out(r),
            "recommended_by": r.recommended_by.user.get_full_name(),
            "seen_at": r.seen_at,
        }
        for r in recommendations_open(access=care)
    ]


@router.get(
    "/me/recommendations",
    response={200: list[OwnRecommendationOut], 404: ErrorOut},
    summary="The apps my therapist suggested, with a plain privacy summary of each",
)
def own_recommendation_list(request: InterludeRequest):
    care = access_own(user=request.user)
    today = client_today(care.client)
    return [
        {
            **_out(r),
            "app": {
                "id": r.app.public_id,
                "name": r.app.name,
                "website": r.app.website,
                "summary": r.app.summary,
                "cost": r.app.cost,
                "platforms": list(r.app.platforms),
                "goals": list(r.app.goals),
                "importer": r.app.importer,
            },
            "recommended_by": r.recommended_by.user.get_full_name(),
            "seen_at": r.seen_at,
            "privacy_summary": privacy_summary(r.app, today=today),
        }
        for r in recommendations_open(access=care)
    ]
