from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from interlude.core.policy import Access, access


@access(Access.PUBLIC)
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up. Touches nothing else."""
    return JsonResponse({"status": "ok"})


@access(Access.PUBLIC)
@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """The database answers. A 503 tells a load balancer to send traffic elsewhere."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
