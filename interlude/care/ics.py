"""iCalendar (RFC 5545) files, built with `icalendar`: pure, no database, no request.

A client's "Add to calendar" download and a clinician's private feed are both a VCALENDAR of
VEVENTs made from `IcsEvent`s; what each event says (names or initials, address or none) is
decided by the caller (care.calendar_selectors), never here.

Times are written in UTC (`DTSTART:20260330T080000Z`): an instant every calendar app reads the
same way, so a session booked for 10:00 in Berlin shows at 10:00 there on either side of a
daylight-saving change, with no VTIMEZONE block to get wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, vDuration

PRODID = "-//Interlude//Appointments//EN"


@dataclass(frozen=True)
class IcsEvent:
    uid: str  # stable across downloads and fetches: "<public id>@<domain>"
    starts_at: datetime  # aware
    duration_minutes: int
    summary: str
    sequence: int  # grows with each change, so calendar apps take the newer copy
    cancelled: bool = False
    location: str = ""
    url: str = ""
    description: str = ""


def _event(item: IcsEvent, *, stamp: datetime) -> Event:
    if item.starts_at.tzinfo is None:
        raise ValueError("starts_at must be aware")
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", item.starts_at.astimezone(UTC))
    event.add("duration", timedelta(minutes=item.duration_minutes))
    event.add("summary", item.summary)
    event.add("sequence", max(0, item.sequence))
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    if item.location:
        event.add("location", item.location)
    if item.url:
        event.add("url", item.url)
    if item.description:
        event.add("description", item.description)
    return event


def calendar_bytes(
    events: Iterable[IcsEvent],
    *,
    stamp: datetime,
    name: str = "",
    refresh: timedelta | None = None,
) -> bytes:
    """The `.ics` file for `events`. `name` and `refresh` are for subscribed feeds (the
    calendar's title and how often a calendar app should fetch it again)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("name", name)
        cal.add("x-wr-calname", name)
    if refresh is not None:
        cal.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", vDuration(refresh).to_ical().decode())
    for item in events:
        cal.add_component(_event(item, stamp=stamp))
    return bytes(cal.to_ical())
