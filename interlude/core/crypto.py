"""Authenticated encryption (AES-256-GCM) for secrets and clinical free text.

Ciphertext format: `v1:<key id>:<base64(nonce + ciphertext + tag)>`. The key id names which key of
the ring (settings.ENCRYPTION_KEYS, from the environment, never the database) encrypted it, so keys
can be rotated. Associated data binds a ciphertext to where it belongs (model, field, row,
practice): pasted into another row it fails to decrypt instead of showing the wrong person's text.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

PREFIX = "v1"


class DecryptionError(Exception):
    """The ciphertext is damaged, was moved to another row, or its key is not configured."""


def _ring() -> dict[int, bytes]:
    return settings.ENCRYPTION_KEYS


def current_key_id() -> int:
    return max(_ring())


def encrypt_text(plaintext: str, *, aad: str) -> str:
    key_id = current_key_id()
    nonce = os.urandom(12)
    sealed = AESGCM(_ring()[key_id]).encrypt(nonce, plaintext.encode(), aad.encode())
    return f"{PREFIX}:{key_id}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt_text(token: str, *, aad: str) -> str:
    try:
        prefix, key_id_text, body = token.split(":", 2)
        if prefix != PREFIX:
            raise ValueError(prefix)
        key = _ring()[int(key_id_text)]
        raw = base64.b64decode(body, validate=True)
        return AESGCM(key).decrypt(raw[:12], raw[12:], aad.encode()).decode()
    except (ValueError, KeyError, InvalidTag) as exc:
        raise DecryptionError("ciphertext cannot be decrypted with the configured keys") from exc


def key_id_of(token: str) -> int:
    return int(token.split(":", 2)[1])


def reencrypt_text(token: str, *, aad: str) -> str | None:
    """The same plaintext under the current key, or None if `token` already uses it."""
    if key_id_of(token) == current_key_id():
        return None
    return encrypt_text(decrypt_text(token, aad=aad), aad=aad)
