"""Re-encrypting stored ciphertexts under the newest key (SECURITY.md SR-25, ADR 0017).

Each app that stores ciphertexts registers a rotator in its AppConfig.ready(). A rotator walks
its rows, re-encrypts whatever is not under the current key, and saves in small transactions, so
`manage.py rotate_keys` can be stopped at any point and run again: finished rows are skipped.

The "clinical text" rotator moves every EncryptedTextField value to where it belongs: a client's
rows to the client's data key (envelope encryption), other rows to the ring's newest key. It
records per table the last primary key done (`KeyRotationProgress`), so a stopped run resumes
there. The "client data keys" rotator re-wraps the data keys themselves when the ring rotates;
rows under data keys are not touched by a ring rotation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rotator:
    name: str
    # rotate(batch_size) -> rows re-encrypted; census() -> ciphertexts per key id
    rotate: Callable[[int], int]
    census: Callable[[], Counter[int]]


_ROTATORS: dict[str, Rotator] = {}


def register_rotator(rotator: Rotator) -> None:
    _ROTATORS[rotator.name] = rotator


def rotators() -> list[Rotator]:
    return list(_ROTATORS.values())


def _is_encrypted(field: object) -> bool:
    from interlude.core.fields import EncryptedTextField

    return isinstance(field, EncryptedTextField)


def _encrypted_columns() -> list[tuple[type, list[str]]]:
    """Every model with EncryptedTextField columns, found through the app registry."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.get_fields() if _is_encrypted(f)]
        if names:
            found.append((model, names))
    return found


def _aad(model: type, field: str, public_id: object, practice_id: object) -> str:
    meta = model._meta  # type: ignore[attr-defined]
    return f"{meta.app_label}.{meta.model_name}.{field}:{public_id}:{practice_id}"


def _has_client(model: type) -> bool:
    return any(f.attname == "client_id" for f in model._meta.concrete_fields)  # type: ignore[attr-defined]


def _target_token(
    value: str,
    *,
    aad: str,
    client_id: int | None,
    ring_key: int,
    memo: dict[int, tuple[str, bytes] | None] | None = None,
) -> str | None:
    """The ciphertext `value` should become, or None if it is already right: a client's value
    under the client's live data key, anything else (no client, or a closed client's kept
    record) under the ring's newest key."""
    from interlude.core import crypto
    from interlude.core.data_keys import data_key_for_client, decrypt_any

    found = None
    if client_id is not None:
        if memo is not None and client_id in memo:
            found = memo[client_id]
        else:
            found = data_key_for_client(client_id=client_id)
            if memo is not None:
                memo[client_id] = found
    kind = crypto.format_of(value)
    if found is not None:
        key_id, key = found
        if kind == crypto.DATA_KEY_PREFIX and crypto.data_key_id_of(value) == key_id:
            return None
        return crypto.encrypt_with_data_key(
            decrypt_any(value, aad=aad), aad=aad, key_id=key_id, key=key
        )
    if kind == crypto.PREFIX and crypto.key_id_of(value) == ring_key:
        return None
    return crypto.encrypt_text(decrypt_any(value, aad=aad), aad=aad)


def encrypted_fields_migrate(
    *, batch_size: int, max_batches: int | None = None, restart: bool = False
) -> int:
    """Move every encrypted column to where it belongs (client rows to their data keys, others to
    the ring's newest key), table by table in primary-key order, one locked batch per
    transaction. Progress (the last primary key done) is saved in the batch's transaction, so a
    run that is killed or stopped by `max_batches` continues there next time. Returns rows
    changed in this run."""
    from django.db import transaction
    from django.utils import timezone

    from interlude.core.crypto import DataKeyDestroyed, current_key_id
    from interlude.core.models import KeyRotationProgress

    ring_key = current_key_id()
    target = f"ring {ring_key}"
    done = 0
    batches = 0
    for model, fields in _encrypted_columns():
        meta = model._meta  # type: ignore[attr-defined]
        task = f"clinical text:{meta.label_lower}"
        if restart:
            KeyRotationProgress.objects.filter(task=task, target=target).delete()
        progress, _ = KeyRotationProgress.objects.get_or_create(task=task, target=target)
        if progress.finished_at is not None:
            continue
        manager = model._default_manager  # type: ignore[attr-defined]
        client_column = ["client_id"] if _has_client(model) else []
        while True:
            if max_batches is not None and batches >= max_batches:
                return done
            with transaction.atomic():
                progress = KeyRotationProgress.objects.select_for_update().get(pk=progress.pk)
                rows = list(
                    manager.select_for_update()
                    .filter(pk__gt=progress.last_pk)
                    .order_by("pk")
                    .values_list("pk", "public_id", "practice_id", *client_column, *fields)[
                        :batch_size
                    ]
                )
                changed = 0
                memo: dict[int, tuple[str, bytes] | None] = {}  # client -> key, this batch
                for row in rows:
                    pk, public_id, practice_id = row[:3]
                    client_id = row[3] if client_column else None
                    values = row[3 + len(client_column) :]
                    changes = {}
                    for field, value in zip(fields, values, strict=True):
                        if value is None:
                            continue
                        aad = _aad(model, field, public_id, practice_id)
                        try:
                            new = _target_token(
                                value,
                                aad=aad,
                                client_id=client_id,
                                ring_key=ring_key,
                                memo=memo,
                            )
                        except DataKeyDestroyed:
                            continue  # shredded: nothing left to move
                        if new is not None:
                            changes[field] = new
                    if changes:
                        manager.filter(pk=pk).update(**changes)
                        changed += 1
                if rows:
                    progress.last_pk = rows[-1][0]
                progress.rows_changed += changed
                if len(rows) < batch_size:
                    progress.finished_at = timezone.now()
                progress.save()
            done += changed
            batches += 1 if rows else 0
            if progress.finished_at is not None:
                break
    return done


def rows_to_key_ring(*, queryset: Any) -> int:
    """Re-encrypt the encrypted columns of these rows under the key ring (v1, newest key), e.g.
    the records a practice keeps when a client's data key is about to be destroyed. Call inside
    the transaction that destroys the key. Returns rows changed."""
    from interlude.core import crypto
    from interlude.core.data_keys import decrypt_any

    model = queryset.model
    fields = [f.name for f in model._meta.get_fields() if _is_encrypted(f)]
    if not fields:
        return 0
    ring_key = crypto.current_key_id()
    changed = 0
    for pk, public_id, practice_id, *values in queryset.select_for_update().values_list(
        "pk", "public_id", "practice_id", *fields
    ):
        changes = {}
        for field, value in zip(fields, values, strict=True):
            if value is None:
                continue
            if crypto.format_of(value) == crypto.PREFIX and crypto.key_id_of(value) == ring_key:
                continue
            aad = _aad(model, field, public_id, practice_id)
            changes[field] = crypto.encrypt_text(decrypt_any(value, aad=aad), aad=aad)
        if changes:
            model._default_manager.filter(pk=pk).update(**changes)
            changed += 1
    return changed


def _rotate_encrypted_fields(batch_size: int) -> int:
    return encrypted_fields_migrate(batch_size=batch_size)


def _census_encrypted_fields() -> Counter[int]:
    """Ciphertexts encrypted by the ring directly, per ring key id (client data keys are counted
    by `encrypted_fields_on_data_keys`)."""
    from interlude.core.crypto import PREFIX, format_of, key_id_of

    counts: Counter[int] = Counter()
    for model, fields in _encrypted_columns():
        for values in model._default_manager.values_list(*fields):  # type: ignore[attr-defined]
            counts.update(key_id_of(v) for v in values if v is not None and format_of(v) == PREFIX)
    return counts


def encrypted_fields_on_data_keys() -> int:
    from interlude.core.crypto import DATA_KEY_PREFIX, format_of

    total = 0
    for model, fields in _encrypted_columns():
        for values in model._default_manager.values_list(*fields):  # type: ignore[attr-defined]
            total += sum(1 for v in values if v is not None and format_of(v) == DATA_KEY_PREFIX)
    return total


def encrypted_fields_of_clients_on_ring() -> int:
    """Client rows still encrypted by the ring although the client has a live (or no) data key:
    what `rotate_keys` has yet to move to data keys."""
    from interlude.core.crypto import PREFIX, format_of
    from interlude.core.models import ClientDataKey

    closed = set(
        ClientDataKey.objects.filter(destroyed_at__isnull=False).values_list("client_id", flat=True)
    )
    total = 0
    for model, fields in _encrypted_columns():
        if not _has_client(model):
            continue
        for client_id, *values in model._default_manager.values_list(  # type: ignore[attr-defined]
            "client_id", *fields
        ):
            if client_id is None or client_id in closed:
                continue
            total += sum(1 for v in values if v is not None and format_of(v) == PREFIX)
    return total


def _rewrap_data_keys(batch_size: int) -> int:
    from interlude.core.data_keys import data_keys_rewrap

    return data_keys_rewrap(batch_size)


def _census_data_keys() -> Counter[int]:
    from interlude.core.data_keys import data_keys_census

    return data_keys_census()


DATA_KEY_ROTATOR = Rotator(
    name="client data keys", rotate=_rewrap_data_keys, census=_census_data_keys
)


CLINICAL_TEXT_ROTATOR = Rotator(
    name="clinical text", rotate=_rotate_encrypted_fields, census=_census_encrypted_fields
)
