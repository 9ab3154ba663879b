"""Questionnaires: schedules, what is due, answer sets with their scores, and practice settings.

Instrument definitions themselves are data (definitions/*.json, or `PracticeInstrument` rows for a
practice's own); the scoring code is `scoring.py` / `change.py`. A `QuestionnaireResponse` keeps the
raw answers and a snapshot of how they were scored (definition version and thresholds), so a
score can be explained later even after the practice changes its settings.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from interlude.core.fields import EncryptedJSONField
from interlude.core.models import ClientOwnedModel
from interlude.measures.change import Classification, TrackStatus


class Frequency(models.TextChoices):
    ONCE = "once", "Once"
    EVERY_N_DAYS = "every_n_days", "Every N days"
    BEFORE_APPOINTMENT = "before_appointment", "Before each appointment"


class DueStatus(models.TextChoices):
    DUE = "due", "Due"
    COMPLETED = "completed", "Completed"
    MISSED = "missed", "Missed"
    CANCELLED = "cancelled", "Cancelled"


class EnteredBy(models.TextChoices):
    CLIENT = "client", "Client"
    CLINICIAN = "clinician", "Clinician (from a paper form)"
    # History from another system (a FHIR Bundle): shown, never compared or alerted on live.
    IMPORT = "import", "Imported from another app"


class PracticeInstrument(models.Model):
    """A practice's own Likert-style instrument (the definition document, parsed on use)."""

    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(max_length=40)
    definition = models.JSONField()
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "code"], name="practice_instrument_unique_code"
            )
        ]

    def __str__(self) -> str:
        return self.code


class InstrumentSetting(models.Model):
    """A practice's choice for one instrument: thresholds and band set (CLINICAL.md 1.4: clinics
    choose IAPT thresholds or compute them from local norms). Blank means the shipped default."""

    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT, related_name="+")
    instrument_code = models.CharField(max_length=40)
    reliable_change = models.FloatField(null=True, blank=True)
    clinical_cutoff = models.FloatField(null=True, blank=True)
    band_preset = models.CharField(max_length=40, blank=True)
    # Local norms, when the practice derives the threshold itself (Jacobson-Truax).
    norm_sd = models.FloatField(null=True, blank=True)
    norm_reliability = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "instrument_code"], name="instrument_setting_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument_code} settings"


class MeasuresSettings(models.Model):
    """Practice-wide rules for measurement-based care (all configurable, with defaults)."""

    practice = models.OneToOneField(
        "practices.Practice", on_delete=models.PROTECT, related_name="measures_settings"
    )
    # Not-on-track fallback (CLINICAL.md 2.2): "at risk" with no reliable improvement by answer N.
    at_risk_after = models.PositiveSmallIntegerField(default=8)
    # How long a due questionnaire stays open when the clinician does not say.
    default_window_days = models.PositiveSmallIntegerField(default=3)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"measures settings for practice {self.practice_id}"


class QuestionnaireSchedule(ClientOwnedModel):
    """A clinician's plan to ask a client one instrument: once, every N days, or before each
    appointment, each time open for `window_days`."""

    instrument_code = models.CharField(max_length=40)
    frequency = models.CharField(max_length=20, choices=Frequency.choices)
    interval_days = models.PositiveSmallIntegerField(null=True, blank=True)
    window_days = models.PositiveSmallIntegerField(default=3)
    starts_at = models.DateTimeField(default=timezone.now)
    is_active = models.BooleanField(default=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("instrument_code",)
        indexes = [models.Index(fields=["client", "is_active"])]

    def __str__(self) -> str:
        return f"{self.instrument_code} ({self.frequency})"


class QuestionnaireDue(ClientOwnedModel):
    """One occasion on which a questionnaire is due: opens, closes, and what happened."""

    schedule = models.ForeignKey(
        QuestionnaireSchedule, on_delete=models.PROTECT, related_name="dues"
    )
    instrument_code = models.CharField(max_length=40)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=DueStatus.choices, default=DueStatus.DUE)
    appointment = models.ForeignKey(
        "care.Appointment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("opens_at",)
        constraints = [
            models.UniqueConstraint(fields=["schedule", "opens_at"], name="due_unique_occasion")
        ]
        indexes = [
            models.Index(fields=["client", "status", "opens_at"]),
            # The caseload's occasions of the last weeks, whatever their status.
            models.Index(fields=["client", "opens_at"]),
        ]


class QuestionnaireResponse(ClientOwnedModel):
    """One answer set, scored on the server when it was stored."""

    instrument_code = models.CharField(max_length=40)
    instrument_version = models.CharField(max_length=20)
    # Raw answers as given, None for a skipped item. Encrypted (ADR 0014): item answers are
    # clinical content; the total, band and classification below stay in clear for the caseload.
    answers = EncryptedJSONField()
    submitted_at = models.DateTimeField(default=timezone.now)
    entered_by = models.CharField(
        max_length=20, choices=EnteredBy.choices, default=EnteredBy.CLIENT
    )
    due = models.ForeignKey(
        QuestionnaireDue, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    idempotency_key = models.CharField(max_length=100)
    # For imported history: interop's import job, the app and the file (no foreign key: interop
    # sits above measures).
    import_id = models.UUIDField(null=True, blank=True, db_index=True)
    source_app = models.CharField(max_length=20, blank=True)
    source_file = models.CharField(max_length=200, blank=True)
    # The score (scoring.py) at the time of submission.
    total = models.FloatField(null=True, blank=True)
    band_code = models.CharField(max_length=40, blank=True)
    band_label = models.CharField(max_length=80, blank=True)
    complete = models.BooleanField()
    prorated = models.BooleanField(default=False)
    # [{"flag", "item", "value", "critical"}]: which risk items were endorsed, encrypted too.
    flags = EncryptedJSONField(default=list, blank=True)
    # Change (change.py) against the client's first scored answer set for this instrument.
    baseline = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    change_from_baseline = models.FloatField(null=True, blank=True)
    change_from_previous = models.FloatField(null=True, blank=True)
    classification = models.CharField(
        max_length=30,
        choices=[(c.value, c.label) for c in Classification],
        default=Classification.NOT_AVAILABLE,
    )
    classification_reason = models.CharField(max_length=300, blank=True)
    track_status = models.CharField(
        max_length=20,
        choices=[(s.value, s.label) for s in TrackStatus],
        default=TrackStatus.ON_TRACK,
    )
    track_reason = models.CharField(max_length=300, blank=True)
    administration_number = models.PositiveIntegerField(default=1)  # scored answers so far
    # Thresholds used: {"reliable_change", "clinical_range", "band_preset", "at_risk_after"}.
    scoring_meta = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("-submitted_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["client", "idempotency_key"], name="response_unique_idempotency_key"
            )
        ]
        indexes = [models.Index(fields=["client", "instrument_code", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.instrument_code} {self.total}"

    @property
    def is_critical(self) -> bool:
        return any(f.get("critical") for f in self.flags)


class QuestionnaireDraft(ClientOwnedModel):
    """A client's answers in progress for one due questionnaire, kept on the server (encrypted,
    never in the session), so they survive signing out and can be finished on another device.

    It lives only while its due is open: sending the answers deletes it in the same transaction,
    and so does the due being missed or cancelled (services.py). The idempotency key is made when
    the client starts, so sending twice (two taps, two devices) stores one answer set."""

    due = models.OneToOneField(QuestionnaireDue, on_delete=models.CASCADE, related_name="+")
    instrument_code = models.CharField(max_length=40)
    answers = EncryptedJSONField()  # one per item, None until answered
    idempotency_key = models.CharField(max_length=100)

    def __str__(self) -> str:
        return f"{self.instrument_code} draft"
