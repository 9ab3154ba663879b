"""Reads for alerts on a client the gate already returned."""

from __future__ import annotations

from interlude.alerts.models import Alert, AlertStatus
from interlude.practices.models import Client, Membership


def alert_list_for_client(*, client: Client, include_resolved: bool = True) -> list[Alert]:
    rows = Alert.objects.filter(client=client).select_related("acknowledged_by", "resolved_by")
    if not include_resolved:
        rows = rows.exclude(status=AlertStatus.RESOLVED)
    return list(rows.order_by("-severity_rank", "-created_at")[:200])


def alert_open_count_for_client(*, client: Client) -> int:
    return Alert.objects.filter(client=client).exclude(status=AlertStatus.RESOLVED).count()


def alerts_open_count(*, membership: Membership) -> int:
    """Open (not resolved) alerts on this clinician's clients: one COUNT query, for the nav."""
    return (
        Alert.objects.filter(
            practice_id=membership.practice_id, client__care_team__membership=membership
        )
        .exclude(status=AlertStatus.RESOLVED)
        .count()
    )
