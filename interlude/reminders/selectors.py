"""Reads about reminders: whether they reach a client, for the clinician's record panel and the
client's own settings page. Nothing clinical: times, channels and the channel's answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from interlude.practices.models import Client
from interlude.reminders.models import (
    Channel,
    DeliveryAttempt,
    DeliveryOutcome,
    PushSubscription,
    Reminder,
    ReminderStatus,
)
from interlude.reminders.services import preferences_for


@dataclass(frozen=True)
class ReachSummary:
    channel: str  # Channel value
    channel_label: str
    paused: bool
    last_sent_at: datetime | None
    last_failure_at: datetime | None
    last_failure_reason: str
    next_due_at: datetime | None
    devices: int


def reminder_reach(*, client: Client) -> ReachSummary:
    """Whether reminders reach this client: their channel, last sent, last failure and why, the
    next one planned. A fixed number of queries."""
    prefs = preferences_for(client=client)
    last_sent = (
        Reminder.objects.filter(client=client, status=ReminderStatus.SENT)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    failure = (
        DeliveryAttempt.objects.filter(
            reminder__client=client,
            outcome__in=[DeliveryOutcome.FAILED, DeliveryOutcome.NOT_ACCEPTED],
        )
        .order_by("-at", "-pk")
        .first()
    )
    next_due = (
        Reminder.objects.filter(client=client, status=ReminderStatus.SCHEDULED)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    return ReachSummary(
        channel=prefs.channel,
        channel_label=str(Channel(prefs.channel).label),
        paused=prefs.paused,
        last_sent_at=last_sent,
        last_failure_at=failure.at if failure else None,
        last_failure_reason=failure.reason if failure else "",
        next_due_at=next_due,
        devices=PushSubscription.objects.filter(client=client).count(),
    )
