"""TOTP and recovery-code seeds are bound to their user (ADR 0016): moved to another user's
authenticator they do not decrypt; existing seeds are migrated to the user-bound form."""

from __future__ import annotations

import ast
import importlib
import inspect
import time
from pathlib import Path

import allauth.mfa
import pytest
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.apps import apps as django_apps
from django.test import Client

from interlude.accounts.mfa_secrets import (
    LEGACY_MFA_AAD,
    mfa_aad,
    mfa_secrets_of,
    wrapped_methods,
)
from interlude.core.crypto import DecryptionError, decrypt_text, encrypt_text
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module(
    "interlude.accounts.migrations.0002_bind_mfa_secrets_to_their_user"
)


def _code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _totp_of(user) -> TOTP:
    return TOTP(Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP))


def test_a_seed_pasted_into_another_users_authenticator_does_not_decrypt():
    alice, bob = UserFactory(), UserFactory()
    TOTP.activate(alice, generate_totp_secret())
    bob_secret = generate_totp_secret()
    TOTP.activate(bob, bob_secret)
    stolen = _totp_of(bob).instance.data["secret"]

    row = _totp_of(alice).instance
    row.data["secret"] = stolen
    row.save(update_fields=["data"])

    # Bob's code (which an attacker who swapped the rows would know) does not open Alice's account.
    assert _totp_of(alice).validate_code(_code(bob_secret)) is False
    with mfa_secrets_of(user_id=alice.pk), pytest.raises(DecryptionError):
        get_mfa_adapter().decrypt(stolen)
    with mfa_secrets_of(user_id=bob.pk):
        assert get_mfa_adapter().decrypt(stolen) == bob_secret


def test_recovery_codes_are_bound_to_their_user_too():
    alice, bob = UserFactory(), UserFactory()
    RecoveryCodes.activate(alice)
    bob_codes = RecoveryCodes.activate(bob)
    bob_seed = bob_codes.instance.data["seed"]
    codes = bob_codes.generate_codes()

    alice_row = Authenticator.objects.get(user=alice, type=Authenticator.Type.RECOVERY_CODES)
    alice_row.data["seed"] = bob_seed
    alice_row.save(update_fields=["data"])

    assert RecoveryCodes(alice_row).validate_code(codes[0]) is False
    assert RecoveryCodes(
        Authenticator.objects.get(user=bob, type=Authenticator.Type.RECOVERY_CODES)
    ).validate_code(codes[0])


def test_signing_in_with_a_user_bound_totp_still_works():
    clinician = MembershipFactory(user=UserFactory(mfa_exempt=False)).user
    secret = generate_totp_secret()
    TOTP.activate(clinician, secret)
    browser = Client()
    first = browser.post("/accounts/login/", {"login": clinician.email, "password": PASSWORD})
    assert first.status_code == 302
    second = browser.post(first["Location"], {"code": _code(secret)})
    assert second.status_code == 302
    assert browser.session["_auth_user_id"] == str(clinician.pk)


def test_the_adapter_refuses_to_work_without_knowing_the_user():
    with pytest.raises(RuntimeError, match="without knowing whose it is"):
        get_mfa_adapter().encrypt("JBSWY3DPEHPK3PXP")


def test_the_migration_binds_existing_seeds_to_their_user_and_back():
    user = UserFactory()
    secret = generate_totp_secret()
    legacy_seed = "ab" * 40
    Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.TOTP,
        data={"secret": encrypt_text(secret, aad=LEGACY_MFA_AAD)},
    )
    Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.RECOVERY_CODES,
        data={
            "seed": encrypt_text(legacy_seed, aad=LEGACY_MFA_AAD),
            "used_mask": 0,
            "migrated_codes": [encrypt_text("12345678", aad=LEGACY_MFA_AAD)],
        },
    )

    migration.bind_to_users(django_apps, None)
    once = dict(Authenticator.objects.values_list("type", "data"))
    migration.bind_to_users(django_apps, None)  # a second run changes nothing

    assert dict(Authenticator.objects.values_list("type", "data")) == once
    bound = mfa_aad(user_id=user.pk)
    assert decrypt_text(once["totp"]["secret"], aad=bound) == secret
    assert decrypt_text(once["recovery_codes"]["seed"], aad=bound) == legacy_seed
    assert decrypt_text(once["recovery_codes"]["migrated_codes"][0], aad=bound) == "12345678"
    assert _totp_of(user).validate_code(_code(secret)) is True

    migration.unbind(django_apps, None)
    back = dict(Authenticator.objects.values_list("type", "data"))
    assert decrypt_text(back["totp"]["secret"], aad=LEGACY_MFA_AAD) == secret


def _allauth_call_sites() -> set[tuple[str, str]]:
    """(class, method) of every allauth.mfa function that calls encrypt() or decrypt()."""
    root = Path(inspect.getfile(allauth.mfa)).parent
    found: set[tuple[str, str]] = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or path.name in {"adapter.py", "utils.py"}:
            continue
        tree = ast.parse(path.read_text())
        for cls in [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]:
            for func in [n for n in cls.body if isinstance(n, ast.FunctionDef)]:
                for call in [n for n in ast.walk(func) if isinstance(n, ast.Call)]:
                    name = getattr(call.func, "id", None) or getattr(call.func, "attr", None)
                    if name in {"encrypt", "decrypt"}:
                        found.add((cls.name, func.name))
        for func in [n for n in tree.body if isinstance(n, ast.FunctionDef)]:
            for call in [n for n in ast.walk(func) if isinstance(n, ast.Call)]:
                if getattr(call.func, "id", None) in {"encrypt", "decrypt"}:
                    found.add(("<module>", func.name))
    return found


def test_every_allauth_call_site_runs_with_its_user_known():
    # If an allauth upgrade adds a call site, this fails until mfa_secrets wraps it.
    wrapped = {(cls.__name__, name) for cls, name in wrapped_methods()}
    sites = _allauth_call_sites()
    assert ("TOTP", "activate") in sites  # the scan does find them
    assert sites <= wrapped
