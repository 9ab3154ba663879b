"""The timeline source registry: the client record's timeline is merged from what each app
records (DESIGN.md, "The gate": no app's view calls another app's view, and insights, which merges
them, is never imported by the apps it reads).

Each app registers, in its own `panels.py`, a function `(access, *, since, until, **ctx) ->
list[TimelineItem]` for what it records in [since, until) (`since`, `until`: midnights of the
client's days, in the client's zone), reading through the `CareAccess` it receives, and names the
categories it reads (`reads`) so the timeline can say which of them the client does not share.
`insights.selectors_record.record_timeline` merges the items by day and time.

Pure: this module knows no app, no model and no privacy rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from interlude.practices.enums import ShareScope


@dataclass(frozen=True)
class TimelineItem:
    """One entry of the record's timeline, as the app that recorded it words it."""

    day: date  # the client's calendar day
    at: datetime | None  # None for entries that have a day but no time (a planned activity)
    kind: str  # checkin, questionnaire, thought_record, activity, exposure, sleep, journal, ...
    kind_label: str
    title: str
    detail: str = ""
    text: str = ""  # shared free text (a shared check-in note, a shared journal excerpt)
    private_note: bool = False
    flag: str = ""  # e.g. "Critical item endorsed"


TimelineBuild = Callable[..., list[TimelineItem]]


@dataclass(frozen=True)
class TimelineSource:
    name: str  # unique
    order: int  # lower first: the order of the "not shared" notes, and of items at the same time
    reads: tuple[ShareScope, ...]  # the categories it reads, for the "not shared" notes
    build: TimelineBuild  # (access, *, since, until, **ctx): items in [since, until)


_TIMELINE: dict[str, TimelineSource] = {}


def timeline_source_register(
    *, name: str, order: int, reads: tuple[ShareScope, ...]
) -> Callable[[TimelineBuild], TimelineBuild]:
    """Decorator: register `build` as the timeline source `name` (again: replaces it)."""

    def decorator(build: TimelineBuild) -> TimelineBuild:
        _TIMELINE[name] = TimelineSource(name=name, order=order, reads=tuple(reads), build=build)
        return build

    return decorator


def timeline_sources() -> list[TimelineSource]:
    """The registered timeline sources, in order (then by name)."""
    return sorted(_TIMELINE.values(), key=lambda s: (s.order, s.name))
