"""The app catalog (ADR 0025).

`CatalogApp` is one external app. The shared starter set has no practice (`practice=None`) and
every practice sees it; a practice's own entries, and its edited copies of starter entries
(`based_on`), belong to it alone. Each entry's evaluation is a set of `EvaluationAnswer` rows, one
per question of `questions.QUESTIONS`: a value with its evidence and reviewer, or "unknown". The
columns under "facets" are derived from the answers by `questions.facets_from_answers` whenever
they change, so the filters read plain columns. Nothing here is client data.

A `Recommendation`, a `ReadinessCheck` and a `SuitabilityNote` are client data (ClientOwnedModel,
encrypted text).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from interlude.catalog.enums import Cost, Evidence, Privacy, ReadinessStatus
from interlude.core.datefields import SafeDateField
from interlude.core.fields import EncryptedJSONField, EncryptedTextField
from interlude.core.models import ClientOwnedModel

# Who answered the starter set's questions (no user account: the project wrote them).
STARTER_REVIEWER = "Interlude starter set"


class CatalogApp(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # None: the shared starter set, seen by every practice.
    practice = models.ForeignKey(
        "practices.Practice", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # A practice's own copy of a starter entry: it replaces that entry in the practice's catalog.
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, related_name="copies", null=True, blank=True
    )
    slug = models.SlugField(max_length=60)
    name = models.CharField(max_length=120)
    website = models.URLField(max_length=500, blank=True)
    summary = models.TextField(blank=True)  # what it is, written for this project
    # The interop.enums.ImportSource value whose importer reads this app's export ("" if none).
    importer = models.CharField(max_length=30, blank=True)
    # --- facets, derived from the answers (questions.facets_from_answers) ---
    available = models.BooleanField(default=True)
    platforms = models.JSONField(default=list)
    cost = models.CharField(max_length=20, choices=Cost.choices, default=Cost.UNKNOWN)
    goals = models.JSONField(default=list)
    evidence = models.CharField(max_length=20, choices=Evidence.choices, default=Evidence.UNKNOWN)
    privacy = models.CharField(max_length=20, choices=Privacy.choices, default=Privacy.UNKNOWN)
    # The oldest review date among the answered questions: older than a year means "review due".
    reviewed_on = SafeDateField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "slug"], name="catalog_app_slug_per_practice"
            ),
            models.UniqueConstraint(
                fields=["slug"], condition=Q(practice__isnull=True), name="catalog_starter_slug"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EvaluationAnswer(models.Model):
    app = models.ForeignKey(CatalogApp, on_delete=models.CASCADE, related_name="answers")
    question = models.CharField(max_length=40)  # questions.QUESTIONS code
    value = models.JSONField(null=True, blank=True)  # None exactly when unknown
    unknown = models.BooleanField(default=False)
    evidence = models.TextField(blank=True)  # the note: what the answer rests on
    links = models.JSONField(default=list)  # sources (https URLs)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    reviewer_name = models.CharField(max_length=150)
    reviewed_on = SafeDateField()

    class Meta:
        ordering = ("app", "question")
        constraints = [
            models.UniqueConstraint(fields=["app", "question"], name="catalog_answer_once"),
            # A fact has a value and a source (a link or a note), or it is marked unknown.
            models.CheckConstraint(
                condition=(Q(unknown=True) & Q(value__isnull=True))
                | (Q(unknown=False) & Q(value__isnull=False) & ~(Q(evidence="") & Q(links=[]))),
                name="catalog_answer_sourced_or_unknown",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.app_id} {self.question}"


class Recommendation(ClientOwnedModel):
    app = models.ForeignKey(CatalogApp, on_delete=models.PROTECT, related_name="+")
    reason = EncryptedTextField()  # in the clinician's words, for the client
    recommended_by = models.ForeignKey(
        "practices.Membership", on_delete=models.PROTECT, related_name="+"
    )
    # The "use this app" homework made with it, if the clinician asked for one.
    assignment = models.ForeignKey(
        "homework.Assignment", on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    seen_at = models.DateTimeField(null=True, blank=True)  # first opened by the client
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["client", "app"],
                condition=Q(withdrawn_at__isnull=True),
                name="catalog_one_open_recommendation_per_app",
            )
        ]

    def __str__(self) -> str:
        return f"recommendation {self.public_id}"


class ReadinessCheck(ClientOwnedModel):
    """The digital readiness check: asked at onboarding (requested_by None) or by a clinician."""

    status = models.CharField(
        max_length=20, choices=ReadinessStatus.choices, default=ReadinessStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        "practices.Membership", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Device and connectivity, comfort with apps, preferences: readiness.QUESTIONS code -> value.
    answers = EncryptedJSONField(null=True, blank=True)
    # The eight eHEALS answers (1-5), None when the client skipped that part.
    eheals_answers = EncryptedJSONField(null=True, blank=True)
    eheals_total = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(status="requested"),
                name="catalog_one_open_readiness_check",
            ),
            models.CheckConstraint(
                condition=Q(eheals_total__isnull=True)
                | (Q(eheals_total__gte=8) & Q(eheals_total__lte=40)),
                name="catalog_eheals_total_range",
            ),
        ]

    def __str__(self) -> str:
        return f"readiness check {self.public_id}"


class SuitabilityNote(ClientOwnedModel):
    """What a clinician notes about fit ("prefers paper for worksheets"); shown in the brief."""

    text = EncryptedTextField()
    author = models.ForeignKey("practices.Membership", on_delete=models.PROTECT, related_name="+")
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"suitability note {self.public_id}"
