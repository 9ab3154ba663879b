from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from interlude.core.context import RequestContext, reset_request_context, set_request_context


class RequestContextMiddleware:
    """Give each request an id and the client IP for audit and logs; add privacy headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        # Accept a proxy's id only if it is short and plain; otherwise make our own.
        request_id = incoming if incoming.isalnum() and len(incoming) <= 64 else uuid.uuid4().hex
        token = set_request_context(RequestContext(request_id=request_id, ip=_client_ip(request)))
        try:
            response = self.get_response(request)
        finally:
            reset_request_context(token)
        response["X-Request-ID"] = request_id
        response.setdefault(
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
        )
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Pages for signed-in people may carry client data: never store them (SR-26).
            response["Cache-Control"] = "no-store, private"
        return response


def _client_ip(request: HttpRequest) -> str | None:
    from django.conf import settings

    proxies = int(getattr(settings, "AXES_IPWARE_PROXY_COUNT", None) or 0)
    if proxies:
        forwarded = [p.strip() for p in request.headers.get("X-Forwarded-For", "").split(",")]
        if len(forwarded) >= proxies:
            return forwarded[-proxies] or None
    return request.META.get("REMOTE_ADDR") or None
