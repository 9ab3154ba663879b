"""Homework: a tool a clinician sets between sessions, and how each due day went.

An `Assignment` says what (a tool kind and a reference to the tool), in the clinician's words
(encrypted), and when: one due date, or a recurrence (an RFC 5545 RRULE evaluated on the client's
wall-clock calendar, or "N times a week, any days"). Each due day is an occurrence; only the
occurrences the client acted on are rows (`AssignmentOccurrence`). "Late" and "missed" are worked
out from dates when read (homework/schedule.py), so no clock job has to mark anything.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from interlude.core.datefields import SafeDateField
from interlude.core.fields import EncryptedTextField
from interlude.core.models import ClientOwnedModel


class ToolKind(models.TextChoices):
    WORKSHEET = "worksheet", "Worksheet"
    RELAXATION = "relaxation", "Breathing or relaxation"
    ARTICLE = "article", "Article"
    QUESTIONNAIRE = "questionnaire", "Questionnaire"
    CHECKIN = "checkin", "Check-in"
    CUSTOM = "custom", "Custom task"
    APP = "app", "Use an app"


class WorksheetType(models.TextChoices):
    THOUGHT_RECORD = "thought_record", "Thought record"
    ACTIVITY = "activity", "Activity plan"
    EXPOSURE = "exposure", "Exposure practice"
    SLEEP_DIARY = "sleep_diary", "Sleep diary"
    JOURNAL = "journal", "Journal"


class ScheduleKind(models.TextChoices):
    ONCE = "once", "Once, by a date"
    RRULE = "rrule", "Repeating"
    WEEKLY_COUNT = "weekly_count", "A number of times a week, any days"


class OccurrenceStatus(models.TextChoices):
    DONE = "done", "Done"
    NOT_POSSIBLE = "not_possible", "Couldn't do it"


class Assignment(ClientOwnedModel):
    tool_kind = models.CharField(max_length=20, choices=ToolKind.choices)
    # What the tool is: a WorksheetType, a relaxation code ("box"), an article slug, an
    # instrument code ("phq9"), an app's name; "" for a check-in or a custom task.
    tool_ref = models.CharField(max_length=80, blank=True)
    app_url = models.URLField(max_length=500, blank=True)
    # Placeholder for the app catalog of a later issue: the catalog entry this "use app X" names.
    catalog_app_id = models.PositiveIntegerField(null=True, blank=True)
    title = EncryptedTextField()
    instructions = EncryptedTextField(blank=True)  # in the clinician's words
    schedule = models.CharField(max_length=20, choices=ScheduleKind.choices)
    starts_on = SafeDateField()
    due_on = SafeDateField(null=True, blank=True)  # ONCE
    rrule = models.CharField(max_length=300, blank=True)  # RRULE, wall-clock dates
    times_per_week = models.PositiveSmallIntegerField(null=True, blank=True)  # WEEKLY_COUNT
    until = SafeDateField(null=True, blank=True)  # WEEKLY_COUNT's last day
    reminder = models.BooleanField(default=False)
    reminder_time = models.TimeField(null=True, blank=True)  # None: the client's preferred time
    ended_at = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        "practices.Membership", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("starts_on", "created_at")
        indexes = [models.Index(fields=["client", "tool_kind", "ended_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(schedule="once") & Q(due_on__isnull=False))
                | (Q(schedule="rrule") & ~Q(rrule=""))
                | (
                    Q(schedule="weekly_count") & Q(times_per_week__gte=1) & Q(times_per_week__lte=7)
                ),
                name="assignment_schedule_complete",
            )
        ]

    def __str__(self) -> str:
        return f"assignment {self.public_id}"


class AssignmentOccurrence(ClientOwnedModel):
    """How one due day (for "N times a week": one day the client did it) went."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="occurrences")
    due_on = SafeDateField()
    status = models.CharField(max_length=20, choices=OccurrenceStatus.choices)
    completed_at = models.DateTimeField()
    reason = EncryptedTextField(null=True, blank=True)  # why it was not possible
    # The record doing the tool produced ("tracking.checkin" + its public id); the viewer still
    # needs that record's own category to see it.
    record_type = models.CharField(max_length=40, blank=True)
    record_id = models.CharField(max_length=80, blank=True)
    feedback = EncryptedTextField(null=True, blank=True)
    feedback_at = models.DateTimeField(null=True, blank=True)
    feedback_by = models.ForeignKey(
        "practices.Membership", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ("due_on",)
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "due_on"], name="assignment_occurrence_once_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"occurrence {self.due_on} of {self.assignment_id}"
