from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from interlude.practices.enums import ClientStatus, InvitationKind, Role


class Practice(models.Model):
    """The tenant: a clinic or a solo practitioner. Every tenant-owned row points here."""

    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, default="US", help_text="ISO 3166-1 alpha-2")
    time_zone = models.CharField(max_length=64, default="America/New_York")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    title = models.CharField(max_length=100, blank=True, help_text="e.g. Clinical psychologist")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "user"], name="membership_unique_user"),
        ]
        ordering = ("practice", "user__full_name")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.practice})"

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


class Client(models.Model):
    """A person in care at a practice. May have a login (user) or not yet."""

    # URLs name clients by this random id, never by the sequential primary key.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="clients")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="client_profile",
    )
    full_name = models.CharField(max_length=200)
    preferred_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    time_zone = models.CharField(max_length=64, default="America/New_York")
    country = models.CharField(max_length=2, default="US")
    status = models.CharField(
        max_length=20, choices=ClientStatus.choices, default=ClientStatus.INVITED
    )
    started_on = models.DateField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("full_name",)
        indexes = [models.Index(fields=["practice", "status"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.full_name.split(" ")[0]


class CareTeamMember(models.Model):
    """A clinician who serves a client. Only care-team clinicians can open the client's record."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="care_team")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="caseload")
    is_primary = models.BooleanField(default=False)
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "membership"], name="careteam_unique"),
        ]

    def __str__(self) -> str:
        return f"care team member {self.membership_id} of client {self.client_id}"


class Invitation(models.Model):
    """A single-use, expiring link to join a practice as staff or as a client.

    Only a hash of the token is stored, so a database reader cannot use pending invitations.
    """

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="invitations")
    kind = models.CharField(max_length=10, choices=InvitationKind.choices)
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    # The token itself, encrypted and bound to this row, so the worker can (re)send the link.
    token_encrypted = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=InvitationKind.CLIENT) & Q(client__isnull=False))
                | (Q(kind=InvitationKind.STAFF) & Q(client__isnull=True) & ~Q(role="")),
                name="invitation_kind_matches_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} invitation {self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class CrisisResource(models.Model):
    """A crisis line or emergency number shown to clients of a practice, per country.

    Practices edit their own copy; `last_verified` says when someone checked the number works.
    """

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="crisis_resources"
    )
    country = models.CharField(max_length=2)
    name = models.CharField(max_length=200)
    description = models.CharField(max_length=300, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    sms = models.CharField(max_length=40, blank=True, help_text="Number to text, if any")
    url = models.URLField(blank=True)
    hours = models.CharField(max_length=100, blank=True)
    is_emergency = models.BooleanField(
        default=False, help_text="The emergency number (police, ambulance) for this country"
    )
    position = models.PositiveSmallIntegerField(default=0)
    last_verified = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("country", "-is_emergency", "position", "name")

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"

    @property
    def phone_href(self) -> str:
        return "tel:" + "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")

    @property
    def sms_href(self) -> str:
        return "sms:" + "".join(ch for ch in self.sms if ch.isdigit() or ch == "+")
