"""Account housekeeping on allauth's signals (audit events are wired in audit/receivers.py)."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import password_reset
from django.dispatch import receiver

from interlude.accounts.services import login_lockout_clear


@receiver(password_reset, dispatch_uid="accounts_reset_clears_lockout")
def _on_password_reset(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    # A reset proves control of the mailbox: the owner gets back in even mid-lockout (SR-05).
    login_lockout_clear(username=user.email)
