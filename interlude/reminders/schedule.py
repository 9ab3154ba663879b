"""Wall-clock time plus zone to an instant, and quiet hours. Pure: no ORM, no "now".

- `wall_to_utc`: 20:00 Europe/Berlin is 19:00 UTC in winter and 18:00 UTC in summer. A wall time
  that does not exist (the spring gap, 02:30 on the last Sunday of March in Berlin) moves to the
  next minute that does (03:00); one that happens twice (autumn, 02:30) takes the first.
- `out_of_quiet_hours`: a time inside the client's quiet hours moves to their end. When the quiet
  hours run over midnight (22:00-07:00) and the time is in the evening part, their end is on the
  next day, which would move a reminder for today into tomorrow; it moves instead to the last
  minute before they begin (21:59), so it still arrives on its own day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def wall_to_utc(day: date, wall: time, zone: str) -> datetime:
    """The UTC instant at which `zone`'s clocks show `wall` on `day` (see the module doc)."""
    tz = ZoneInfo(zone)
    naive = datetime.combine(day, wall.replace(second=0, microsecond=0))
    for minutes in range(0, 24 * 60):  # a gap is at most a few hours; stop long before a day
        candidate = naive + timedelta(minutes=minutes)
        aware = candidate.replace(tzinfo=tz, fold=0)
        # A wall time that exists survives a round trip through UTC unchanged.
        if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == candidate:
            return aware.astimezone(UTC)
    raise ValueError(f"no valid local time near {naive} in {zone}")  # pragma: no cover


def in_quiet_hours(wall: time, start: time | None, end: time | None) -> bool:
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= wall < end
    return wall >= start or wall < end  # over midnight


def out_of_quiet_hours(wall: time, start: time | None, end: time | None) -> time:
    """`wall`, moved out of the quiet hours [start, end) when it falls inside them."""
    if not in_quiet_hours(wall, start, end):
        return wall
    assert start is not None and end is not None
    if start < end or wall < end:
        return end  # the end is later the same day
    # Evening part of quiet hours that run over midnight: just before they begin.
    before = datetime.combine(date(2000, 1, 1), start) - timedelta(minutes=1)
    return before.time()
