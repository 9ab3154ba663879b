"""The client record's "Reaching the client" panel: how long since the client last recorded
anything (as far as this viewer may see) and whether reminders reach them. A screen module: it
reads the time series through the `CareAccess` (tracking) and the reminders' own selector."""

from __future__ import annotations

from typing import Any

from django.db.models import Max

from interlude.consents.access import CareAccess, Category
from interlude.core.clock import client_date, client_today
from interlude.core.panels import Page, panel_register
from interlude.practices.enums import Module
from interlude.reminders.selectors import reminder_reach
from interlude.tracking.models import Observation


@panel_register(
    page=Page.RECORD,
    name="reaching",
    title="Reaching the client",
    order=95,
    template="reminders/_record_reach.html",
)
def record_reaching(access: CareAccess, **ctx: Any) -> dict[str, Any] | None:
    client = access.client
    shared = access.can_see(Category.CHECKINS)
    last = None
    days = None
    if shared:
        # Observations carry check-ins and exercise values; the gate keeps only those this
        # viewer may see (each by its source's category).
        latest = access.scope(Observation.objects.all(), Category.CHECKINS).aggregate(
            latest=Max("effective_at")
        )["latest"]
        if latest is not None:
            last = client_date(latest, client)
            days = (client_today(client) - last).days
    return {
        "client": client,
        "shared": shared,
        "last_recorded": last,
        "days": days,
        "reach": reminder_reach(client=client),
        "module_on": access.module_on(Module.REMINDERS),
    }
