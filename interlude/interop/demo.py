"""Demo: two months of mood history a client kept in Daylio before starting therapy, brought in
through the same reading and loader as an upload (so the demo shows source badges, the imports
page with an undo, and "imported app data" on the Sharing page)."""

from __future__ import annotations

import csv
import random
import tempfile
from datetime import datetime, time, timedelta
from pathlib import Path

from django.utils import timezone

from interlude.core.clock import client_date, client_today
from interlude.interop.enums import ImportSource
from interlude.interop.models import ImportJob
from interlude.interop.services import import_file_now
from interlude.practices.models import Client
from interlude.tracking.models import CheckIn

DAYS = 60
MOODS = ["awful", "bad", "meh", "good", "rad"]  # Daylio's English defaults, levels 1-5
ACTIVITIES = ["work", "friends", "walk", "good sleep", "bad sleep", "family", "movies / tv"]
NOTES = [
    "Long day, glad it is over.",
    "Walked by the river after work. It helped more than I expected.",
    "Could not settle tonight.",
    "Dinner with Sam, laughed a lot.",
]


def _rows(*, end: datetime, rng: random.Random) -> list[list[str]]:
    rows = []
    for days_ago in range(DAYS, 0, -1):
        day = (end - timedelta(days=days_ago)).date()
        if rng.random() < 0.15:
            continue
        level = min(5, max(1, round(rng.gauss(2.6 + (DAYS - days_ago) / DAYS * 0.6, 0.9))))
        mood = MOODS[level - 1] if rng.random() > 0.1 else "wired"  # a custom mood of the client
        at = time(21, rng.randint(0, 59))
        rows.append(
            [
                day.isoformat(),
                day.strftime("%B %-d"),
                day.strftime("%A"),
                f"{at.hour - 12}:{at.minute:02d} pm",
                mood,
                " | ".join(rng.sample(ACTIVITIES, k=rng.randint(0, 3))),
                "",
                "",
                rng.choice(NOTES) if rng.random() < 0.25 else "",
            ]
        )
    rows.reverse()  # Daylio writes the newest entry first
    return rows


def seed_demo(*, client: Client, now: datetime | None = None) -> int:
    """Import the history once; returns the number of check-ins added (0 when already done)."""
    if client.user is None or ImportJob.objects.filter(client=client).exists():
        return 0
    now = now or timezone.now()
    first = CheckIn.objects.filter(client=client).order_by("recorded_at").first()
    start = client_date(first.recorded_at, client) if first else client_today(client, now=now)
    end = datetime.combine(start, time(0))
    rng = random.Random(f"interlude-demo-daylio-{client.full_name}")  # nosec B311 # repeatable
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"daylio_export_{start:%Y_%m_%d}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(
                [
                    "full_date",
                    "date",
                    "weekday",
                    "time",
                    "mood",
                    "activities",
                    "scales",
                    "note_title",
                    "note",
                ]
            )
            writer.writerows(_rows(end=end, rng=rng))
        summary = import_file_now(
            user=client.user,
            client=client,
            source=ImportSource.DAYLIO,
            path=path,
            options={"moods": {"wired": 4}},
        )
    return int(summary["added"]["checkins"])
