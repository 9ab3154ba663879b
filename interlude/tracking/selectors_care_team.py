"""What the care team sees of a client's check-ins, through the gate's `CareAccess`.

The values when check-in scores are shared; a note's text only where the gate shows it
(`access.shows(checkin, Category.JOURNAL)`: the notes category and the note's own switch).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from interlude.consents.access import CareAccess, Category
from interlude.consents.markers import NotShared, not_shared_marker
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
    shared_note: str | None  # None when there is no note or the viewer is not shown it
    has_private_note: bool  # a note exists that the viewer is not shown


def checkins_for_care_team(
    *, access: CareAccess, days: int = 14
) -> list[CareTeamCheckIn] | NotShared:
    """The last `days` days of check-ins, newest first, in one query; a `NotShared` marker when
    the viewer is not shown check-in scores."""
    hidden = not_shared_marker(access=access, category=Category.CHECKINS)
    if hidden is not None:
        return hidden
    since = timezone.now() - timedelta(days=days)
    rows = access.scope(CheckIn.objects.filter(recorded_at__gte=since), Category.CHECKINS)
    result = []
    for c in rows.order_by("-recorded_at"):
        # A note the gate does not show is never decrypted.
        has_note = c.__dict__.get("note") is not None
        shown = has_note and access.shows(c, Category.JOURNAL)
        result.append(
            CareTeamCheckIn(
                recorded_at=c.recorded_at,
                mood=c.mood,
                anxiety=c.anxiety,
                energy=c.energy,
                sleep_hours=c.sleep_hours,
                emotions=[EMOTION_LABELS.get(e["label"], e["label"]) for e in c.emotions],
                activities=list(c.activities),
                shared_note=c.note if shown else None,
                has_private_note=has_note and not shown,
            )
        )
    return result
