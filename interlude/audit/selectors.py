"""Reads of the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from interlude.audit.enums import AuditAction, AuditOutcome
from interlude.audit.models import AuditEvent

# What each action means when told to the client whose record it is.
_CLIENT_WORDING: dict[str, str] = {
    AuditAction.CLIENT_RECORD_VIEWED: "looked at your record",
    AuditAction.CLIENT_CREATED: "added you to the practice",
    AuditAction.INVITATION_SENT: "sent you an invitation",
    AuditAction.INVITATION_REVOKED: "cancelled an invitation to you",
    AuditAction.CARE_TEAM_CHANGED: "changed who is on your care team",
    AuditAction.CLIENT_ACCESS_DENIED: "tried to open your record and was refused",
}


@dataclass(frozen=True)
class AccessHistoryRow:
    when: datetime
    who: str
    what: str
    denied: bool


def audit_access_history_for_client(
    *, client_id: int, client_user_id: int | None, limit: int = 200
) -> list[AccessHistoryRow]:
    """Events about a client done by anyone but the client, newest first, in plain words."""
    events = (
        AuditEvent.objects.filter(client_id=client_id)
        .exclude(Q(actor_id=client_user_id) if client_user_id else Q(pk__in=[]))
        .select_related("actor")
        .order_by("-seq")[:limit]
    )
    rows = []
    for e in events:
        who = e.actor.get_full_name() if e.actor is not None else "Someone who was not signed in"
        rows.append(
            AccessHistoryRow(
                when=e.occurred_at,
                who=who,
                what=_CLIENT_WORDING.get(e.action, AuditAction(e.action).label.lower()),
                denied=e.outcome == AuditOutcome.DENIED,
            )
        )
    return rows


def audit_event_count(*, action: AuditAction, client_id: int | None = None) -> int:
    qs = AuditEvent.objects.filter(action=action)
    if client_id is not None:
        qs = qs.filter(client_id=client_id)
    return qs.count()
