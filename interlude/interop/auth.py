"""Bearer authentication with a client's personal access token, and what each token may do.

The JSON API accepts either a signed-in session (with its CSRF token for changes) or
`Authorization: Bearer itk_...`. A bearer request needs no CSRF token: a browser never adds the
header by itself, so another site cannot forge one (SR-16's allow-list: token APIs only). A token
never opens a session and is never read by the page views, so it cannot stand in for a
signed-in person anywhere else.

Scopes are checked here, in one place, for every API operation:
- reads (GET, HEAD, OPTIONS) need `read`;
- a change needs the scope named for its route in `WRITE_SCOPES`; any other change is refused.
"""

from __future__ import annotations

import contextlib
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer

from interlude.accounts.models import User
from interlude.core.throttling import SAFE_METHODS
from interlude.interop.enums import TokenScope
from interlude.interop.models import AccessToken
from interlude.interop.tokens import token_authenticate

# The API routes (url names in the "api" namespace) a token may change, and the scope each needs.
WRITE_SCOPES: dict[str, TokenScope] = {
    "observations_push": TokenScope.OBSERVATIONS_WRITE,
    "checkins": TokenScope.CHECKINS_WRITE,
}
ALL_WRITES = "write"  # named in the 403 for a change no token may make

MSG_BAD_TOKEN = "The access token is not valid, has expired or was revoked."  # noqa: S105  # nosec B105
# The AccessToken of a bearer request, kept on the request.
TOKEN_ATTR = "access_token"  # noqa: S105  # nosec B105 - an attribute name


def _missing_scope(scope: str) -> str:
    return f"This access token does not have the '{scope}' scope."


def required_scope(request: HttpRequest) -> str:
    """The scope a token needs for this API request (a TokenScope value, or "write" for a change
    that no token may make)."""
    if request.method in SAFE_METHODS:
        return TokenScope.READ.value
    for name, scope in WRITE_SCOPES.items():
        try:
            if reverse(f"api:{name}") == request.path:
                return scope.value
        except NoReverseMatch:  # pragma: no cover - a route renamed: refuse, never allow
            continue
    return ALL_WRITES


def _bearer(request: HttpRequest) -> str | None:
    """The token of an `Authorization: Bearer ...` header, or None without one."""
    value = request.headers.get("Authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip()


def _become(request: HttpRequest, user: User, token: AccessToken) -> None:
    """The endpoint code sees the token's user as `request.user`, in the client's time zone."""
    request.user = user
    setattr(request, TOKEN_ATTR, token)
    with contextlib.suppress(ValueError, KeyError):  # zones are validated when saved
        timezone.activate(ZoneInfo(token.client.time_zone))


class TokenAuth(HttpBearer):
    """ninja auth: a valid token authenticates its user; a bad one is a 401 (not a fall-through
    to the session, whose CSRF check would answer a confusing 403); a missing scope is a 403."""

    def __call__(self, request: HttpRequest) -> Any:
        raw = _bearer(request)
        if raw is None:
            return None  # no bearer header: the session may authenticate
        return self.authenticate(request, raw)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = token_authenticate(raw=token)
        if found is None:
            raise HttpError(401, MSG_BAD_TOKEN)
        user, row = found
        scope = required_scope(request)
        if scope not in row.scopes:
            raise HttpError(403, _missing_scope(scope))
        _become(request, user, row)
        return user


def request_access_token(request: HttpRequest) -> AccessToken | None:
    """The token a request was authenticated with (None for a session)."""
    return getattr(request, TOKEN_ATTR, None)


def request_token_user(request: HttpRequest, *, scope: TokenScope) -> User | None:
    """For plain Django views (FHIR): the user of a valid bearer token that has `scope`, else
    None (no header, a bad token, or a token without the scope). Sets `request.user` to them."""
    raw = _bearer(request)
    if raw is None:
        return None
    found = token_authenticate(raw=raw)
    if found is None:
        return None
    user, row = found
    if scope.value not in row.scopes:
        return None
    _become(request, user, row)
    return user
