"""Import jobs and their staged rows, saved spreadsheet mappings, and personal access tokens.

An import is read by the worker into `StagedRecord` rows (canonical records, encrypted), shown
as a preview, then applied by one loader in one short transaction through the domain services
(tracking, measures): on SQLite a long transaction would block every audited read, so the slow
part (reading the file) never holds one. The domain rows carry the job's `public_id` as
`import_id`, which is how an import is undone.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from interlude.core.fields import EncryptedJSONField
from interlude.core.models import ClientOwnedModel
from interlude.interop.enums import ImportSource, ImportStatus, StagedKind


class ImportJob(ClientOwnedModel):
    source = models.CharField(max_length=20, choices=ImportSource.choices)
    status = models.CharField(
        max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    file_name = models.CharField(max_length=200)  # as uploaded, shown to the client only
    file_size = models.PositiveBigIntegerField(default=0)
    file_sha256 = models.CharField(max_length=64, blank=True)
    # The uploaded file, an owner-only (0600) file inside IMPORTS_DIR (a name made from
    # public_id, never a path from outside); deleted once the import is added, discarded or a
    # day old. Not encrypted at rest, like the export zips (ADR 0024).
    stored_name = models.CharField(max_length=100, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)  # 0-100
    step = models.CharField(max_length=100, blank=True)  # plain words for the progress bar
    # Preview: {"checkins": n, ...} to add, duplicates, unreadable [{"line", "message"}] (first
    # 200), moods found {"name": {"count", "level"}}, the zone assumed for times without one.
    summary = models.JSONField(default=dict, blank=True)
    # The client's choices: {"moods": {"name": level}, "scale": {...}, "profile": id}.
    options = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=300, blank=True)  # safe words, never file content
    started_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    # Which worker attempt owns the job; a rerun after a crash takes it over (ids, not pids).
    attempt = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-created_at",)
        indexes = [models.Index(fields=["client", "status"])]

    def __str__(self) -> str:
        return f"import {self.public_id} ({self.source}, {self.status})"


class StagedRecord(models.Model):
    """One canonical record read from the file, waiting for the client to add it."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="staged")
    # For the encrypted payload (core/fields.py binds ciphertexts to a row and practice).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("practices.Client", on_delete=models.PROTECT, related_name="+")
    attempt = models.PositiveIntegerField(default=0)
    seq = models.PositiveIntegerField()  # order in the file
    line = models.PositiveIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=20, choices=StagedKind.choices)
    natural_key = models.CharField(max_length=64)  # sha256 hex of the source's identity
    duplicate = models.BooleanField(default=False)  # already in the record when read
    payload = EncryptedJSONField()  # the canonical record (interop/canonical.py), as JSON

    class Meta:
        ordering = ("seq",)
        constraints = [
            models.UniqueConstraint(
                fields=["job", "attempt", "seq"], name="interop_staged_unique_seq"
            )
        ]

    def __str__(self) -> str:
        return f"staged {self.kind} #{self.seq}"


class ImportProfile(ClientOwnedModel):
    """A saved column mapping for spreadsheets from an app Interlude has no importer for."""

    name = models.CharField(max_length=60)
    # {"date": col, "date_format": "...", "time": col|None, "value": col|None, "scale_min",
    #  "scale_max", "kind": "mood"|..., "tags": col|None, "tag_separator", "note": col|None}
    mapping = models.JSONField(default=dict)

    class Meta:
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint(fields=["client", "name"], name="interop_profile_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class AccessToken(models.Model):
    """A client's personal access token for an app or device. Only a hash is stored: the token
    is shown once, when created. Staff cannot have one (their access needs two-step verification
    and idle time-outs, which a token cannot give)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("practices.Client", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=60)  # "My watch", chosen by the client
    prefix = models.CharField(max_length=16, unique=True)  # the visible start, to look it up
    key_hash = models.CharField(max_length=64)  # sha256 hex of the whole token
    scopes = models.JSONField(default=list)  # [TokenScope]
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"token {self.prefix}… ({self.name})"
