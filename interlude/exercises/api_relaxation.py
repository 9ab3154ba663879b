"""Relaxation sessions and article reads: clients write and list their own. Thin: services work.

Same conventions as the check-in API: idempotent writes by `idempotency_key` (201 when stored,
200 with the same record when the key was seen before), 422 naming the field for bad input, and
404 for anyone who is not a client.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from interlude.consents.access import access_own_client
from interlude.core.api_errors import error_body
from interlude.core.errors import ApplicationError, IdempotencyConflict
from interlude.core.http import InterludeRequest
from interlude.core.validation import FilterDateTime, PastDateTime
from interlude.exercises.library import article_get
from interlude.exercises.models import ArticleRead, RelaxationKind, RelaxationSession
from interlude.exercises.relaxation_selectors import (
    relaxation_session_get,
    relaxation_session_list,
)
from interlude.exercises.relaxation_services import (
    MAX_SECONDS_PRACTISED,
    article_mark_read,
    relaxation_session_create,
    relaxation_session_rate_after,
)
from interlude.practices.enums import Module
from interlude.practices.models import Client

router = Router(tags=["relaxation"])


class RelaxationSessionIn(Schema):
    kind: RelaxationKind = Field(..., description="box, 478, paced, pmr or grounding")
    started_at: PastDateTime = Field(
        ..., description="ISO 8601 with a UTC offset; from 1900, at most a day ahead"
    )
    seconds_practised: int = Field(..., ge=1, le=MAX_SECONDS_PRACTISED)
    distress_before: int | None = Field(None, ge=0, le=10)
    distress_after: int | None = Field(None, ge=0, le=10)
    idempotency_key: str = Field(..., min_length=1, max_length=100)


class RelaxationRatingIn(Schema):
    distress_after: int | None = Field(..., ge=0, le=10)


class RelaxationSessionOut(Schema):
    id: uuid.UUID
    kind: str
    started_at: datetime
    seconds_practised: int
    distress_before: int | None
    distress_after: int | None
    idempotency_key: str

    @staticmethod
    def resolve_id(obj: RelaxationSession) -> uuid.UUID:
        return obj.public_id


class ArticleReadOut(Schema):
    slug: str
    read_at: datetime


class ErrorOut(Schema):
    detail: list[dict]


def _own_client(request: InterludeRequest, module: Module | None = None) -> Client:
    try:
        client = access_own_client(user=request.user)
    except Http404:
        raise Http404("Only clients have relaxation sessions.") from None
    # A part of the app switched off for this client answers 404, like a page that is not there.
    return access_own_client(user=request.user, module=module) if module else client


@router.post(
    "/relaxation-sessions",
    response={200: RelaxationSessionOut, 201: RelaxationSessionOut, 409: ErrorOut, 422: ErrorOut},
    summary="Record a relaxation session (idempotent by idempotency_key)",
)
def relaxation_session_post(request: InterludeRequest, payload: RelaxationSessionIn):
    client = _own_client(request, Module.RELAXATION)
    try:
        session, created = relaxation_session_create(
            client=client,
            actor=request.user,
            kind=payload.kind,
            started_at=payload.started_at,
            seconds_practised=payload.seconds_practised,
            distress_before=payload.distress_before,
            distress_after=payload.distress_after,
            idempotency_key=payload.idempotency_key,
        )
    except IdempotencyConflict as exc:
        return Status(409, error_body("idempotency_key", exc.message, "conflict"))
    except ApplicationError as exc:
        return Status(422, error_body(exc.field or "body", exc.message))
    return Status(201 if created else 200, session)


@router.get(
    "/relaxation-sessions",
    response=list[RelaxationSessionOut],
    summary="My relaxation sessions, newest first",
)
def relaxation_session_get_list(
    request: InterludeRequest,
    since: Annotated[FilterDateTime | None, Query(description="ISO 8601, inclusive")] = None,
    until: Annotated[FilterDateTime | None, Query(description="ISO 8601, exclusive")] = None,
):
    client = _own_client(request, Module.RELAXATION)
    return relaxation_session_list(client=client, since=since, until=until)


@router.patch(
    "/relaxation-sessions/{session_id}",
    response={200: RelaxationSessionOut, 422: ErrorOut},
    summary="Add how distressed you felt after a session (within 24 hours)",
)
def relaxation_session_patch(
    request: InterludeRequest, session_id: uuid.UUID, payload: RelaxationRatingIn
):
    client = _own_client(request, Module.RELAXATION)
    session = relaxation_session_get(client=client, public_id=session_id)
    if session is None:
        raise Http404("No such session.")
    try:
        session = relaxation_session_rate_after(
            session=session, actor=request.user, distress_after=payload.distress_after
        )
    except ApplicationError as exc:
        return Status(422, error_body(exc.field or "body", exc.message))
    return Status(200, session)


@router.post(
    "/articles/{slug}/read",
    response={200: ArticleReadOut, 201: ArticleReadOut},
    summary="Mark a library article read (idempotent)",
)
def article_read_post(request: InterludeRequest, slug: str):
    client = _own_client(request, Module.RELAXATION)
    article = article_get(slug)
    if article is None:
        raise Http404("No such article.")
    record, created = article_mark_read(client=client, slug=article.slug)
    return Status(201 if created else 200, _article_read_out(record))


def _article_read_out(record: ArticleRead) -> ArticleReadOut:
    return ArticleReadOut(slug=record.slug, read_at=record.read_at)
