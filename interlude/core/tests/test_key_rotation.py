"""rotate_keys re-encrypts every stored secret under the newest key, resumably (SR-25)."""

from __future__ import annotations

import io
import os

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.management import call_command
from django.test import override_settings

from interlude.clinic.invitation_tokens import invitation_token
from interlude.clinic.services import invitation_create_for_staff
from interlude.core.crypto import key_id_of
from interlude.core.key_rotation import rotators
from interlude.practices.encryption import INVITATION_ROTATOR
from interlude.practices.enums import Role
from interlude.practices.models import Invitation
from tests.factories import MembershipFactory, UserFactory

KEY_1 = os.urandom(32)
KEY_2 = os.urandom(32)


def _stored_key_ids() -> list[int]:
    ids = []
    for data in Authenticator.objects.values_list("data", flat=True):
        ids += [key_id_of(data[f]) for f in ("secret", "seed") if f in data]
    ids += [key_id_of(t) for t in Invitation.objects.values_list("token_encrypted", flat=True)]
    return ids


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("rotate_keys", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_rotation_moves_every_secret_to_the_new_key_and_keeps_them_usable():
    owner = MembershipFactory(role=Role.OWNER)
    user = UserFactory()
    with override_settings(ENCRYPTION_KEYS={1: KEY_1}):
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        codes_before = RecoveryCodes.activate(user).generate_codes()
        invitation, token = invitation_create_for_staff(
            actor=owner.user,
            membership=owner,
            email="new@example.org",
            role=Role.CLINICIAN,
            base_url="http://testserver/",
        )
        assert sorted(_stored_key_ids()) == [1, 1, 1]

    with override_settings(ENCRYPTION_KEYS={1: KEY_1, 2: KEY_2}):
        assert "3 ciphertexts still use older keys; keep those keys for now." in _run("--check")
        assert sorted(_stored_key_ids()) == [1, 1, 1]
        output = _run()
        assert "two-step verification secrets: re-encrypted 2 under key 2" in output
        assert "invitation links: re-encrypted 1 under key 2" in output
        assert "Every ciphertext uses key 2; older keys can be retired." in output
        # Running again finds nothing left to do: an interrupted run can simply be repeated.
        assert "re-encrypted 0 under key 2" in _run()

    with override_settings(ENCRYPTION_KEYS={2: KEY_2}):  # the old key is retired
        assert sorted(_stored_key_ids()) == [2, 2, 2]
        totp = TOTP(Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP))
        assert totp.instance.data["secret"].startswith("v1:2:")
        from allauth.mfa.adapter import get_adapter

        from interlude.accounts.mfa_secrets import mfa_secrets_of

        with mfa_secrets_of(user_id=user.pk):  # seeds are bound to their user (ADR 0016)
            assert get_adapter().decrypt(totp.instance.data["secret"]) == secret
        recovery = RecoveryCodes(
            Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
        )
        assert recovery.generate_codes() == codes_before
        invitation.refresh_from_db()
        assert invitation_token(invitation=invitation) == token


@pytest.mark.django_db
def test_an_interrupted_rotation_resumes_where_it_stopped():
    owner = MembershipFactory(role=Role.OWNER)
    with override_settings(ENCRYPTION_KEYS={1: KEY_1}):
        for n in range(3):
            invitation_create_for_staff(
                actor=owner.user,
                membership=owner,
                email=f"p{n}@example.org",
                role=Role.CLINICIAN,
                base_url="http://testserver/",
            )
    with override_settings(ENCRYPTION_KEYS={1: KEY_1, 2: KEY_2}):
        # Simulate a stop after the first batch: rotate one row by hand, as a batch would.
        first = Invitation.objects.order_by("pk").first()
        assert first is not None
        from interlude.core.crypto import reencrypt_text

        first.token_encrypted = reencrypt_text(first.token_encrypted, aad=f"invitation:{first.pk}")
        first.save(update_fields=["token_encrypted"])
        assert INVITATION_ROTATOR.census() == {1: 2, 2: 1}
        assert INVITATION_ROTATOR.rotate(1) == 2
        assert INVITATION_ROTATOR.census() == {2: 3}


def test_every_app_with_ciphertexts_registers_a_rotator():
    assert sorted(r.name for r in rotators()) == [
        "client data keys",
        "clinical text",
        "invitation links",
        "two-step verification secrets",
    ]


@pytest.mark.django_db
def test_rotation_re_encrypts_every_encrypted_text_column_and_keeps_it_readable():
    from interlude.core.data_keys import cache_clear
    from interlude.core.key_rotation import CLINICAL_TEXT_ROTATOR, DATA_KEY_ROTATOR
    from interlude.exercises.models import JournalEntry
    from interlude.tracking.models import CheckIn
    from interlude.tracking.services import CheckInValues, checkin_create
    from tests.factories import ClientFactory

    client = ClientFactory(user=UserFactory())
    with override_settings(ENCRYPTION_KEYS={1: KEY_1}):
        checkin, _ = checkin_create(
            client=client,
            actor=client.user,
            values=CheckInValues(mood=4, note="slept badly"),
            idempotency_key="k",
        )
        entry = JournalEntry.objects.create(
            practice=client.practice,
            client=client,
            title="",
            body="a long day",
            created_by=client.user,
            updated_by=client.user,
        )
        # Client rows are under the client's data key (ADR 0017), which key 1 wraps.
        assert CLINICAL_TEXT_ROTATOR.census() == {}
        assert DATA_KEY_ROTATOR.census() == {1: 1}

    with override_settings(ENCRYPTION_KEYS={1: KEY_1, 2: KEY_2}):
        assert CLINICAL_TEXT_ROTATOR.rotate(1) == 0  # the rows need nothing: only the key moves
        assert DATA_KEY_ROTATOR.rotate(1) == 1
        assert DATA_KEY_ROTATOR.rotate(1) == 0

    with override_settings(ENCRYPTION_KEYS={2: KEY_2}):
        cache_clear()  # unwrap again, with key 2 only
        assert DATA_KEY_ROTATOR.census() == {2: 1}
        assert CheckIn.objects.get(pk=checkin.pk).note == "slept badly"
        fresh = JournalEntry.objects.get(pk=entry.pk)
        assert (fresh.title, fresh.body) == ("", "a long day")
