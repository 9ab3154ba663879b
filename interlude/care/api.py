"""Safety plan API: read the plan in force and save a new version. Thin: the gate loads the
client, safety_plan_save validates and writes.

A client reads and writes their own plan. A care-team clinician passes `client_id` (the client's
public id); the read goes through the gate (PROFILE scope: the plan is always visible to the care
team) and is audited. Errors have the same shape as ninja's validation errors:
{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from ninja import Field, Query, Router, Schema, Status

from interlude.care.models import SafetyPlanVersion
from interlude.care.schemas import SafetyPlanContent, content_errors
from interlude.care.selectors import (
    safety_plan_content,
    safety_plan_current,
    safety_plan_version_get,
    safety_plan_versions,
)
from interlude.care.services import StaleVersionError, safety_plan_save
from interlude.consents.access import CareAccess, access_client, access_own
from interlude.core.api_errors import error_item
from interlude.core.errors import ApplicationError
from interlude.core.http import InterludeRequest
from interlude.practices.enums import ShareScope

router = Router(tags=["safety plan"])

ClientId = Annotated[
    uuid.UUID | None,
    Query(description="A care-team clinician names the client; a client leaves it out."),
]


class SafetyPlanOut(Schema):
    version: int = Field(..., description="0 when there is no plan yet")
    content: SafetyPlanContent
    updated_at: datetime | None
    updated_by: str | None


class SafetyPlanVersionOut(Schema):
    version: int
    updated_at: datetime
    updated_by: str
    change_note: str


class SafetyPlanIn(Schema):
    base_version: int = Field(
        ..., ge=0, description="The version you started from (0 for a new plan)"
    )
    content: dict[str, Any] = Field(
        ...,
        description="The whole plan, with the shape of SafetyPlanContent (see the GET response): "
        "up to 20 lines per section, 300 characters per line.",
    )


class ErrorOut(Schema):
    detail: list[dict]


class ConflictOut(Schema):
    detail: list[dict]
    current_version: int


def _care(request: InterludeRequest, client_id: uuid.UUID | None) -> CareAccess:
    """The client themself, or a care-team clinician naming the client. The safety plan is never
    hidden from the care team, whatever the client shares (the gate's rule). A write is refused
    under emergency (break-glass) access, which only reads."""
    if client_id is None:
        return access_own(user=request.user)
    return access_client(
        user=request.user,
        client_id=client_id,
        scope=ShareScope.SAFETY_PLAN,
        for_write=request.method not in ("GET", "HEAD"),
    )


def _out(version: SafetyPlanVersion | None) -> SafetyPlanOut:
    return SafetyPlanOut(
        version=version.version if version else 0,
        content=safety_plan_content(version),
        updated_at=version.created_at if version else None,
        updated_by=version.created_by.get_full_name() if version else None,
    )


@router.get(
    "/safety-plan",
    response=SafetyPlanOut,
    summary="The safety plan in force (the newest version)",
    url_name="safety_plan_api",
)
def safety_plan_get(request: InterludeRequest, client_id: ClientId = None) -> SafetyPlanOut:
    return _out(safety_plan_current(access=_care(request, client_id)))


@router.put(
    "/safety-plan",
    response={200: SafetyPlanOut, 409: ConflictOut, 422: ErrorOut},
    summary="Save the whole plan as a new version",
    description="Send the whole plan and the version you started from. If someone saved a newer "
    "version in the meantime, nothing is stored and the answer is 409 with current_version. "
    "Invalid input is refused with 422 naming every field at fault; nothing is stored.",
    url_name="safety_plan_api_put",
)
def safety_plan_put(
    request: InterludeRequest, payload: SafetyPlanIn, client_id: ClientId = None
) -> Any:
    client = _care(request, client_id).client
    content, errors = content_errors(payload.content)
    if errors or content is None:
        detail = [error_item(f"content.{e.field}", e.message) for e in errors]
        return Status(422, {"detail": detail})
    try:
        saved = safety_plan_save(
            client=client, actor=request.user, content=content, base_version=payload.base_version
        )
    except StaleVersionError as exc:
        return Status(
            409,
            {
                "detail": [error_item("base_version", exc.message, "conflict")],
                "current_version": exc.current_version,
            },
        )
    except ApplicationError as exc:
        return Status(422, {"detail": [error_item(exc.field or "", exc.message)]})
    return Status(200, _out(saved))


@router.get(
    "/safety-plan/versions",
    response=list[SafetyPlanVersionOut],
    summary="Every saved version, newest first",
    url_name="safety_plan_api_versions",
)
def safety_plan_versions_get(
    request: InterludeRequest, client_id: ClientId = None
) -> list[SafetyPlanVersionOut]:
    return [
        SafetyPlanVersionOut(
            version=v.version,
            updated_at=v.created_at,
            updated_by=v.created_by.get_full_name(),
            change_note=v.change_note,
        )
        for v in safety_plan_versions(access=_care(request, client_id))
    ]


@router.get(
    "/safety-plan/versions/{version}",
    response=SafetyPlanOut,
    summary="One earlier version, read-only",
    url_name="safety_plan_api_version",
)
def safety_plan_version_detail(
    request: InterludeRequest, version: int, client_id: ClientId = None
) -> SafetyPlanOut:
    return _out(safety_plan_version_get(access=_care(request, client_id), version=version))
