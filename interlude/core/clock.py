"""Time as the client lives it: one place that turns an instant into the client's calendar day.

Instants are stored in UTC; a "day" is always the client's local day. A record that carries the
zone it was made in (a check-in, an observation) is dated where the person was; anything else is
dated in the client's zone. Charts, tables, briefs and PDFs all date things through `local_date`,
so a check-in at 23:30 lands on the same day everywhere, whatever the server's `TZ`.

"Now" comes from `django.utils.timezone.now()` (tests set it with time-machine), never from
`date.today()` or `datetime.now()`, which read the machine's zone.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from functools import cache
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone

UTC = ZoneInfo("UTC")


class HasTimeZone(Protocol):
    time_zone: str


@cache
def _named(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zone_named(name: str | None, *, fallback: tzinfo = UTC) -> tzinfo:
    """The IANA zone called `name`, or `fallback` when it is empty or unknown."""
    return (_named(name) if name else None) or fallback


def client_zone(client: HasTimeZone) -> tzinfo:
    """The client's own zone (UTC only when the stored name is not a zone)."""
    return zone_named(client.time_zone)


def local_date(instant: datetime, zone: str | tzinfo, *, record_zone: str = "") -> date:
    """The calendar day of `instant` for the client whose zone is `zone`.

    `record_zone` is the zone stored with the record when it has one (where the person was when
    they made it); it wins over the client's current zone, so a trip does not move old entries.
    """
    base = zone_named(zone) if isinstance(zone, str) else zone
    return instant.astimezone(zone_named(record_zone, fallback=base)).date()


def client_date(instant: datetime, client: HasTimeZone, *, record_zone: str = "") -> date:
    """`local_date` in the client's zone."""
    return local_date(instant, client_zone(client), record_zone=record_zone)


def client_today(client: HasTimeZone, *, now: datetime | None = None) -> date:
    """Today in the client's zone."""
    return client_date(now or timezone.now(), client)


def local_midnight(day: date, zone: str | tzinfo) -> datetime:
    """The instant the client's `day` starts (a zone with no midnight that day starts at 01:00)."""
    tz = zone_named(zone) if isinstance(zone, str) else zone
    start = datetime.combine(day, time(0), tzinfo=tz)
    # zoneinfo gives a non-existent wall time the offset before the gap; round-tripping through
    # UTC lands on the first real instant of the day.
    return start.astimezone(UTC).astimezone(tz)


def add_local_days(instant: datetime, days: int, zone: str | tzinfo) -> datetime:
    """`instant` moved by whole days on the client's wall clock: 09:00 stays 09:00 across a
    daylight-saving change (a plain `timedelta(days=...)` on a UTC instant moves it an hour)."""
    tz = zone_named(zone) if isinstance(zone, str) else zone
    wall = instant.astimezone(tz).replace(tzinfo=None) + timedelta(days=days)
    return wall.replace(tzinfo=tz).astimezone(UTC).astimezone(instant.tzinfo or UTC)
