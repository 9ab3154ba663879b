"""Demo reminders: preferences for the demo clients and a week of delivery history, so the
client record's "Reaching the client" panel and the Reminders page show something real.
Idempotent: running it again changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta

from interlude.core.clock import client_today
from interlude.practices.models import Client, Practice
from interlude.reminders.models import (
    Channel,
    DeliveryAttempt,
    DeliveryOutcome,
    PracticeReminderSettings,
    Reminder,
    ReminderPreferences,
    ReminderStatus,
)
from interlude.reminders.schedule import wall_to_utc


def seed_demo(*, practice: Practice, clients: Sequence[Client], now: datetime) -> None:
    PracticeReminderSettings.objects.get_or_create(practice=practice)  # web push stays off
    for index, client in enumerate(clients):
        paused = index == 1  # the second demo client paused reminders: the panel says so
        ReminderPreferences.objects.get_or_create(
            client=client,
            defaults={
                "channel": Channel.EMAIL,
                "preferred_time": time(19, 0),
                "quiet_start": time(22, 0),
                "quiet_end": time(7, 0),
                "paused": paused,
            },
        )
        if paused:
            continue
        today = client_today(client, now=now)
        for back in range(7, 0, -1):
            day = today - timedelta(days=back)
            due = wall_to_utc(day, time(19, 0), client.time_zone)
            reminder, created = Reminder.objects.get_or_create(
                client=client,
                local_date=day,
                wall_time=time(19, 0),
                defaults={
                    "practice": practice,
                    "time_zone": client.time_zone,
                    "due_at": due,
                    "next_attempt_at": due,
                    "status": ReminderStatus.SENT,
                    "attempts": 2 if back == 3 else 1,
                    "channel": Channel.EMAIL,
                    "finished_at": due + timedelta(minutes=2 if back == 3 else 0, seconds=4),
                },
            )
            if not created:
                continue
            if back == 3:  # one evening the mail server said "later", and the retry went out
                DeliveryAttempt.objects.create(
                    reminder=reminder,
                    channel=Channel.EMAIL,
                    outcome=DeliveryOutcome.NOT_ACCEPTED,
                    reason="mail server answered 451",
                    at=due + timedelta(seconds=3),
                )
            DeliveryAttempt.objects.create(
                reminder=reminder,
                channel=Channel.EMAIL,
                outcome=DeliveryOutcome.SENT,
                reason="accepted by the mail server",
                at=reminder.finished_at or due,
            )
