"""Reads for break-glass: the practice's clients by name, for an owner who must find one in an
emergency. Names and status only: nothing of anyone's record is read here (the record itself
opens through the gate, `access.access_client`, once a grant exists)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.http import Http404
from django.utils import timezone

from interlude.accounts.models import User
from interlude.consents.models import BreakGlassGrant
from interlude.practices.enums import Role
from interlude.practices.models import CareTeamMember, Client, Membership


@dataclass(frozen=True)
class BreakGlassRow:
    """One client on the owner's emergency list."""

    client: Client
    on_care_team: bool  # the owner can open the record directly, without break-glass
    open_until: datetime | None  # the owner's own open grant for this client, if any


def owner_membership(*, user: User) -> Membership:
    """The user's active owner membership; 404 for anyone else (clinicians, admins, clients)."""
    membership = (
        Membership.objects.select_related("practice")
        .filter(user=user, is_active=True, role=Role.OWNER)
        .order_by("created_at")
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def breakglass_client_list(*, membership: Membership) -> list[BreakGlassRow]:
    """Every client of the owner's practice, by name, in three queries."""
    clients = list(
        Client.objects.filter(practice_id=membership.practice_id).order_by("full_name", "pk")
    )
    mine = set(
        CareTeamMember.objects.filter(
            membership=membership, client__practice_id=membership.practice_id
        ).values_list("client_id", flat=True)
    )
    open_until: dict[int, datetime] = {}
    for client_id, expires_at in BreakGlassGrant.objects.filter(
        user_id=membership.user_id,
        practice_id=membership.practice_id,
        expires_at__gt=timezone.now(),
    ).values_list("client_id", "expires_at"):
        open_until[client_id] = max(expires_at, open_until.get(client_id, expires_at))
    return [
        BreakGlassRow(client=c, on_care_team=c.pk in mine, open_until=open_until.get(c.pk))
        for c in clients
    ]


def breakglass_client_get(*, membership: Membership, client_id: uuid.UUID) -> BreakGlassRow:
    """One client of the owner's practice, by public id (its name is all that is shown); 404
    for a client of another practice or an id that names no one."""
    client = Client.objects.filter(practice_id=membership.practice_id, public_id=client_id).first()
    if client is None:
        raise Http404
    on_care_team = CareTeamMember.objects.filter(client=client, membership=membership).exists()
    return BreakGlassRow(client=client, on_care_team=on_care_team, open_until=None)
