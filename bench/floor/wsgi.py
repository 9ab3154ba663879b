"""WSGI entry point for the benchmarks: the real app, plus the floor at /bench-floor/.

    DJANGO_SETTINGS_MODULE=bench.floor_settings gunicorn bench.floor.wsgi:application ...

The real app is `config.wsgi`'s handler with every middleware of config.settings. The floor is a
second Django handler built with no middleware at all (a bare view: no sessions, CSRF, auth,
audit), routed by path before Django sees the request.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.floor_settings")

from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application
from django.test.utils import override_settings

real = get_wsgi_application()


class _BareHandler(WSGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        with override_settings(MIDDLEWARE=[]):
            super().load_middleware(is_async=is_async)


bare = _BareHandler()
FLOOR_PATH = "/bench-floor/"


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ.get("PATH_INFO") == FLOOR_PATH:
        return bare(environ, start_response)
    return real(environ, start_response)
