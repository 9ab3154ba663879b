"""Reads of the digital readiness check, through the gate's `CareAccess` (ShareScope.READINESS:
the answers are addressed to the care team, so the care team always sees them)."""

from __future__ import annotations

from dataclasses import dataclass

from interlude.catalog.enums import ReadinessStatus
from interlude.catalog.models import ReadinessCheck
from interlude.consents.access import CareAccess
from interlude.practices.enums import ShareScope


@dataclass(frozen=True)
class ReadinessState:
    open: ReadinessCheck | None  # asked and not yet answered
    latest: ReadinessCheck | None  # the latest answered check

    @property
    def can_answer(self) -> bool:
        """The client may fill the check in: asked now, or never answered (onboarding)."""
        return self.open is not None or self.latest is None


def readiness_state(*, access: CareAccess) -> ReadinessState:
    """The open request and the latest answers of this client (one query). Only one request is
    open at a time and a new one is made after the last was answered, so the newest two checks
    that are not cancelled hold both."""
    rows = list(
        access.scope(ReadinessCheck.objects.all(), ShareScope.READINESS)
        .exclude(status=ReadinessStatus.CANCELLED)
        .select_related("requested_by__user")
        .order_by("-created_at", "-pk")[:2]
    )
    open_ = next((r for r in rows if r.status == ReadinessStatus.REQUESTED), None)
    latest = next((r for r in rows if r.status == ReadinessStatus.SUBMITTED), None)
    return ReadinessState(open=open_, latest=latest)
