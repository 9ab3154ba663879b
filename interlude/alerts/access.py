"""The alerts' side of the gate: who an alert reaches, and loading alerts for them.

Alerts sit above the gate (they read questionnaire answers), so their access rules live here and
use the gate's building blocks; safety-critical signals reach the care team whatever the client's
sharing choices (DESIGN.md, "The gate").
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.db.models import Q
from django.http import Http404

from interlude.accounts.models import User
from interlude.alerts.models import Alert, AlertStatus
from interlude.audit.services import (
    event_alert_viewed_as_recipient,
    event_alerts_viewed,
    event_client_access_denied,
    event_client_record_viewed,
)
from interlude.consents.access import clinical_memberships, require_second_factor
from interlude.practices.enums import Role, ShareScope
from interlude.practices.models import CareTeamMember, Membership


def alert_reach(*, memberships: list[Membership]) -> Q:
    """The one rule for who an alert reaches: everyone it was put in front of can see it and act.

    An alert of a practice reaches a clinical member of that practice who is on the client's care
    team (they were notified), an owner once it has been escalated (they were emailed), and the
    clinician it was handed to (they were emailed). Used by the inbox, by one alert, and by the
    navigation count, so they can never disagree.
    """
    reach = Q(pk__in=[])
    for m in memberships:
        if not m.is_active or not Role(m.role).is_clinical:
            continue
        mine = Q(client__in=CareTeamMember.objects.filter(membership=m).values("client_id")) | Q(
            handed_to=m
        )
        if m.role == Role.OWNER:
            mine |= Q(escalated_at__isnull=False)
        reach |= Q(practice_id=m.practice_id) & mine
    return reach


def _mark_reach(*, alerts: list[Alert], memberships: list[Membership]) -> None:
    """Set `alert.reached_via` ("care_team", "escalation" or "handover") on each alert."""
    on_team = set(
        CareTeamMember.objects.filter(
            membership__in=memberships, client_id__in={a.client_id for a in alerts}
        ).values_list("client_id", flat=True)
    )
    member_ids = {m.pk for m in memberships}
    for alert in alerts:
        if alert.client_id in on_team:
            alert.reached_via = "care_team"  # type: ignore[attr-defined]
        elif alert.handed_to_id in member_ids:
            alert.reached_via = "handover"  # type: ignore[attr-defined]
        else:
            alert.reached_via = "escalation"  # type: ignore[attr-defined]


def _audit_beyond_care_team(*, user: User, alerts: list[Alert]) -> None:
    # The care team's reads are covered by the inbox event; someone who sees an alert only
    # because it was passed to them is recorded per alert, so the client's history names them.
    for alert in alerts:
        via = getattr(alert, "reached_via", "care_team")
        if via != "care_team":
            event_alert_viewed_as_recipient(actor=user, alert=alert, via=via)


def access_alert_inbox(
    *, user: User, membership: Membership, include_resolved: bool = False
) -> list[Alert]:
    """Every alert that reaches this member (`alert_reach`), most severe and newest first.

    Safety-critical signals reach the care team whatever the client's sharing choices (DESIGN.md,
    "The gate"); an owner sees escalated alerts of the practice without break-glass, because the
    escalation email already told them. Audited once with the count, like the caseload, plus one
    event per alert seen from outside the care team. Each alert carries `reached_via`."""
    if membership.user_id != user.pk or not membership.is_active:
        raise Http404
    if not Role(membership.role).is_clinical:
        return []
    require_second_factor(user)
    with transaction.atomic():
        rows = Alert.objects.filter(alert_reach(memberships=[membership])).select_related(
            "client", "acknowledged_by", "resolved_by", "handed_to__user"
        )
        if not include_resolved:
            rows = rows.exclude(status=AlertStatus.RESOLVED)
        alerts = list(rows.order_by("-severity_rank", "-created_at")[:500])
        _mark_reach(alerts=alerts, memberships=[membership])
        event_alerts_viewed(actor=user, practice=membership.practice, alert_count=len(alerts))
        _audit_beyond_care_team(user=user, alerts=alerts)
    return alerts


def access_alert(*, user: User, alert_id: uuid.UUID | str) -> Alert:
    """One alert that reaches the user (`alert_reach`), to read, acknowledge, resolve or hand
    over. 404 otherwise. Carries `reached_via`."""
    if not user.is_authenticated or not user.is_active:
        raise Http404
    try:
        public_id = uuid.UUID(str(alert_id))
    except ValueError:
        raise Http404 from None
    memberships = clinical_memberships(user)
    alert = (
        Alert.objects.select_related("client", "client__practice")
        .filter(alert_reach(memberships=memberships), public_id=public_id)
        .first()
    )
    if alert is None:
        found = Alert.objects.filter(public_id=public_id).select_related("client").first()
        event_client_access_denied(
            actor=user,
            requested_client_id=str(found.client.public_id) if found else str(public_id),
            reason="alert not on the care team",
            client=found.client if found else None,
        )
        raise Http404
    require_second_factor(user)
    _mark_reach(alerts=[alert], memberships=memberships)
    with transaction.atomic():
        event_client_record_viewed(
            actor=user,
            client=alert.client,
            scope=ShareScope.MEASURES,
            object_type="alert",
            object_id=str(alert.public_id),
        )
        _audit_beyond_care_team(user=user, alerts=[alert])
    return alert
