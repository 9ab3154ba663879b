"""Personal access tokens for a client's apps and devices: create, authenticate, revoke, list.

A token reads `itk_<prefix>_<secret>`. Only the sha256 of the whole token is stored; the prefix
(unique, not secret) finds the row and the hash is compared in constant time. The raw token is
returned once, by `token_create`, and never again. Staff (anyone with a practice membership)
cannot have or use one: their access needs two-step verification and idle time-outs.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from interlude.accounts.models import User
from interlude.audit.services import event_token_created, event_token_revoked
from interlude.core.errors import ApplicationError
from interlude.interop.enums import TokenScope
from interlude.interop.models import AccessToken
from interlude.practices.models import Client, Membership

TOKEN_PREFIX = "itk_"  # noqa: S105  # nosec B105 - the public marker, not a secret
PREFIX_BYTES = 6  # 12 hex characters: the visible, unique part
SECRET_BYTES = 32
MAX_LIFETIME = timedelta(days=366)  # "at most a year", leap years included
NAME_MAX = 60
# last_used_at is written at most this often, so authenticating stays a read.
LAST_USED_EVERY = timedelta(minutes=1)

MSG_STAFF = "Practice team members cannot have access tokens."
MSG_NOT_CLIENT = "Only clients can have access tokens."
MSG_NAME = "Give the token a name (up to 60 characters)."
MSG_SCOPES = "Choose at least one thing the token may do."
MSG_EXPIRY_PAST = "The expiry date must be in the future."
MSG_EXPIRY_LONG = "A token can last at most one year."


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def token_user_is_staff(*, user: User) -> bool:
    """Anyone with a practice membership (active or not) is staff and can have no token."""
    return Membership.objects.filter(user_id=user.pk).exists()


def _is_staff(user: User) -> bool:
    return token_user_is_staff(user=user)


def _scopes(scopes: Sequence[TokenScope | str]) -> list[str]:
    valid = set(TokenScope.values)
    out: list[str] = []
    for scope in scopes:
        value = str(scope.value if isinstance(scope, TokenScope) else scope)
        if value not in valid:
            raise ApplicationError(f"Unknown scope {value!r}.", field="scopes")
        if value not in out:
            out.append(value)
    if not out:
        raise ApplicationError(MSG_SCOPES, field="scopes")
    return sorted(out)


def token_create(
    *,
    user: User,
    client: Client,
    name: str,
    scopes: Sequence[TokenScope | str],
    expires_at: datetime,
    now: datetime | None = None,
) -> tuple[AccessToken, str]:
    """Create a token for the client's own user; returns the row and the raw token (shown once)."""
    now = now or timezone.now()
    if not user.is_active or _is_staff(user):
        raise ApplicationError(MSG_STAFF if user.is_active else MSG_NOT_CLIENT)
    if client.user_id is None or client.user_id != user.pk:
        raise ApplicationError(MSG_NOT_CLIENT)
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise ApplicationError(MSG_NAME, field="name")
    scope_values = _scopes(scopes)
    if expires_at <= now:
        raise ApplicationError(MSG_EXPIRY_PAST, field="expires_at")
    if expires_at - now > MAX_LIFETIME:
        raise ApplicationError(MSG_EXPIRY_LONG, field="expires_at")
    for _attempt in range(5):
        prefix = secrets.token_hex(PREFIX_BYTES)
        raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
        try:
            with transaction.atomic():
                token = AccessToken.objects.create(
                    practice_id=client.practice_id,
                    client=client,
                    user=user,
                    name=name,
                    prefix=prefix,
                    key_hash=_hash(raw),
                    scopes=scope_values,
                    created_at=now,
                    expires_at=expires_at,
                )
                event_token_created(
                    actor=user, client=client, token_id=str(token.public_id), scopes=scope_values
                )
        except IntegrityError:  # a prefix taken already (2^48 of them): draw again
            continue
        return token, raw
    raise ApplicationError("The token could not be created; please try again.")


def _parse(raw: str) -> str | None:
    """The prefix of a well-formed token, or None."""
    if not isinstance(raw, str) or len(raw) > 200 or not raw.startswith(TOKEN_PREFIX):
        return None
    parts = raw[len(TOKEN_PREFIX) :].split("_", 1)
    if len(parts) != 2 or not parts[1]:
        return None
    prefix = parts[0]
    if len(prefix) != PREFIX_BYTES * 2 or any(c not in "0123456789abcdef" for c in prefix):
        return None
    return prefix


def token_authenticate(*, raw: str, now: datetime | None = None) -> tuple[User, AccessToken] | None:
    """The token's user and row, or None for an unknown, revoked, expired or malformed token, or
    a user who is inactive or staff. Notes the use at most once a minute."""
    prefix = _parse(raw)
    if prefix is None:
        return None
    token = AccessToken.objects.select_related("user", "client").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(_hash(raw), token.key_hash):
        return None
    now = now or timezone.now()
    if token.revoked_at is not None or token.expires_at <= now:
        return None
    user = token.user
    if not user.is_active or token.client.user_id != user.pk or _is_staff(user):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return user, token


def token_revoke(*, user: User, token_id: uuid.UUID, now: datetime | None = None) -> AccessToken:
    """Revoke one of the user's own tokens (404 for anyone else's). Revoking twice is harmless."""
    now = now or timezone.now()
    with transaction.atomic():
        token = (
            AccessToken.objects.select_for_update()
            .select_related("client")
            .filter(public_id=token_id, user_id=user.pk)
            .first()
        )
        if token is None:
            raise Http404
        if token.revoked_at is None:
            token.revoked_at = now
            token.save(update_fields=["revoked_at"])
            event_token_revoked(actor=user, client=token.client, token_id=str(token.public_id))
    return token


def tokens_for_user(*, user: User) -> list[AccessToken]:
    """The user's tokens, newest first (revoked ones included, so the page can say so)."""
    return list(AccessToken.objects.filter(user_id=user.pk).order_by("-created_at", "-pk"))


def token_is_active(*, token: AccessToken, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return token.revoked_at is None and token.expires_at > now
