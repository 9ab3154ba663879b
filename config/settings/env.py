"""Small helpers that turn environment variables into settings. No Django imports here."""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import stat
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


def private_dir(path: Path) -> Path:
    """Create `path` readable by its owner only (0700), or tighten it if it already exists: a
    directory made beforehand with the usual 0755 would show the database to every local user."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    _tighten(path, 0o700)
    return path


def private_file(path: Path) -> Path:
    """Create `path` empty with mode 0600 if missing, or tighten it if it exists. For the SQLite
    database: SQLite gives its -wal and -shm files the database file's mode, and an empty file is
    a valid new database."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    _tighten(path, 0o600)
    return path


def _tighten(path: Path, mode: int) -> None:
    # chmod as well as the mode given at creation: the umask may have taken bits away or a file
    # made earlier may have more.
    if stat.S_IMODE(path.stat().st_mode) == mode:
        return
    try:
        os.chmod(path, mode)
    except PermissionError as exc:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"{path} must be readable by its owner only (chmod {mode:o} {path}), "
            "and this process may not change it. Run Interlude as the owner of its data directory."
        ) from exc


def load_or_create_secret(path: Path, *, kind: str = "token") -> str:
    """Read a secret kept in the data directory, creating it (mode 0600) on first use."""
    if path.exists():
        _tighten(path, 0o600)
        return path.read_text().strip()
    value = (
        base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        if kind == "aes256"
        else secrets.token_urlsafe(64)
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    _tighten(path, 0o600)
    return value


def parse_key_ring(
    text: str,
    *,
    name: str = "INTERLUDE_ENCRYPTION_KEYS",
    what: str = "Encryption key",
    purpose: str = "AES-256",
) -> dict[int, bytes]:
    """Parse `1:<base64 key>,2:<base64 key>` into {1: key, 2: key}; every key must be 32 bytes.

    `name` (the variable) and `what` (its keys) word the errors."""
    from django.core.exceptions import ImproperlyConfigured

    ring: dict[int, bytes] = {}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        key_id, sep, b64 = part.partition(":")
        if not sep or not key_id.isdigit():
            raise ImproperlyConfigured(f"{name} must look like '1:<base64 key>,2:<base64 key>'.")
        try:
            key = base64.urlsafe_b64decode(b64.strip())
        except ValueError as exc:
            raise ImproperlyConfigured(f"{what} {key_id} is not valid base64.") from exc
        if len(key) != 32:
            raise ImproperlyConfigured(
                f"{what} {key_id} must be 32 bytes ({purpose}); it is {len(key)}."
            )
        if int(key_id) in ring:
            raise ImproperlyConfigured(f"{what} {key_id} is listed twice.")
        ring[int(key_id)] = key
    if not ring:
        raise ImproperlyConfigured(f"{name} holds no key.")
    return ring


def mailers_from_url(url: str) -> dict[str, Any]:
    """`smtp://user:pass@host:587?tls=1` (or `smtps://` for implicit TLS) -> Django's MAILERS.

    With no URL, email goes to the console so a developer sees invitations and resets.
    """
    if not url:
        return {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"}:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("EMAIL_URL must start with smtp:// or smtps://")
    query = parse_qs(parts.query)
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": parts.hostname or "localhost",
                "port": parts.port or (465 if parts.scheme == "smtps" else 587),
                "username": unquote(parts.username or ""),
                "password": unquote(parts.password or ""),
                "use_ssl": parts.scheme == "smtps",
                "use_tls": parts.scheme == "smtp" and query.get("tls", ["1"])[0] == "1",
                "timeout": 20,
            },
        }
    }
