"""Check-ins and the canonical time series every chart, alert, insight and export reads."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from interlude.core.datefields import SafeDateTimeField
from interlude.core.fields import EncryptedJSONField, EncryptedTextField
from interlude.core.models import ClientOwnedModel


class ObservationKind(models.TextChoices):
    MOOD = "mood", "Mood (0-10)"
    ANXIETY = "anxiety", "Anxiety (0-10)"
    ENERGY = "energy", "Energy (0-10)"
    SLEEP_HOURS = "sleep_hours", "Sleep (hours)"
    SLEEP_QUALITY = "sleep_quality", "Sleep quality (1-5)"
    SLEEP_EFFICIENCY = "sleep_efficiency", "Sleep efficiency (%)"
    RELAXATION_MINUTES = "relaxation_minutes", "Relaxation practised (minutes)"
    DISTRESS_BEFORE = "distress_before", "Distress before an exercise (0-10)"
    DISTRESS_AFTER = "distress_after", "Distress after an exercise (0-10)"
    SUDS_PEAK = "suds_peak", "Peak distress in exposure (SUDS 0-100)"
    # From other apps and devices ([7]); `label` names the symptom or factor.
    STEPS = "steps", "Steps (per day)"
    MINDFUL_MINUTES = "mindful_minutes", "Mindful minutes"
    SYMPTOM = "symptom", "Symptom severity (1-3)"
    FACTOR = "factor", "Factor present (1)"


class ObservationSource(models.TextChoices):
    CHECKIN = "checkin", "Check-in"
    IMPORT = "import", "Imported from another app"
    API = "api", "Sent through the API"
    EXERCISE = "exercise", "Exercise or worksheet"
    # Pushed by an app or device with a personal access token: "imported app data" like a file.
    DEVICE = "device", "Sent by an app or device"


# Where imported rows (check-ins and observations) say they came from: interop's import job id,
# the app and the file. No foreign key: interop sits above tracking (ARCHITECTURE.md).
class ImportedFrom(models.Model):
    import_id = models.UUIDField(null=True, blank=True, db_index=True)
    source_app = models.CharField(max_length=20, blank=True)  # interop.enums.ImportSource
    source_file = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True


class CheckIn(ImportedFrom, ClientOwnedModel):
    """A quick check-in. Values also land in Observation (the canonical series)."""

    recorded_at = SafeDateTimeField(default=timezone.now)
    time_zone = models.CharField(max_length=64)  # the client's zone when recorded
    mood = models.PositiveSmallIntegerField()
    anxiety = models.PositiveSmallIntegerField(null=True, blank=True)
    energy = models.PositiveSmallIntegerField(null=True, blank=True)
    sleep_hours = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    sleep_quality = models.PositiveSmallIntegerField(null=True, blank=True)
    # [{"label": "sad", "intensity": 1-5 or null}], labels from the curated list
    emotions = models.JSONField(default=list, blank=True)
    # the client's own activity labels (not clinical free text)
    activities = models.JSONField(default=list, blank=True)
    note = EncryptedTextField(null=True, blank=True)
    note_shared = models.BooleanField(default=False)
    source = models.CharField(
        max_length=20, choices=ObservationSource.choices, default=ObservationSource.CHECKIN
    )
    idempotency_key = models.CharField(max_length=100)
    # An imported entry's values as the other app wrote them (mood name, time text, line).
    original = EncryptedJSONField(null=True, blank=True)

    class Meta:
        ordering = ("-recorded_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["client", "idempotency_key"], name="checkin_unique_idempotency_key"
            ),
            models.CheckConstraint(condition=Q(mood__lte=10), name="checkin_mood_0_10"),
            models.CheckConstraint(
                condition=Q(anxiety__isnull=True) | Q(anxiety__lte=10), name="checkin_anxiety_0_10"
            ),
            models.CheckConstraint(
                condition=Q(energy__isnull=True) | Q(energy__lte=10), name="checkin_energy_0_10"
            ),
            models.CheckConstraint(
                condition=Q(sleep_quality__isnull=True)
                | (Q(sleep_quality__gte=1) & Q(sleep_quality__lte=5)),
                name="checkin_sleep_quality_1_5",
            ),
        ]
        indexes = [models.Index(fields=["client", "recorded_at"])]

    def __str__(self) -> str:
        return f"check-in {self.public_id}"


class Observation(ImportedFrom, models.Model):
    """One value at one time, with provenance. Written only by domain services."""

    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("practices.Client", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=32, choices=ObservationKind.choices)
    value = models.FloatField()
    effective_at = SafeDateTimeField()
    time_zone = models.CharField(max_length=64)
    source = models.CharField(max_length=20, choices=ObservationSource.choices)
    # The record it came from (e.g. "tracking.checkin" + its public id): re-writing the same
    # source replaces its observations instead of adding duplicates.
    source_type = models.CharField(max_length=64)
    source_id = models.CharField(max_length=64)
    # A symptom's or factor's name (imported from Bearable or a CSV); "" for the other kinds.
    label = models.CharField(max_length=80, blank=True, default="")
    # The value as the other app wrote it ("7:30", "Moderate"), for imported and pushed points.
    original = models.CharField(max_length=120, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("effective_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id", "kind"], name="observation_unique_per_source"
            )
        ]
        indexes = [models.Index(fields=["client", "kind", "effective_at"])]

    def __str__(self) -> str:
        return f"{self.kind}={self.value}"


class ActivityOption(models.Model):
    """The client's own list of activities/tags to pick from in a check-in."""

    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("practices.Client", on_delete=models.CASCADE, related_name="+")
    label = models.CharField(max_length=60)
    position = models.PositiveSmallIntegerField(default=0)
    is_archived = models.BooleanField(default=False)

    class Meta:
        ordering = ("position", "label")
        constraints = [
            models.UniqueConstraint(fields=["client", "label"], name="activity_option_unique")
        ]

    def __str__(self) -> str:
        return self.label
