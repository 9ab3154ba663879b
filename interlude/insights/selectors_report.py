"""Reads of the progress report PDF jobs (insights.models.ReportJob)."""

from __future__ import annotations

import uuid

from interlude.accounts.models import User
from interlude.insights.models import BUILDING_STATUSES, ReportJob, ReportStatus
from interlude.insights.report import DateRange
from interlude.practices.models import Client


def report_job_get(*, public_id: uuid.UUID) -> ReportJob | None:
    """A job by its public id, with what its pages show (one query). Whose it is, the caller
    checks after the gate has answered for its client."""
    return (
        ReportJob.objects.select_related("client__practice", "requested_by")
        .filter(public_id=public_id)
        .first()
    )


def report_job_current(*, client: Client, user: User, date_range: DateRange) -> ReportJob | None:
    """This clinician's newest PDF of this client and period that is on its way or ready."""
    return (
        ReportJob.objects.select_related("client__practice", "requested_by")
        .filter(
            client=client,
            requested_by=user,
            date_from=date_range.start,
            date_to=date_range.end,
            status__in=(*BUILDING_STATUSES, ReportStatus.READY),
        )
        .order_by("-created_at", "-pk")
        .first()
    )
