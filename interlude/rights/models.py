"""A client's request for a download of everything about them, and the file it produced.

The zip waits in `settings.EXPORTS_DIR` (owner-only files) until the client downloads it once or
it is a day old; then the file is deleted and the row stays as the record of what happened.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being prepared"
    READY = "ready", "Ready to download"
    FAILED = "failed", "Could not be prepared"
    DELETED = "deleted", "Deleted"


# A client has at most one export in these states: asking again returns it.
LIVE_STATUSES = (ExportStatus.QUEUED, ExportStatus.RUNNING, ExportStatus.READY)


class ExportJob(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("practices.Client", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)  # 0-100
    step = models.CharField(max_length=100, blank=True)  # what is being prepared, plain words
    # The zip's name inside EXPORTS_DIR (never a path from outside; made from public_id).
    file_name = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)  # finished_at + 1 day
    downloaded_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # A safe message for the client; never clinical content or a traceback.
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(status__in=["queued", "running", "ready"]),
                name="rights_one_live_export_per_client",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="rights_progress_0_100"),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="rights_export_expiry")]

    def __str__(self) -> str:
        return f"export {self.public_id}"
