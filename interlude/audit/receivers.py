"""Wire authentication events from Django, allauth and axes to audit events.

Receivers only translate a third-party signal into the matching `event_*` call; no logic here.
"""

from __future__ import annotations

from typing import Any

from allauth.account.signals import password_changed, password_reset
from allauth.mfa.signals import authenticator_added, authenticator_removed
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from interlude.audit import services


def _attempted(credentials: dict[str, Any] | None, request: Any = None) -> str:
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not value and request is not None:
        value = request.POST.get("login", "")
    return str(value or "")


@receiver(user_logged_in, dispatch_uid="audit_login")
def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    services.event_login(user=user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        services.event_logout(user=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any
) -> None:
    services.event_login_failed(attempted_login=_attempted(credentials, request))


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def _on_locked_out(sender: Any, request: Any, username: str | None = None, **kw: Any) -> None:
    services.event_locked_out(attempted_login=username or "")


@receiver(authenticator_added, dispatch_uid="audit_mfa_added")
def _on_mfa_added(sender: Any, request: Any, user: Any, authenticator: Any, **kw: Any) -> None:
    services.event_mfa_added(user=user, factor=str(authenticator.type))


@receiver(authenticator_removed, dispatch_uid="audit_mfa_removed")
def _on_mfa_removed(sender: Any, request: Any, user: Any, authenticator: Any, **kw: Any) -> None:
    services.event_mfa_removed(user=user, factor=str(authenticator.type))


@receiver(password_changed, dispatch_uid="audit_password_changed")
@receiver(password_reset, dispatch_uid="audit_password_reset")
def _on_password_changed(sender: Any, request: Any, user: Any, **kw: Any) -> None:
    services.event_password_changed(user=user)
