"""Messaging: one thread per client between the client and their care team.

The thread is implicit: every `Message` of a client belongs to it (no thread row to keep in step).
Bodies and attachment bytes are clinical content, encrypted at rest with the client's data key
(EncryptedTextField, ADR 0009/0017); the thread is addressed to the care team, so the "messages"
sharing category never hides it from them (consents/rules.py).

Read state is per side (ADR 0020): `read_at`/`read_by` record when someone on the other side first
opened the thread after the message arrived. "Seen" on the client's message means someone on the
care team opened it; it is not a promise that they have acted on it.
"""

from __future__ import annotations

import base64
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from interlude.core.fields import EncryptedTextField
from interlude.core.models import ClientOwnedModel


class Side(models.TextChoices):
    CLIENT = "client", "Client"
    CARE_TEAM = "care_team", "Care team"


class SharedKind(models.TextChoices):
    THOUGHT_RECORD = "thought_record", "Thought record"
    CHECKIN = "checkin", "Check-in"


class Message(ClientOwnedModel):
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    by = models.CharField(max_length=20, choices=Side.choices)
    body = EncryptedTextField()
    # A record the client shared into the thread, by kind and public id: the screens resolve it
    # and show it only where its own sharing category allows (messaging imports no domain app).
    shared_kind = models.CharField(max_length=20, choices=SharedKind.choices, blank=True)
    shared_id = models.UUIDField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=100)
    sent_at = models.DateTimeField(default=timezone.now)
    # Whether the words suggested immediate risk (risk_phrases.py); never the words themselves.
    risk_flagged = models.BooleanField(default=False)
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set by the notification task when it claims this message's email (or decides that an
    # earlier unread message's email already covers it): at most one email per unread batch.
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("sent_at", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "sender", "idempotency_key"], name="message_unique_idempotency"
            )
        ]
        indexes = [
            models.Index(fields=["client", "sent_at"]),
            models.Index(fields=["client", "by", "read_at"]),
            models.Index(fields=["sender", "sent_at"]),
        ]

    def __str__(self) -> str:
        return f"message {self.public_id}"


class EncryptedBytesField(EncryptedTextField):
    """Bytes encrypted like EncryptedTextField (base64 inside the ciphertext)."""

    description = "Bytes encrypted with AES-256-GCM, bound to their row"
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def encode(self, value: Any) -> str:
        return base64.b64encode(bytes(value)).decode()

    def decode(self, text: str) -> Any:
        return base64.b64decode(text)


class AttachmentType(models.TextChoices):
    PDF = "application/pdf", "PDF"
    PNG = "image/png", "PNG image"
    JPEG = "image/jpeg", "JPEG image"
    WEBP = "image/webp", "WebP image"


class MessageAttachment(ClientOwnedModel):
    """One file with a message. The type is what the bytes are (checked on upload), not what the
    name or the browser said; the bytes live encrypted in the database, with the client's key."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="attachment")
    # Made safe on upload, and encrypted: a file's name can say as much as its content.
    filename = EncryptedTextField()
    content_type = models.CharField(max_length=40, choices=AttachmentType.choices)
    size = models.PositiveIntegerField()
    content = EncryptedBytesField()

    def __str__(self) -> str:
        return f"attachment {self.public_id}"


def default_hours() -> dict[str, list[str]]:
    # Monday (0) to Friday (4), 9:00 to 17:00 in the practice's zone.
    return {str(day): ["09:00", "17:00"] for day in range(5)}


class ReplyTime(models.TextChoices):
    ONE_DAY = "1", "within 1 working day"
    TWO_DAYS = "2", "within 2 working days"
    THREE_DAYS = "3", "within 3 working days"
    WEEK = "5", "within a week"


class MessagingSettings(models.Model):
    """A practice's messaging hours (weekday -> [start, end] wall-clock times in the practice's
    zone; a missing day is closed) and the reply time it tells clients to expect."""

    practice = models.OneToOneField(
        "practices.Practice", on_delete=models.CASCADE, related_name="messaging_settings"
    )
    hours = models.JSONField(default=default_hours)
    reply_time = models.CharField(
        max_length=2, choices=ReplyTime.choices, default=ReplyTime.TWO_DAYS
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"messaging settings of practice {self.practice_id}"
