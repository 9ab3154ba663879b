from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from interlude.core.policy import Access, access


@access(Access.AUTHENTICATED)
@require_POST
def session_keepalive(request: HttpRequest) -> HttpResponse:
    """'Stay signed in' from the idle warning: the request itself counts as activity."""
    return HttpResponse(status=204)
