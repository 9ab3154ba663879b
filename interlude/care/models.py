"""The safety plan: every change is a new version; the newest is the plan in force."""

from __future__ import annotations

from django.db import models

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

    class Meta:
        ordering = ("starts_at",)
        indexes = [models.Index(fields=["client", "starts_at"])]

    def __str__(self) -> str:
        return f"appointment {self.starts_at:%Y-%m-%d %H:%M}"
