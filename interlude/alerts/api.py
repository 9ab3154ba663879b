"""Alerts API for clinicians: the open alerts on their clients, and acknowledging one with a note.

Thin: the gate loads (`access_alert_inbox`, `access_alert`, both audited and both requiring the
second factor), `alert_acknowledge` writes. Anyone without a clinical membership gets a 404, like
an alert outside their care teams.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.http import Http404
from ninja import Field, Router, Schema, Status

from interlude.alerts.models import Alert
from interlude.alerts.services import alert_acknowledge
from interlude.core.api_errors import error_body
from interlude.core.errors import ApplicationError
from interlude.core.http import InterludeRequest
from interlude.practices.access import access_alert, access_alert_inbox
from interlude.practices.enums import Role
from interlude.practices.models import Membership
from interlude.practices.selectors import membership_active_for

router = Router(tags=["alerts"])


class AlertOut(Schema):
    id: uuid.UUID
    client_id: uuid.UUID
    kind: str = Field(..., description="critical_item, reliable_deterioration, not_on_track, ...")
    severity: str = Field(..., description="critical, high, medium or low")
    reason: str
    status: str = Field(..., description="open or acknowledged (resolved alerts are not listed)")
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None


class AcknowledgeIn(Schema):
    note: str = Field("", description="What you did or will do, e.g. 'Called; plan reviewed.'")


class ErrorOut(Schema):
    detail: list[dict]


def _alert_out(alert: Alert) -> AlertOut:
    return AlertOut(
        id=alert.public_id,
        client_id=alert.client.public_id,
        kind=alert.kind,
        severity=alert.severity,
        reason=alert.reason,
        status=alert.status,
        created_at=alert.created_at,
        acknowledged_at=alert.acknowledged_at,
        acknowledged_by=(
            alert.acknowledged_by.get_full_name() if alert.acknowledged_by is not None else None
        ),
    )


def _clinical_membership(request: InterludeRequest) -> Membership:
    membership = getattr(request, "membership", None) or membership_active_for(user=request.user)
    if membership is None or not Role(membership.role).is_clinical:
        raise Http404
    return membership


@router.get(
    "/alerts",
    response=list[AlertOut],
    summary="Open alerts on the clients of your care teams, most severe and newest first",
    url_name="alerts",
)
def alert_list(request: InterludeRequest) -> list[AlertOut]:
    membership = _clinical_membership(request)
    return [_alert_out(a) for a in access_alert_inbox(user=request.user, membership=membership)]


@router.post(
    "/alerts/{id}/acknowledge",
    response={200: AlertOut, 422: ErrorOut},
    summary="Acknowledge an alert with a note saying what you did or will do",
    url_name="alert_acknowledge",
)
def alert_acknowledge_post(request: InterludeRequest, id: uuid.UUID, payload: AcknowledgeIn):
    alert = access_alert(user=request.user, alert_id=id)
    try:
        alert = alert_acknowledge(actor=request.user, alert=alert, note=payload.note)
    except ApplicationError as exc:
        return Status(422, error_body(exc.field or "note", exc.message))
    return Status(200, _alert_out(alert))
