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
