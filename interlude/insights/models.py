"""The caseload's summary (one row per client, so the caseload reads a row instead of years), and
the progress report PDFs the task worker builds (`ReportJob`).

The summary:

Derived data only, recomputed from the records by `insights.summary` inside the transaction of
every write that changes it (the `core.hooks.client_changed` hook) and by `summaries_rebuild`.
Each piece is kept per sharing category (own and imported check-ins apart, each answer with who
entered it, active days per category) so the caseload asks the viewer's `CareAccess` at read
time what it may show. Nothing here depends on "now": windows such as "the last 14 days" are
applied when read, from the stored dates.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ClientSummary(models.Model):
    client = models.OneToOneField(
        "practices.Client", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE, related_name="+")
    # {instrument code: [answers, latest]}: answers, the newest SPARK_POINTS answers (scored or
    # not) as [id, submitted_at (ISO), total or null], newest first; latest, the newest scored
    # one among them as [id, band_label, change_from_baseline, classification, track_status,
    # track_reason], or null. Imported answers are kept apart under "import:<code>" so a viewer
    # not shown imported data could still get their own newest ones. Compact: the caseload
    # parses this for every row it shows.
    scores = models.JSONField(default=dict, blank=True)
    # [[code, id of the newest scored answer, its progress rank], ...] from `scores`
    # (insights.summary.tracks_from_scores): the caseload orders by need from this narrow
    # column. Null: not worked out yet (a row from before it existed); the caseload rebuilds it.
    tracks = models.JSONField(null=True, blank=True)
    last_checkin_at = models.DateTimeField(null=True, blank=True)  # the client's own
    last_imported_checkin_at = models.DateTimeField(null=True, blank=True)
    alerts_open = models.PositiveIntegerField(default=0)  # not yet resolved
    alerts_new = models.PositiveIntegerField(default=0)  # not yet acknowledged
    alert_top_rank = models.SmallIntegerField(default=-1)  # highest open severity rank
    # {category: ["YYYY-MM-DD", ...]}: the newest distinct local days with activity, newest first.
    active_days = models.JSONField(default=dict, blank=True)
    zone = models.CharField(max_length=64, blank=True)  # the client's zone the days were read in
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "client summaries"

    def __str__(self) -> str:
        return f"Summary of client {self.client_id}"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    BUILDING = "building", "Being built"
    READY = "ready", "Ready to download"
    FAILED = "failed", "Could not be built"
    EXPIRED = "expired", "Deleted"


class ReportExpiry(models.TextChoices):
    """Why a built report's file was deleted."""

    AGE = "age", "It was a day old"
    SHARING = "sharing", "The client changed what they share"
    REPLACED = "replaced", "A newer one was made"


# A clinician has at most one report of a client and period on its way: asking again returns it.
BUILDING_STATUSES = (ReportStatus.QUEUED, ReportStatus.BUILDING)


class ReportJob(models.Model):
    """A clinician's progress report PDF, built by the task worker (insights.services).

    The PDF waits in `settings.REPORTS_DIR` (owner-only files) for a day; then the file is
    deleted and the row stays as the record of what happened. `categories` is what the client's
    sharing let this clinician see when it was built: serving compares it with the sharing of
    that moment, so a report never shows more than the client shares now.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("practices.Client", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # How the gate let the clinician in when they asked (consents.access.Viewer), and through
    # which membership: the worker builds for that same viewer.
    viewer = models.CharField(max_length=20)
    membership = models.ForeignKey(
        "practices.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    date_from = models.DateField()
    date_to = models.DateField()
    status = models.CharField(
        max_length=20, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    attempt = models.PositiveSmallIntegerField(default=0)  # builds started (a retry adds one)
    steps_done = models.PositiveSmallIntegerField(default=0)
    steps_total = models.PositiveSmallIntegerField(default=0)  # 0: not known yet
    step = models.CharField(max_length=100, blank=True)  # plain words, never clinical content
    # Sorted ShareScope values of the report's categories this clinician could see at build.
    categories = models.JSONField(default=list, blank=True)
    # The PDF's name inside REPORTS_DIR (made from public_id, never from a request).
    file_name = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    pages = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    # Each step writes it: a build that has not moved for a while died with its worker.
    progress_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)  # finished_at + 1 day
    expired_at = models.DateTimeField(null=True, blank=True)
    expired_because = models.CharField(max_length=20, choices=ReportExpiry.choices, blank=True)
    # A safe message for the clinician; never clinical content or a traceback.
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["client", "requested_by", "date_from", "date_to"],
                condition=Q(status__in=["queued", "building"]),
                name="insights_one_building_report_per_period",
            ),
            models.CheckConstraint(
                condition=Q(steps_done__lte=models.F("steps_total")),
                name="insights_report_steps_done_le_total",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="insights_report_expiry")]

    def __str__(self) -> str:
        return f"report {self.public_id}"

    @property
    def is_building(self) -> bool:
        return self.status in BUILDING_STATUSES
