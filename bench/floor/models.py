"""One bench table. No migrations: `migrate --run-syncdb` creates it (bench settings only)."""

from __future__ import annotations

from django.db import models


class FloorRow(models.Model):
    at = models.DateTimeField()
    value = models.IntegerField()
    key = models.CharField(max_length=100)

    objects: models.Manager[FloorRow]

    def __str__(self) -> str:
        return f"floor row {self.pk}"
