"""Consent, sharing, module switches and break-glass: what the gate reads to decide who sees what.

`ConsentEvent` is the append-only history (the database refuses updates and deletes, like the
audit trail); `ClientPrivacy` is the current state the gate reads in one query per client, written
in the same transaction as each history row.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from interlude.core.fields import EncryptedTextField


class ConsentStatus(models.TextChoices):
    PENDING = "pending", "Not yet given"
    ACCEPTED = "accepted", "Given"
    # Clients who used Interlude before it asked for digital consent: their data stays visible as
    # before until they answer the question at their next sign-in.
    PRIOR = "prior", "Consent given before digital consent existed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ConsentEventKind(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    WITHDRAWN = "withdrawn", "Withdrawn"
    PRIOR = "prior", "Consent given before digital consent existed"


class ConsentMethod(models.TextChoices):
    WEB = "web", "In the app, with their typed name"
    API = "api", "Through the API, with their typed name"
    RECORDED = "recorded", "Recorded when digital consent was introduced"


class ConsentDocument(models.Model):
    """One published version of a practice's consent text (Markdown). Never edited: a change is a
    new version, and clients are asked again at their next sign-in."""

    practice = models.ForeignKey(
        "practices.Practice", on_delete=models.PROTECT, related_name="consent_documents"
    )
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    sha256 = models.CharField(max_length=64)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "version"], name="consent_doc_version")
        ]
        ordering = ("practice_id", "-version")

    def __str__(self) -> str:
        return f"consent v{self.version}"


class ConsentEvent(models.Model):
    """One answer in a client's consent history: accepted (which text, its hash, typed name, how),
    withdrawn, or recorded as given before digital consent existed. Append-only."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(
        "practices.Client", on_delete=models.PROTECT, related_name="consent_events"
    )
    kind = models.CharField(max_length=20, choices=ConsentEventKind.choices)
    document = models.ForeignKey(
        ConsentDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document_version = models.PositiveIntegerField(null=True, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    typed_name = models.CharField(max_length=200, blank=True)
    method = models.CharField(max_length=20, choices=ConsentMethod.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("client_id", "at", "id")
        indexes = [models.Index(fields=["client", "at"], name="consent_event_client_at")]

    def __str__(self) -> str:
        return f"consent {self.kind} {self.at:%Y-%m-%d}"


class ClientPrivacy(models.Model):
    """A client's consent state, sharing choices and module switches, as the gate reads them.

    `categories` maps a switchable `ShareScope` value to true/false (a missing one takes the
    practice default); `hidden_from` lists membership ids the client chose not to share with;
    `modules_off` lists `Module` values a clinician switched off for this client."""

    client = models.OneToOneField(
        "practices.Client", on_delete=models.CASCADE, primary_key=True, related_name="privacy"
    )
    consent_status = models.CharField(
        max_length=20, choices=ConsentStatus.choices, default=ConsentStatus.PENDING
    )
    consent_version = models.PositiveIntegerField(null=True, blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)
    categories = models.JSONField(default=dict, blank=True)
    hidden_from = models.JSONField(default=list, blank=True)
    modules_off = models.JSONField(default=list, blank=True)
    reminders_opt_in = models.BooleanField(default=False)
    onboarded_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "client privacy"

    def __str__(self) -> str:
        return f"privacy of client {self.client_id}"


class PracticePrivacySettings(models.Model):
    """The practice's sharing defaults for new clients and its export policy."""

    practice = models.OneToOneField(
        "practices.Practice", on_delete=models.CASCADE, related_name="privacy_settings"
    )
    default_categories = models.JSONField(default=dict, blank=True)
    # Right of access: whether a client's export includes the clinicians' session notes, and if
    # not, the exemption the practice relies on (shown to the client with the export).
    export_includes_session_notes = models.BooleanField(default=True)
    export_exemption = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"privacy settings of practice {self.practice_id}"


class BreakGlassGrant(models.Model):
    """An owner's emergency access to a record outside their care team: a reason, 60 minutes."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("practices.Client", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = EncryptedTextField()
    opened_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "client", "expires_at"], name="break_glass_open")]

    def __str__(self) -> str:
        return f"break-glass {self.public_id}"


class ClosureStatus(models.TextChoices):
    REQUESTED = "requested", "Asked for"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


class ClosureRequest(models.Model):
    """A client's request to close their account, and the practice's decision against its duty to
    keep records: what was kept (and why) and what was erased with the client's data key."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(
        "practices.Client", on_delete=models.PROTECT, related_name="closure_requests"
    )
    status = models.CharField(
        max_length=20, choices=ClosureStatus.choices, default=ClosureStatus.REQUESTED
    )
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Record types kept under the practice's retention duty, with the reason it gave.
    kept = models.JSONField(default=list, blank=True)
    retention_reason = models.TextField(blank=True)
    pseudonym = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"closure {self.public_id}"
