"""The measures app's panel on the client record (core.panels): the questionnaires scheduled for
the client, with the scheduling form. The schedules are the clinician's own; when the client does
not share questionnaires, the panel leaves out when each was last answered."""

from __future__ import annotations

from typing import Any

from interlude.consents.access import CareAccess, Category
from interlude.consents.markers import not_shared_marker
from interlude.core.panels import Page, panel_register
from interlude.measures.views_clinician import schedules_panel_context


@panel_register(
    page=Page.RECORD,
    name="schedules",
    title="Scheduled questionnaires",
    order=25,
    template="measures/_record_schedules_panel.html",
)
def record_schedules(access: CareAccess, **ctx: Any) -> dict[str, Any]:
    context = schedules_panel_context(access=access, definitions=ctx.get("definitions"))
    hidden = not_shared_marker(access=access, category=Category.MEASURES)
    if hidden is not None:
        # The rows' "last answered" comes from the client's answers: the plain list instead.
        context["schedule_rows"] = []
    context["not_shared"] = hidden
    return context
