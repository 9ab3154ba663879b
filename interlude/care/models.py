"""The safety plan: every change is a new version; the newest is the plan in force."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from interlude.core.datefields import SafeDateTimeField
from interlude.core.fields import EncryptedTextField
from interlude.core.models import ClientOwnedModel


class SafetyPlanVersion(ClientOwnedModel):
    """One saved version of a client's safety plan (CLINICAL.md 3.1). Never edited in place.

    `content` is JSON (care/schemas.py): warning_signs, coping_strategies, distraction (people and
    places), people_to_ask [{name, phone}], professionals [{name, phone, hours}], safe_environment,
    reasons_for_living — each a list, in the client's own words.
    """

    version = models.PositiveIntegerField()
    content = EncryptedTextField()
    change_note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("-version",)
        constraints = [
            models.UniqueConstraint(fields=["client", "version"], name="safety_plan_version_unique")
        ]

    def __str__(self) -> str:
        return f"safety plan v{self.version}"


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    ATTENDED = "attended", "Attended"
    CANCELLED = "cancelled", "Cancelled"
    MISSED = "missed", "Did not attend"


class AppointmentModality(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video call"
    PHONE = "phone", "Phone call"


class Appointment(ClientOwnedModel):
    """A session with the client. Drives "before each appointment" questionnaires and the
    pre-session brief's "since your last session"."""

    clinician = models.ForeignKey(
        "practices.Membership", on_delete=models.PROTECT, related_name="+"
    )
    starts_at = SafeDateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=50)
    status = models.CharField(
        max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.SCHEDULED
    )
    modality = models.CharField(
        max_length=20, choices=AppointmentModality.choices, default=AppointmentModality.IN_PERSON
    )
    # Where to go (in person) or how to join (video): logistics, not clinical content, but shown
    # only to the client and their care team.
    location = models.CharField(max_length=300, blank=True)
    join_url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ("starts_at",)
        indexes = [models.Index(fields=["client", "starts_at"])]

    def __str__(self) -> str:
        return f"appointment {self.starts_at:%Y-%m-%d %H:%M}"


class PracticeCalendarSettings(models.Model):
    """How a practice's clinicians' private calendar feeds name a session: the client's initials
    (the default) or one label the practice chooses ("Client session"). Never a name or clinical
    text: a calendar app syncs to servers the practice does not control."""

    practice = models.OneToOneField(
        "practices.Practice", on_delete=models.CASCADE, related_name="calendar_settings"
    )
    event_label = models.CharField(max_length=60, blank=True)

    def __str__(self) -> str:
        return f"calendar settings of practice {self.practice_id}"


class CalendarFeed(models.Model):
    """A clinician's private iCalendar feed URL. Only the token's SHA-256 is stored; revoking sets
    `revoked_at` and the URL answers 404 from then on."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(
        "practices.Membership", on_delete=models.CASCADE, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"calendar feed {self.public_id}"
