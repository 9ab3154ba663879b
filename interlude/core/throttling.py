"""Per-user rate limits for API writes (django-ninja throttling), answered with 429 and
Retry-After by ninja itself. Rates are settings from the environment (API_WRITE_RATE_BURST,
API_WRITE_RATE_SUSTAINED), read on every request so an operator's change needs no code; they are
generous because the offline app sends a day's queued check-ins and sessions back to back."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import BaseThrottle, SimpleRateThrottle

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class UserWriteThrottle(SimpleRateThrottle):
    """Counts a signed-in user's state-changing API requests in a sliding window (shared cache:
    every worker sees the same count). Reads are not limited here."""

    def __init__(self, *, scope: str, setting: str) -> None:
        self.scope = scope
        self.setting = setting
        super().__init__(rate=self._configured_rate())

    def _configured_rate(self) -> str:
        return str(getattr(settings, self.setting))

    def allow_request(self, request: HttpRequest) -> bool:
        if request.method in SAFE_METHODS:
            return True
        rate = self._configured_rate()
        if rate != self.rate:
            self.rate = rate
            self.num_requests, self.duration = self.parse_rate(rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # SessionAuth has refused these already
        return self.cache_format % {"scope": self.scope, "ident": user.pk}


def api_write_throttles() -> list[BaseThrottle]:
    return [
        UserWriteThrottle(scope="api_write_burst", setting="API_WRITE_RATE_BURST"),
        UserWriteThrottle(scope="api_write_sustained", setting="API_WRITE_RATE_SUSTAINED"),
    ]
