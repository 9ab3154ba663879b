"""Re-encrypting stored ciphertexts under the newest key (SECURITY.md SR-25).

Each app that stores ciphertexts registers a rotator in its AppConfig.ready(). A rotator walks
its rows, re-encrypts whatever is not under the current key, and saves in small transactions, so
`manage.py rotate_keys` can be stopped at any point and run again: finished rows are skipped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass


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


def _encrypted_columns() -> list[tuple[type, list[str]]]:
    """Every model with EncryptedTextField columns, found through the app registry."""
    from django.apps import apps

    from interlude.core.fields import EncryptedTextField

    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.get_fields() if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


def _aad(model: type, field: str, public_id: object, practice_id: object) -> str:
    meta = model._meta  # type: ignore[attr-defined]
    return f"{meta.app_label}.{meta.model_name}.{field}:{public_id}:{practice_id}"


def _rotate_encrypted_fields(batch_size: int) -> int:
    from django.db import transaction

    from interlude.core.crypto import current_key_id, encrypt_text, key_id_of
    from interlude.core.crypto import decrypt_text as _decrypt

    current = current_key_id()
    done = 0
    for model, fields in _encrypted_columns():
        manager = model._default_manager  # type: ignore[attr-defined]
        ids = list(manager.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), batch_size):
            with transaction.atomic():
                rows = (
                    manager.select_for_update()
                    .filter(pk__in=ids[start : start + batch_size])
                    .values_list("pk", "public_id", "practice_id", *fields)
                )
                for pk, public_id, practice_id, *values in rows:
                    changes = {}
                    for field, value in zip(fields, values, strict=True):
                        if value is None or key_id_of(value) == current:
                            continue
                        aad = _aad(model, field, public_id, practice_id)
                        changes[field] = encrypt_text(_decrypt(value, aad=aad), aad=aad)
                    if changes:
                        manager.filter(pk=pk).update(**changes)
                        done += 1
    return done


def _census_encrypted_fields() -> Counter[int]:
    from interlude.core.crypto import key_id_of

    counts: Counter[int] = Counter()
    for model, fields in _encrypted_columns():
        for values in model._default_manager.values_list(*fields):  # type: ignore[attr-defined]
            counts.update(key_id_of(v) for v in values if v is not None)
    return counts


CLINICAL_TEXT_ROTATOR = Rotator(
    name="clinical text", rotate=_rotate_encrypted_fields, census=_census_encrypted_fields
)
