"""Opening one member of an uploaded zip without trusting the zip (plain Python, no ORM).

Nothing is ever extracted to disk: the chosen member is streamed. Still, a hostile archive is
refused before a byte of it is read:

- a member name with "..", an absolute path, a backslash path or a drive letter (path traversal);
- a member whose declared size is above the unpacked limit, or whose declared size is more than
  `max_ratio` times its compressed size (a zip bomb);
- an encrypted member.

While the member streams, the bytes actually unpacked are counted and reading stops at the limit
(a header that lies about the size cannot beat it). A damaged or cut-off archive becomes an
`ImportFileError` with a message that names the problem, never the archive's content.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from interlude.interop.canonical import ImportFileError

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"

DAMAGED = "The zip file is damaged or incomplete. Export it again and upload the new file."

_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    max_archive_bytes: int  # the uploaded file itself
    max_unpacked_bytes: int  # the member once unpacked
    max_ratio: int  # unpacked size / compressed size


def limits_from_settings() -> ArchiveLimits:
    from django.conf import settings

    return ArchiveLimits(
        max_archive_bytes=settings.IMPORT_MAX_ARCHIVE_BYTES,
        max_unpacked_bytes=settings.IMPORT_MAX_UNPACKED_BYTES,
        max_ratio=settings.IMPORT_MAX_ZIP_RATIO,
    )


def looks_like_zip(head: bytes) -> bool:
    """True for the first bytes of a zip archive (by content, not by the file's name)."""
    return head.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC))


def unsafe_member_name(name: str) -> bool:
    """A name that would escape the folder it is unpacked into, on any system."""
    if not name or "\x00" in name:
        return True
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        return True
    parts = re.split(r"[/\\]", name)
    return ".." in parts


class MemberStream:
    """A read-only binary stream over one zip member that counts what it unpacks.

    `read` raises `ImportFileError` when the member unpacks to more than `limit` bytes or when the
    archive turns out to be damaged (bad CRC, cut off, corrupt deflate data).
    """

    def __init__(self, raw: BinaryIO, member: BinaryIO, *, limit: int) -> None:
        self._raw = raw
        self._member = member
        self._limit = limit
        self.unpacked = 0
        self.at_end = False

    def read(self, size: int = -1) -> bytes:
        try:
            data = self._member.read(size if size and size > 0 else 1024 * 1024)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
            raise ImportFileError(DAMAGED) from error
        self.unpacked += len(data)
        if self.unpacked > self._limit:
            raise ImportFileError(
                "The export unpacks to more than Interlude accepts. "
                "Export a shorter period, or ask your practice for help."
            )
        if not data:
            self.at_end = True
        return data

    def archive_position(self) -> int:
        """How far into the zip file reading has got (for progress)."""
        try:
            return self._raw.tell()
        except (OSError, ValueError):
            return 0


@contextmanager
def open_member(
    path: Path,
    *,
    pick: Callable[[Sequence[str]], str | None],
    limits: ArchiveLimits,
    missing: str,
) -> Iterator[MemberStream]:
    """Open the member `pick` chooses from the archive's names (None: raise `missing`).

    Every name in the archive is checked, not only the chosen one: an archive that carries a
    path-traversal name is hostile and refused whole.
    """
    size = path.stat().st_size
    if size > limits.max_archive_bytes:
        raise ImportFileError(too_big_message(limits.max_archive_bytes))
    with path.open("rb") as raw:
        try:
            archive = zipfile.ZipFile(raw)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
            raise ImportFileError(DAMAGED) from error
        with archive:
            infos = archive.infolist()
            for info in infos:
                if unsafe_member_name(info.filename):
                    raise ImportFileError(
                        "The zip file contains a file name that points outside the archive, "
                        "which an export never does. It was not opened."
                    )
            chosen = pick([info.filename for info in infos])
            if chosen is None:
                raise ImportFileError(missing)
            info = archive.getinfo(chosen)
            if info.flag_bits & 0x1:
                raise ImportFileError(
                    "The zip file is password-protected. Export it again without a password."
                )
            if info.file_size > limits.max_unpacked_bytes:
                raise ImportFileError(too_big_message(limits.max_unpacked_bytes))
            if info.file_size > max(info.compress_size, 1) * limits.max_ratio:
                raise ImportFileError(
                    "The zip file is compressed far more than an export can be, which is how "
                    "harmful files are built. It was not opened."
                )
            limit = min(limits.max_unpacked_bytes, max(info.compress_size, 1) * limits.max_ratio)
            try:
                member = archive.open(info)
            except (
                zipfile.BadZipFile,
                NotImplementedError,
                zlib.error,
                EOFError,
                OSError,
                ValueError,
            ) as error:
                raise ImportFileError(DAMAGED) from error
            with member:
                yield MemberStream(raw, member, limit=limit)  # type: ignore[arg-type]


def too_big_message(limit: int) -> str:
    return (
        f"The file is larger than Interlude accepts ({limit // 1024**2:,} MB). "
        "Export a shorter period, or ask your practice for help."
    )
