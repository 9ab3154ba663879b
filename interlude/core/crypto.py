"""Authenticated encryption (AES-256-GCM) for secrets and clinical free text.

Ciphertext formats:
- `v1:<key id>:<base64(nonce + ciphertext + tag)>`: encrypted directly by a key of the ring
  (settings.ENCRYPTION_KEYS, from the environment, never the database); the key id says which,
  so keys can be rotated.
- `v2:<data key id>:<base64(nonce + ciphertext + tag)>`: encrypted by a client's data key, which
  is itself stored wrapped by the ring (envelope encryption, ADR 0017; core/data_keys.py finds
  the key). This module only does the AES part for a key it is given.

Associated data binds a ciphertext to where it belongs (model, field, row, practice): pasted into
another row it fails to decrypt instead of showing the wrong person's text.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

PREFIX = "v1"
DATA_KEY_PREFIX = "v2"
DATA_KEY_BYTES = 32


class DecryptionError(Exception):
    """The ciphertext is damaged, was moved to another row, or its key is not configured."""


class DataKeyDestroyed(DecryptionError):
    """The ciphertext was encrypted with a client's data key that has been destroyed (the
    client's account was closed): it can never be read again."""


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


# --- envelope encryption: the AES part, for a data key the caller supplies ------------------------
def new_data_key() -> bytes:
    return os.urandom(DATA_KEY_BYTES)


def encrypt_with_data_key(plaintext: str, *, aad: str, key_id: str, key: bytes) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), aad.encode())
    return f"{DATA_KEY_PREFIX}:{key_id}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt_with_data_key(token: str, *, aad: str, key: bytes) -> str:
    try:
        prefix, _key_id, body = token.split(":", 2)
        if prefix != DATA_KEY_PREFIX:
            raise ValueError(prefix)
        raw = base64.b64decode(body, validate=True)
        return AESGCM(key).decrypt(raw[:12], raw[12:], aad.encode()).decode()
    except (ValueError, InvalidTag) as exc:
        raise DecryptionError("ciphertext cannot be decrypted with its data key") from exc


def format_of(token: str) -> str:
    """ "v1" (the ring) or "v2" (a client's data key); ValueError for anything else."""
    prefix = token.split(":", 1)[0]
    if prefix not in (PREFIX, DATA_KEY_PREFIX):
        raise ValueError("not a ciphertext")
    return prefix


def data_key_id_of(token: str) -> str:
    prefix, key_id, _body = token.split(":", 2)
    if prefix != DATA_KEY_PREFIX or not key_id:
        raise ValueError("not a data-key ciphertext")
    return key_id


def wrap_data_key(key: bytes, *, aad: str) -> str:
    """The data key encrypted by the ring's current key (v1 format)."""
    return encrypt_text(base64.b64encode(key).decode(), aad=aad)


def unwrap_data_key(wrapped: str, *, aad: str) -> bytes:
    key = base64.b64decode(decrypt_text(wrapped, aad=aad))
    if len(key) != DATA_KEY_BYTES:
        raise DecryptionError("a data key must be 32 bytes")
    return key
