"""Where finished exports wait: one owner-only file (0600) per job in `settings.EXPORTS_DIR`
(owner-only, 0700), named from the job's random id, never from anything a request sends."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from interlude.core.private_files import private_dir, private_file_delete

_NAME = re.compile(r"^[0-9a-f]{32}\.zip$")


def export_dir() -> Path:
    return private_dir(settings.EXPORTS_DIR)


def file_name_for(public_id_hex: str) -> str:
    return f"{public_id_hex}.zip"


def path_of(file_name: str) -> Path | None:
    """The file of a stored name, or None for a name we would never have made."""
    if not _NAME.match(file_name):
        return None
    return export_dir() / file_name


@contextlib.contextmanager
def private_temp_file() -> Iterator[tuple[Path, int]]:
    """A new 0600 file in the export folder (its path and an open descriptor); removed on error
    or if the caller did not move it into place."""
    path = export_dir() / f".part-{secrets.token_hex(16)}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        yield path, fd
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def file_delete(file_name: str) -> bool:
    return private_file_delete(path_of(file_name))


def stray_files(*, keep: set[str], older_than: float) -> list[Path]:
    """Files in the export folder that no live job names (a crash between writing and recording,
    a half-written part), last changed before the `older_than` timestamp."""
    found = []
    for entry in export_dir().iterdir():
        if entry.name in keep or not entry.is_file():
            continue
        if entry.stat().st_mtime < older_than:
            found.append(entry)
    return found
