"""The alerts app's panel on the client record (core.panels): the client's alerts. Every alert is
listed whatever the sharing (risk signals always reach the care team); each says only what this
viewer may read of its reason (`alerts.access.alert_reason_for`). And its timeline source: the
alerts raised, worded the same way."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from interlude.alerts.access import alert_reason_for
from interlude.alerts.models import Alert, AlertKind, AlertStatus, Severity
from interlude.alerts.selectors import alert_list_for_client
from interlude.consents.access import CareAccess, Category
from interlude.core.panels import Page, panel_register
from interlude.core.timeline import TimelineItem, timeline_source_register


@panel_register(
    page=Page.RECORD, name="alerts", title="Alerts", order=10, template="alerts/_record_alerts.html"
)
def record_alerts(access: CareAccess, **ctx: Any) -> dict[str, Any]:
    return {"alerts": alert_list_for_client(access=access)}


# --- the record's timeline ------------------------------------------------------------------------
@timeline_source_register(name="alerts", order=70, reads=(Category.RISK,))
def timeline_alerts(
    access: CareAccess, *, since: datetime, until: datetime, **ctx: Any
) -> list[TimelineItem]:
    """Alerts raised in [since, until) (one query), each saying only what this viewer may read of
    its reason."""
    zone = since.tzinfo
    assert zone is not None
    rows = access.scope(
        Alert.objects.filter(created_at__gte=since, created_at__lt=until), Category.RISK
    )
    return [
        TimelineItem(
            day=a.created_at.astimezone(zone).date(),
            at=a.created_at.astimezone(zone),
            kind="alert",
            kind_label="Alert",
            title=f"{Severity(a.severity).label}: {AlertKind(a.kind).label}",
            detail=(
                f"{alert_reason_for(alert=a, care=access)} "
                f"({str(AlertStatus(a.status).label).lower()})"
            ),
        )
        for a in rows
    ]
