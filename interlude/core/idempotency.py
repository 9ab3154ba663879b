"""Idempotent creates: the same request under the same key returns the stored record; a
different request under a used key is refused with IdempotencyConflict (409 in the API).

Services call `idempotency_replay` before creating and `idempotency_remember` inside the
transaction that creates the record. The hash is of the canonical values the service received
(not the raw JSON), so the form, the API and the offline queue compare the same thing.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from interlude.core.errors import IdempotencyConflict
from interlude.core.models import IdempotencyRecord


def _plain(value: Any) -> Any:
    # One spelling per value: 7.5 and 7.50 hours are the same; an instant is compared in UTC.
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date | time | uuid.UUID):
        return value.isoformat() if not isinstance(value, uuid.UUID) else str(value)
    return str(value)


def request_hash(values: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a request's values."""
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"), default=_plain)
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotency_replay(*, user: Any, kind: str, key: str, digest: str, what: str) -> None:
    """Raise IdempotencyConflict if `key` was first used with a different request.

    Records stored before fingerprints were kept have none; they are returned as before.
    """
    stored = (
        IdempotencyRecord.objects.filter(user=user, kind=kind, key=key)
        .values_list("request_hash", flat=True)
        .first()
    )
    if stored is not None and stored != digest:
        raise IdempotencyConflict(what)


def idempotency_remember(*, user: Any, kind: str, key: str, digest: str) -> None:
    """Keep the fingerprint; call inside the transaction that stores the record."""
    IdempotencyRecord.objects.create(user=user, kind=kind, key=key, request_hash=digest)
