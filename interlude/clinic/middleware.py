"""Resolve the tenant before the handler runs and enforce each route's access rule (SR-10).

A route without a rule is refused with a 404: new routes are denied until someone decides.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone

from interlude.accounts.selectors import user_has_second_factor
from interlude.audit.services import event_route_denied
from interlude.core.errors import SecondFactorRequired
from interlude.core.policy import ACCESS_ATTR, THIRD_PARTY_ROUTES, Access
from interlude.practices.enums import Role
from interlude.practices.models import Client
from interlude.practices.selectors import membership_active_for

logger = logging.getLogger(__name__)

SECOND_FACTOR_MESSAGE = (
    "Before you can see client information, please set up two-step verification. "
    "It protects your clients if your password is ever guessed or stolen."
)


def _client_named_by(match: Any) -> Client | None:
    raw = match.kwargs.get("client_id") if match else None
    try:
        public_id = uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None
    return Client.objects.filter(public_id=public_id).first() if public_id else None


def route_access(view_func: Callable[..., Any], url_name: str | None) -> Access | None:
    rule = getattr(view_func, ACCESS_ATTR, None)
    if rule is None:
        # Class-based views keep attributes on view_class; ninja's view carries none.
        view_class = getattr(view_func, "view_class", None)
        rule = getattr(view_class, ACCESS_ATTR, None) if view_class else None
    if rule is None and url_name:
        rule = THIRD_PARTY_ROUTES.get(url_name)
    # ninja serves its OpenAPI schema, docs and root through functools.partial objects, whose own
    # __module__ is "functools": look at the wrapped function to tell where the view comes from.
    target = view_func.func if isinstance(view_func, functools.partial) else view_func
    module = getattr(target, "__module__", "") or ""
    if rule is None and module.startswith("ninja"):
        rule = Access.API
    if rule is None and module.startswith("django.contrib.staticfiles"):
        rule = Access.PUBLIC
    return rule


class AccessPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        rule = route_access(view_func, match.url_name if match else None)
        request.membership = None  # type: ignore[attr-defined]
        request.practice = None  # type: ignore[attr-defined]
        user = request.user
        if user.is_authenticated:
            request.membership = membership_active_for(user=user)  # type: ignore[attr-defined]
            if request.membership is not None:  # type: ignore[attr-defined]
                request.practice = request.membership.practice  # type: ignore[attr-defined]
            # Times on screen are the person's own: a client's zone, else their practice's.
            if request.practice is not None:  # type: ignore[attr-defined]
                zone = request.practice.time_zone  # type: ignore[attr-defined]
            else:
                client_profile = getattr(user, "client_profile", None)
                zone = client_profile.time_zone if client_profile else None
            if zone:
                timezone.activate(ZoneInfo(zone))
        if rule is None:
            logger.warning("route without an access rule refused: %s", match and match.route)
            raise Http404
        if rule in (Access.PUBLIC, Access.API):
            return None
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if rule == Access.AUTHENTICATED:
            return None
        if rule == Access.CLIENT:
            if getattr(user, "client_profile", None) is None:
                self._deny(user, match, rule)
            return None
        membership = request.membership  # type: ignore[attr-defined]
        role = Role(membership.role) if membership is not None else None
        if (
            role is None
            or (rule == Access.CLINICIAN and not role.is_clinical)
            or (rule == Access.PRACTICE_ADMIN and not role.manages_practice)
        ):  # Access.STAFF: any role of an active membership
            self._deny(user, match, rule)
        if not user_has_second_factor(user=user):
            return self._enrol_second_factor(request)
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, SecondFactorRequired):
            return self._enrol_second_factor(request)
        return None

    @staticmethod
    def _deny(user: Any, match: Any, rule: Access) -> None:
        """Refuse with the same 404 as a missing page, and record who tried what (naming the
        client when the address carries a client's public id)."""
        event_route_denied(
            actor=user,
            route=match.route if match else "",
            rule=str(rule),
            client=_client_named_by(match),
        )
        raise Http404

    @staticmethod
    def _enrol_second_factor(request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            # JSON callers get a JSON answer they can act on, not an HTML redirect.
            return JsonResponse(
                {"detail": "Two-step verification must be set up before reading client data."},
                status=403,
            )
        messages.info(request, SECOND_FACTOR_MESSAGE)
        return redirect("mfa_activate_totp")
