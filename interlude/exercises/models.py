"""Between-session exercises: CBT worksheets, journal, relaxation sessions, articles read.

Free text is encrypted (EncryptedTextField); worksheet contents are validated JSON (see
exercises/schemas.py) stored encrypted, with the numbers that charts need kept beside it in clear.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from interlude.core.datefields import SafeDateField, SafeDateTimeField
from interlude.core.fields import EncryptedTextField
from interlude.core.models import ClientOwnedModel


class ThoughtRecord(ClientOwnedModel):
    """A 7-column thought record (CLINICAL.md 4.1)."""

    occurred_at = SafeDateTimeField(default=timezone.now)  # when the situation happened
    # JSON: situation, automatic_thoughts[{text, belief, hot}], emotions[{label, intensity}],
    # evidence_for, evidence_against, balanced_thought{text, belief},
    # emotions_rerated[{label, intensity}], action_plan
    content = EncryptedTextField()
    distortions = models.JSONField(default=list, blank=True)  # codes from exercises/distortions.py
    # Numbers kept in clear for charts: the hot thought's belief and the strongest emotion,
    # before and after (0-100).
    belief_before = models.PositiveSmallIntegerField(null=True, blank=True)
    belief_after = models.PositiveSmallIntegerField(null=True, blank=True)
    emotion_before = models.PositiveSmallIntegerField(null=True, blank=True)
    emotion_after = models.PositiveSmallIntegerField(null=True, blank=True)
    is_complete = models.BooleanField(default=False)
    idempotency_key = models.CharField(max_length=100)

    class Meta:
        ordering = ("-occurred_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["client", "idempotency_key"], name="thoughtrecord_unique_idempotency_key"
            )
        ]

    def __str__(self) -> str:
        return f"thought record {self.public_id}"


class LifeArea(models.TextChoices):
    RELATIONSHIPS = "relationships", "Relationships"
    WORK = "work", "Work or study"
    HEALTH = "health", "Health and body"
    LEISURE = "leisure", "Fun and leisure"
    HOME = "home", "Home and daily tasks"
    COMMUNITY = "community", "Community and meaning"


class ActivityPlan(ClientOwnedModel):
    """Behavioural activation: a planned activity, then whether it happened and how it felt."""

    title = EncryptedTextField()
    life_area = models.CharField(max_length=20, choices=LifeArea.choices)
    planned_for = SafeDateField()
    planned_time = models.TimeField(null=True, blank=True)
    difficulty = models.PositiveSmallIntegerField(null=True, blank=True)  # 1-5
    done = models.BooleanField(null=True, blank=True)  # None = not logged yet
    mastery = models.PositiveSmallIntegerField(null=True, blank=True)  # 0-10
    pleasure = models.PositiveSmallIntegerField(null=True, blank=True)  # 0-10
    logged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("planned_for", "planned_time")
        constraints = [
            models.CheckConstraint(
                condition=Q(mastery__isnull=True) | Q(mastery__lte=10), name="ba_mastery_0_10"
            ),
            models.CheckConstraint(
                condition=Q(pleasure__isnull=True) | Q(pleasure__lte=10), name="ba_pleasure_0_10"
            ),
        ]

    def __str__(self) -> str:
        return f"activity {self.public_id}"


class ExposureStep(ClientOwnedModel):
    """One rung of an exposure hierarchy, with anticipated distress (SUDS 0-100)."""

    description = EncryptedTextField()
    suds_anticipated = models.PositiveSmallIntegerField()
    is_archived = models.BooleanField(default=False)

    class Meta:
        ordering = ("suds_anticipated", "created_at")
        constraints = [
            models.CheckConstraint(
                condition=Q(suds_anticipated__lte=100), name="exposure_step_suds_0_100"
            )
        ]

    def __str__(self) -> str:
        return f"exposure step {self.public_id}"


class ExposurePractice(ClientOwnedModel):
    step = models.ForeignKey(ExposureStep, on_delete=models.PROTECT, related_name="practices")
    practiced_at = SafeDateTimeField(default=timezone.now)
    duration_minutes = models.PositiveSmallIntegerField()
    suds_pre = models.PositiveSmallIntegerField()
    suds_peak = models.PositiveSmallIntegerField()
    suds_post = models.PositiveSmallIntegerField()
    safety_behaviours = EncryptedTextField(null=True, blank=True)
    notes = EncryptedTextField(null=True, blank=True)

    class Meta:
        ordering = ("-practiced_at",)
        constraints = [
            models.CheckConstraint(
                condition=Q(suds_pre__lte=100) & Q(suds_peak__lte=100) & Q(suds_post__lte=100),
                name="exposure_practice_suds_0_100",
            )
        ]

    def __str__(self) -> str:
        return f"exposure practice {self.public_id}"


class SleepDiaryEntry(ClientOwnedModel):
    """Consensus Sleep Diary core items for one night (CLINICAL.md 4.5), in local wall time.

    `night_of` is the date the night began. Times after midnight belong to the next day; the
    derived values (exercises/sleep.py) work that out.
    """

    night_of = SafeDateField()
    into_bed = models.TimeField()
    tried_to_sleep = models.TimeField()
    minutes_to_fall_asleep = models.PositiveSmallIntegerField()
    awakenings = models.PositiveSmallIntegerField()
    minutes_awake_after_onset = models.PositiveSmallIntegerField()
    final_awakening = models.TimeField()
    out_of_bed = models.TimeField()
    quality = models.PositiveSmallIntegerField()  # 1 very poor .. 5 very good
    comments = EncryptedTextField(null=True, blank=True)

    class Meta:
        ordering = ("-night_of",)
        constraints = [
            models.UniqueConstraint(
                fields=["client", "night_of"], name="sleep_diary_one_per_night"
            ),
            models.CheckConstraint(
                condition=Q(quality__gte=1) & Q(quality__lte=5), name="sleep_diary_quality_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"sleep diary {self.night_of}"


class JournalEntry(ClientOwnedModel):
    """Free writing. Private to the client unless they share this entry."""

    written_at = models.DateTimeField(default=timezone.now)
    title = EncryptedTextField(blank=True)
    body = EncryptedTextField()
    shared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-written_at",)
        verbose_name_plural = "journal entries"

    def __str__(self) -> str:
        return f"journal entry {self.public_id}"


class RelaxationKind(models.TextChoices):
    BOX = "box", "Box breathing"
    FOUR_SEVEN_EIGHT = "478", "4-7-8 breathing"
    PACED = "paced", "Paced breathing (6 a minute)"
    PMR = "pmr", "Progressive muscle relaxation"
    GROUNDING = "grounding", "5-4-3-2-1 grounding"


class RelaxationSession(ClientOwnedModel):
    kind = models.CharField(max_length=20, choices=RelaxationKind.choices)
    started_at = SafeDateTimeField(default=timezone.now)
    seconds_practised = models.PositiveIntegerField()
    distress_before = models.PositiveSmallIntegerField(null=True, blank=True)  # 0-10
    distress_after = models.PositiveSmallIntegerField(null=True, blank=True)  # 0-10
    idempotency_key = models.CharField(max_length=100)

    class Meta:
        ordering = ("-started_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["client", "idempotency_key"], name="relaxation_unique_idempotency_key"
            ),
            models.CheckConstraint(
                condition=(Q(distress_before__isnull=True) | Q(distress_before__lte=10))
                & (Q(distress_after__isnull=True) | Q(distress_after__lte=10)),
                name="relaxation_distress_0_10",
            ),
        ]

    def __str__(self) -> str:
        return f"relaxation {self.kind} {self.public_id}"


class ArticleRead(models.Model):
    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("practices.Client", on_delete=models.CASCADE, related_name="+")
    slug = models.SlugField(max_length=80)
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "slug"], name="article_read_once_per_client")
        ]

    def __str__(self) -> str:
        return f"{self.slug} read"
