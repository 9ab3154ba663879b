from __future__ import annotations

import time
from typing import Any

from allauth.account import app_settings as allauth_account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.utils import is_mfa_enabled
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from interlude.accounts.mfa_secrets import current_mfa_aad
from interlude.core.crypto import decrypt_text, encrypt_text
from interlude.core.middleware import client_ip


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The login name django-axes counts failures against (SR-05), set as AXES_USERNAME_CALLABLE.

    allauth authenticates with `email=...`, not the form field `login`, so axes' default lookup
    finds no username and would count every failure against the IP address alone. Lower-cased,
    because sign-in ignores case and "A@x.org" must not get five more guesses than "a@x.org".
    """
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("login") or credentials.get("username")
    if not value and request is not None:
        data = getattr(request, "POST", None) or {}
        value = data.get("login") or data.get("email")
    return str(value).strip().lower() if value else None


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People join by invitation from their practice; there is no public sign-up.
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return "/"

    def get_client_ip(self, request: HttpRequest) -> str:
        """allauth's rate limits and session list key on the same client address as axes and the
        audit trail (TRUSTED_PROXY_COUNT), not on the proxy in front of us."""
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        context.setdefault("product_name", "Interlude")
        super().send_mail(template_prefix, email, context)

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Setting up a first second factor within minutes of a password sign-in needs no second
        password prompt: that sign-in is the proof. Changing or removing an existing factor still
        asks again (SR-06)."""
        request = allauth_context.request
        if app == "allauth.mfa" and request is not None and request.user.is_authenticated:
            user = request.user
            if not is_mfa_enabled(user):
                records = get_authentication_records(request, user)
                password_at = [r["at"] for r in records if r.get("method") == "password"]
                window = allauth_account_settings.REAUTHENTICATION_TIMEOUT
                if password_at and time.time() - password_at[-1] < window:
                    return False
        return super().is_reauthentication_required(app=app, **kwargs)


class MFAAdapter(DefaultMFAAdapter):
    """Encrypt TOTP seeds at rest with AES-256-GCM and keys from the environment (SR-04, SR-24),
    bound to their user through a context variable (accounts/mfa_secrets.py, ADR 0016)."""

    def encrypt(self, text: str) -> str:
        return encrypt_text(text, aad=current_mfa_aad())

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_text(encrypted_text, aad=current_mfa_aad())
