"""What the care team sees of a client's check-ins (the client was loaded through the gate).

Values are visible to the care team; a check-in note only when the client shared that note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from interlude.practices.models import Client
from interlude.tracking.models import CheckIn
from interlude.tracking.vocabulary import EMOTION_LABELS


@dataclass(frozen=True)
class CareTeamCheckIn:
    recorded_at: datetime
    mood: int
    anxiety: int | None
    energy: int | None
    sleep_hours: Decimal | None
    emotions: list[str]
    activities: list[str]
    shared_note: str | None  # None when there is no note or it is private
    has_private_note: bool


def checkins_for_care_team(*, client: Client, days: int = 14) -> list[CareTeamCheckIn]:
    since = timezone.now() - timedelta(days=days)
    rows = CheckIn.objects.filter(client=client, recorded_at__gte=since).order_by("-recorded_at")
    result = []
    for c in rows:
        # Only a shared note is ever decrypted for the care team.
        has_note = c.__dict__.get("note") is not None
        result.append(
            CareTeamCheckIn(
                recorded_at=c.recorded_at,
                mood=c.mood,
                anxiety=c.anxiety,
                energy=c.energy,
                sleep_hours=c.sleep_hours,
                emotions=[EMOTION_LABELS.get(e["label"], e["label"]) for e in c.emotions],
                activities=list(c.activities),
                shared_note=c.note if has_note and c.note_shared else None,
                has_private_note=has_note and not c.note_shared,
            )
        )
    return result
