from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def _base_layout(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return "public_base.html"
    if getattr(request, "membership", None) is not None:
        return "clinician/base.html"
    if getattr(user, "client_profile", None) is not None:
        return "client/base.html"
    return "public_base.html"


def interlude(request: HttpRequest) -> dict[str, Any]:
    return {
        "base_layout": _base_layout(request),
        "membership": getattr(request, "membership", None),
        "practice": getattr(request, "practice", None),
        "session_expires_in": getattr(request, "session_expires_in", None),
        "session_warning_seconds": int(settings.SESSION_TIMEOUT_WARNING.total_seconds()),
        "demo_enabled": settings.DEMO_ENABLED,
    }
