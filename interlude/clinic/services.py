"""Writes for practices, people, invitations and crisis resources."""

from __future__ import annotations

import secrets
from zoneinfo import available_timezones

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from interlude.accounts.models import User
from interlude.accounts.services import user_sessions_end
from interlude.audit.services import (
    event_account_disabled,
    event_client_created,
    event_crisis_resource_changed,
    event_invitation_accepted,
    event_invitation_revoked,
    event_invitation_sent,
)
from interlude.clinic.invitation_tokens import invitation_token_seal, token_digest
from interlude.consents.consent_services import client_privacy_create_pending
from interlude.core.clock import client_today
from interlude.core.errors import ApplicationError
from interlude.practices.enums import ClientStatus, InvitationKind, Role
from interlude.practices.models import (
    CareTeamMember,
    Client,
    CrisisResource,
    Invitation,
    Membership,
    Practice,
)
from interlude.practices.selectors import crisis_resources_default


def _validate_time_zone(time_zone: str) -> None:
    if time_zone not in available_timezones():
        raise ApplicationError(
            f"“{time_zone}” is not a time zone we know. Pick one from the list, "
            "for example Europe/Berlin or America/Chicago.",
            field="time_zone",
        )


# --- practices -----------------------------------------------------------------------------------
@transaction.atomic
def practice_create(
    *, name: str, country: str, time_zone: str, owner: User, owner_is_clinician: bool = True
) -> Practice:
    _validate_time_zone(time_zone)
    practice = Practice.objects.create(name=name, country=country.upper(), time_zone=time_zone)
    Membership.objects.create(practice=practice, user=owner, role=Role.OWNER)
    crisis_resources_seed_defaults(practice=practice)
    return practice


def crisis_resources_seed_defaults(*, practice: Practice) -> int:
    """Copy the shipped defaults into a practice that has none yet. Returns rows created."""
    if practice.crisis_resources.exists():
        return 0
    rows = crisis_resources_default(practice=practice)
    CrisisResource.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def crisis_resource_update(
    *,
    actor: User,
    resource: CrisisResource,
    name: str,
    phone: str,
    sms: str,
    url: str,
    description: str,
    hours: str,
    verified_today: bool,
) -> CrisisResource:
    resource.name = name
    resource.phone = phone
    resource.sms = sms
    resource.url = url
    resource.description = description
    resource.hours = hours
    if verified_today:
        resource.last_verified = timezone.localdate()
    resource.updated_by = actor
    resource.save()
    event_crisis_resource_changed(actor=actor, practice=resource.practice, resource_id=resource.pk)
    return resource


# --- clients -------------------------------------------------------------------------------------
@transaction.atomic
def client_create(
    *,
    actor: User,
    membership: Membership,
    full_name: str,
    preferred_name: str = "",
    email: str = "",
    time_zone: str,
    country: str = "",
) -> Client:
    """Add a client to the clinician's practice, with that clinician as primary care team member."""
    if not Role(membership.role).is_clinical:
        raise ApplicationError("Only clinicians can add clients.")
    if not full_name.strip():
        raise ApplicationError("Enter the client's full name.", field="full_name")
    _validate_time_zone(time_zone)
    client = Client.objects.create(
        practice=membership.practice,
        full_name=full_name.strip(),
        preferred_name=preferred_name.strip(),
        email=email.strip().lower(),
        time_zone=time_zone,
        country=(country or membership.practice.country).upper(),
        status=ClientStatus.INVITED,
        created_by=actor,
        updated_by=actor,
    )
    CareTeamMember.objects.create(
        client=client, membership=membership, is_primary=True, added_by=actor
    )
    # Nothing the client records reaches the care team until they agree in onboarding.
    client_privacy_create_pending(client=client)
    event_client_created(actor=actor, client=client)
    return client


# --- invitations ---------------------------------------------------------------------------------
def _new_invitation(
    *,
    actor: User,
    practice: Practice,
    kind: InvitationKind,
    email: str,
    role: str = "",
    client: Client | None = None,
    base_url: str,
) -> tuple[Invitation, str]:
    email = email.strip().lower()
    if not email:
        raise ApplicationError("Enter an email address to send the invitation to.", field="email")
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        practice=practice,
        kind=kind,
        email=email,
        role=role,
        client=client,
        token_hash=token_digest(token),
        created_by=actor,
        expires_at=timezone.now() + settings.INVITATION_LIFETIME,
    )
    event_invitation_sent(actor=actor, invitation=invitation)
    from interlude.clinic.tasks import invitation_send_email

    # Only the id goes on the queue; the worker rebuilds the link from the encrypted token.
    invitation.token_encrypted = invitation_token_seal(invitation=invitation, token=token)
    invitation.save(update_fields=["token_encrypted"])
    transaction.on_commit(
        lambda: invitation_send_email.enqueue(invitation_id=invitation.pk, base_url=base_url)
    )
    return invitation, token


@transaction.atomic
def invitation_create_for_client(
    *, actor: User, membership: Membership, client: Client, email: str, base_url: str
) -> tuple[Invitation, str]:
    if client.practice_id != membership.practice_id:
        raise ApplicationError("This client belongs to another practice.")
    if client.user_id is not None:
        raise ApplicationError("This client already has an account.")
    # A new link replaces any earlier one, so only the latest email works (and the audit trail
    # says so, as it does when an invitation is revoked on its own).
    for old in Invitation.objects.filter(
        client=client, accepted_at__isnull=True, revoked_at__isnull=True
    ):
        invitation_revoke(actor=actor, invitation=old)
    if email and email.strip().lower() != client.email:
        client.email = email.strip().lower()
        client.updated_by = actor
        client.save(update_fields=["email", "updated_by", "updated_at"])
    return _new_invitation(
        actor=actor,
        practice=client.practice,
        kind=InvitationKind.CLIENT,
        email=email or client.email,
        client=client,
        base_url=base_url,
    )


@transaction.atomic
def invitation_create_for_staff(
    *, actor: User, membership: Membership, email: str, role: Role, base_url: str
) -> tuple[Invitation, str]:
    if not Role(membership.role).manages_practice:
        raise ApplicationError("Only the practice owner or an admin can invite team members.")
    if role == Role.OWNER and membership.role != Role.OWNER:
        raise ApplicationError("Only an owner can invite another owner.", field="role")
    if Membership.objects.filter(practice=membership.practice, user__email__iexact=email).exists():
        raise ApplicationError("This person is already on your team.", field="email")
    return _new_invitation(
        actor=actor,
        practice=membership.practice,
        kind=InvitationKind.STAFF,
        email=email,
        role=role,
        base_url=base_url,
    )


def invitation_find(*, token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("practice", "client", "created_by")
        .filter(token_hash=token_digest(token))
        .first()
    )


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> None:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        event_invitation_revoked(actor=actor, invitation=invitation)


@transaction.atomic
def invitation_accept(
    *, invitation_id: int, full_name: str, password: str, existing_user: User | None = None
) -> User:
    """Create (or attach) the invitee's account. Single use: a second call raises."""
    invitation = (
        # of=("self",): PostgreSQL cannot lock the nullable side of the outer join to client.
        Invitation.objects.select_for_update(of=("self",))
        .select_related("client")
        .get(pk=invitation_id)
    )
    if not invitation.is_pending:
        raise ApplicationError("This invitation has already been used or is no longer valid.")
    if existing_user is not None:
        if existing_user.email.lower() != invitation.email:
            raise ApplicationError("This invitation was sent to a different email address.")
        user = existing_user
    else:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ApplicationError(
                "You already have an account with this email address. Sign in first, "
                "then open the invitation link again."
            )
        user = User.objects.create_user(
            email=invitation.email, password=password, full_name=full_name.strip()
        )
    if invitation.kind == InvitationKind.CLIENT:
        client = invitation.client
        assert client is not None
        if client.user_id is not None or hasattr(user, "client_profile"):
            raise ApplicationError("This account is already linked to a client record.")
        client.user = user
        client.status = ClientStatus.ACTIVE
        # The client's own calendar day: the no-check-in rule and the record count from it.
        client.started_on = client.started_on or client_today(client)
        client.updated_by = user
        client.save(update_fields=["user", "status", "started_on", "updated_by", "updated_at"])
    else:
        Membership.objects.update_or_create(
            practice=invitation.practice,
            user=user,
            defaults={"role": invitation.role, "is_active": True},
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    event_invitation_accepted(user=user, invitation=invitation)
    return user


# --- team ----------------------------------------------------------------------------------------
@transaction.atomic
def membership_deactivate(
    *, actor: User, actor_membership: Membership, membership: Membership
) -> None:
    """Remove someone from the practice and end their sessions at once (SR-08)."""
    if (
        not Role(actor_membership.role).manages_practice
        or membership.practice_id != actor_membership.practice_id
    ):
        raise ApplicationError("You cannot change this person's access.")
    if membership.pk == actor_membership.pk:
        raise ApplicationError("You cannot remove yourself. Ask another owner.")
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    if not Membership.objects.filter(user=membership.user, is_active=True).exists():
        user_sessions_end(user=membership.user)
    event_account_disabled(actor=actor, user=membership.user)
