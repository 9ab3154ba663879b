"""Alerts API for clinicians: the open alerts that reach them (their care teams', escalated ones
for an owner, ones handed to them), acknowledging one with a note, and handing one over.

Thin: the gate loads (`access_alert_inbox`, `access_alert`, both audited and both requiring the
second factor), `alert_acknowledge` writes. Anyone without a clinical membership gets a 404, like
an alert outside their care teams.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.http import Http404
from ninja import Field, Router, Schema, Status

from interlude.alerts.access import access_alert, access_alert_inbox
from interlude.alerts.models import Alert
from interlude.alerts.services import alert_acknowledge, alert_hand_over
from interlude.core.api_errors import error_body
from interlude.core.errors import ApplicationError
from interlude.core.http import InterludeRequest
from interlude.practices.enums import Role
from interlude.practices.models import Membership
from interlude.practices.selectors import membership_active_for

router = Router(tags=["alerts"])


class AlertOut(Schema):
    id: uuid.UUID
    client_id: uuid.UUID
    kind: str = Field(..., description="critical_item, reliable_deterioration, not_on_track, ...")
    severity: str = Field(..., description="critical, high, medium or low")
    reason: str = Field(
        ...,
        description="What raised it. When the client does not share the category it comes from "
        "(or you are not on their care team) only what it is about, e.g. that a risk answer was "
        "given.",
    )
    status: str = Field(..., description="open or acknowledged (resolved alerts are not listed)")
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    escalated_at: datetime | None = Field(
        ..., description="When it went to the practice owners because nobody acknowledged it"
    )
    handed_to: str | None = Field(..., description="The clinician it was handed to, if any")
    handed_over_at: datetime | None
    reached_via: str = Field(
        ...,
        description="Why you see it: care_team, escalation (you are an owner) or handover",
    )


class AcknowledgeIn(Schema):
    note: str = Field("", description="What you did or will do, e.g. 'Called; plan reviewed.'")


class HandoverIn(Schema):
    to: int | None = Field(
        None, description="Membership id of an active clinician of the alert's practice"
    )
    note: str = Field("", description="Optional, for the person it is handed to")


class ErrorOut(Schema):
    detail: list[dict]


def _alert_out(alert: Alert) -> AlertOut:
    return AlertOut(
        id=alert.public_id,
        client_id=alert.client.public_id,
        kind=alert.kind,
        severity=alert.severity,
        reason=getattr(alert, "shown_reason", ""),
        status=alert.status,
        created_at=alert.created_at,
        acknowledged_at=alert.acknowledged_at,
        acknowledged_by=(
            alert.acknowledged_by.get_full_name() if alert.acknowledged_by is not None else None
        ),
        escalated_at=alert.escalated_at,
        handed_to=alert.handed_to.user.get_full_name() if alert.handed_to is not None else None,
        handed_over_at=alert.handed_over_at,
        reached_via=getattr(alert, "reached_via", "care_team"),
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
        updated = alert_acknowledge(actor=request.user, alert=alert, note=payload.note)
    except ApplicationError as exc:
        return Status(422, error_body(exc.field or "note", exc.message))
    updated.reached_via = alert.reached_via  # type: ignore[attr-defined]
    updated.shown_reason = alert.shown_reason  # type: ignore[attr-defined]
    return Status(200, _alert_out(updated))


@router.post(
    "/alerts/{id}/handover",
    response={200: AlertOut, 422: ErrorOut},
    summary="Hand an unacknowledged alert to a named clinician of the practice",
    url_name="alert_handover",
)
def alert_handover_post(request: InterludeRequest, id: uuid.UUID, payload: HandoverIn):
    alert = access_alert(user=request.user, alert_id=id)
    try:
        updated = alert_hand_over(
            actor=request.user, alert=alert, to_membership_id=payload.to, note=payload.note
        )
    except ApplicationError as exc:
        return Status(422, error_body(exc.field or "to", exc.message))
    updated.reached_via = alert.reached_via  # type: ignore[attr-defined]
    updated.shown_reason = alert.shown_reason  # type: ignore[attr-defined]
    return Status(200, _alert_out(updated))
