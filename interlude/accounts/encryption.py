"""Key rotation for the secrets allauth stores through our MFA adapter (TOTP and recovery-code
seeds). Registered in AccountsConfig.ready()."""

from __future__ import annotations

from collections import Counter

from allauth.mfa.models import Authenticator
from django.db import transaction

from interlude.accounts.mfa_secrets import mfa_aad
from interlude.core.crypto import key_id_of, reencrypt_text
from interlude.core.key_rotation import Rotator

_FIELDS = ("secret", "seed")


def _rotate(batch_size: int) -> int:
    done = 0
    ids = list(Authenticator.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        with transaction.atomic():
            for auth in Authenticator.objects.select_for_update().filter(
                pk__in=ids[start : start + batch_size]
            ):
                changed = False
                aad = mfa_aad(user_id=auth.user_id)
                for field in _FIELDS:
                    if field in auth.data:
                        new = reencrypt_text(auth.data[field], aad=aad)
                        if new is not None:
                            auth.data[field] = new
                            changed = True
                if "migrated_codes" in auth.data:
                    codes = [reencrypt_text(c, aad=aad) for c in auth.data["migrated_codes"]]
                    if any(c is not None for c in codes):
                        auth.data["migrated_codes"] = [
                            new or old
                            for new, old in zip(codes, auth.data["migrated_codes"], strict=True)
                        ]
                        changed = True
                if changed:
                    auth.save(update_fields=["data"])
                    done += 1
    return done


def _census() -> Counter[int]:
    counts: Counter[int] = Counter()
    for data in Authenticator.objects.values_list("data", flat=True):
        for field in _FIELDS:
            if field in data:
                counts[key_id_of(data[field])] += 1
        for code in data.get("migrated_codes", []):
            counts[key_id_of(code)] += 1
    return counts


MFA_ROTATOR = Rotator(name="two-step verification secrets", rotate=_rotate, census=_census)
