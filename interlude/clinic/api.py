"""JSON endpoints about the signed-in person and a clinician's caseload. Thin: the gate loads."""

from __future__ import annotations

import uuid

from ninja import Router, Schema

from interlude.consents.access import access_caseload, access_client
from interlude.core.http import InterludeRequest
from interlude.practices.models import Client
from interlude.practices.selectors import membership_active_for

router = Router(tags=["people"])


class MeOut(Schema):
    email: str
    name: str
    role: str
    practice: str | None


class ClientOut(Schema):
    id: uuid.UUID
    name: str
    preferred_name: str
    status: str
    time_zone: str


@router.get("/me", response=MeOut)
def me(request: InterludeRequest) -> MeOut:
    user = request.user
    membership = membership_active_for(user=user)
    if getattr(user, "client_profile", None) is not None:
        role = "client"
    else:
        role = membership.role if membership else "none"
    return MeOut(
        email=user.email,
        name=user.get_full_name(),
        role=role,
        practice=membership.practice.name if membership else None,
    )


def _client_out(c: Client) -> ClientOut:
    return ClientOut(
        id=c.public_id,
        name=c.full_name,
        preferred_name=c.preferred_name,
        status=c.status,
        time_zone=c.time_zone,
    )


@router.get("/clients", response=list[ClientOut])
def client_list(request: InterludeRequest) -> list[ClientOut]:
    """The caller's caseload (clinicians). Others get an empty list."""
    membership = membership_active_for(user=request.user)
    if membership is None:
        return []
    return [
        _client_out(c)
        for c in [a.client for a in access_caseload(user=request.user, membership=membership)]
    ]


@router.get("/clients/{client_id}", response=ClientOut)
def client_detail(request: InterludeRequest, client_id: uuid.UUID) -> ClientOut:
    return _client_out(access_client(user=request.user, client_id=client_id).client)
