"""Reads for messaging: the thread, unread counts, and whether the practice is inside its
messaging hours. Callers pass a client they loaded through the gate (or the client's own)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, Q

from interlude.messaging.models import Message, MessageAttachment, MessagingSettings, Side
from interlude.practices.models import Client

PAGE_SIZE = 50
PAGE_MAX = 100


def thread_messages(
    *, client: Client, before: datetime | None = None, limit: int = PAGE_SIZE
) -> list[Message]:
    """The newest `limit` messages sent before `before`, oldest first (the thread reads top to
    bottom), in one query: sender and attachment (without its bytes) joined."""
    qs = Message.objects.filter(client=client)
    if before is not None:
        qs = qs.filter(sent_at__lt=before)
    rows = list(
        qs.select_related("sender", "attachment")
        .defer("attachment__content")
        .order_by("-sent_at", "-pk")[: max(1, min(limit, PAGE_MAX))]
    )
    rows.reverse()
    return rows


def message_get(*, client: Client, message_id: uuid.UUID) -> Message | None:
    return Message.objects.filter(client=client, public_id=message_id).first()


def attachment_get(*, client: Client, attachment_id: uuid.UUID) -> MessageAttachment | None:
    return (
        MessageAttachment.objects.filter(client=client, public_id=attachment_id)
        .select_related("message")
        .first()
    )


def unread_count(*, client: Client, reader_side: Side) -> int:
    """Messages from the other side that nobody on the reader's side has opened yet."""
    other = Side.CARE_TEAM if reader_side == Side.CLIENT else Side.CLIENT
    return Message.objects.filter(client=client, by=other, read_at__isnull=True).count()


@dataclass(frozen=True)
class ThreadSummary:
    client_id: int
    unread: int  # from the client, not yet opened by the care team
    last_sent_at: datetime | None
    total: int


def thread_summaries(*, client_ids: Iterable[int]) -> dict[int, ThreadSummary]:
    """Per client with any message: unread-from-client count, last message, total (one query)."""
    rows = (
        Message.objects.filter(client_id__in=set(client_ids))
        .values("client_id")
        .annotate(
            unread=Count("pk", filter=Q(by=Side.CLIENT, read_at__isnull=True)),
            last=Max("sent_at"),
            total=Count("pk"),
        )
    )
    return {
        r["client_id"]: ThreadSummary(r["client_id"], r["unread"], r["last"], r["total"])
        for r in rows
    }


# --- messaging hours ---------------------------------------------------------------------------
def _span(settings: MessagingSettings, weekday: int) -> tuple[time, time] | None:
    span = (settings.hours or {}).get(str(weekday))
    if not span:
        return None
    return time.fromisoformat(span[0]), time.fromisoformat(span[1])


def messaging_is_open(*, settings: MessagingSettings, zone: str, at: datetime) -> bool:
    """Whether `at` falls inside the practice's messaging hours (wall clock in its zone)."""
    local = at.astimezone(ZoneInfo(zone))
    span = _span(settings, local.weekday())
    return span is not None and span[0] <= local.time() < span[1]


def messaging_next_open(*, settings: MessagingSettings, zone: str, at: datetime) -> datetime | None:
    """When the next messaging hours start after `at` (aware, in the practice's zone); None when
    the practice set no hours at all."""
    tz = ZoneInfo(zone)
    local = at.astimezone(tz)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        span = _span(settings, day.weekday())
        if span is None:
            continue
        start = datetime.combine(day, span[0], tzinfo=tz)
        if start > local:
            return start
    return None
