"""Send a client who has a consent question to answer to it, on their next page load.

A client whose consent is pending, was recorded before digital consent existed, or was given to
an older version of the practice's document is sent to onboarding (or, once onboarded, straight
to the consent page). Only page loads (GET) of client pages are redirected: the API, form posts
(nothing a person sent is lost), and the pages that must never be blocked (crisis help, the safety
plan, the consent pages themselves) pass through.

Runs after `clinic.middleware.AccessPolicyMiddleware`, which has already checked the route's rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from interlude.consents.consent_selectors import ConsentAsk, consent_ask
from interlude.core.policy import ACCESS_ATTR, Access

# Client pages that stay open whatever the consent state.
NEVER_BLOCKED = frozenset(
    {
        "safety_plan",
        "safety_plan_edit",
        "safety_plan_print",
        "safety_plan_versions",
        "crisis",
        "client_me",
        "client_consent",
        "consent_withdraw",
        "consent_history",
    }
)


class ConsentOnboardingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if request.method != "GET" or getattr(view_func, ACCESS_ATTR, None) != Access.CLIENT:
            return None
        match = request.resolver_match
        name = match.url_name if match else None
        if name in NEVER_BLOCKED or (name or "").startswith("onboarding_"):
            return None
        client = getattr(request.user, "client_profile", None)
        if client is None:
            return None
        ask = consent_ask(client=client)
        if ask is ConsentAsk.NOTHING:
            return None
        target = reverse("onboarding_welcome" if ask is ConsentAsk.ONBOARDING else "client_consent")
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
