"""Messages API: the client's thread with their care team. Thin: the gate loads the client,
message_send validates and writes, the selectors read.

- `GET/POST /messages`: the signed-in client's own thread (404 when messaging is switched off).
- `GET/POST /clients/{client_id}/messages`: a care-team clinician, through the gate (MESSAGES
  scope: the thread is addressed to the care team). Emergency (break-glass) access reads, never
  writes, and reading does not mark anything as read.
- `POST /messages/{id}/read`: mark a message from the other side (and the earlier ones) read.

A client's message whose words suggest immediate risk answers `"crisis": true` with the crisis
lines to show at once; the care team gets an alert. Nobody watches messages in real time.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.http import Http404
from ninja import Field, Router, Schema, Status

from interlude.care.selectors import crisis_resources_for_client
from interlude.consents.access import CareAccess, Viewer, access_client, access_own
from interlude.core.api_errors import error_body
from interlude.core.errors import ApplicationError, IdempotencyConflict
from interlude.core.http import InterludeRequest
from interlude.messaging.models import Message, Side
from interlude.messaging.selectors import PAGE_MAX, PAGE_SIZE, message_get, thread_messages
from interlude.messaging.services import MessageRateLimited, message_mark_read, message_send
from interlude.practices.enums import Module, ShareScope
from interlude.practices.models import Client

router = Router(tags=["messaging"])


class MessageOut(Schema):
    id: uuid.UUID
    by: str = Field(..., description='"client" or "care_team"')
    sender: str
    body: str
    sent_at: datetime
    read_at: datetime | None = Field(..., description="When the other side first opened it")
    attachment: dict | None = Field(None, description="name, content_type, size")
    shared: dict | None = Field(None, description='{"type": …, "id": …} of a shared record')


class ThreadOut(Schema):
    messages: list[MessageOut] = Field(..., description="Oldest first")
    next_before: datetime | None = Field(
        ..., description="Pass as `before` for the older page; null when there is none"
    )


class MessageIn(Schema):
    body: str = Field(..., description="Up to 5,000 characters")
    idempotency_key: str = Field(..., description="1 to 100 characters; a retry sends the same")


class CrisisResourceOut(Schema):
    name: str
    phone: str
    sms: str
    url: str
    hours: str
    is_emergency: bool


class SentOut(Schema):
    message: MessageOut
    crisis: bool = Field(..., description="True when the words suggest immediate risk")
    crisis_resources: list[CrisisResourceOut]


class ErrorOut(Schema):
    detail: Any


def _out(m: Message) -> MessageOut:
    attachment = getattr(m, "attachment", None) if _has_attachment(m) else None
    return MessageOut(
        id=m.public_id,
        by=m.by,
        sender=m.sender.get_full_name(),
        body=m.body,
        sent_at=m.sent_at,
        read_at=m.read_at,
        attachment={
            "name": attachment.filename,
            "content_type": attachment.content_type,
            "size": attachment.size,
        }
        if attachment
        else None,
        shared={"type": m.shared_kind, "id": m.shared_id} if m.shared_kind else None,
    )


def _has_attachment(m: Message) -> bool:
    try:
        m.attachment  # noqa: B018 (loaded by select_related; a missing one raises)
    except Message.attachment.RelatedObjectDoesNotExist:
        return False
    return True


def _thread(client: Client, before: datetime | None, limit: int) -> ThreadOut:
    rows = thread_messages(client=client, before=before, limit=limit)
    full = len(rows) >= max(1, min(limit, PAGE_MAX))
    return ThreadOut(
        messages=[_out(m) for m in rows], next_before=rows[0].sent_at if rows and full else None
    )


def _send(request: InterludeRequest, care: CareAccess, side: Side, payload: MessageIn) -> Any:
    try:
        message, _created = message_send(
            client=care.client,
            sender=request.user,
            by=side,
            body=payload.body,
            idempotency_key=payload.idempotency_key,
        )
    except MessageRateLimited as exc:
        return Status(429, {"detail": exc.message})
    except IdempotencyConflict as exc:
        return Status(409, error_body(exc.field or "idempotency_key", exc.message))
    except ApplicationError as exc:
        return Status(422, error_body(exc.field or "body", exc.message))
    crisis = side == Side.CLIENT and message.risk_flagged
    resources = crisis_resources_for_client(client=care.client) if crisis else []
    return SentOut(
        message=_out(message),
        crisis=crisis,
        crisis_resources=[CrisisResourceOut.from_orm(r) for r in resources],
    )


_SEND_RESPONSES = {200: SentOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}


@router.get("/messages", response=ThreadOut, summary="Your thread with your care team")
def messages_own(
    request: InterludeRequest, before: datetime | None = None, limit: int = PAGE_SIZE
) -> ThreadOut:
    care = access_own(user=request.user, module=Module.MESSAGING)
    return _thread(care.client, before, limit)


@router.post(
    "/messages",
    response=_SEND_RESPONSES,
    summary="Send a message to your care team",
    description="The same idempotency_key with the same body returns the stored message; with "
    "a different body, 409. Empty, too long or unstorable text: 422 naming the field. Too many "
    "messages in a short time: 429. Messages are read in the care team's messaging hours, not "
    "in real time.",
)
def messages_own_send(request: InterludeRequest, payload: MessageIn) -> Any:
    care = access_own(user=request.user, module=Module.MESSAGING)
    return _send(request, care, Side.CLIENT, payload)


def _care(request: InterludeRequest, client_id: uuid.UUID, *, write: bool) -> CareAccess:
    return access_client(
        user=request.user, client_id=client_id, scope=ShareScope.MESSAGES, for_write=write
    )


@router.get(
    "/clients/{client_id}/messages",
    response=ThreadOut,
    summary="A client's thread (care team)",
)
def messages_for_client(
    request: InterludeRequest,
    client_id: uuid.UUID,
    before: datetime | None = None,
    limit: int = PAGE_SIZE,
) -> ThreadOut:
    care = _care(request, client_id, write=False)
    return _thread(care.client, before, limit)


@router.post(
    "/clients/{client_id}/messages",
    response=_SEND_RESPONSES,
    summary="Send a message to a client (care team)",
)
def messages_for_client_send(
    request: InterludeRequest, client_id: uuid.UUID, payload: MessageIn
) -> Any:
    care = _care(request, client_id, write=True)
    return _send(request, care, Side.CARE_TEAM, payload)


@router.post(
    "/messages/{message_id}/read",
    response={200: MessageOut, 422: ErrorOut},
    summary="Mark a message from the other side, and the earlier ones, as read",
)
def message_read(request: InterludeRequest, message_id: uuid.UUID) -> Any:
    client = getattr(request.user, "client_profile", None)
    if client is not None:
        care = access_own(user=request.user, module=Module.MESSAGING)
        side = Side.CLIENT
    else:
        found = (
            Message.objects.filter(public_id=message_id)
            .values_list("client__public_id", flat=True)
            .first()
        )
        if found is None:
            raise Http404
        care = _care(request, found, write=True)
        side = Side.CARE_TEAM
    message = message_get(client=care.client, message_id=message_id)
    if message is None:
        raise Http404
    if care.viewer is Viewer.BREAK_GLASS:  # pragma: no cover - for_write refuses it already
        return Status(422, error_body("id", "Emergency access cannot mark messages read."))
    try:
        message = message_mark_read(message=message, reader=request.user, side=side)
    except ApplicationError as exc:
        return Status(422, error_body(exc.field or "id", exc.message))
    return _out(
        Message.objects.select_related("sender", "attachment")
        .defer("attachment__content")
        .get(pk=message.pk)
    )
