from __future__ import annotations

import math
from datetime import datetime

from allauth.mfa.utils import is_mfa_enabled
from axes.models import AccessAttempt
from django.conf import settings

from interlude.accounts.models import User


def user_has_second_factor(*, user: User) -> bool:
    """True if the user may see client data as far as MFA goes (SR-04).

    The seeded demo accounts are exempt, and only while demo data is enabled (never production).
    """
    if user.mfa_exempt and settings.DEMO_ENABLED:
        return True
    return is_mfa_enabled(user)


def lockout_retry_after(*, username: str, now: datetime) -> int:
    """Seconds until sign-in for `username` is allowed again (for Retry-After), 0 if not locked.

    axes sums the failures of every row (one per address) newer than the cool-off; rows drop out
    oldest first, so the lock lifts when enough have aged out to leave fewer than the limit.
    Depends on the name typed only, never on whether the account exists (no enumeration).
    """
    cool_off = settings.AXES_COOLOFF_TIME
    rows = list(
        AccessAttempt.objects.filter(username=username, attempt_time__gt=now - cool_off)
        .order_by("attempt_time")
        .values_list("attempt_time", "failures_since_start")
    )
    limit = settings.AXES_FAILURE_LIMIT
    total = sum(failures for _, failures in rows)
    if total < limit:
        return 0
    for attempt_time, failures in rows:
        total -= failures
        if total < limit:
            return max(1, math.ceil((attempt_time + cool_off - now).total_seconds()))
    return int(cool_off.total_seconds())  # not reached: the total falls to 0 < limit
