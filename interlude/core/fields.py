"""EncryptedTextField: clinical free text encrypted at rest with AES-256-GCM (SR-24).

The database column holds `v2:<data key id>:<base64>` for rows with a client (encrypted with that
client's data key, ADR 0017) and `v1:<key id>:<base64>` otherwise (the key ring); both are read.
Python code sees plain `str`; a value whose data key was destroyed raises `DataKeyDestroyed`.
The associated data binds each ciphertext to its model, field, row and practice, so a ciphertext
pasted into another row (or another practice's row) fails to decrypt instead of showing the wrong
person's text. Falsy values round-trip: "" is encrypted like any other string; only None is
stored as NULL.

Rows are identified by a `public_id` UUID assigned when the object is created (the primary key
does not exist yet when a new row is encrypted). Models using this field need `public_id` and
`practice_id` attributes.

EncryptedJSONField is the same field for small structured values (a questionnaire's item answers
and flags): the column holds the ciphertext of the compact JSON text; Python code sees the decoded
value.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from interlude.core.data_keys import decrypt_any, encrypt_for_client

CIPHERTEXT_PREFIXES = ("v1:", "v2:")


class Ciphertext(str):
    """A value as loaded from the database, not yet decrypted."""

    __slots__ = ()


def row_aad(instance: models.Model, field_name: str) -> str:
    meta = instance._meta
    return (
        f"{meta.app_label}.{meta.model_name}.{field_name}"
        f":{instance.public_id}:{instance.practice_id}"  # type: ignore[attr-defined]
    )


class _DecryptingDescriptor:
    def __init__(self, field: EncryptedTextField) -> None:
        self.field = field

    def __get__(self, instance: models.Model | None, owner: Any = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__.get(self.field.attname)
        if isinstance(value, Ciphertext):
            value = self.field.decode(decrypt_any(value, aad=row_aad(instance, self.field.name)))
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance: models.Model, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    description = "Text encrypted with AES-256-GCM, bound to its row"

    def contribute_to_class(self, cls: Any, name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)
        setattr(cls, self.attname, _DecryptingDescriptor(self))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return None if value is None else Ciphertext(value)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if value is None:
            return None
        return encrypt_for_client(
            self.encode(value),
            aad=row_aad(model_instance, self.name),
            client_id=getattr(model_instance, "client_id", None),
        )

    def encode(self, value: Any) -> str:
        return str(value)

    def decode(self, text: str) -> Any:
        return text

    def get_prep_value(self, value: Any) -> Any:
        # Values arrive here already encrypted by pre_save. A queryset .update() or a lookup
        # would bring plaintext: refuse it rather than store clinical text in the clear.
        if value is not None and not str(value).startswith(CIPHERTEXT_PREFIXES):
            raise ValueError(
                f"{self.model.__name__}.{self.name} is encrypted: set it on the object and save()"
            )
        return value

    def to_python(self, value: Any) -> Any:
        return value

    def value_to_string(self, obj: models.Model) -> str:
        # Serialisation (dumpdata) keeps the ciphertext, never the plaintext.
        return str(obj.__dict__.get(self.attname) or "")


class EncryptedJSONField(EncryptedTextField):
    """A JSON value (lists, dicts, numbers) encrypted like EncryptedTextField. Not queryable:
    no JSON lookups, no filtering on its content."""

    description = "JSON encrypted with AES-256-GCM, bound to its row"
    # django-stubs reads these to type the attribute: a JSON value, not the TextField's str.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def encode(self, value: Any) -> str:
        return json.dumps(value, separators=(",", ":"))

    def decode(self, text: str) -> Any:
        return json.loads(text)
