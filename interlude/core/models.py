"""Abstract base models shared by the domain apps."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class ClientOwnedModel(models.Model):
    """A row of a client's data: tenant, owner, random public id, and who wrote it (SR-01).

    `public_id` names the row in URLs and binds its encrypted fields (core/fields.py).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("practices.Client", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


class IdempotencyRecord(models.Model):
    """The fingerprint of the request that first used an idempotency key.

    Written in the same transaction as the record it created, so a retry of the same request
    (same hash) gets the stored record back and a different request under the same key is refused
    (409) instead of silently answered with the first record. One table for every kind of record,
    so no app needs a column of its own. Holds no clinical content: a SHA-256 of the canonical
    request (core/idempotency.py).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)  # e.g. "tracking.checkin"
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key"], name="core_idempotency_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class ClientDataKey(models.Model):
    """A client's data key (DEK): a random 256-bit AES key that encrypts that client's fields,
    stored only wrapped (encrypted) by the key ring from the environment (ADR 0017).

    `key_id` is random and is what ciphertexts name (`v2:<key_id>:...`). Destroying the key
    empties `wrapped` and sets `destroyed_at`; the row stays as a tombstone so a read of a
    shredded value says so instead of looking like damage.
    """

    key_id = models.CharField(max_length=32, unique=True)
    client = models.OneToOneField(
        "practices.Client", on_delete=models.PROTECT, related_name="data_key"
    )
    wrapped = models.TextField(blank=True)  # v1:<ring key id>:<base64>, "" once destroyed
    created_at = models.DateTimeField(default=timezone.now)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"data key {self.key_id}"


class KeyRotationProgress(models.Model):
    """How far one pass of `rotate_keys` got through one table, so a stopped run resumes there.

    `target` names what the pass moves rows to (e.g. "ring 2": client rows to their data keys,
    other rows to ring key 2); a new ring key starts a new pass.
    """

    task = models.CharField(max_length=120)  # "clinical text:tracking.checkin"
    target = models.CharField(max_length=40)
    last_pk = models.BigIntegerField(default=0)
    rows_changed = models.BigIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "target"], name="core_rotation_progress_unique")
        ]

    def __str__(self) -> str:
        return f"{self.task} -> {self.target} at {self.last_pk}"


class RateCounter(models.Model):
    """One rate limit's current window for one person (core/throttling.py): how many requests
    counted since `started`, until `expires` (seconds since the epoch). Updated by a single
    upsert per check, inside the request's transaction; used only when Redis is not configured.
    One row per limit and person, reused window after window, so the table stays small.
    """

    key = models.CharField(max_length=150, primary_key=True)  # "api_write_burst:42"
    started = models.FloatField()
    expires = models.FloatField()
    hits = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.key}: {self.hits}"
