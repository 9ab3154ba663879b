from __future__ import annotations

import ipaddress
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
        token = set_request_context(RequestContext(request_id=request_id, ip=client_ip(request)))
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


def client_ip(request: HttpRequest) -> str | None:
    """The one rule for "who is asking" (audit, logs, lockout, rate limits): with
    TRUSTED_PROXY_COUNT=N, the N-th address from the right of X-Forwarded-For, which our own
    proxies appended and a client cannot forge; otherwise, or if that entry is missing or not an
    address, the socket's REMOTE_ADDR. Set as AXES_CLIENT_IP_CALLABLE and used by allauth through
    AccountAdapter.get_client_ip, so every counter keys on the same address."""
    from django.conf import settings

    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies:
        forwarded = [p.strip() for p in request.headers.get("X-Forwarded-For", "").split(",")]
        if len(forwarded) >= proxies:
            ip = _clean_ip(forwarded[-proxies])
            if ip:
                return ip
    return _clean_ip(request.META.get("REMOTE_ADDR") or "")


def _clean_ip(value: str) -> str | None:
    """A canonical spelling of an IP address, or None for anything else."""
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[::1]:443" from some proxies
        value = value[1 : value.index("]")]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None
