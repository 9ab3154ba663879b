"""Writes for messaging: sending (with an attachment or a shared record), read state, and the
practice's messaging hours. Every send is audited in its transaction.

A client's message whose words suggest immediate risk (risk_phrases.py) is stored like any other,
flagged, and handed to the hooks registered from above (the alerts app raises an alert for the care
team) inside the same transaction: a message and its alert are stored together or not at all.
"""

from __future__ import annotations

import io
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from interlude.accounts.models import User
from interlude.audit.services import event_message_sent, event_messaging_settings_changed
from interlude.core.errors import ApplicationError
from interlude.core.idempotency import idempotency_remember, idempotency_replay, request_hash
from interlude.core.validation import MSG_BAD_TEXT, text_problem
from interlude.messaging.models import (
    AttachmentType,
    Message,
    MessageAttachment,
    MessagingSettings,
    ReplyTime,
    SharedKind,
    Side,
)
from interlude.messaging.risk_phrases import risk_phrase_match
from interlude.practices.models import Client, Practice

MESSAGE_KIND = "messaging.message"
BODY_MAX = 5000
DEFAULT_SEND_LIMIT = 20
DEFAULT_SEND_WINDOW_MINUTES = 10
DEFAULT_ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class MessageRateLimited(ApplicationError):
    """Too many messages from one person in a short time: the screens answer 429."""

    def __init__(self, limit: int, minutes: int) -> None:
        super().__init__(
            f"You have sent {limit} messages in the last {minutes} minutes, the most we allow. "
            "Wait a few minutes, then send again. If you need help now, use the crisis lines.",
            field="body",
        )


def send_limit() -> tuple[int, int]:
    """(messages, minutes): the most one person may send in a sliding window (settings)."""
    return (
        int(getattr(settings, "MESSAGING_SEND_LIMIT", DEFAULT_SEND_LIMIT)),
        int(getattr(settings, "MESSAGING_SEND_WINDOW_MINUTES", DEFAULT_SEND_WINDOW_MINUTES)),
    )


def attachment_max_bytes() -> int:
    return int(getattr(settings, "MESSAGING_ATTACHMENT_MAX_BYTES", DEFAULT_ATTACHMENT_MAX_BYTES))


# --- hooks from above --------------------------------------------------------------------------
class MessageRiskHook(Protocol):
    def __call__(self, *, message: Message) -> object: ...


# Work an app above messaging does when a client's message matches the risk phrases, inside
# message_send's transaction (the alerts app registers the alert in AlertsConfig.ready).
_MESSAGE_RISK: list[MessageRiskHook] = []


def message_risk_hook_register(hook: MessageRiskHook) -> None:
    """Run `hook` after a risk-flagged client message is stored (once, however often registered)."""
    if hook not in _MESSAGE_RISK:
        _MESSAGE_RISK.append(hook)


# --- attachments -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def _sniff(data: bytes) -> AttachmentType | None:
    """The type the bytes are, from their first bytes (never the name or the browser's word)."""
    if data.startswith(b"%PDF-"):
        return AttachmentType.PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return AttachmentType.PNG
    if data.startswith(b"\xff\xd8\xff"):
        return AttachmentType.JPEG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return AttachmentType.WEBP
    return None


_EXTENSION = {
    AttachmentType.PDF: ".pdf",
    AttachmentType.PNG: ".png",
    AttachmentType.JPEG: ".jpg",
    AttachmentType.WEBP: ".webp",
}


def safe_filename(name: str, kind: AttachmentType) -> str:
    """ASCII letters, digits, dots, dashes and underscores, ending in the extension of what the
    file really is: safe in a Content-Disposition header and on any disk."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    base = base.rsplit(".", 1)[0] if "." in base else base
    base = re.sub(r"[^A-Za-z0-9_-]+", "-", base).strip("-._")[:80] or "attachment"
    return base + _EXTENSION[kind]


def attachment_check(upload: Upload) -> tuple[AttachmentType, str]:
    """The file's real type and a safe name, or ApplicationError naming the problem."""
    limit = attachment_max_bytes()
    if not upload.data:
        raise ApplicationError("The file is empty. Choose another file.", field="attachment")
    if len(upload.data) > limit:
        raise ApplicationError(
            f"The file is larger than {limit // (1024 * 1024)} MB. Choose a smaller file.",
            field="attachment",
        )
    kind = _sniff(upload.data)
    if kind is None:
        raise ApplicationError(
            "The file must be a PDF or an image (PNG, JPEG or WebP).", field="attachment"
        )
    if kind != AttachmentType.PDF:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(upload.data)) as image:
                image.verify()
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise ApplicationError(
                "The image could not be opened. It may be damaged; choose another file.",
                field="attachment",
            ) from exc
    return kind, safe_filename(upload.name, kind)


# --- sending -----------------------------------------------------------------------------------
def _clean_body(body: str, *, attachment: bool) -> str:
    if not isinstance(body, str):
        raise ApplicationError("The message must be text.", field="body")
    if text_problem(body) is not None:
        raise ApplicationError(MSG_BAD_TEXT, field="body")
    text = body.strip()
    if not text and not attachment:
        raise ApplicationError("Write a message before sending.", field="body")
    if len(text) > BODY_MAX:
        raise ApplicationError(
            f"A message can be up to {BODY_MAX:,} characters; this one has {len(text):,}. "
            "Shorten it or send it in parts.",
            field="body",
        )
    return text


def _rate_check(sender: User) -> None:
    limit, minutes = send_limit()
    since = timezone.now() - timedelta(minutes=minutes)
    if Message.objects.filter(sender=sender, sent_at__gte=since).count() >= limit:
        raise MessageRateLimited(limit, minutes)


def message_send(
    *,
    client: Client,
    sender: User,
    by: Side,
    body: str,
    idempotency_key: str,
    attachment: Upload | None = None,
    shared_kind: SharedKind | str = "",
    shared_id: uuid.UUID | None = None,
) -> tuple[Message, bool]:
    """Store a message in the client's thread. Returns (message, created).

    The same idempotency key with the same request returns the stored message; with a different
    request it raises IdempotencyConflict. `by` is the side the sender writes for (the caller
    decides: the client themself, or a care-team member through the gate, never break-glass).
    """
    key = (idempotency_key or "").strip()
    if not 0 < len(key) <= 100:
        raise ApplicationError(
            "idempotency_key must be 1 to 100 characters.", field="idempotency_key"
        )
    text = _clean_body(body, attachment=attachment is not None)
    if bool(shared_kind) != (shared_id is not None) or (
        shared_kind and shared_kind not in SharedKind.values
    ):
        raise ApplicationError("Choose a worksheet or check-in to share.", field="shared")
    digest = request_hash(
        {
            "body": text,
            "by": str(by),
            "shared_kind": str(shared_kind),
            "shared_id": shared_id,
            "attachment": request_hash({"d": attachment.data.hex()}) if attachment else None,
        }
    )
    existing = Message.objects.filter(client=client, sender=sender, idempotency_key=key).first()
    if existing is not None:
        idempotency_replay(user=sender, kind=MESSAGE_KIND, key=key, digest=digest, what="message")
        return existing, False
    checked = attachment_check(attachment) if attachment is not None else None
    _rate_check(sender)
    flagged = by == Side.CLIENT and risk_phrase_match(text)
    try:
        with transaction.atomic():
            message = Message.objects.create(
                practice_id=client.practice_id,
                client=client,
                sender=sender,
                by=by,
                body=text,
                shared_kind=str(shared_kind),
                shared_id=shared_id,
                idempotency_key=key,
                sent_at=timezone.now(),
                risk_flagged=flagged,
                created_by=sender,
                updated_by=sender,
            )
            if attachment is not None and checked is not None:
                MessageAttachment.objects.create(
                    practice_id=client.practice_id,
                    client=client,
                    message=message,
                    filename=checked[1],
                    content_type=checked[0],
                    size=len(attachment.data),
                    content=attachment.data,
                    created_by=sender,
                    updated_by=sender,
                )
            idempotency_remember(user=sender, kind=MESSAGE_KIND, key=key, digest=digest)
            event_message_sent(
                actor=sender,
                client=client,
                message_id=str(message.public_id),
                by=str(by),
                attachment=attachment is not None,
            )
            if flagged:
                for hook in _MESSAGE_RISK:
                    hook(message=message)
    except IntegrityError:
        existing = Message.objects.filter(client=client, sender=sender, idempotency_key=key).first()
        if existing is None:
            raise
        idempotency_replay(user=sender, kind=MESSAGE_KIND, key=key, digest=digest, what="message")
        return existing, False
    from interlude.messaging.tasks import message_notify

    transaction.on_commit(lambda: message_notify.enqueue(message_id=message.pk))
    return message, True


# --- read state --------------------------------------------------------------------------------
def thread_mark_read(*, client: Client, reader: User, side: Side) -> int:
    """Mark every unread message from the other side as read by `reader` (who reads for `side`).
    Returns how many changed. Break-glass readers are not the care team: callers skip them."""
    other = Side.CARE_TEAM if side == Side.CLIENT else Side.CLIENT
    return Message.objects.filter(client=client, by=other, read_at__isnull=True).update(
        read_at=timezone.now(), read_by=reader
    )


def message_mark_read(*, message: Message, reader: User, side: Side) -> Message:
    """Mark one message from the other side, and every earlier one, as read (idempotent)."""
    if message.by == side:
        raise ApplicationError("You cannot mark your own message as read.", field="id")
    Message.objects.filter(
        client_id=message.client_id,
        by=message.by,
        read_at__isnull=True,
        sent_at__lte=message.sent_at,
    ).update(read_at=timezone.now(), read_by=reader)
    message.refresh_from_db(fields=["read_at", "read_by"])
    return message


# --- messaging hours ---------------------------------------------------------------------------
def messaging_settings_get(*, practice: Practice | int) -> MessagingSettings:
    practice_id = practice if isinstance(practice, int) else practice.pk
    found = MessagingSettings.objects.filter(practice_id=practice_id).first()
    return found or MessagingSettings(practice_id=practice_id)


def messaging_settings_save(
    *, actor: User, practice: Practice, hours: dict[str, list[str]], reply_time: str
) -> MessagingSettings:
    """Save the practice's hours ({"0": ["09:00", "17:00"], ...}, Monday is 0; a missing day is
    closed) and reply time. ApplicationError names the day at fault."""
    clean: dict[str, list[str]] = {}
    for day, span in hours.items():
        if day not in {str(d) for d in range(7)}:
            raise ApplicationError("Days are numbered 0 (Monday) to 6 (Sunday).", field="hours")
        if len(span) != 2 or not all(_TIME.match(t) for t in span):
            raise ApplicationError("Give a start and an end like 09:00.", field=f"hours_{day}")
        if span[0] >= span[1]:
            raise ApplicationError("The end must be after the start.", field=f"hours_{day}")
        clean[day] = [span[0], span[1]]
    if reply_time not in ReplyTime.values:
        raise ApplicationError("Choose a reply time.", field="reply_time")
    with transaction.atomic():
        row, _ = MessagingSettings.objects.select_for_update().get_or_create(practice=practice)
        row.hours = dict(sorted(clean.items()))
        row.reply_time = reply_time
        row.updated_by = actor
        row.save()
        event_messaging_settings_changed(actor=actor, practice=practice)
    return row


# --- notification ------------------------------------------------------------------------------
def message_notify_send(*, message_id: int) -> int:
    """Email the other side that a new message is waiting, once per unread batch: only for the
    first message of a run the recipients have not opened yet (later ones in the same run are
    covered by that email). Claimed with a conditional update, so running twice sends once.
    Returns the number of emails sent."""
    from django.urls import reverse

    from interlude.messaging.emails import new_message_email_send
    from interlude.practices.models import CareTeamMember

    now = timezone.now()
    message = Message.objects.filter(pk=message_id).select_related("client__user").first()
    if message is None or message.read_at is not None:
        return 0
    if not Message.objects.filter(pk=message.pk, notified_at__isnull=True).update(notified_at=now):
        return 0  # another run claimed it
    earlier_unread = (
        Message.objects.filter(
            client_id=message.client_id,
            by=message.by,
            read_at__isnull=True,
            sent_at__lte=message.sent_at,
        )
        .exclude(pk=message.pk)
        .exists()
    )
    if earlier_unread:
        return 0  # the email for the first unread message of this batch already told them
    client = message.client
    if message.by == Side.CARE_TEAM:
        email = client.user.email if client.user is not None else ""
        return new_message_email_send(email=email, path=reverse("client_messages"))
    path = reverse("clinician_thread", args=[client.public_id])
    emails = (
        CareTeamMember.objects.filter(client=client, membership__is_active=True)
        .values_list("membership__user__email", flat=True)
        .distinct()
    )
    return sum(new_message_email_send(email=e, path=path) for e in sorted(set(emails)))
