"""Re-encrypt stored TOTP and recovery-code seeds with associated data naming their user
(ADR 0016), instead of the one label every row shared. Reversible. Rows already bound (for
instance a second run) are left as they are."""

from __future__ import annotations

from django.db import migrations, transaction

from interlude.core.crypto import DecryptionError, decrypt_text, encrypt_text

LEGACY = "mfa:authenticator-secret"
FIELDS = ("secret", "seed")


def _bound(user_id: int) -> str:
    # Frozen copy of accounts.mfa_secrets.mfa_aad: a migration must not follow later changes.
    return f"{LEGACY}:user:{user_id}"


def _move(token: str, *, old: str, new: str) -> str | None:
    try:
        decrypt_text(token, aad=new)
        return None  # already where it should be
    except DecryptionError:
        return encrypt_text(decrypt_text(token, aad=old), aad=new)


def _recrypt(apps, *, forwards: bool) -> None:
    Authenticator = apps.get_model("mfa", "Authenticator")
    ids = list(Authenticator.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 500):
        with transaction.atomic():
            for auth in Authenticator.objects.select_for_update().filter(
                pk__in=ids[start : start + 500]
            ):
                bound = _bound(auth.user_id)
                old, new = (LEGACY, bound) if forwards else (bound, LEGACY)
                changed = False
                for field in FIELDS:
                    if field in auth.data:
                        moved = _move(auth.data[field], old=old, new=new)
                        if moved is not None:
                            auth.data[field] = moved
                            changed = True
                if "migrated_codes" in auth.data:
                    codes = auth.data["migrated_codes"]
                    moved_codes = [_move(c, old=old, new=new) for c in codes]
                    if any(m is not None for m in moved_codes):
                        auth.data["migrated_codes"] = [
                            m or c for m, c in zip(moved_codes, codes, strict=True)
                        ]
                        changed = True
                if changed:
                    auth.save(update_fields=["data"])


def bind_to_users(apps, schema_editor) -> None:
    _recrypt(apps, forwards=True)


def unbind(apps, schema_editor) -> None:
    _recrypt(apps, forwards=False)


class Migration(migrations.Migration):
    atomic = False  # batches commit on their own; each row is re-encrypted in one transaction

    dependencies = [
        ("accounts", "0001_initial"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(bind_to_users, unbind)]
