"""Patterns in a client's own data (mood with activities, sleep, relaxation). See patterns.py for
the method; this module only reads the days. Callers pass the `CareAccess` the gate returned
(`access_client`, or `access_own` for the client themself): patterns come only from what that
viewer may see (the gate scopes the series), and not at all when check-ins are not shared."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone

from interlude.consents.access import CareAccess, Category
from interlude.consents.markers import NotShared, not_shared_marker
from interlude.insights.patterns import (
    LOOKBACK_DAYS,
    MAX_SHOWN,
    MIN_DAYS,
    SLEEP_THRESHOLD_HOURS,
    PatternReport,
    Reading,
    Tagged,
    daily_data,
    find_patterns,
)
from interlude.practices.models import Client
from interlude.tracking.models import CheckIn, Observation, ObservationKind

PATTERN_KINDS: tuple[ObservationKind, ...] = (
    ObservationKind.MOOD,
    ObservationKind.SLEEP_HOURS,
    ObservationKind.RELAXATION_MINUTES,
)
# Queries patterns_for_client makes, whatever the amount of data: observations, check-ins.
PATTERN_QUERIES = 2


def _client_zone(client: Client) -> ZoneInfo:
    try:
        return ZoneInfo(client.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def patterns_for_client(
    *,
    access: CareAccess,
    today: date | None = None,
    min_days: int = MIN_DAYS,
    max_shown: int = MAX_SHOWN,
    sleep_threshold: float = SLEEP_THRESHOLD_HOURS,
) -> PatternReport | NotShared:
    """The patterns to show for this client: a `PatternReport`, which is a list[Pattern] of at
    most `max_shown` patterns (strongest first) that also carries `tested`, `waiting`,
    `mood_days` and the words a page needs around them. Two queries, whatever the amount of data.
    Templates: insights/_patterns.html (clinician), insights/_patterns_client.html (client).

    Look-back: the last LOOKBACK_DAYS local days, today (the client's today) included.

    Mood comes from check-ins: when the viewer is not shown them, a `NotShared` marker comes back
    (no query). Sleep and relaxation points count only where their category is shown too.
    """
    hidden = not_shared_marker(access=access, category=Category.CHECKINS)
    if hidden is not None:
        return hidden
    client = access.client
    zone = _client_zone(client)
    end = today or timezone.localdate(timezone=zone)
    start = end - timedelta(days=LOOKBACK_DAYS - 1)
    # A day either side: a record made in another zone (travel) may still fall on one of these
    # days there. daily_data drops whatever lands outside them.
    lower = datetime.combine(start - timedelta(days=1), time.min, tzinfo=zone)
    upper = datetime.combine(end + timedelta(days=2), time.min, tzinfo=zone)
    readings: dict[str, list[Reading]] = {str(kind): [] for kind in PATTERN_KINDS}
    for kind, effective_at, zone_name, value in access.scope(
        Observation.objects.filter(
            kind__in=PATTERN_KINDS, effective_at__gte=lower, effective_at__lt=upper
        ),
        Category.CHECKINS,
    ).values_list("kind", "effective_at", "time_zone", "value"):
        readings[kind].append((effective_at, zone_name, value))
    checkins: list[Tagged] = [
        (recorded_at, zone_name, activities)
        for recorded_at, zone_name, activities in access.scope(
            CheckIn.objects.filter(recorded_at__gte=lower, recorded_at__lt=upper),
            Category.CHECKINS,
        ).values_list("recorded_at", "time_zone", "activities")
        if activities
    ]
    data = daily_data(
        mood=readings[ObservationKind.MOOD],
        sleep=readings[ObservationKind.SLEEP_HOURS],
        relaxation=readings[ObservationKind.RELAXATION_MINUTES],
        checkins=checkins,
        start=start,
        days=LOOKBACK_DAYS,
        fallback_zone=str(zone),
    )
    return find_patterns(
        data,
        min_days=min_days,
        max_shown=max_shown,
        sleep_threshold=sleep_threshold,
        lookback_days=LOOKBACK_DAYS,
    )
