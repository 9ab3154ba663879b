"""Key rotation for invitation tokens. Registered in PracticesConfig.ready()."""

from __future__ import annotations

from collections import Counter

from django.db import transaction

from interlude.core.crypto import key_id_of, reencrypt_text
from interlude.core.key_rotation import Rotator
from interlude.practices.models import Invitation


def _rotate(batch_size: int) -> int:
    done = 0
    ids = list(
        Invitation.objects.exclude(token_encrypted="").order_by("pk").values_list("pk", flat=True)  # nosec B106 # "" = no token, not a password
    )
    for start in range(0, len(ids), batch_size):
        with transaction.atomic():
            for invitation in Invitation.objects.select_for_update().filter(
                pk__in=ids[start : start + batch_size]
            ):
                new = reencrypt_text(invitation.token_encrypted, aad=f"invitation:{invitation.pk}")
                if new is not None:
                    invitation.token_encrypted = new
                    invitation.save(update_fields=["token_encrypted"])
                    done += 1
    return done


def _census() -> Counter[int]:
    tokens = Invitation.objects.exclude(token_encrypted="").values_list(  # nosec B106 # "" = no token
        "token_encrypted", flat=True
    )
    return Counter(key_id_of(t) for t in tokens)


INVITATION_ROTATOR = Rotator(name="invitation links", rotate=_rotate, census=_census)
