"""Reminders: the client's preferences, the practice's web push switch, the client's devices,
one planned reminder per (client, local day, wall-clock time) and the log of every send.

A reminder is planned as wall-clock time plus IANA zone (`local_date`, `wall_time`, `time_zone`);
`due_at` is the UTC instant that wall time falls on in that zone, so 20:00 Europe/Berlin stays
20:00 across daylight-saving changes. A worker sends it only after claiming it with one
conditional UPDATE (scheduled -> claimed), so two workers never both send one.

Nothing here holds clinical content: reminders say only "You have something to do in Interlude
today". A push subscription (the browser push service's address for one device, and its keys) is
encrypted with the client's data key, so a database dump cannot be used to push to the device.
"""

from __future__ import annotations

import uuid
from datetime import time

from django.db import models
from django.utils import timezone

from interlude.core.fields import EncryptedJSONField
from interlude.core.models import ClientOwnedModel

DEFAULT_TIME = time(19, 0)


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    PUSH = "push", "Notifications on your phone"
    NONE = "none", "No reminders"


class ReminderStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CLAIMED = "claimed", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class DeliveryOutcome(models.TextChoices):
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"  # final: no retry
    NOT_ACCEPTED = "not_accepted", "Not accepted, will retry"  # the channel said "later"
    SKIPPED = "skipped", "Skipped"  # not sent: its day passed, paused, switched off


class ReminderPreferences(models.Model):
    """How and when one client wants reminders. A client without a row gets defaults from their
    onboarding answer (`services.preferences_for`)."""

    client = models.OneToOneField(
        "practices.Client", on_delete=models.CASCADE, related_name="reminder_preferences"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    preferred_time = models.TimeField(default=DEFAULT_TIME)
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    paused = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "reminder preferences"

    def __str__(self) -> str:
        return f"reminder preferences of client {self.client_id}"


class PracticeReminderSettings(models.Model):
    """The practice's switch for web push (off by default: it goes through the browser maker's
    push service, which the consent names)."""

    practice = models.OneToOneField(
        "practices.Practice", on_delete=models.CASCADE, related_name="reminder_settings"
    )
    web_push_enabled = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"reminder settings of practice {self.practice_id}"


class PushSubscription(ClientOwnedModel):
    """One device's web push subscription: `{"endpoint": ..., "keys": {"p256dh", "auth"}}`,
    encrypted. `endpoint_hash` (SHA-256 of the endpoint) finds the same device again."""

    subscription = EncryptedJSONField()
    endpoint_hash = models.CharField(max_length=64)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "endpoint_hash"], name="reminders_push_subscription_unique"
            )
        ]

    def __str__(self) -> str:
        return f"push subscription {self.public_id}"


class Reminder(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey("practices.Client", on_delete=models.CASCADE, related_name="+")
    local_date = models.DateField()
    wall_time = models.TimeField()
    time_zone = models.CharField(max_length=64)
    due_at = models.DateTimeField()  # UTC instant of wall_time on local_date in time_zone
    status = models.CharField(
        max_length=12, choices=ReminderStatus.choices, default=ReminderStatus.SCHEDULED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()  # due_at, then later after a "not accepted"
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "local_date", "wall_time"], name="reminders_one_per_time"
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="reminders_due"),
            models.Index(fields=["client", "-due_at"], name="reminders_client_recent"),
        ]

    def __str__(self) -> str:
        return f"reminder {self.local_date} {self.wall_time} {self.time_zone} ({self.status})"


class DeliveryAttempt(models.Model):
    """One try at sending a reminder. `reason` says what the channel answered, never anything
    about the client ("SMTP 451", "device no longer subscribed")."""

    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    outcome = models.CharField(max_length=14, choices=DeliveryOutcome.choices)
    reason = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.channel} {self.outcome} at {self.at}"
