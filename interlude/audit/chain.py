"""The keyed hash chain over audit events and the signed checkpoints of its head: pure functions,
no ORM (easy to test and to re-implement in an outside verifier). See ADR 0015.

Each event's `hash` is HMAC-SHA256 under the key its `key_id` names, over the previous event's
hash and the canonical JSON of its fields (including `key_id`). The keys live outside the
database, so someone who can only write to the database cannot recompute a hash after editing,
inserting or deleting a row. Events written before keys existed carry `key_id = 0` and the
unkeyed SHA-256 of the first version; they are accepted only as the opening stretch of the
chain, and only once a signed checkpoint covers them.

A checkpoint is one line, `{"seq", "hash", "time", "key_id", "hmac"}`, written off the database
(an append-only file shipped elsewhere, and syslog) every few minutes. It is signed with the same
keys, so a database writer can neither forge one nor roll the chain back behind one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

GENESIS_HASH = "0" * 64
LEGACY_KEY_ID = 0
# Labels keep an event MAC and a checkpoint MAC from ever being mistaken for each other.
_EVENT_LABEL = b"interlude.audit.event.v2\n"
_CHECKPOINT_LABEL = b"interlude.audit.checkpoint.v1\n"
# Syslog lines carry this tag before the JSON, so a syslog file can be verified as it is.
CHECKPOINT_TAG = "interlude-audit-checkpoint:"

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
KEYED_FIELDS = (*CHAINED_FIELDS, "key_id")


def _normalise(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    return value


def _canonical(fields: Mapping[str, Any], names: tuple[str, ...]) -> str:
    return json.dumps(
        {name: _normalise(fields[name]) for name in names},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
        default=str,
    )


def legacy_event_hash(*, prev_hash: str, fields: Mapping[str, Any]) -> str:
    """The first version's unkeyed hash, kept only to verify events with `key_id = 0`."""
    canonical = _canonical(fields, CHAINED_FIELDS)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def event_hash(*, prev_hash: str, fields: Mapping[str, Any], key: bytes) -> str:
    """HMAC-SHA256 of one event under `key`; `fields` must include `key_id`."""
    message = _EVENT_LABEL + (prev_hash + _canonical(fields, KEYED_FIELDS)).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


# --- checkpoints ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    time: str
    key_id: int
    hmac: str

    def line(self) -> str:
        return json.dumps(
            {
                "seq": self.seq,
                "hash": self.hash,
                "time": self.time,
                "key_id": self.key_id,
                "hmac": self.hmac,
            },
            separators=(",", ":"),
        )


def _checkpoint_message(*, seq: int, hash: str, time: str, key_id: int) -> bytes:
    body = json.dumps(
        {"seq": seq, "hash": hash, "time": time, "key_id": key_id},
        sort_keys=True,
        separators=(",", ":"),
    )
    return _CHECKPOINT_LABEL + body.encode()


def checkpoint_sign(*, seq: int, hash: str, time: datetime, key_id: int, key: bytes) -> Checkpoint:
    stamp = time.isoformat(timespec="seconds")
    mac = hmac.new(
        key,
        _checkpoint_message(seq=seq, hash=hash, time=stamp, key_id=key_id),
        hashlib.sha256,
    ).hexdigest()
    return Checkpoint(seq=seq, hash=hash, time=stamp, key_id=key_id, hmac=mac)


class CheckpointError(ValueError):
    """A checkpoint line that is malformed or not signed by any configured key."""


def checkpoint_parse(line: str, *, keys: Mapping[int, bytes]) -> Checkpoint | None:
    """One line of a checkpoint file (or a syslog line carrying one). None: not a checkpoint."""
    text = line.strip()
    if CHECKPOINT_TAG in text:
        text = text.split(CHECKPOINT_TAG, 1)[1].strip()
    elif not text.startswith("{"):
        return None
    try:
        data = json.loads(text)
        checkpoint = Checkpoint(
            seq=int(data["seq"]),
            hash=str(data["hash"]),
            time=str(data["time"]),
            key_id=int(data["key_id"]),
            hmac=str(data["hmac"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise CheckpointError("is not a checkpoint record") from exc
    key = keys.get(checkpoint.key_id)
    if key is None:
        raise CheckpointError(f"is signed with key {checkpoint.key_id}, which is not configured")
    expected = hmac.new(
        key,
        _checkpoint_message(
            seq=checkpoint.seq,
            hash=checkpoint.hash,
            time=checkpoint.time,
            key_id=checkpoint.key_id,
        ),
        hashlib.sha256,
    ).hexdigest()
    if not hmac.compare_digest(expected, checkpoint.hmac):
        raise CheckpointError("has a signature that does not match (forged or altered)")
    return checkpoint


def checkpoints_read(
    lines: Iterable[str], *, keys: Mapping[int, bytes]
) -> Iterator[tuple[int, Checkpoint]]:
    """(line number, checkpoint) for every checkpoint line; raises CheckpointError naming the
    line. A last line without its newline was torn by a crash mid-write and is skipped."""
    numbered = list(enumerate(lines, start=1))
    for number, line in numbered:
        torn = number == len(numbered) and not line.endswith("\n")
        try:
            checkpoint = checkpoint_parse(line, keys=keys)
        except CheckpointError as exc:
            if torn:
                return
            raise CheckpointError(f"checkpoint line {number} {exc}") from exc
        if checkpoint is not None:
            yield number, checkpoint


# --- verification --------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str
    row_id: int | None = None


def verify_chain(
    rows: Iterable[Mapping[str, Any]],
    *,
    keys: Mapping[int, bytes],
    head_seq: int | None,
    head_hash: str | None,
    checkpoints: Iterable[Checkpoint] = (),
) -> tuple[int, ChainBreak | None]:
    """Walk rows in seq order. Returns (rows checked, first break or None).

    `checkpoints` are already signature-checked; each must match the row at its seq, and the
    furthest one says how many events must exist at least.
    """
    by_seq: dict[int, Checkpoint] = {}
    for checkpoint in checkpoints:
        by_seq.setdefault(checkpoint.seq, checkpoint)
        if by_seq[checkpoint.seq].hash != checkpoint.hash:
            return 0, ChainBreak(
                checkpoint.seq, f"two signed checkpoints disagree about event {checkpoint.seq}"
            )
    furthest = max(by_seq.values(), key=lambda c: c.seq, default=None)

    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    last_legacy = 0
    last_row_id: int | None = None
    for row in rows:
        seq = row["seq"]
        row_id = row.get("id")
        if seq != expected_seq:
            return checked, ChainBreak(
                expected_seq,
                f"event {expected_seq} is missing (next stored event is {seq}"
                + (f", row id {row_id})" if row_id is not None else ")"),
            )
        if row["prev_hash"] != prev_hash:
            return checked, ChainBreak(seq, f"event {seq} does not link to event {seq - 1}", row_id)
        key_id = row["key_id"]
        if key_id == LEGACY_KEY_ID:
            if last_legacy != checked:
                # Only the opening stretch predates the keys: a later unkeyed event was
                # rewritten by someone without the key.
                return checked, ChainBreak(
                    seq, f"event {seq} carries an unkeyed hash after keyed events", row_id
                )
            expected = legacy_event_hash(prev_hash=prev_hash, fields=row)
            last_legacy = seq
        else:
            key = keys.get(key_id)
            if key is None:
                return checked, ChainBreak(
                    seq, f"event {seq} names key {key_id}, which is not configured", row_id
                )
            expected = event_hash(prev_hash=prev_hash, fields=row, key=key)
        if not hmac.compare_digest(expected, row["hash"]):
            return checked, ChainBreak(seq, f"event {seq} was altered after it was written", row_id)
        anchor = by_seq.get(seq)
        if anchor is not None and anchor.hash != row["hash"]:
            return checked, ChainBreak(
                seq,
                f"event {seq} differs from the signed checkpoint of {anchor.time}",
                row_id,
            )
        prev_hash = row["hash"]
        last_row_id = row_id
        expected_seq += 1
        checked += 1
    if furthest is not None and checked < furthest.seq:
        return checked, ChainBreak(
            checked + 1,
            f"the signed checkpoint of {furthest.time} records {furthest.seq} events but only "
            f"{checked} are stored (events were removed from the end)",
        )
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
        return checked, ChainBreak(
            checked, "the chain head does not match the last event", last_row_id
        )
    if last_legacy and (furthest is None or furthest.seq < last_legacy):
        return checked, ChainBreak(
            last_legacy,
            f"events 1 to {last_legacy} carry the unkeyed hash of the first version and no signed "
            "checkpoint covers them yet (run `manage.py audit_checkpoint`)",
        )
    return checked, None
