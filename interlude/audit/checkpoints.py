"""Signed checkpoints of the audit chain head, written outside the database (SR-32, ADR 0015).

`checkpoint_write` verifies the events added since the last checkpoint, then appends one signed
line to AUDIT_CHECKPOINT_FILE (O_APPEND, fsync) and, when AUDIT_SYSLOG_ADDRESS is set, sends it
to syslog. The operator ships the file (or the syslog stream) off the server; `audit_verify`
checks the database against it. Someone who can write to the database but not to this file (or
to the copy elsewhere) can no longer roll the chain back or empty it unnoticed.
"""

from __future__ import annotations

import hmac
import logging
import logging.handlers
import os
import socket
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from interlude.audit.chain import (
    CHECKPOINT_TAG,
    GENESIS_HASH,
    KEYED_FIELDS,
    LEGACY_KEY_ID,
    ChainBreak,
    Checkpoint,
    CheckpointError,
    checkpoint_parse,
    checkpoint_sign,
    checkpoints_read,
    event_hash,
    legacy_event_hash,
)
from interlude.audit.models import AuditChainHead, AuditEvent

logger = logging.getLogger("interlude.audit")

# What the verifier reads of each row: the fields the MAC covers, plus the row id and the links.
ROW_FIELDS = ("id", *KEYED_FIELDS, "prev_hash", "hash")


class ChainBroken(Exception):
    """The chain does not verify: no checkpoint is written over a broken chain."""

    def __init__(self, brk: ChainBreak) -> None:
        self.brk = brk
        where = f"event {brk.seq}" + (f" (row id {brk.row_id})" if brk.row_id else "")
        super().__init__(f"Audit chain broken at {where}: {brk.reason}.")


class CheckpointShipError(Exception):
    """The checkpoint was written to the file but could not be sent to syslog."""


def checkpoints_load(path: Path, *, keys: Mapping[int, bytes]) -> list[Checkpoint]:
    """Every signed checkpoint in a file (a checkpoint file or a syslog file); [] if missing.
    Raises CheckpointError naming the first line that is not validly signed."""
    try:
        with path.open(encoding="utf-8", newline="") as f:
            return [checkpoint for _, checkpoint in checkpoints_read(f, keys=keys)]
    except FileNotFoundError:
        return []


def _last_checkpoint(path: Path, *, keys: Mapping[int, bytes]) -> Checkpoint | None:
    """The newest checkpoint, reading only the end of the file (it grows by a line a run)."""
    try:
        with path.open("rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 8192))
            tail = f.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return None
    lines = [line for line in tail.splitlines(keepends=True) if line.endswith("\n")]
    for line in reversed(lines[1:] if size > 8192 else lines):  # the first may be cut
        checkpoint = checkpoint_parse(line, keys=keys)
        if checkpoint is not None:
            return checkpoint
    return None


def _verify_since(
    last: Checkpoint | None, *, head: AuditChainHead, keys: Mapping[int, bytes]
) -> None:
    """The events from the last checkpoint to the head chain on, under the keys."""
    if last is not None and head.seq < last.seq:
        raise ChainBroken(
            ChainBreak(
                head.seq + 1,
                f"the chain head records {head.seq} events but the signed checkpoint of "
                f"{last.time} records {last.seq} (events were removed from the end)",
            )
        )
    start = last.seq if last is not None else 0
    rows = (
        AuditEvent.objects.filter(seq__gte=max(start, 1), seq__lte=head.seq)
        .order_by("seq")
        .values(*ROW_FIELDS)
        .iterator(chunk_size=2000)
    )
    try:
        _walk_since(rows, last=last, head=head, keys=keys, start=start)
    finally:
        # Close the server-side cursor now, inside its transaction: left to the garbage
        # collector after a break, its CLOSE fails and aborts whatever transaction runs then.
        rows.close()


def _walk_since(
    rows: Iterable[dict[str, Any]],
    *,
    last: Checkpoint | None,
    head: AuditChainHead,
    keys: Mapping[int, bytes],
    start: int,
) -> None:
    expected_seq = start + 1
    prev_hash = last.hash if last is not None else GENESIS_HASH
    anchor_seen = start == 0
    keyed_seen = last is not None  # unkeyed events may only open the chain
    for row in rows:
        seq, row_id = row["seq"], row["id"]
        if not anchor_seen:
            assert last is not None
            if seq != last.seq or row["hash"] != last.hash:
                raise ChainBroken(
                    ChainBreak(
                        last.seq,
                        f"event {last.seq} is missing or differs from the signed checkpoint of "
                        f"{last.time}",
                        row_id if seq == last.seq else None,
                    )
                )
            anchor_seen = True
            continue
        if seq != expected_seq:
            raise ChainBroken(
                ChainBreak(
                    expected_seq,
                    f"event {expected_seq} is missing (next stored event is {seq})",
                    row_id,
                )
            )
        if row["prev_hash"] != prev_hash:
            raise ChainBroken(
                ChainBreak(seq, f"event {seq} does not link to event {seq - 1}", row_id)
            )
        if row["key_id"] == LEGACY_KEY_ID and not keyed_seen:
            expected = legacy_event_hash(prev_hash=prev_hash, fields=row)
        elif row["key_id"] in keys:
            expected = event_hash(prev_hash=prev_hash, fields=row, key=keys[row["key_id"]])
            keyed_seen = True
        else:
            expected = ""
        if not hmac.compare_digest(expected, row["hash"]):
            raise ChainBroken(
                ChainBreak(seq, f"event {seq} was altered after it was written", row_id)
            )
        prev_hash = row["hash"]
        expected_seq += 1
    if not anchor_seen:
        assert last is not None
        raise ChainBroken(ChainBreak(last.seq, f"event {last.seq} is missing"))
    if expected_seq - 1 != head.seq:
        raise ChainBroken(
            ChainBreak(
                expected_seq,
                f"the chain head records {head.seq} events but {expected_seq - 1} are stored",
            )
        )
    if head.hash != prev_hash:
        raise ChainBroken(ChainBreak(head.seq, "the chain head does not match the last event"))


class _RaisingSysLogHandler(logging.handlers.SysLogHandler):
    def handleError(self, record: logging.LogRecord) -> None:
        raise CheckpointShipError("could not send the checkpoint to syslog")


def _syslog_handler(address: str) -> logging.handlers.SysLogHandler:
    """`/dev/log` (a local socket), `udp://host:514` or `tcp://host:514`."""
    facility = logging.handlers.SysLogHandler.LOG_AUTHPRIV
    if address.startswith("/"):
        return _RaisingSysLogHandler(address=address, facility=facility)
    parts = urlsplit(address)
    if parts.scheme not in {"udp", "tcp"} or not parts.hostname:
        raise CheckpointShipError(
            "AUDIT_SYSLOG_ADDRESS must be a socket path, udp://host:port or tcp://host:port"
        )
    return _RaisingSysLogHandler(
        address=(parts.hostname, parts.port or 514),
        facility=facility,
        socktype=socket.SOCK_STREAM if parts.scheme == "tcp" else socket.SOCK_DGRAM,
    )


def _append_line(path: Path, line: str) -> None:
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        # The new directory entry must survive a crash too.
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def checkpoint_write(*, now: datetime | None = None) -> Checkpoint:
    """Verify the events since the last checkpoint and append a signed checkpoint of the head.

    Raises ChainBroken (nothing written) if the chain does not verify, CheckpointError if the
    file's last checkpoint is not validly signed, CheckpointShipError if syslog refused it.
    """
    keys: Mapping[int, bytes] = settings.AUDIT_HMAC_KEYS
    path = Path(settings.AUDIT_CHECKPOINT_FILE)
    last = _last_checkpoint(path, keys=keys)
    with transaction.atomic():
        head = AuditChainHead.objects.filter(pk=1).first() or AuditChainHead(seq=0)
        _verify_since(last, head=head, keys=keys)
    key_id = max(keys)
    checkpoint = checkpoint_sign(
        seq=head.seq,
        hash=head.hash,
        time=now or timezone.now(),
        key_id=key_id,
        key=keys[key_id],
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    _append_line(path, checkpoint.line())
    address = settings.AUDIT_SYSLOG_ADDRESS
    if address:
        handler = _syslog_handler(address)
        try:
            handler.handle(
                logging.makeLogRecord(
                    {
                        "name": "interlude.audit",
                        "levelno": logging.INFO,
                        "levelname": "INFO",
                        "msg": f"{CHECKPOINT_TAG} {checkpoint.line()}",
                    }
                )
            )
        finally:
            handler.close()
    return checkpoint


__all__ = [
    "ChainBroken",
    "CheckpointError",
    "CheckpointShipError",
    "checkpoint_write",
    "checkpoints_load",
]
