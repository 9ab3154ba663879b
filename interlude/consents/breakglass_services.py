"""Break-glass: an owner opens a record outside their care team, in an emergency.

It takes a reason (kept encrypted on the grant, never in the audit trail or an email), lasts 60
minutes, is flagged in the audit trail, and the client's care team is told by email after the
transaction commits. Every read under the grant is audited by the gate (`access.access_client`),
and the client sees both the opening and the reads on their "Who has seen my information" page.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from interlude.accounts.models import User
from interlude.audit.services import event_break_glass_opened
from interlude.consents.models import BreakGlassGrant
from interlude.core.errors import ApplicationError
from interlude.practices.enums import Role
from interlude.practices.models import CareTeamMember, Client, Membership

BREAK_GLASS_MINUTES = 60
REASON_MAX_LENGTH = 2000

REASON_MISSING = (
    "Please write the reason you need to open this record now. It is kept, encrypted, with "
    "this access."
)
REASON_TOO_LONG = f"Please keep the reason to {REASON_MAX_LENGTH} characters or fewer."
ON_CARE_TEAM = "You are on this client's care team: open their record from your caseload."


def break_glass_open(
    *, user: User, client_public_id: uuid.UUID | str, reason: str
) -> BreakGlassGrant:
    """Open a client's record for an owner of their practice who is not on the care team, for
    60 minutes. Anyone else, or a client of another practice, gets the same 404 as the gate."""
    from django.http import Http404

    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(REASON_MISSING, field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ApplicationError(REASON_TOO_LONG, field="reason")
    try:
        public_id = uuid.UUID(str(client_public_id))
    except ValueError:
        raise Http404 from None
    if not user.is_authenticated or not user.is_active:
        raise Http404
    client = Client.objects.select_related("practice").filter(public_id=public_id).first()
    membership = (
        Membership.objects.filter(
            user=user, is_active=True, role=Role.OWNER, practice_id=client.practice_id
        ).first()
        if client is not None
        else None
    )
    if client is None or membership is None:
        raise Http404
    if CareTeamMember.objects.filter(client=client, membership=membership).exists():
        raise ApplicationError(ON_CARE_TEAM, field="reason")

    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            practice_id=client.practice_id,
            client=client,
            user=user,
            reason=reason,
            opened_at=now,
            expires_at=now + timedelta(minutes=BREAK_GLASS_MINUTES),
        )
        event_break_glass_opened(
            actor=user,
            client=client,
            grant_id=str(grant.public_id),
            expires_at=grant.expires_at.isoformat(),
        )
        transaction.on_commit(lambda: _enqueue_notice(grant.pk))
    return grant


def _enqueue_notice(grant_id: int) -> None:
    from interlude.consents.breakglass_tasks import break_glass_notify

    break_glass_notify.enqueue(grant_id=grant_id)


def break_glass_notify_send(*, grant_id: int) -> int:
    """Email each member of the client's care team that an owner opened the record in an
    emergency. Once per grant (safe to run twice); returns how many emails were sent."""
    from django.core.cache import cache

    from interlude.consents.breakglass_emails import break_glass_email_send

    grant = BreakGlassGrant.objects.select_related("client", "user").filter(pk=grant_id).first()
    if grant is None:
        return 0
    # One notice per grant, whichever worker runs it first (cache.add is atomic).
    if not cache.add(f"break-glass-notified:{grant.public_id}", 1, timeout=7 * 86400):
        return 0
    recipients = [
        m.membership.user
        for m in CareTeamMember.objects.filter(
            client_id=grant.client_id,
            membership__is_active=True,
            membership__user__is_active=True,
        )
        .exclude(membership__user_id=grant.user_id)
        .select_related("membership__user")
    ]
    return break_glass_email_send(
        users=recipients, owner=grant.user, client_public_id=grant.client.public_id
    )
