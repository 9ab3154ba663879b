"""Reads for alerts the gate already returned, and the nav count (by the gate's own rule)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from interlude.accounts.models import User
from interlude.alerts.access import alert_reach, alert_reason_for
from interlude.alerts.models import Alert, AlertStatus, NoticeReason
from interlude.consents.access import CareAccess
from interlude.practices.enums import Role
from interlude.practices.models import Client, Membership


@dataclass(frozen=True)
class AlertHistoryEntry:
    at: datetime
    what: str
    who: str
    note: str


def alert_list_for_client(*, access: CareAccess, include_resolved: bool = True) -> list[Alert]:
    """The client's alerts for the record, most severe and newest first. Every alert is listed
    (risk signals always reach the care team); each carries `shown_reason`, what this viewer may
    read of its reason (`alerts.access.alert_reason_for`)."""
    rows = Alert.objects.filter(client_id=access.client.pk).select_related(
        "acknowledged_by", "resolved_by", "handed_to__user"
    )
    if not include_resolved:
        rows = rows.exclude(status=AlertStatus.RESOLVED)
    alerts = list(rows.order_by("-severity_rank", "-created_at")[:200])
    for alert in alerts:
        alert.client = access.client
        alert.shown_reason = alert_reason_for(alert=alert, care=access)  # type: ignore[attr-defined]
    return alerts


def alert_open_count_for_client(*, client: Client) -> int:
    return Alert.objects.filter(client=client).exclude(status=AlertStatus.RESOLVED).count()


def alerts_open_count(*, membership: Membership) -> int:
    """What still needs someone: unacknowledged alerts that reach this member (the gate's
    `alert_reach`: care team, escalated to an owner, handed over). One COUNT query, for the nav.
    Acknowledged alerts have someone on them, so they leave the count while still unresolved."""
    return Alert.objects.filter(
        alert_reach(memberships=[membership]), status=AlertStatus.OPEN
    ).count()


def alert_history(*, alert: Alert) -> list[AlertHistoryEntry]:
    """Who was told, when, and who acted, oldest first: for the alert's page. No clinical content
    beyond the notes, which only the people the alert reaches see."""
    entries = [AlertHistoryEntry(at=alert.created_at, what="Raised", who="", note="")]
    for notice in alert.notices.select_related("recipient").order_by("sent_at", "pk"):
        entries.append(
            AlertHistoryEntry(
                at=notice.sent_at,
                what=f"Emailed ({NoticeReason(notice.why).label.lower()})",
                who=notice.recipient.get_full_name(),
                note="",
            )
        )
    users = {
        u.pk: u
        for u in User.objects.filter(
            pk__in=[
                i
                for i in (alert.handed_over_by_id, alert.acknowledged_by_id, alert.resolved_by_id)
                if i
            ]
        )
    }
    if alert.handed_over_at is not None and alert.handed_to_id is not None:
        to = Membership.objects.select_related("user").get(pk=alert.handed_to_id).user
        by = users.get(alert.handed_over_by_id or 0)
        entries.append(
            AlertHistoryEntry(
                at=alert.handed_over_at,
                what=f"Handed over to {to.get_full_name()}",
                who=by.get_full_name() if by else "",
                note=alert.handover_note or "",
            )
        )
    if alert.acknowledged_at is not None:
        by = users.get(alert.acknowledged_by_id or 0)
        entries.append(
            AlertHistoryEntry(
                at=alert.acknowledged_at,
                what="Acknowledged",
                who=by.get_full_name() if by else "",
                note=alert.acknowledge_note or "",
            )
        )
    if alert.resolved_at is not None:
        by = users.get(alert.resolved_by_id or 0)
        entries.append(
            AlertHistoryEntry(
                at=alert.resolved_at,
                what="Resolved" if by else "Resolved automatically",
                who=by.get_full_name() if by else "",
                note=alert.resolve_note or "",
            )
        )
    return sorted(entries, key=lambda e: e.at)


def clinicians_for_handover(*, alert: Alert, exclude_user: User) -> list[Membership]:
    """Who an alert can be handed to: active clinical members of its practice, not the giver."""
    return list(
        Membership.objects.filter(
            practice_id=alert.practice_id,
            is_active=True,
            user__is_active=True,
            role__in=[r for r in Role if r.is_clinical],
        )
        .exclude(user=exclude_user)
        .select_related("user")
        .order_by("user__full_name")
    )
