from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.http import HttpRequest

from interlude.core.crypto import decrypt_text, encrypt_text

# TOTP seeds are bound to this purpose string; rows are not addressable from the adapter hooks.
MFA_AAD = "mfa:authenticator-secret"


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

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        context.setdefault("product_name", "Interlude")
        super().send_mail(template_prefix, email, context)


class MFAAdapter(DefaultMFAAdapter):
    """Encrypt TOTP seeds at rest with AES-256-GCM and keys from the environment (SR-04, SR-24)."""

    def encrypt(self, text: str) -> str:
        return encrypt_text(text, aad=MFA_AAD)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_text(encrypted_text, aad=MFA_AAD)
