from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from interlude.audit.enums import AuditAction, AuditOutcome


class AuditEvent(models.Model):
    """Append-only record of who did what to whose data, chained by hash (SR-29..SR-32).

    Never holds clinical content: only ids, enums and small non-clinical details.
    `seq` is gapless; `hash` = HMAC-SHA256 under key `key_id` of (prev_hash + canonical fields),
    see audit/chain.py. `key_id` 0 marks events written before the chain was keyed.
    """

    seq = models.BigIntegerField(unique=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=64, choices=AuditAction.choices)
    outcome = models.CharField(
        max_length=10, choices=AuditOutcome.choices, default=AuditOutcome.SUCCESS
    )
    practice = models.ForeignKey(
        "practices.Practice", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    client = models.ForeignKey(
        "practices.Client", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # Which AUDIT_HMAC_KEYS entry made `hash`, so keys can rotate without re-chaining.
    key_id = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ("seq",)
        indexes = [
            models.Index(fields=["client", "occurred_at"]),
            models.Index(fields=["actor", "occurred_at"]),
            models.Index(fields=["practice", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.outcome}"


class AuditChainHead(models.Model):
    """One row: the newest seq and hash. Serialises appends and reveals a truncated tail."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit chain head at {self.seq}"
