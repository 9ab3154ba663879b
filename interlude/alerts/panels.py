"""The alerts app's panel on the client record (core.panels): the client's alerts. Every alert is
listed whatever the sharing (risk signals always reach the care team); each says only what this
viewer may read of its reason (`alerts.access.alert_reason_for`)."""

from __future__ import annotations

from typing import Any

from interlude.alerts.selectors import alert_list_for_client
from interlude.consents.access import CareAccess
from interlude.core.panels import Page, panel_register


@panel_register(
    page=Page.RECORD, name="alerts", title="Alerts", order=10, template="alerts/_record_alerts.html"
)
def record_alerts(access: CareAccess, **ctx: Any) -> dict[str, Any]:
    return {"alerts": alert_list_for_client(access=access)}
