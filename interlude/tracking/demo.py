"""Plausible, varied check-ins for the demo clients (never in production).

Deterministic: the same client gets the same history every time, so screenshots are stable.
Each client follows a story (improving, struggling lately, up and down), with weekly rhythm,
noise, skipped days (gaps are normal), and notes only now and then.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from interlude.practices.models import Client
from interlude.tracking.models import CheckIn
from interlude.tracking.services import (
    CheckInValues,
    activity_options_ensure_defaults,
    checkin_create,
)


@dataclass(frozen=True)
class Story:
    start_mood: float  # mood around the first day
    end_mood: float  # mood around today
    dip_days_ago: int | None = None  # a rough patch centred this many days ago
    skip_rate: float = 0.2


STORIES = {
    "improving": Story(start_mood=3.2, end_mood=6.8),
    "struggling": Story(start_mood=6.0, end_mood=4.0, dip_days_ago=6, skip_rate=0.3),
    "up_and_down": Story(start_mood=5.0, end_mood=5.5, dip_days_ago=40),
    "new": Story(start_mood=4.5, end_mood=5.0),
}

NOTES = [
    "Walked to the park at lunch. Felt lighter afterwards.",
    "Hard meeting at work. Kept going over it in my head.",
    "Called my sister. Glad I did.",
    "Could not get to sleep until 2.",
    "Tried the breathing exercise on the bus.",
    "Cooked a proper dinner for the first time in ages.",
    "Felt flat most of the day, not sure why.",
    "Said no to something I did not want to do. Small win.",
]
GOOD = ["calm", "content", "hopeful", "grateful", "proud", "relieved", "happy"]
HARD = ["tired", "sad", "anxious", "worried", "stressed", "overwhelmed", "lonely", "irritable"]


def demo_checkins(*, client: Client, days: int, story: str) -> int:
    """Create `days` days of check-ins ending yesterday, unless the client has any already."""
    if client.user is None or CheckIn.objects.filter(client=client).exists():
        return 0
    activity_options_ensure_defaults(client=client)
    plan = STORIES[story]
    rng = random.Random(f"interlude-demo-{client.full_name}")  # nosec B311 # repeatable demo data
    zone = ZoneInfo(client.time_zone)
    today = timezone.localdate(timezone=zone)
    created = 0
    for days_ago in range(days, 0, -1):
        if rng.random() < plan.skip_rate:
            continue
        progress = 1 - days_ago / days
        base = plan.start_mood + (plan.end_mood - plan.start_mood) * progress
        if plan.dip_days_ago is not None and abs(days_ago - plan.dip_days_ago) < 5:
            base -= 2.0 * (1 - abs(days_ago - plan.dip_days_ago) / 5)
        day = today - timedelta(days=days_ago)
        weekend = day.weekday() >= 5
        for n in range(1 if rng.random() < 0.8 else 2):
            mood = round(min(10, max(0, rng.gauss(base + (0.6 if weekend else 0), 1.1))))
            anxiety = round(min(10, max(0, rng.gauss(9 - base, 1.4))))
            hour = 20 + rng.randint(0, 2) if n == 0 else 8 + rng.randint(0, 2)
            local = datetime(day.year, day.month, day.day, hour, rng.randint(0, 59), tzinfo=zone)
            sleep = Decimal(str(round(min(10, max(3.5, rng.gauss(6.2 + base / 6, 0.9))) * 2) / 2))
            feelings = rng.sample(GOOD if mood >= 6 else HARD, k=rng.randint(1, 3))
            activities = rng.sample(
                [
                    "Work or study",
                    "Exercise",
                    "Time outside",
                    "Friends",
                    "Family",
                    "Screen time",
                    "Chores",
                    "Hobby",
                ],
                k=rng.randint(1, 3),
            )
            if mood >= 6 and "Time outside" not in activities and rng.random() < 0.5:
                activities.append("Time outside")
            note = rng.choice(NOTES) if rng.random() < 0.15 else None
            checkin_create(
                client=client,
                actor=client.user,
                values=CheckInValues(
                    mood=mood,
                    anxiety=anxiety,
                    energy=round(min(10, max(0, rng.gauss(base, 1.5)))),
                    sleep_hours=sleep if n == 0 else None,
                    sleep_quality=min(5, max(1, round(float(sleep) - 3))) if n == 0 else None,
                    emotions=[{"label": f, "intensity": None} for f in feelings],
                    activities=activities,
                    note=note,
                    note_shared=bool(note) and rng.random() < 0.5,
                ),
                idempotency_key=f"demo-{day.isoformat()}-{n}",
                recorded_at=local,
            )
            created += 1
    return created
