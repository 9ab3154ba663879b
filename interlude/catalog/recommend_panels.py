"""The recommend part's panels (core.panels): "Apps recommended" on the client record (the open
recommendations, each with its homework and whether the client has opened it, and Withdraw), and
"Suggested apps" on the client's Today page while a recommendation is still unopened."""

from __future__ import annotations

from typing import Any

from interlude.catalog.recommend_selectors import recommendations_open
from interlude.consents.access import CareAccess, Viewer
from interlude.core.panels import Page, panel_register


@panel_register(
    page=Page.RECORD,
    name="recommendations",
    title="Apps recommended",
    order=37,
    template="catalog/_recommend_record.html",
)
def record_recommendations(access: CareAccess, **ctx: Any) -> dict[str, Any] | None:
    if access.is_self:
        return None
    return {
        "client": access.client,
        "recommendations": recommendations_open(access=access),
        "can_change": access.viewer is Viewer.CARE_TEAM,
    }


@panel_register(
    page=Page.TODAY,
    name="recommendations",
    title="Suggested apps",
    order=25,
    template="catalog/_recommend_today.html",
)
def today_recommendations(access: CareAccess, **ctx: Any) -> dict[str, Any] | None:
    if not access.is_self:
        return None
    unseen = recommendations_open(access=access, unseen=True)
    if not unseen:
        return None
    return {"unseen": unseen}
