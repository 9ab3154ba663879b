from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings

from interlude.accounts.models import User


def user_has_second_factor(*, user: User) -> bool:
    """True if the user may see client data as far as MFA goes (SR-04).

    The seeded demo accounts are exempt, and only while demo data is enabled (never production).
    """
    if user.mfa_exempt and settings.DEMO_ENABLED:
        return True
    return is_mfa_enabled(user)
