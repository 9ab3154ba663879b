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
