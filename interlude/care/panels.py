"""The care app's panel on the client record (core.panels): appointments. What clinicians record
themselves is never hidden by the client's sharing choices (the consent says so)."""

from __future__ import annotations

from typing import Any

from interlude.care.views_appointments import appointments_panel_context
from interlude.consents.access import CareAccess
from interlude.core.panels import Page, panel_register


@panel_register(
    page=Page.RECORD,
    name="appointments",
    title="Appointments",
    order=30,
    template="care/_record_appointments.html",
)
def record_appointments(access: CareAccess, **ctx: Any) -> dict[str, Any]:
    return appointments_panel_context(access=access)
