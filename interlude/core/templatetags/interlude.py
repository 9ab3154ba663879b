from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

from interlude.accounts.devices import device_name as _device_name

register = template.Library()


@register.filter
def ago(value: datetime | None) -> str:
    """'3 hours ago', 'yesterday'-style: the largest unit only, which is what a glance needs."""
    if value is None:
        return ""
    if timezone.now() - value < timedelta(minutes=1):
        return "just now"
    return f"{timesince(value, depth=1)} ago"


@register.filter
def shows_preferred_name(client: object) -> bool:
    """Show '(Sam)' after 'Samira Haddad', but not '(Jordan)' after 'Jordan Ellis'."""
    preferred = getattr(client, "preferred_name", "")
    full_name = getattr(client, "full_name", "")
    return bool(preferred) and full_name.split(" ")[0] != preferred


@register.filter
def device_name(user_agent: str | None) -> str:
    """'Firefox on Windows' from a user-agent string (accounts/devices.py)."""
    return _device_name(user_agent)
