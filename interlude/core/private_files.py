"""Folders only the server's own user can read (0700), for files that hold a client's data
while they wait: exports and reports to download, uploads to import."""

from __future__ import annotations

import os
from pathlib import Path


def private_dir(path: Path | str) -> Path:
    """`path`, made if missing and tightened to 0700 if it is looser."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if folder.stat().st_mode & 0o077:
        os.chmod(folder, 0o700)
    return folder


def private_file_delete(path: Path | None) -> bool:
    """Delete a waiting file (None: a name we would never have made); True if it was there."""
    if path is None:
        return False
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
