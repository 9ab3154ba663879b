"""Writes for readings pushed by a client's app or device (steps, sleep, mood, ...).

Each reading carries the sender's idempotency key; its observation's `source_id` is the sha256 of
the client's public id and that key, so sending the same reading again changes nothing
("duplicate") and the same key with other values is refused. Checked and added in bulk: a
push of a thousand readings costs the same few queries as a push of one.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from django.db import transaction
from django.utils import timezone

from interlude.accounts.models import User
from interlude.practices.models import Client
from interlude.tracking.models import Observation, ObservationKind, ObservationSource

DEVICE_SOURCE_TYPE = "device"
MSG_KEY_REUSED = "idempotency key reused with different values"

Status = Literal["created", "duplicate", "error"]


@dataclass(frozen=True)
class DeviceReading:
    """One checked reading: its kind, value in the stored unit, instant and the value as sent."""

    key: str
    kind: ObservationKind
    value: float
    effective_at: datetime
    original: str = ""


@dataclass(frozen=True)
class DeviceResult:
    key: str
    status: Status
    message: str = ""


def device_source_id(*, client: Client, key: str) -> str:
    return hashlib.sha256(f"{client.public_id}:{key}".encode()).hexdigest()


def _same(row: Observation, reading: DeviceReading) -> bool:
    return (
        row.kind == reading.kind
        and math.isclose(row.value, reading.value, rel_tol=0, abs_tol=1e-9)
        and row.effective_at == reading.effective_at
    )


def device_observations_add(
    *, client: Client, actor: User, readings: Sequence[DeviceReading], now: datetime | None = None
) -> list[DeviceResult]:
    """Add the readings that are new, in order; one result per reading. The caller holds the
    transaction (and writes the audit row in it)."""
    now = now or timezone.now()
    ids = [device_source_id(client=client, key=r.key) for r in readings]
    existing: dict[str, Observation] = {
        row.source_id: row
        for row in Observation.objects.filter(
            source_type=DEVICE_SOURCE_TYPE, source_id__in=set(ids), client_id=client.pk
        ).only("source_id", "kind", "value", "effective_at")
    }
    results: list[DeviceResult] = []
    new_rows: list[Observation] = []
    for reading, source_id in zip(readings, ids, strict=True):
        row = existing.get(source_id)
        if row is not None:
            ok = _same(row, reading)
            results.append(
                DeviceResult(reading.key, "duplicate")
                if ok
                else DeviceResult(reading.key, "error", MSG_KEY_REUSED)
            )
            continue
        row = Observation(
            practice_id=client.practice_id,
            client=client,
            kind=reading.kind,
            value=reading.value,
            effective_at=reading.effective_at,
            time_zone=client.time_zone,
            source=ObservationSource.DEVICE,
            source_type=DEVICE_SOURCE_TYPE,
            source_id=source_id,
            original=reading.original[:120],
            created_at=now,
            created_by=actor,
        )
        existing[source_id] = row  # the same key again in this push is a duplicate of it
        new_rows.append(row)
        results.append(DeviceResult(reading.key, "created"))
    if new_rows:
        with transaction.atomic():
            Observation.objects.bulk_create(new_rows, batch_size=500)
    return results
