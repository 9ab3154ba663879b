"""Consent API for clients: read the current document, agree to it, withdraw. Thin: the same
services as the pages."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404
from ninja import Field, Router, Schema, Status

from interlude.consents.access import access_own_client
from interlude.consents.consent_selectors import consent_state
from interlude.consents.consent_services import (
    consent_accept,
    consent_document_current,
    consent_withdraw,
)
from interlude.consents.models import ConsentMethod
from interlude.core.api_errors import error_body
from interlude.core.errors import ApplicationError
from interlude.core.http import InterludeRequest
from interlude.practices.models import Client

router = Router(tags=["consent"])


class ConsentOut(Schema):
    version: int = Field(..., description="The practice's current consent document version")
    text: str = Field(..., description="The document's text (Markdown), exactly as agreed to")
    accepted: bool = Field(..., description="Whether you have agreed to this version")
    accepted_at: datetime | None = Field(
        ..., description="When you agreed to this version; null if you have not"
    )


class ConsentIn(Schema):
    version: int = Field(..., ge=1, le=1_000_000, description="The version you read")
    typed_name: str = Field(
        ..., max_length=200, description="Your name, typed to show you agree (not blank)"
    )


class ErrorOut(Schema):
    detail: list[dict]


def _own_client(request: InterludeRequest) -> Client:
    try:
        return access_own_client(user=request.user)
    except Http404:
        raise Http404("Only clients give consent.") from None


def _out(client: Client) -> ConsentOut:
    document = consent_document_current(practice=client.practice)
    state = consent_state(client=client, current_version=document.version)
    return ConsentOut(
        version=document.version,
        text=document.body,
        accepted=state.accepted(document.version),
        accepted_at=state.accepted_at,
    )


@router.get(
    "/me/consent",
    response=ConsentOut,
    summary="The current consent document and whether I agreed to it",
    url_name="me_consent",
)
def consent_get(request: InterludeRequest):
    return _out(_own_client(request))


@router.post(
    "/me/consent",
    response={200: ConsentOut, 422: ErrorOut},
    summary="Agree to the current consent document (idempotent)",
    description="Send the version you read and your typed name. A blank name or a version that "
    "is not the current one answers 422 naming the field. Agreeing again to the version you "
    "already agreed to changes nothing.",
    url_name="me_consent_accept",
)
def consent_post(request: InterludeRequest, payload: ConsentIn):
    client = _own_client(request)
    try:
        consent_accept(
            client=client,
            actor=request.user,
            version=payload.version,
            typed_name=payload.typed_name,
            method=ConsentMethod.API,
        )
    except ApplicationError as exc:
        return Status(422, error_body(exc.field or "body", exc.message))
    return Status(200, _out(client))


@router.post(
    "/me/consent/withdraw",
    response=ConsentOut,
    summary="Withdraw my consent (idempotent)",
    description="From the care team's next request, they no longer see what you recorded, "
    "except risk alerts, the safety plan and what they recorded themselves.",
    url_name="me_consent_withdraw",
)
def consent_withdraw_post(request: InterludeRequest):
    client = _own_client(request)
    consent_withdraw(client=client, actor=request.user, method=ConsentMethod.API)
    return _out(client)
