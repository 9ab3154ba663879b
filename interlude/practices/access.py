"""The gate: the only way to load a client's data (DESIGN.md, "The gate").

Every helper authorises and loads in one step, answers 404 for anything out of reach (never a
403 that would confirm the record exists), and audits every read by someone other than the
client in the same transaction as the read: if the audit write fails, nothing is returned.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.http import Http404

from interlude.accounts.models import User
from interlude.accounts.selectors import user_has_second_factor
from interlude.alerts.models import Alert, AlertStatus
from interlude.audit.services import (
    event_alerts_viewed,
    event_caseload_viewed,
    event_client_access_denied,
    event_client_record_viewed,
)
from interlude.core.errors import SecondFactorRequired
from interlude.practices.enums import Role, ShareScope
from interlude.practices.models import Client, Membership


def _require_second_factor(user: User) -> None:
    if not user_has_second_factor(user=user):
        raise SecondFactorRequired


def _clinical_memberships(user: User) -> list[Membership]:
    return [
        m for m in Membership.objects.filter(user=user, is_active=True) if Role(m.role).is_clinical
    ]


def access_client(
    *,
    user: User,
    client_id: uuid.UUID | str,
    scope: ShareScope | tuple[ShareScope, ...] = ShareScope.PROFILE,
) -> Client:
    """A client the user may see: themselves, or a client on one of the user's care teams.

    `client_id` is the client's public id. `scope` names what part of the record the caller will
    show (a tuple for a page that shows several, like the client record); it is recorded with the
    audit event (and, once clients choose what to share, checked).
    """
    if not user.is_authenticated or not user.is_active:
        raise Http404
    try:
        public_id = uuid.UUID(str(client_id))
    except ValueError:
        raise Http404 from None
    own = getattr(user, "client_profile", None)
    if own is not None and own.public_id == public_id:
        return own
    memberships = _clinical_memberships(user)
    client = (
        Client.objects.select_related("practice", "user")
        .filter(
            public_id=public_id,
            practice__in=[m.practice_id for m in memberships],
            care_team__membership__in=memberships,
        )
        .distinct()
        .first()
    )
    if client is None:
        event_client_access_denied(
            actor=user,
            requested_client_id=str(public_id),
            reason="not on the care team",
            client=Client.objects.filter(public_id=public_id).first(),
        )
        raise Http404
    _require_second_factor(user)
    with transaction.atomic():
        event_client_record_viewed(actor=user, client=client, scope=scope)
    return client


def access_own_client(*, user: User) -> Client:
    """The client profile of the signed-in person (clients reading their own data)."""
    client = getattr(user, "client_profile", None) if user.is_authenticated else None
    if client is None:
        raise Http404
    return client


def access_caseload(*, user: User, membership: Membership) -> list[Client]:
    """Every client on this clinician's care teams, with their care teams loaded. Audited once."""
    if membership.user_id != user.pk or not membership.is_active:
        raise Http404
    if not Role(membership.role).is_clinical:
        return []
    _require_second_factor(user)
    with transaction.atomic():
        clients = list(
            Client.objects.filter(
                practice_id=membership.practice_id, care_team__membership=membership
            )
            .select_related("user")
            .order_by("full_name")
        )
        event_caseload_viewed(actor=user, practice=membership.practice, client_count=len(clients))
    return clients


def access_alert_inbox(
    *, user: User, membership: Membership, include_resolved: bool = False
) -> list[Alert]:
    """Alerts on every client of this clinician's care teams, most severe and newest first.

    Safety-critical signals reach the care team whatever the client's sharing choices (DESIGN.md,
    "The gate"). Audited once, with the count, like the caseload."""
    if membership.user_id != user.pk or not membership.is_active:
        raise Http404
    if not Role(membership.role).is_clinical:
        return []
    _require_second_factor(user)
    with transaction.atomic():
        rows = Alert.objects.filter(
            practice_id=membership.practice_id,
            client__care_team__membership=membership,
        ).select_related("client", "acknowledged_by", "resolved_by")
        if not include_resolved:
            rows = rows.exclude(status=AlertStatus.RESOLVED)
        alerts = list(rows.order_by("-severity_rank", "-created_at")[:500])
        event_alerts_viewed(actor=user, practice=membership.practice, alert_count=len(alerts))
    return alerts


def access_alert(*, user: User, alert_id: uuid.UUID | str) -> Alert:
    """One alert on a client of the user's care teams (to acknowledge or resolve). 404 otherwise."""
    if not user.is_authenticated or not user.is_active:
        raise Http404
    try:
        public_id = uuid.UUID(str(alert_id))
    except ValueError:
        raise Http404 from None
    memberships = _clinical_memberships(user)
    alert = (
        Alert.objects.select_related("client", "client__practice")
        .filter(
            public_id=public_id,
            practice__in=[m.practice_id for m in memberships],
            client__care_team__membership__in=memberships,
        )
        .distinct()
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
    _require_second_factor(user)
    with transaction.atomic():
        event_client_record_viewed(
            actor=user,
            client=alert.client,
            scope=ShareScope.MEASURES,
            object_type="alert",
            object_id=str(alert.public_id),
        )
    return alert
