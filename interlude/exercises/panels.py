"""The exercises app's panel on the client record (core.panels): worksheets at a glance (numbers
and dates only, never worksheet text); "not shared" when the client does not share worksheets."""

from __future__ import annotations

from typing import Any

from interlude.consents.access import CareAccess, Category
from interlude.consents.markers import not_shared_marker
from interlude.core.panels import Page, panel_register
from interlude.exercises.worksheets_selectors import worksheets_summary_for_clinician


@panel_register(
    page=Page.RECORD,
    name="worksheets",
    title="Worksheets at a glance",
    order=70,
    template="exercises/clinician/_record_summary.html",
)
def record_worksheets(access: CareAccess, **ctx: Any) -> dict[str, Any]:
    hidden = not_shared_marker(access=access, category=Category.WORKSHEETS)
    if hidden is not None:
        return {"summary": None, "not_shared": hidden, "client": access.client}
    return {
        "summary": worksheets_summary_for_clinician(access=access),
        "not_shared": None,
        "client": access.client,
    }
