"""Alerts: a signal in a client's data that a named human must look at, acknowledge and resolve.

The reason is written by the rule that raised it and is clinical (shown only in the app, behind the
gate); it and the notes are encrypted at rest. Emails say only that something needs attention.
`AlertNotice` records each person an alert was put in front of (care team, escalation, handover):
every one of them can see and act on it through the gate (practices/access.py, `alert_reach`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from interlude.core.fields import EncryptedTextField
from interlude.core.models import ClientOwnedModel


class AlertKind(models.TextChoices):
    CRITICAL_ITEM = "critical_item", "Risk item endorsed"
    RELIABLE_DETERIORATION = "reliable_deterioration", "Reliable deterioration"
    NOT_ON_TRACK = "not_on_track", "Not on track"
    MOOD_DROP = "mood_drop", "Sharp drop in mood"
    NO_CHECKIN = "no_checkin", "No recent check-in"
    QUESTIONNAIRE_OVERDUE = "questionnaire_overdue", "Questionnaire overdue"
    MESSAGE_RISK = "message_risk", "Risk words in a message"


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"

    @property
    def rank(self) -> int:
        return {"critical": 3, "high": 2, "medium": 1, "low": 0}[self.value]


class AlertStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


class Alert(ClientOwnedModel):
    kind = models.CharField(max_length=30, choices=AlertKind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    severity_rank = models.PositiveSmallIntegerField(default=0)  # for ordering in SQL
    # Clinical wording ("PHQ-9 item 9 answered ..."), so encrypted like notes (ADR 0009).
    reason = EncryptedTextField()
    status = models.CharField(max_length=20, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    # One alert per triggering fact: "response:<uuid>:critical_item", "no_checkin:<since date>".
    dedupe_key = models.CharField(max_length=120)
    instrument_code = models.CharField(max_length=40, blank=True)
    response = models.ForeignKey(
        "measures.QuestionnaireResponse",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledge_note = EncryptedTextField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolve_note = EncryptedTextField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # Handed by someone it reached (e.g. the owner after escalation) to a named clinician of the
    # practice, who can then see and act on it without being on the care team.
    handed_to = models.ForeignKey(
        "practices.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handed_over_at = models.DateTimeField(null=True, blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handover_note = EncryptedTextField(null=True, blank=True)

    class Meta:
        ordering = ("-severity_rank", "-created_at")
        constraints = [
            models.UniqueConstraint(fields=["client", "dedupe_key"], name="alert_unique_dedupe")
        ]
        indexes = [
            models.Index(fields=["practice", "status"]),
            models.Index(fields=["client", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.severity})"

    @property
    def is_open(self) -> bool:
        return self.status != AlertStatus.RESOLVED


class NoticeReason(models.TextChoices):
    CARE_TEAM = "care_team", "On the care team"
    ESCALATION = "escalation", "Escalated to the practice owner"
    HANDOVER = "handover", "Handed over"


class AlertNotice(models.Model):
    """One person an alert was put in front of (by email), and why. No clinical content."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notices")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    why = models.CharField(max_length=20, choices=NoticeReason.choices)
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ("sent_at", "pk")

    def __str__(self) -> str:
        return f"{self.why} notice for alert {self.alert_id}"


class AlertSettings(models.Model):
    """Practice-set numbers for the alert rules (docs/clinical.md explains each)."""

    practice = models.OneToOneField(
        "practices.Practice", on_delete=models.PROTECT, related_name="alert_settings"
    )
    # A critical alert not acknowledged within this many minutes goes to the practice owner.
    escalation_minutes = models.PositiveIntegerField(default=120)
    no_checkin_days = models.PositiveSmallIntegerField(default=7)
    overdue_days = models.PositiveSmallIntegerField(default=2)
    # Mood drop: mean of the last `mood_recent_days` days against the previous
    # `mood_baseline_days` days (at least `mood_min_baseline_days` days with data).
    mood_recent_days = models.PositiveSmallIntegerField(default=3)
    mood_baseline_days = models.PositiveSmallIntegerField(default=28)
    mood_min_baseline_days = models.PositiveSmallIntegerField(default=10)
    mood_drop_sd = models.FloatField(default=1.5)
    mood_drop_min_points = models.FloatField(default=2.0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"alert settings for practice {self.practice_id}"
