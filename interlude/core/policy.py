"""Explicit access rules for every URL (SR-10: default deny, complete mediation).

Our own views declare their rule with `@access(Access.X)`. Routes that third-party apps bring are
listed by URL name in THIRD_PARTY_ROUTES. AccessPolicyMiddleware refuses (404) any route with no
rule, and tests/test_url_policy.py walks the resolver so a new route without one fails CI.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class Access(StrEnum):
    PUBLIC = "public"  # anyone: login, health checks, invitation links, manifest
    AUTHENTICATED = "authenticated"  # any signed-in person: their own account pages
    CLIENT = "client"  # a signed-in person with a client profile, about themselves only
    CLINICIAN = "clinician"  # practice member with a clinical role; second factor required
    PRACTICE_ADMIN = "practice_admin"  # owner or admin: people and settings; second factor
    STAFF = "staff"  # any member of a practice (owner, admin, clinician): the app catalog
    API = "api"  # the JSON API router: each endpoint authenticates and authorises itself


ACCESS_ATTR = "interlude_access"


def access(rule: Access) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        setattr(view, ACCESS_ATTR, rule)
        return view

    return decorate


# allauth's own views check login themselves; the rule here is what our middleware adds on top.
THIRD_PARTY_ROUTES: dict[str, Access] = {
    # account
    "account_login": Access.PUBLIC,
    "account_logout": Access.PUBLIC,
    "account_signup": Access.PUBLIC,  # closed by the adapter: invitation only
    "account_reauthenticate": Access.AUTHENTICATED,
    "account_change_password": Access.AUTHENTICATED,
    "account_set_password": Access.AUTHENTICATED,
    "account_inactive": Access.PUBLIC,
    "account_email": Access.AUTHENTICATED,
    "account_email_verification_sent": Access.PUBLIC,
    "account_confirm_email": Access.PUBLIC,
    "account_reset_password": Access.PUBLIC,
    "account_reset_password_done": Access.PUBLIC,
    "account_reset_password_from_key": Access.PUBLIC,
    "account_reset_password_from_key_done": Access.PUBLIC,
    "account_login_code_confirm": Access.PUBLIC,
    "account_request_login_code": Access.PUBLIC,
    "account_confirm_login_code": Access.PUBLIC,
    "account_reset_password_code": Access.PUBLIC,
    "account_confirm_password_reset_code": Access.PUBLIC,
    "account_email_verification_code": Access.PUBLIC,
    # mfa
    "mfa_authenticate": Access.PUBLIC,  # second step of login; allauth checks the pending login
    "mfa_reauthenticate": Access.AUTHENTICATED,
    "mfa_index": Access.AUTHENTICATED,
    "mfa_activate_totp": Access.AUTHENTICATED,
    "mfa_deactivate_totp": Access.AUTHENTICATED,
    "mfa_view_recovery_codes": Access.AUTHENTICATED,
    "mfa_generate_recovery_codes": Access.AUTHENTICATED,
    "mfa_download_recovery_codes": Access.AUTHENTICATED,
    "mfa_trust": Access.PUBLIC,
    # user sessions
    "usersessions_list": Access.AUTHENTICATED,
}
