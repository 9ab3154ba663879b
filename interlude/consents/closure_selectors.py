"""Reads for account closure: the practice's requests, one request for its owner."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.http import Http404

from interlude.consents.models import ClosureRequest, ClosureStatus

if TYPE_CHECKING:
    from interlude.practices.models import Practice


def closure_request_list(*, practice: Practice) -> list[ClosureRequest]:
    """Open requests first (oldest first), then the decided ones (newest first). Two queries."""
    base = ClosureRequest.objects.filter(practice=practice).select_related("client", "decided_by")
    open_requests = list(base.filter(status=ClosureStatus.REQUESTED).order_by("requested_at"))
    decided = list(base.exclude(status=ClosureStatus.REQUESTED).order_by("-decided_at")[:50])
    return open_requests + decided


def closure_request_get(*, practice: Practice, public_id: uuid.UUID) -> ClosureRequest:
    closure = (
        ClosureRequest.objects.filter(practice=practice, public_id=public_id)
        .select_related("client")
        .first()
    )
    if closure is None:
        raise Http404
    return closure
