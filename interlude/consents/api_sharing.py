"""Sharing API: the signed-in client reads and changes what their care team sees.

`PUT /me/sharing` changes only the categories it names (a partial update; sending the same body
again changes nothing, so it is safe to retry without an idempotency key)."""

from __future__ import annotations

from typing import Any

from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict, StrictBool, model_validator

from interlude.consents.access import access_own_client
from interlude.consents.sharing_selectors import sharing_for_client
from interlude.consents.sharing_services import sharing_update
from interlude.consents.sharing_text import CATEGORY_TEXT
from interlude.core.api_errors import error_body
from interlude.core.errors import ApplicationError
from interlude.core.http import InterludeRequest
from interlude.practices.enums import ShareScope

router = Router(tags=["sharing"])


def _describe(cat: ShareScope) -> str:
    label, on, off = CATEGORY_TEXT[cat]
    return f"{label}. On: {on} Off: {off}"


class SharingCategories(Schema):
    """Every category the client switches, true when the care team sees it."""

    checkins: bool = Field(..., description=_describe(ShareScope.CHECKINS))
    journal: bool = Field(..., description=_describe(ShareScope.JOURNAL))
    worksheets: bool = Field(..., description=_describe(ShareScope.WORKSHEETS))
    measures: bool = Field(..., description=_describe(ShareScope.MEASURES))
    imports: bool = Field(..., description=_describe(ShareScope.IMPORTS))
    relaxation: bool = Field(..., description=_describe(ShareScope.RELAXATION))


class SharingCategoriesIn(Schema):
    """Only the categories to change; the others keep their value. Any other name is refused."""

    model_config = ConfigDict(extra="forbid")

    checkins: StrictBool | None = Field(None, description=_describe(ShareScope.CHECKINS))
    journal: StrictBool | None = Field(None, description=_describe(ShareScope.JOURNAL))
    worksheets: StrictBool | None = Field(None, description=_describe(ShareScope.WORKSHEETS))
    measures: StrictBool | None = Field(None, description=_describe(ShareScope.MEASURES))
    imports: StrictBool | None = Field(None, description=_describe(ShareScope.IMPORTS))
    relaxation: StrictBool | None = Field(None, description=_describe(ShareScope.RELAXATION))

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name, value in data.items():
                if value is None:
                    raise ValueError(f"'{name}' must be true or false.")
        return data


class SharingOut(Schema):
    categories: SharingCategories


class SharingIn(Schema):
    model_config = ConfigDict(extra="forbid")

    categories: SharingCategoriesIn


class ErrorOut(Schema):
    detail: list[dict]


def _out(request: InterludeRequest) -> SharingOut:
    client = access_own_client(user=request.user)
    state = sharing_for_client(client=client)
    return SharingOut(
        categories=SharingCategories(**{cat.value: on for cat, on in state.categories.items()})
    )


@router.get(
    "/me/sharing",
    response=SharingOut,
    summary="What my care team sees: one switch per category",
    url_name="me_sharing",
)
def sharing_get(request: InterludeRequest) -> SharingOut:
    return _out(request)


@router.put(
    "/me/sharing",
    response={200: SharingOut, 422: ErrorOut},
    summary="Change some of my sharing switches; the others keep their value",
    description='Send only the categories to change, e.g. `{"categories": {"journal": true}}`. '
    "The care team's next request sees the change. Answers with every category.",
    url_name="me_sharing_put",
)
def sharing_put(request: InterludeRequest, payload: SharingIn) -> Any:
    client = access_own_client(user=request.user)
    try:
        sharing_update(
            client=client,
            actor=request.user,
            categories=payload.categories.model_dump(exclude_unset=True),
        )
    except ApplicationError as exc:
        return Status(422, error_body(f"categories.{exc.field or ''}", exc.message))
    return _out(request)
