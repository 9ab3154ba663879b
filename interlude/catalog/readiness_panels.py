"""The readiness check's panels (core.panels): "Digital readiness" on the client record (the
latest answers in plain words, the eHEALS total as information, each module's current state beside
the suggestion and its reason, and the switches), and a line on the client's Today page while the
care team waits for an answer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from interlude.catalog.readiness import (
    answers_summary,
    eheals_definition,
    eheals_phrase,
    modules_suggest,
)
from interlude.catalog.readiness_selectors import ReadinessState, readiness_state
from interlude.consents.access import CareAccess, Viewer
from interlude.core.panels import Page, panel_register
from interlude.practices.enums import Module


def readiness_panel_context(
    *,
    care: CareAccess,
    state: ReadinessState | None = None,
    switched_off: Iterable[str] | None = None,
    fill: bool = False,
) -> dict[str, Any]:
    """The context of `catalog/_readiness_panel.html`. `switched_off`: the switches just saved
    (else the gate's); `fill`: tick the boxes as suggested instead of as they are."""
    state = state or readiness_state(access=care)
    off = set(care.modules_off if switched_off is None else switched_off)
    latest = state.latest
    suggestions = (
        modules_suggest(answers=latest.answers or {}, eheals_total=latest.eheals_total)
        if latest is not None
        else []
    )
    suggested = {s.module: s for s in suggestions}
    rows = []
    for m in Module:
        s = suggested.get(m)
        now_on = m.value not in off
        rows.append(
            {
                "name": m.value,
                "label": m.label,
                "on": now_on,
                "suggested": s,
                "differs": s is not None and s.on != now_on,
                "checked": s.on if (fill and s is not None) else now_on,
            }
        )
    return {
        "client": care.client,
        "state": state,
        "summary": answers_summary(latest.answers) if latest is not None else [],
        "eheals": eheals_phrase(latest.eheals_total) if latest is not None else "",
        "rows": rows,
        "differs": sum(1 for r in rows if r["differs"]),
        "fill": fill and latest is not None,
        "eheals_name": eheals_definition().name,
        # Emergency (break-glass) access reads only: the panel renders no form.
        "read_only": care.viewer is Viewer.BREAK_GLASS,
    }


@panel_register(
    page=Page.RECORD,
    name="readiness",
    title="Digital readiness",
    order=78,
    template="catalog/_readiness_panel.html",
)
def record_readiness(access: CareAccess, **ctx: Any) -> dict[str, Any] | None:
    if access.viewer not in (Viewer.CARE_TEAM, Viewer.BREAK_GLASS):
        return None
    return readiness_panel_context(care=access)


@panel_register(
    page=Page.TODAY,
    name="readiness",
    title="A few questions about apps and devices",
    order=15,
    template="catalog/_readiness_today.html",
)
def today_readiness(access: CareAccess, **ctx: Any) -> dict[str, Any] | None:
    if not access.is_self:
        return None
    state = readiness_state(access=access)
    if state.open is None:
        return None
    return {"open": state.open}
