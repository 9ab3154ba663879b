"""The insights app's panels on the client record (core.panels): the questionnaires with their
charts, the timeline and the mood associations. Each receives the viewer's `CareAccess` and reads
through it; a category the client does not share comes back as a "not shared" marker."""

from __future__ import annotations

from typing import Any

from interlude.consents.access import CareAccess, Category
from interlude.consents.markers import NotShared, not_shared_marker
from interlude.core.panels import Page, panel_register
from interlude.insights.selectors_patterns import patterns_for_client
from interlude.insights.selectors_record import instrument_panels, record_timeline

# The record's mood series offers these ranges; the timeline's pager keeps the one chosen.
SERIES_DAYS = ("30", "90")


@panel_register(
    page=Page.RECORD,
    name="questionnaires",
    title="Questionnaires",
    order=20,
    template="insights/_record_questionnaires.html",
)
def record_questionnaires(access: CareAccess, **ctx: Any) -> dict[str, Any]:
    return {
        "instrument_panels": instrument_panels(access=access, definitions=ctx["definitions"]),
        "not_shared": not_shared_marker(access=access, category=Category.MEASURES),
    }


@panel_register(
    page=Page.RECORD,
    name="timeline",
    title="Timeline",
    order=50,
    template="insights/_record_timeline.html",
)
def record_timeline_panel(access: CareAccess, **ctx: Any) -> dict[str, Any]:
    request = ctx["request"]
    days = request.GET.get("days")
    return {
        "timeline": record_timeline(
            access=access,
            before=request.GET.get("before"),
            names={code: d.short_name for code, d in ctx["definitions"].items()},
        ),
        "series_days": days if days in SERIES_DAYS else SERIES_DAYS[0],
    }


@panel_register(
    page=Page.RECORD,
    name="patterns",
    title="Patterns",
    order=60,
    template="insights/_record_patterns.html",
)
def record_patterns(access: CareAccess, **ctx: Any) -> dict[str, Any]:
    patterns = patterns_for_client(access=access)
    if isinstance(patterns, NotShared):
        return {"patterns": None, "not_shared": patterns}
    return {"patterns": patterns, "not_shared": None}
