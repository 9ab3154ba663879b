"""The hash chain over audit events: pure functions, no ORM (easy to test and to re-implement
in an outside verifier)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

GENESIS_HASH = "0" * 64

CHAINED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "outcome",
    "practice_id",
    "client_id",
    "object_type",
    "object_id",
    "request_id",
    "ip",
    "detail",
)


def _normalise(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    return value


def event_hash(*, prev_hash: str, fields: Mapping[str, Any]) -> str:
    canonical = json.dumps(
        {name: _normalise(fields[name]) for name in CHAINED_FIELDS},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
        default=str,
    )
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def verify_chain(
    rows: Iterable[Mapping[str, Any]], *, head_seq: int | None, head_hash: str | None
) -> tuple[int, ChainBreak | None]:
    """Walk rows in seq order. Returns (rows checked, first break or None)."""
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    for row in rows:
        seq = row["seq"]
        if seq != expected_seq:
            return checked, ChainBreak(
                expected_seq, f"event {expected_seq} is missing (next stored event is {seq})"
            )
        if row["prev_hash"] != prev_hash:
            return checked, ChainBreak(seq, f"event {seq} does not link to event {seq - 1}")
        if event_hash(prev_hash=prev_hash, fields=row) != row["hash"]:
            return checked, ChainBreak(seq, f"event {seq} was altered after it was written")
        prev_hash = row["hash"]
        expected_seq += 1
        checked += 1
    if head_seq is not None and checked > head_seq:
        # Well-linked rows past the head were not written by the audit service, which moves the
        # head in the same transaction as every insert.
        return head_seq, ChainBreak(
            head_seq + 1,
            f"the chain head records {head_seq} events but {checked} are stored "
            f"(event {head_seq + 1} and later were added outside the audit service)",
        )
    if head_seq is not None and head_seq != checked:
        return checked, ChainBreak(
            checked + 1,
            f"the chain head records {head_seq} events but {checked} are stored "
            "(events were removed from the end)",
        )
    if head_hash is not None and checked and head_hash != prev_hash:
        return checked, ChainBreak(checked, "the chain head does not match the last event")
    return checked, None
