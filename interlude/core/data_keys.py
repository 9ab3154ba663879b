"""Per-client data keys: envelope encryption of a client's fields (ADR 0017, SECURITY.md SR-47).

Each client has one data key (DEK), a random 256-bit AES key created on the first encrypted write
for that client and stored only wrapped by the key ring (`ClientDataKey.wrapped`, v1 format, bound
to the client and the key's id). Ciphertexts under it read `v2:<key id>:<base64>`, so a value can
be decrypted knowing only the token and its associated data, without loading its row's client.

Unwrapped keys live in a small per-process cache (bounded, with a time limit). The map from a
client to its key id is filled only after the transaction that created or read the key commits,
so a rolled-back key is never used for a later write. Destroying a key (account closure) empties
`wrapped`, evicts it from this process's caches, and makes every ciphertext under it unreadable:
reads raise `DataKeyDestroyed`.

Rows with no client (invitation tokens, MFA secrets) and the kept records of a closed client are
encrypted by the key ring directly (v1), as before.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone

from interlude.core import crypto
from interlude.core.crypto import DataKeyDestroyed, DecryptionError

CACHE_SIZE = 1024
CACHE_SECONDS = 300.0


class KeyCache[K, V]:
    """A thread-safe LRU map with a time limit per entry."""

    def __init__(
        self,
        *,
        max_size: int = CACHE_SIZE,
        ttl_seconds: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_size = max_size
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._items: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, name: K) -> V | None:
        with self._lock:
            item = self._items.get(name)
            if item is None:
                return None
            stored_at, value = item
            if self._clock() - stored_at > self.ttl_seconds:
                del self._items[name]
                return None
            self._items.move_to_end(name)
            return value

    def put(self, name: K, value: V) -> None:
        with self._lock:
            self._items[name] = (self._clock(), value)
            self._items.move_to_end(name)
            while len(self._items) > self.max_size:
                self._items.popitem(last=False)

    def discard(self, name: K) -> None:
        with self._lock:
            self._items.pop(name, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


# key id -> unwrapped key. Key ids are random and never reused, so an entry for a key whose
# creation was rolled back is harmless: no stored ciphertext names it.
_keys: KeyCache[str, bytes] = KeyCache()
# client id -> key id, filled only after commit (see data_key_for_client).
_client_keys: KeyCache[int, str] = KeyCache()


def cache_clear() -> None:
    _keys.clear()
    _client_keys.clear()


def _wrap_aad(*, client_id: int, key_id: str) -> str:
    return f"client-data-key:{client_id}:{key_id}"


def _unwrap(*, client_id: int, key_id: str, wrapped: str, destroyed: bool) -> bytes:
    if destroyed or not wrapped:
        raise DataKeyDestroyed("this client's data key was destroyed when the account was closed")
    key = crypto.unwrap_data_key(wrapped, aad=_wrap_aad(client_id=client_id, key_id=key_id))
    _keys.put(key_id, key)
    return key


def _remember_client_key(client_id: int, key_id: str) -> None:
    transaction.on_commit(lambda: _client_keys.put(client_id, key_id))


def data_key_for_client(*, client_id: int) -> tuple[str, bytes] | None:
    """The client's live data key as (key id, key), created on first use; None once destroyed
    (a closed account: what the practice kept is encrypted by the key ring)."""
    from interlude.core.models import ClientDataKey

    key_id = _client_keys.get(client_id)
    if key_id is not None:
        key = _keys.get(key_id)
        if key is not None:
            return key_id, key
    row = (
        ClientDataKey.objects.filter(client_id=client_id)
        .values_list("key_id", "wrapped", "destroyed_at")
        .first()
    )
    if row is None:
        new_id = secrets.token_hex(16)
        new_key = crypto.new_data_key()
        wrapped = crypto.wrap_data_key(new_key, aad=_wrap_aad(client_id=client_id, key_id=new_id))
        try:
            with transaction.atomic():
                ClientDataKey.objects.create(client_id=client_id, key_id=new_id, wrapped=wrapped)
        except IntegrityError:
            # Another request created it first: use theirs.
            row = (
                ClientDataKey.objects.filter(client_id=client_id)
                .values_list("key_id", "wrapped", "destroyed_at")
                .get()
            )
        else:
            _keys.put(new_id, new_key)
            _remember_client_key(client_id, new_id)
            return new_id, new_key
    key_id, wrapped, destroyed_at = row
    if destroyed_at is not None:
        return None
    key = _keys.get(key_id) or _unwrap(
        client_id=client_id, key_id=key_id, wrapped=wrapped, destroyed=False
    )
    _remember_client_key(client_id, key_id)
    return key_id, key


def _key_by_id(key_id: str) -> bytes:
    from interlude.core.models import ClientDataKey

    key = _keys.get(key_id)
    if key is not None:
        return key
    row = (
        ClientDataKey.objects.filter(key_id=key_id)
        .values_list("client_id", "wrapped", "destroyed_at")
        .first()
    )
    if row is None:
        raise DecryptionError("the data key named by this ciphertext does not exist")
    client_id, wrapped, destroyed_at = row
    return _unwrap(
        client_id=client_id, key_id=key_id, wrapped=wrapped, destroyed=destroyed_at is not None
    )


def encrypt_for_client(plaintext: str, *, aad: str, client_id: int | None) -> str:
    """Under the client's data key; under the key ring when there is no client or the client's
    key was destroyed."""
    if client_id is not None:
        found = data_key_for_client(client_id=client_id)
        if found is not None:
            key_id, key = found
            return crypto.encrypt_with_data_key(plaintext, aad=aad, key_id=key_id, key=key)
    return crypto.encrypt_text(plaintext, aad=aad)


def decrypt_any(token: str, *, aad: str) -> str:
    """Either format. Raises DataKeyDestroyed for a shredded value, DecryptionError otherwise."""
    try:
        kind = crypto.format_of(token)
    except ValueError as exc:
        raise DecryptionError("not a ciphertext") from exc
    if kind == crypto.PREFIX:
        return crypto.decrypt_text(token, aad=aad)
    return crypto.decrypt_with_data_key(
        token, aad=aad, key=_key_by_id(crypto.data_key_id_of(token))
    )


def data_key_destroy(*, client_id: int) -> str | None:
    """Crypto-shred: forget the client's data key for good. Returns its id, or None if the
    client never had one (or it was already destroyed)."""
    from interlude.core.models import ClientDataKey

    with transaction.atomic():
        row = ClientDataKey.objects.select_for_update().filter(client_id=client_id).first()
        if row is None or row.destroyed_at is not None:
            return None
        row.wrapped = ""
        row.destroyed_at = timezone.now()
        row.save(update_fields=["wrapped", "destroyed_at"])
        key_id = row.key_id

        def evict() -> None:
            _keys.discard(key_id)
            _client_keys.discard(client_id)

        evict()
        transaction.on_commit(evict)
    return key_id


# --- rotation of the ring key that wraps the data keys -------------------------------------------
def data_keys_rewrap(batch_size: int) -> int:
    """Re-wrap every live data key under the ring's newest key. Data stays as it is: only the
    32-byte keys are re-encrypted, so a ring rotation does not touch clinical rows."""
    from interlude.core.models import ClientDataKey

    current = crypto.current_key_id()
    done = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            rows = list(
                ClientDataKey.objects.select_for_update()
                .filter(pk__gt=last_pk, destroyed_at__isnull=True)
                .order_by("pk")[:batch_size]
            )
            for row in rows:
                if crypto.key_id_of(row.wrapped) == current:
                    continue
                aad = _wrap_aad(client_id=row.client_id, key_id=row.key_id)
                key = crypto.unwrap_data_key(row.wrapped, aad=aad)
                row.wrapped = crypto.wrap_data_key(key, aad=aad)
                row.save(update_fields=["wrapped"])
                done += 1
        if len(rows) < batch_size:
            return done
        last_pk = rows[-1].pk


def data_keys_census() -> Counter[int]:
    """Live data keys per ring key id that wraps them."""
    from interlude.core.models import ClientDataKey

    wrapped = ClientDataKey.objects.filter(destroyed_at__isnull=True).values_list(
        "wrapped", flat=True
    )
    return Counter(crypto.key_id_of(w) for w in wrapped)
