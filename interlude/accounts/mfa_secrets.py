"""Bind each stored TOTP and recovery-code seed to its user (ADR 0016).

allauth's MFA adapter hooks are `encrypt(text)` and `decrypt(text)`: they are not told whose
secret it is. Every allauth call site that encrypts or decrypts runs inside a TOTP or
RecoveryCodes method that knows the user (`user` argument or `self.instance.user_id`), so those
methods are wrapped to put the user id in a context variable for the adapter, which makes it part
of the associated data. A seed pasted into another user's authenticator then fails to decrypt.
The adapter refuses to work without a user (no silent fallback to a shared label).
`accounts/tests/test_mfa_binding.py` checks that every allauth call site is wrapped.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from interlude.core.crypto import DecryptionError

log = logging.getLogger(__name__)

# The label used before secrets were bound to users; only the data migration and the legacy
# branch of key rotation read it.
LEGACY_MFA_AAD = "mfa:authenticator-secret"

_owner: ContextVar[int | None] = ContextVar("interlude_mfa_secret_owner", default=None)


def mfa_aad(*, user_id: int) -> str:
    """Associated data for the MFA secrets of one user."""
    return f"{LEGACY_MFA_AAD}:user:{user_id}"


def current_mfa_aad() -> str:
    user_id = _owner.get()
    if user_id is None:
        raise RuntimeError(
            "An MFA secret was encrypted or decrypted without knowing whose it is; wrap the call "
            "in mfa_secrets_of(user_id=...)."
        )
    return mfa_aad(user_id=user_id)


@contextmanager
def mfa_secrets_of(*, user_id: int) -> Iterator[None]:
    """Within this block the MFA adapter encrypts and decrypts for `user_id`."""
    token = _owner.set(user_id)
    try:
        yield
    finally:
        _owner.reset(token)


def _for_instance(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        with mfa_secrets_of(user_id=self.instance.user_id):
            return method(self, *args, **kwargs)

    wrapper._interlude_binds_user = True  # type: ignore[attr-defined]
    return wrapper


def _validating(method: Callable[..., Any]) -> Callable[..., Any]:
    """validate_code: a seed that does not decrypt for this user (moved from another row, or
    damaged) is a failed code, logged loudly, not a server error on the sign-in page."""
    bound = _for_instance(method)

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return bound(self, *args, **kwargs)
        except DecryptionError:
            log.error(
                "MFA secret of authenticator %s does not decrypt for its user",
                self.instance.pk,
            )
            return False

    wrapper._interlude_binds_user = True  # type: ignore[attr-defined]
    return wrapper


def _for_user_argument(func: Callable[..., Any]) -> classmethod[Any, Any, Any]:
    @functools.wraps(func)
    def wrapper(cls: Any, user: Any, *args: Any, **kwargs: Any) -> Any:
        with mfa_secrets_of(user_id=user.pk):
            return func(cls, user, *args, **kwargs)

    wrapper._interlude_binds_user = True  # type: ignore[attr-defined]
    return classmethod(wrapper)


# (class, method name) pairs of allauth that reach encrypt() or decrypt().
def wrapped_methods() -> list[tuple[type, str]]:
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    return [
        (TOTP, "activate"),
        (TOTP, "validate_code"),
        (RecoveryCodes, "activate"),
        (RecoveryCodes, "_get_migrated_codes"),
        (RecoveryCodes, "generate_codes"),
        (RecoveryCodes, "validate_code"),
    ]


def install() -> None:
    """Wrap allauth's methods once (AccountsConfig.ready)."""
    for cls, name in wrapped_methods():
        current = cls.__dict__[name]
        inner = current.__func__ if isinstance(current, classmethod) else current
        if getattr(inner, "_interlude_binds_user", False):
            continue
        if isinstance(current, classmethod):
            setattr(cls, name, _for_user_argument(inner))
        elif name == "validate_code":
            setattr(cls, name, _validating(current))
        else:
            setattr(cls, name, _for_instance(current))
