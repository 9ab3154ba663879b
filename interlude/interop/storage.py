"""Where uploaded files wait to be imported: one owner-only file (0600) per job in
`settings.IMPORTS_DIR` (owner-only, 0700), named from the job's random id, never from anything a
request sends. The file goes once the import is added, discarded or a day old.

The same pattern as the exports' folder (rights/storage.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO, Protocol

from django.conf import settings

from interlude.core.private_files import private_dir, private_file_delete

_NAME = re.compile(r"^[0-9a-f]{32}\.upload$")
CHUNK = 1024 * 1024


class TooBig(Exception):
    """The upload went over its limit while it was being written (the part file is gone)."""


class Chunked(Protocol):
    def chunks(self, chunk_size: int | None = ...) -> Iterable[bytes]: ...


def import_dir() -> Path:
    return private_dir(settings.IMPORTS_DIR)


def file_name_for(public_id_hex: str) -> str:
    return f"{public_id_hex}.upload"


def path_of(file_name: str) -> Path | None:
    """The file of a stored name, or None for a name we would never have made."""
    if not _NAME.match(file_name):
        return None
    return import_dir() / file_name


def _pieces(source: Chunked | BinaryIO) -> Iterable[bytes]:
    chunks = getattr(source, "chunks", None)
    if callable(chunks):
        yield from chunks(CHUNK)
        return
    reader: BinaryIO = source  # type: ignore[assignment]
    while piece := reader.read(CHUNK):
        yield piece


def file_store(*, source: Chunked | BinaryIO, name: str, limit: int) -> tuple[int, str]:
    """Write `source` as the stored file `name` (0600), counting as it goes: over `limit` bytes
    the part written so far is removed and `TooBig` raised. Returns (size, sha256 hex)."""
    final = path_of(name)
    if final is None:
        raise ValueError("not a stored import name")
    part = import_dir() / f".part-{secrets.token_hex(16)}"
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    size = 0
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out:
            for piece in _pieces(source):
                size += len(piece)
                if size > limit:
                    raise TooBig
                digest.update(piece)
                out.write(piece)
        os.replace(part, final)
    finally:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
    return size, digest.hexdigest()


def file_delete(file_name: str) -> bool:
    return private_file_delete(path_of(file_name))


def stray_files(*, keep: set[str], older_than: float) -> list[Path]:
    """Files in the folder that no live job names (a crash between writing and recording, a
    half-written part), last changed before the `older_than` timestamp."""
    found = []
    for entry in import_dir().iterdir():
        if entry.name in keep or not entry.is_file():
            continue
        if entry.stat().st_mtime < older_than:
            found.append(entry)
    return found
