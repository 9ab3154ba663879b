"""Automatic logoff (SR-07): staff sessions end after 15 minutes idle and 12 hours in all;
client sessions have their own, longer limits. All limits come from settings."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

STARTED = "_interlude_started"
SEEN = "_interlude_seen"
KIND = "_interlude_kind"


def session_limits(kind: str) -> tuple[timedelta, timedelta]:
    if kind == "staff":
        return settings.STAFF_IDLE_TIMEOUT, settings.STAFF_ABSOLUTE_TIMEOUT
    return settings.CLIENT_IDLE_TIMEOUT, settings.CLIENT_ABSOLUTE_TIMEOUT


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = time.time()
            session = request.session
            if KIND not in session:
                _start_clocks(request, now)
            idle, absolute = session_limits(session[KIND])
            idle_for = now - session.get(SEEN, now)
            age = now - session.get(STARTED, now)
            if idle_for > idle.total_seconds() or age > absolute.total_seconds():
                reason = (
                    f"You were signed out after {int(idle.total_seconds() // 60)} minutes without "
                    "activity, to keep client information safe."
                    if idle_for > idle.total_seconds()
                    else "Your session reached its time limit. Please sign in again."
                )
                logout(request)
                messages.info(request, reason)
                if request.headers.get("HX-Request"):
                    response = HttpResponse(status=401)
                    response["HX-Redirect"] = settings.LOGIN_URL_PATH
                    return response
                return redirect_to_login(request.get_full_path())
            session[SEEN] = now
            request.session_expires_in = int(idle.total_seconds())  # type: ignore[attr-defined]
        response = self.get_response(request)
        # Signed in by this very request (password or second-factor step): the clocks start at
        # sign-in, not at the next request, so a session left unused after sign-in also expires.
        # Only a session that holds a sign-in: an API request authenticated by a bearer access
        # token (interop/auth.py) has a user but no sign-in, and must not start a session.
        if (
            request.user.is_authenticated
            and SESSION_KEY in request.session
            and KIND not in request.session
        ):
            _start_clocks(request, time.time())
        return response


def _start_clocks(request: HttpRequest, now: float) -> None:
    session = request.session
    # Anyone who is not a client gets the stricter staff limits.
    is_client = getattr(request.user, "client_profile", None) is not None
    session[KIND] = "client" if is_client else "staff"
    session[STARTED] = now
    session[SEEN] = now
