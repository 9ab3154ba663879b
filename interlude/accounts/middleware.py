"""Automatic logoff (SR-07): staff sessions end after 15 minutes idle and 12 hours in all;
client sessions have their own, longer limits. All limits come from settings."""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from datetime import timedelta

from allauth.account.adapter import get_adapter
from allauth.usersessions import app_settings as usersessions_settings
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

STARTED = "_interlude_started"
SEEN = "_interlude_seen"
KIND = "_interlude_kind"
TRACKED = "_interlude_tracked"  # [fingerprint of session key, address, browser; when]
TRACK_EVERY = 60.0  # seconds


def seen_every(idle: timedelta) -> float:
    """How stale the stored last-seen time may get: a minute, or a hundredth of a short idle
    limit (9 s of staff's 15 minutes), so the idle logoff stays within 1% of its setting."""
    return min(TRACK_EVERY, idle.total_seconds() / 100)


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
            seen = session.get(SEEN, now)
            # Written only when it moved on by a hundredth of the idle limit (at most a minute):
            # a client's every API call no longer saves the session (a write and a commit).
            # A session saved anyway by this request takes the exact time for free.
            if session.modified or not 0 <= now - seen < seen_every(idle):
                session[SEEN] = seen = now
            # What is left of the idle time as the server counts it, so the page's warning
            # matches the moment the server will end the session.
            remaining = idle.total_seconds() - (now - seen)
            request.session_expires_in = math.ceil(remaining)  # type: ignore[attr-defined]
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


class UserSessionsMiddleware:
    """allauth's UserSessionsMiddleware (the "Sessions" page: where and when each session was
    last used), writing at most once a minute per session instead of a read and an update in a
    transaction of their own on every request.

    A new session key, another address or another browser is written at once (allauth's
    `session_client_changed` signal fires then, as before), and a session's row is created on
    its first request, so `user_sessions_end` (SR-08) always finds every session.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            usersessions_settings.TRACK_ACTIVITY
            and hasattr(request, "session")
            and request.session.session_key
            and hasattr(request, "user")
            and request.user.is_authenticated
        ):
            _track(request)
        return self.get_response(request)


def _track(request: HttpRequest) -> None:
    session = request.session
    now = time.time()
    agent = request.META.get("HTTP_USER_AGENT", "")
    client = f"{session.session_key}|{get_adapter().get_client_ip(request)}|{agent}"
    fingerprint = hashlib.sha256(client.encode()).hexdigest()[:32]
    last = session.get(TRACKED)
    if last and last[0] == fingerprint and 0 <= now - last[1] < TRACK_EVERY:
        return
    UserSession.objects.create_from_request(request)
    session[TRACKED] = [fingerprint, now]
