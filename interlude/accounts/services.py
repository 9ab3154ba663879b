"""Writes about user accounts."""

from __future__ import annotations

from allauth.usersessions.models import UserSession
from axes.utils import reset as axes_reset
from django.db import transaction

from interlude.accounts.models import User


def user_sessions_end(*, user: User) -> int:
    """End every server-side session of the user (SR-08). Returns how many were ended."""
    sessions = UserSession.objects.filter(user=user)
    ended = 0
    for session in sessions:
        session.end()
        ended += 1
    return ended


@transaction.atomic
def user_deactivate(*, user: User) -> None:
    """Disable a login: the account can no longer sign in and every open session ends."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    user_sessions_end(user=user)


def login_lockout_clear(*, username: str) -> int:
    """Forget the failed sign-ins counted against `username` (SR-05), e.g. after the owner proved
    control of the mailbox with a password reset, so a stranger's guessing cannot keep them out.
    Returns how many axes rows were removed."""
    return axes_reset(username=username.strip().lower())
