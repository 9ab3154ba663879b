"""Reads of check-ins and observations. Callers pass a client already loaded by the gate."""

from __future__ import annotations

from datetime import datetime

from interlude.practices.models import Client
from interlude.tracking.models import ActivityOption, CheckIn

CHECKIN_LIST_LIMIT = 1000


def checkin_list(
    *,
    client: Client,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = CHECKIN_LIST_LIMIT,
) -> list[CheckIn]:
    """The client's check-ins, newest first, in one query whatever their number."""
    qs = CheckIn.objects.filter(client=client)
    if since is not None:
        qs = qs.filter(recorded_at__gte=since)
    if until is not None:
        qs = qs.filter(recorded_at__lt=until)
    return list(qs.order_by("-recorded_at")[:limit])


def activity_option_list(*, client: Client) -> list[ActivityOption]:
    return list(ActivityOption.objects.filter(client=client, is_archived=False))
