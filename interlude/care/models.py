"""The safety plan: every change is a new version; the newest is the plan in force."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from interlude.core.datefields import SafeDateField, SafeDateTimeField
from interlude.core.fields import EncryptedJSONField, EncryptedTextField
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


# --- the treatment plan ---------------------------------------------------------------------------
class ProblemStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RESOLVED = "resolved", "Resolved"


class Problem(ClientOwnedModel):
    """One problem on the client's treatment plan ("Low mood since the bereavement"). Title and
    description are clinical text, so both are encrypted. Closed problems stay, resolved."""

    title = EncryptedTextField()
    description = EncryptedTextField(blank=True, default="")
    status = models.CharField(
        max_length=20, choices=ProblemStatus.choices, default=ProblemStatus.ACTIVE
    )
    order = models.PositiveSmallIntegerField(default=0)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("order", "created_at")
        indexes = [models.Index(fields=["client", "status"], name="care_problem_client_status")]

    def __str__(self) -> str:
        return f"problem {self.public_id}"


class GoalStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ACHIEVED = "achieved", "Achieved"
    DISCONTINUED = "discontinued", "Discontinued"


class TargetDirection(models.TextChoices):
    """Where a linked questionnaire's score has to be for the goal's target to be met: strictly
    below or strictly above the target value ("PHQ-9 below 10": 9 or less)."""

    BELOW = "below", "below"
    ABOVE = "above", "above"


class Goal(ClientOwnedModel):
    """A goal on the treatment plan, under a problem or on its own. Optionally linked to a
    questionnaire and a target (`instrument_code` "phq9", below 10), so its progress shows from
    the client's own scores; reviewed over time by Goal Attainment Scaling (GoalReview)."""

    problem = models.ForeignKey(
        Problem, on_delete=models.PROTECT, null=True, blank=True, related_name="goals"
    )
    description = EncryptedTextField()
    # The link to a measure: all three set, or all three empty (the constraint below).
    instrument_code = models.CharField(max_length=40, blank=True, default="")
    target_direction = models.CharField(
        max_length=10, choices=TargetDirection.choices, blank=True, default=""
    )
    target_value = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=GoalStatus.choices, default=GoalStatus.ACTIVE)
    target_date = SafeDateField(null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("order", "created_at")
        indexes = [models.Index(fields=["client", "status"], name="care_goal_client_status")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(instrument_code="", target_direction="", target_value__isnull=True)
                    | (
                        ~models.Q(instrument_code="")
                        & models.Q(target_direction__in=["below", "above"])
                        & models.Q(target_value__isnull=False)
                    )
                ),
                name="care_goal_measure_link_complete",
            )
        ]

    def __str__(self) -> str:
        return f"goal {self.public_id}"

    @property
    def is_linked(self) -> bool:
        return bool(self.instrument_code)


class GasScore(models.IntegerChoices):
    """Goal Attainment Scaling (Kiresuk & Sherman, 1968): where the client is against the
    expected outcome set for the goal."""

    MUCH_LESS = -2, "Much less than expected"
    SOMEWHAT_LESS = -1, "Somewhat less than expected"
    EXPECTED = 0, "Expected level"
    SOMEWHAT_MORE = 1, "Somewhat more than expected"
    MUCH_MORE = 2, "Much more than expected"


class GoalReview(ClientOwnedModel):
    """One Goal Attainment Scaling review of a goal on a day. Never changed: a later review is a
    new row, so the chart shows the path."""

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = SafeDateField()
    score = models.SmallIntegerField(choices=GasScore.choices)
    note = EncryptedTextField(blank=True, default="")

    class Meta:
        ordering = ("reviewed_on", "created_at")
        indexes = [models.Index(fields=["goal", "reviewed_on"], name="care_goalreview_goal_day")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=-2, score__lte=2), name="care_goalreview_score_range"
            )
        ]

    def __str__(self) -> str:
        return f"goal review {self.public_id}"


# --- session notes --------------------------------------------------------------------------------
class NoteTemplate(models.TextChoices):
    SOAP = "soap", "SOAP (subjective, objective, assessment, plan)"
    DAP = "dap", "DAP (data, assessment, plan)"


class SessionNote(ClientOwnedModel):
    """A clinician's note of one session, in the SOAP or DAP shape (`sections`: the template's
    section keys to text, encrypted). For the care team only: never shown to the client or a
    practice admin. Signing locks it (`signed_at`); a later change is a SessionNoteAddendum."""

    template = models.CharField(max_length=10, choices=NoteTemplate.choices)
    sections = EncryptedJSONField()
    appointment = models.ForeignKey(
        Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    session_date = SafeDateField()
    author = models.ForeignKey("practices.Membership", on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ("-session_date", "-created_at")
        indexes = [models.Index(fields=["client", "session_date"], name="care_note_client_day")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(signed_at__isnull=True, signed_by__isnull=True)
                    | models.Q(signed_at__isnull=False, signed_by__isnull=False)
                ),
                name="care_note_signed_with_signer",
            )
        ]

    def __str__(self) -> str:
        return f"session note {self.public_id}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class SessionNoteAddendum(ClientOwnedModel):
    """A later addition to a signed note: the original stays as it was signed."""

    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="addenda")
    text = EncryptedTextField()
    author = models.ForeignKey("practices.Membership", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("created_at",)

    def __str__(self) -> str:
        return f"addendum {self.public_id}"
