from __future__ import annotations

import math
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from interlude.accounts.adapters import axes_username
from interlude.accounts.selectors import lockout_retry_after
from interlude.core.policy import Access, access


@access(Access.AUTHENTICATED)
@require_POST
def session_keepalive(request: HttpRequest) -> HttpResponse:
    """'Stay signed in' from the idle warning: the request itself counts as activity."""
    return HttpResponse(status=204)


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """axes' answer to a locked sign-in (AXES_LOCKOUT_CALLABLE): 429 with Retry-After, straight
    away (nothing sleeps in the request). The page is the same for a real and a made-up address:
    it depends only on the failures counted against the name typed."""
    username = axes_username(request, credentials) or ""
    seconds = lockout_retry_after(username=username, now=timezone.now()) if username else 0
    # A lock without a username cannot happen with our lockout parameters; still answer sanely.
    seconds = seconds or 60
    response = render(
        request,
        "account/lockout.html",
        {"retry_after_minutes": max(1, math.ceil(seconds / 60))},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
