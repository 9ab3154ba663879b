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
from interlude.alerts.models import Alert, AlertKind, AlertStatus
from interlude.audit.services import (
    event_alert_viewed_as_recipient,
    event_alerts_viewed,
    event_client_access_denied,
    event_client_record_viewed,
)
from interlude.consents.access import (
    CLIENT_RELATED,
    CareAccess,
    Viewer,
    care_access_for_loaded,
    clinical_memberships,
    require_second_factor,
)
from interlude.practices.enums import Role, ShareScope
from interlude.practices.models import CareTeamMember, Membership

# What an alert's reason tells about the client's record, by kind: the reason shows only to a
# viewer who may see that category. The alert itself (kind, severity, when, status) always reaches
# the care team: risk answers raise alerts whatever the sharing, as the consent says.
ALERT_CATEGORY: dict[str, ShareScope] = {
    AlertKind.CRITICAL_ITEM: ShareScope.MEASURES,
    AlertKind.RELIABLE_DETERIORATION: ShareScope.MEASURES,
    AlertKind.NOT_ON_TRACK: ShareScope.MEASURES,
    AlertKind.QUESTIONNAIRE_OVERDUE: ShareScope.MEASURES,
    AlertKind.MOOD_DROP: ShareScope.CHECKINS,
    AlertKind.NO_CHECKIN: ShareScope.CHECKINS,
    # Messages are addressed to the care team: never hidden from it (consents/rules.py).
    AlertKind.MESSAGE_RISK: ShareScope.MESSAGES,
}

# What a viewer who may not see the category (or who is not on the care team) reads instead.
RISK_ANSWER_TEXT = "A risk answer was given on a questionnaire."
NOT_SHARED_TEXT = {
    ShareScope.MEASURES: "Not shared: the details come from questionnaires, which the client "
    "does not share with you.",
    ShareScope.CHECKINS: "Not shared: the details come from check-ins, which the client does "
    "not share with you.",
}
CARE_TEAM_ONLY_TEXT = (
    "The details are shown only to the client's care team. Contact them, or hand this alert to "
    "a named clinician who can act today."
)


def alert_reason_for(*, alert: Alert, care: CareAccess | None) -> str:
    """The reason this viewer may read: the full reason when `care` (the viewer's access to the
    alert's client, as a care-team member) sees the alert's category; otherwise only what the
    alert is about (for a risk answer: that one was given) and, for someone outside the care team
    (`care` None: an owner after escalation, a clinician it was handed to), whom to turn to."""
    category = ALERT_CATEGORY.get(alert.kind, ShareScope.MEASURES)
    if care is not None and care.can_see(category):
        return alert.reason
    if alert.kind == AlertKind.CRITICAL_ITEM:
        minimal = RISK_ANSWER_TEXT
        return minimal if care is not None else f"{minimal} {CARE_TEAM_ONLY_TEXT}"
    if care is None:
        return CARE_TEAM_ONLY_TEXT
    return NOT_SHARED_TEXT.get(category, NOT_SHARED_TEXT[ShareScope.MEASURES])


def _care_for(*, alert: Alert, user: User, memberships: list[Membership]) -> CareAccess | None:
    """The viewer's access to the alert's client, built by the gate's `care_access_for_loaded`
    from the rows loaded with the alert (no query), when they reach it as a member of its care
    team; None otherwise."""
    if getattr(alert, "reached_via", "care_team") != "care_team":
        return None
    membership = next((m for m in memberships if m.practice_id == alert.practice_id), None)
    return care_access_for_loaded(
        client=alert.client, user=user, viewer=Viewer.CARE_TEAM, membership=membership
    )


def alerts_mark_reasons(*, alerts: list[Alert], user: User, memberships: list[Membership]) -> None:
    """Set `alert.shown_reason` on each alert: what this viewer may read (`alert_reason_for`).
    Templates and the API show `shown_reason`, never `reason`."""
    for alert in alerts:
        care = _care_for(alert=alert, user=user, memberships=memberships)
        alert.shown_reason = alert_reason_for(alert=alert, care=care)  # type: ignore[attr-defined]


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
            *(f"client__{r}" for r in CLIENT_RELATED),
            "acknowledged_by",
            "resolved_by",
            "handed_to__user",
        )
        if not include_resolved:
            rows = rows.exclude(status=AlertStatus.RESOLVED)
        alerts = list(rows.order_by("-severity_rank", "-created_at")[:500])
        _mark_reach(alerts=alerts, memberships=[membership])
        alerts_mark_reasons(alerts=alerts, user=user, memberships=[membership])
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
        Alert.objects.select_related(*(f"client__{r}" for r in CLIENT_RELATED))
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
    alerts_mark_reasons(alerts=[alert], user=user, memberships=memberships)
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
