"""Alerts for the demo (never in production): the time-based rules run as the worker would have.

The answer-based alerts (Sam's critical item and reliable deterioration) are raised by
`response_submit` in measures/demo.py. Here the periodic sweeps add the rest of what the issue
shows: Sam's one-off questionnaire that was never answered (overdue) and the sharp drop in Sam's
check-in mood during the rough patch of the tracking story (Sam checks in once more, late and
low, on three of its evenings, so the documented rule fires whatever day the demo is seeded on;
the sweep is run as of the last of them).
Each alert's time is then set to when its rule would have fired, so the inbox reads as it would
have. Alerts stay open: the clinician acknowledges them in the demo.

Run once, right after the demo questionnaires were first created (practices/demo.py).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from interlude.alerts.models import Alert, AlertKind
from interlude.alerts.rules import mood_drop
from interlude.alerts.services import (
    alert_settings_get,
    alerts_sweep_checkins,
    alerts_sweep_overdue,
)
from interlude.practices.models import Client, Practice

# The rough patch of the "struggling" story (tracking/demo.py) is centred 6 days ago. On three of
# its evenings Sam checks in once more, late and low; which three (ending 2 to 8 days ago) is
# worked out from Sam's check-ins, because the story's noise differs with the seeding date.
ROUGH_PATCH_MOOD = 1
ROUGH_PATCH_ENDS = range(2, 9)  # days ago, most recent first
ROUGH_PATCH_MARGIN = 0.5  # points past the rule's threshold that make the drop unmistakable


def demo_alerts(*, practice: Practice, mood_client: Client | None) -> int:
    """Run the overdue and check-in sweeps for the demo; returns how many alerts they raised."""
    now = timezone.now()
    raised = alerts_sweep_overdue(now=now)
    if mood_client is not None and mood_client.user is not None:
        patch = _rough_patch_plan(mood_client)
        if patch is not None:
            _rough_patch_checkins(mood_client, patch)
            zone = ZoneInfo(mood_client.time_zone)
            evening = datetime.combine(patch[-1], time(23, 30), tzinfo=zone)
            raised += alerts_sweep_checkins(now=evening)
            Alert.objects.filter(client=mood_client, kind=AlertKind.MOOD_DROP).update(
                created_at=evening
            )
    _backdate(practice)
    return raised


def _rough_patch_plan(client: Client) -> list[date] | None:
    """The three days whose late, low check-ins make a clear drop under the practice's rule: the
    most recent with a margin of ROUGH_PATCH_MARGIN, else the largest margin; None if none fires."""
    from interlude.tracking.models import CheckIn

    rules = alert_settings_get(practice=client.practice)
    zone = ZoneInfo(client.time_zone)
    by_day: dict[date, list[float]] = defaultdict(list)
    for recorded_at, mood in CheckIn.objects.filter(client=client).values_list(
        "recorded_at", "mood"
    ):
        by_day[recorded_at.astimezone(zone).date()].append(float(mood))
    today = timezone.localdate(timezone=zone)
    best: tuple[float, list[date]] | None = None
    for ends_ago in ROUGH_PATCH_ENDS:
        end = today - timedelta(days=ends_ago)
        days = [end - timedelta(days=n) for n in (2, 1, 0)]
        moods = {d: list(v) for d, v in by_day.items() if d <= end}
        for d in days:
            moods.setdefault(d, []).append(float(ROUGH_PATCH_MOOD))
        found = mood_drop(
            daily_means={d: sum(v) / len(v) for d, v in moods.items()},
            today=end,
            recent_days=rules.mood_recent_days,
            baseline_days=rules.mood_baseline_days,
            min_baseline_days=rules.mood_min_baseline_days,
            sd_multiplier=rules.mood_drop_sd,
            min_points=rules.mood_drop_min_points,
        )
        if found is None:
            continue
        margin = found.drop - found.threshold
        if margin >= ROUGH_PATCH_MARGIN:
            return days  # the most recent clear drop: it shows in "since your last session"
        if best is None or margin > best[0]:
            best = (margin, days)
    return best[1] if best else None


def _rough_patch_checkins(client: Client, days: list[date]) -> None:
    from interlude.tracking.services import CheckInValues, checkin_create

    assert client.user is not None
    zone = ZoneInfo(client.time_zone)
    last_activity = Client.objects.values_list("last_activity_at", flat=True).get(pk=client.pk)
    for day in days:
        checkin_create(
            client=client,
            actor=client.user,
            values=CheckInValues(
                mood=ROUGH_PATCH_MOOD,
                anxiety=8,
                energy=2,
                emotions=[
                    {"label": "sad", "intensity": None},
                    {"label": "tired", "intensity": None},
                ],
                activities=["Screen time"],
            ),
            idempotency_key=f"demo-rough-{day.isoformat()}",
            recorded_at=datetime.combine(day, time(23, 10), tzinfo=zone),
        )
    # Checking in moves "last active" to now; the demo keeps the latest real entry.
    Client.objects.filter(pk=client.pk).update(last_activity_at=last_activity)


def _backdate(practice: Practice) -> None:
    """Alerts raised from answers date from the answer; overdue ones from when they fell due."""
    from interlude.measures.models import QuestionnaireDue

    overdue_days = alert_settings_get(practice=practice).overdue_days
    for alert in Alert.objects.filter(practice=practice).select_related("response"):
        when = None
        if alert.response is not None:
            when = alert.response.submitted_at
        elif alert.kind == AlertKind.QUESTIONNAIRE_OVERDUE and alert.dedupe_key.startswith("due:"):
            try:
                due_id = uuid.UUID(alert.dedupe_key.removeprefix("due:"))
            except ValueError:
                continue
            due = QuestionnaireDue.objects.filter(public_id=due_id).first()
            if due is not None:
                when = due.closes_at + timedelta(days=overdue_days)
        if when is not None and when < alert.created_at:
            Alert.objects.filter(pk=alert.pk).update(created_at=when)
