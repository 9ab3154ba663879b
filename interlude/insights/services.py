"""The progress report PDF, built by the task worker: the report's period, asking for the PDF,
building it, serving it, and the sweep that deletes it after a day.

DESIGN.md ("Layers"): long jobs have a job row with status and progress that the page polls. The
pattern is the client's data export's (rights.services):

- Asking (`report_job_request`) is idempotent: the same clinician asking for the same client and
  period while one is on its way gets that one back.
- Building (`report_job_build`, the worker) is safe to run twice: only the run that claims the
  job builds it; a ready, failed or expired job is left alone. A build that has not moved for
  `STALL_AFTER` died with its worker, so running the task again claims and rebuilds it.
- Serving (`report_job_serve`) happens after the gate has let the clinician in again, and only
  while the client's sharing still covers every category the report was built with; a report
  made under wider sharing is deleted at once, and the clinician is offered a new one.
- The sweep (`reports_sweep`) deletes files a day old, fails builds that died and removes
  stray files.

The PDFs wait in `settings.REPORTS_DIR`, one owner-only file per job named from its random id.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from interlude.accounts.models import User
from interlude.audit.services import event_report_exported
from interlude.consents.access import CareAccess, Category, Viewer, care_access_for
from interlude.core.errors import ApplicationError
from interlude.core.private_files import private_dir, private_file_delete
from interlude.insights import report
from interlude.insights.models import BUILDING_STATUSES, ReportExpiry, ReportJob, ReportStatus
from interlude.insights.selectors_brief import report_first_day
from interlude.practices.models import Client

logger = logging.getLogger(__name__)

KEEP_FOR = timedelta(days=1)
# A build whose progress has not moved for this long died with its worker: a retry may take it.
STALL_AFTER = timedelta(minutes=10)
# A job not finished in this time is failed by the sweep (nobody is waiting for it any more).
STALE_AFTER = timedelta(hours=1)
FAILED_MESSAGE = "Something went wrong while making the PDF."
STALE_MESSAGE = "Making the PDF took too long."
# The categories a report may show (questionnaires, imported answers; check-ins and notes are
# audited with the page's scopes). Per-item switches (a journal entry shared on its own) are not
# compared: no report panel shows such items; one that does must record what it showed.
REPORT_CATEGORIES: tuple[Category, ...] = (
    Category.MEASURES,
    Category.IMPORTS,
    Category.CHECKINS,
    Category.JOURNAL,
)
# WeasyPrint resolves the template's /static/ links against this; the report's fetcher serves
# them from our own files whatever the host, so the worker needs no request to know it.
PDF_BASE_URL = "http://interlude.invalid/"
LAYOUT_STEP = "Laying out the pages"
WRITE_STEP = "Writing the PDF"


# --- the report's context (page and PDF) ----------------------------------------------------
def report_zone(name: str) -> ZoneInfo:
    """A zone by name (UTC for a name that is not one), as the report's dates use it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def report_range(
    *, care: CareAccess, raw_from: str | None, raw_to: str | None
) -> tuple[report.DateRange, list[report.RangeError]]:
    """The period asked for (default: from the first answer this viewer may see to today, the
    client's day), and what is wrong with the request, if anything."""
    client = care.client
    zone = report_zone(client.time_zone)
    today = timezone.now().astimezone(zone).date()
    first = report_first_day(access=care, zone=zone)
    return report.range_parse(
        raw_from, raw_to, default_start=first or client.started_on or today, today=today
    )


# The report's HTML is made of the panels registered for it (core.panels), which belong to the
# screens: insights.panels registers the function that renders it (DESIGN.md "Layers": a hook
# registered from above), the same one the preview page uses, so the PDF is the page.
class ReportRenderer(Protocol):
    def __call__(
        self,
        *,
        care: CareAccess,
        date_range: report.DateRange,
        prepared_by: User,
        progress: Callable[[int, int], object],
    ) -> str: ...


_RENDERER: list[ReportRenderer] = []


def report_renderer_register(fn: ReportRenderer) -> None:
    """Set the function that renders a report's PDF page (insights.panels does, at start-up)."""
    _RENDERER[:] = [fn]


def report_categories_seen(*, care: CareAccess) -> list[str]:
    """The report's categories this viewer may see now, as stored on the job."""
    return sorted(c.value for c in REPORT_CATEGORIES if care.can_see(c))


def report_download_day(job: ReportJob) -> date:
    """The practice's day the PDF was made: its file name."""
    made = job.finished_at or job.created_at
    return made.astimezone(report_zone(job.client.practice.time_zone)).date()


# --- the files --------------------------------------------------------------------------------
_NAME = re.compile(r"^[0-9a-f]{32}-[0-9]+\.pdf$")  # public_id hex, attempt


def reports_dir() -> Path:
    return private_dir(settings.REPORTS_DIR)


def report_file_path(file_name: str) -> Path | None:
    """The file of a stored name, or None for a name we would never have made."""
    if not _NAME.match(file_name):
        return None
    return reports_dir() / file_name


def _file_write(name: str, data: bytes) -> int:
    """Write `data` as `name` (0600), whole or not at all; returns its size."""
    final = report_file_path(name)
    if final is None:  # never: the name is made from a uuid's hex
        raise ApplicationError(FAILED_MESSAGE)
    part = reports_dir() / f".part-{secrets.token_hex(16)}"
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(part, final)
    finally:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
    return len(data)


def _file_delete(file_name: str) -> bool:
    return private_file_delete(report_file_path(file_name))


# --- asking -----------------------------------------------------------------------------------
def _building(*, client: Client, user: User, date_range: report.DateRange) -> ReportJob | None:
    return ReportJob.objects.filter(
        client=client,
        requested_by=user,
        date_from=date_range.start,
        date_to=date_range.end,
        status__in=BUILDING_STATUSES,
    ).first()


def report_job_request(*, care: CareAccess, date_range: report.DateRange) -> tuple[ReportJob, bool]:
    """The PDF of this client and period for this clinician: the one on its way, or a new job
    queued for the worker (created=True). An older ready PDF of the same period is deleted:
    the new one replaces it. The gate has audited the read that asked."""
    if care.viewer is Viewer.SELF:
        raise ApplicationError("A progress report is made by the care team.")
    client, user = care.client, care.user
    existing = _building(client=client, user=user, date_range=date_range)
    if existing is not None:
        if _stalled(existing, now=timezone.now()):
            # Its worker died (or its task was lost): asking again is the retry.
            transaction.on_commit(lambda: _enqueue(existing.pk))
        return existing, False
    try:
        with transaction.atomic():
            job = ReportJob.objects.create(
                practice_id=client.practice_id,
                client=client,
                requested_by=user,
                viewer=care.viewer.value,
                membership=care.membership,
                date_from=date_range.start,
                date_to=date_range.end,
            )
            replaced = ReportJob.objects.filter(
                client=client,
                requested_by=user,
                date_from=date_range.start,
                date_to=date_range.end,
                status=ReportStatus.READY,
            )
            for old in replaced:
                _expire(old, because=ReportExpiry.REPLACED, now=timezone.now())
            transaction.on_commit(lambda: _enqueue(job.pk))
    except IntegrityError:
        # Two requests at once: the other one made it first.
        current = _building(client=client, user=user, date_range=date_range)
        if current is None:
            raise
        return current, False
    return job, True


def _stalled(job: ReportJob, *, now: Any) -> bool:
    last = job.progress_at if job.status == ReportStatus.BUILDING else job.created_at
    return last is not None and last < now - STALL_AFTER


def _enqueue(job_id: int) -> None:
    from interlude.insights.tasks import report_build_task

    report_build_task.enqueue(job_id=job_id)


# --- building (the worker) ----------------------------------------------------------------------
def _claim(job_id: int) -> ReportJob | None:
    """Move the job to building (a queued one, or one whose build stalled); None when there is
    nothing to do: another run has it, or it is finished."""
    now = timezone.now()
    claimable = Q(status=ReportStatus.QUEUED) | Q(
        status=ReportStatus.BUILDING, progress_at__lt=now - STALL_AFTER
    )
    # Each claim is a new attempt: a stalled run that wakes up again writes nothing any more.
    claimed = ReportJob.objects.filter(claimable, pk=job_id).update(
        status=ReportStatus.BUILDING,
        attempt=F("attempt") + 1,
        started_at=now,
        progress_at=now,
        steps_done=0,
        steps_total=0,
        step="Reading the answers",
    )
    if not claimed:
        return None
    return ReportJob.objects.select_related("client__practice", "requested_by", "membership").get(
        pk=job_id
    )


def _mine(job: ReportJob) -> Any:
    """This run's job, while it is still this run's to build."""
    return ReportJob.objects.filter(pk=job.pk, status=ReportStatus.BUILDING, attempt=job.attempt)


def _progress(job: ReportJob, *, done: int, total: int, step: str) -> None:
    _mine(job).update(
        steps_done=min(done, total), steps_total=total, step=step, progress_at=timezone.now()
    )


def report_job_build(*, job_id: int) -> bool:
    """Build the PDF of a queued job. True when this run built it; False when there was nothing
    to do (already built, being built, failed or gone). Safe to call twice."""
    job = _claim(job_id)
    if job is None:
        return False
    try:
        _build(job)
    except Exception as exc:
        # Only the kind of error: a message could quote the client's own words.
        logger.error("report %s failed: %s", job.public_id, type(exc).__name__)
        _mine(job).update(
            status=ReportStatus.FAILED, error=FAILED_MESSAGE, finished_at=timezone.now()
        )
        raise
    return True


def _build(job: ReportJob) -> None:
    # The request was let in (and audited) by the gate; the file reaches nobody until the gate
    # lets the clinician in again and the sharing is compared (report_job_serve). The privacy
    # row is read afresh here, so the report shows what the client shares at build time.
    care = care_access_for(
        client=job.client,
        user=job.requested_by,
        viewer=Viewer(job.viewer),
        membership=job.membership,
    )
    categories = report_categories_seen(care=care)
    # Charting each instrument, then laying out and writing: the total is known once the
    # questionnaires panel has read the answers.
    extra = 2
    total = [0]

    def charted(done: int, instruments: int) -> None:
        total[0] = instruments + extra
        step = (
            f"Charting questionnaire {done + 1} of {instruments}"
            if done < instruments
            else LAYOUT_STEP
        )
        _progress(job, done=done, total=total[0], step=step)

    if not _RENDERER:
        raise ApplicationError("No report renderer is registered (insights.panels).")
    html = _RENDERER[0](
        care=care,
        date_range=report.DateRange(job.date_from, job.date_to),
        prepared_by=job.requested_by,
        progress=charted,
    )
    if not total[0]:  # no panel charted anything (none registered): two steps left
        total[0] = extra
        _progress(job, done=0, total=extra, step=LAYOUT_STEP)
    document = report.pdf_document(html, base_url=PDF_BASE_URL)
    _progress(job, done=total[0] - 1, total=total[0], step=WRITE_STEP)
    pdf = report.pdf_write(document)
    name = f"{job.public_id.hex}-{job.attempt}.pdf"
    size = _file_write(name, pdf)
    finished = timezone.now()
    done = _mine(job).update(
        status=ReportStatus.READY,
        steps_done=total[0],
        steps_total=total[0],
        step="Ready",
        categories=categories,
        file_name=name,
        size=size,
        pages=len(document.pages),
        progress_at=finished,
        finished_at=finished,
        expires_at=finished + KEEP_FOR,
    )
    if not done:  # failed by the sweep, or taken over by a retry: nobody will download this
        _file_delete(name)


# --- serving ------------------------------------------------------------------------------------
def _expire(job: ReportJob, *, because: ReportExpiry, now: Any) -> bool:
    """Delete a ready report's file and say why; True if this call did it."""
    if not ReportJob.objects.filter(pk=job.pk, status=ReportStatus.READY).update(
        status=ReportStatus.EXPIRED, expired_at=now, expired_because=because
    ):
        return False
    _file_delete(job.file_name)
    job.status, job.expired_at, job.expired_because = ReportStatus.EXPIRED, now, because
    return True


def reports_delete_for_client(*, client_id: int) -> int:
    """Delete every report PDF of one client once the caller's transaction commits (closing an
    account: nothing of the client may wait in the reports folder; the rows go with the closure,
    and a build still running finds its row gone and leaves a stray the sweep removes). Returns
    how many files there were."""
    names = list(
        ReportJob.objects.filter(client_id=client_id)
        .exclude(file_name="")
        .values_list("file_name", flat=True)
    )

    def delete_files() -> None:
        for name in names:
            _file_delete(name)

    # A closure that is refused keeps them.
    transaction.on_commit(delete_files)
    return len(names)


def report_sharing_narrowed(*, job: ReportJob, care: CareAccess) -> list[str]:
    """The categories the report was built with that this viewer may no longer see."""
    now_seen = set(report_categories_seen(care=care))
    return [c for c in job.categories if c not in now_seen]


def report_job_recheck(*, job: ReportJob, care: CareAccess) -> ReportJob:
    """A ready report that may no longer be served (a day old, or the client's sharing narrowed
    since it was built) is deleted now; the job says why. `care` is the gate's answer for the
    clinician asking now."""
    if job.status != ReportStatus.READY:
        return job
    now = timezone.now()
    if job.expires_at is not None and job.expires_at <= now:
        _expire(job, because=ReportExpiry.AGE, now=now)
    elif report_sharing_narrowed(job=job, care=care):
        _expire(job, because=ReportExpiry.SHARING, now=now)
    return job


def report_job_serve(*, job: ReportJob, care: CareAccess) -> BinaryIO | None:
    """The ready PDF, opened, for the clinician who asked for it, after the gate let them in
    again (`care`); the export is audited. None when it may not be sent: the job row then says
    why (not ready, failed, or expired: a day old, or the sharing narrowed, the file deleted)."""
    if job.requested_by_id != care.user.pk:
        raise ApplicationError("Only the clinician who asked for a report can download it.")
    report_job_recheck(job=job, care=care)
    if job.status != ReportStatus.READY:
        return None
    path = report_file_path(job.file_name)
    try:
        handle = path.open("rb") if path is not None else None
    except FileNotFoundError:
        handle = None
    if handle is None:  # the folder was cleared under us: the row follows the file
        _expire(job, because=ReportExpiry.AGE, now=timezone.now())
        return None
    try:
        with transaction.atomic():
            event_report_exported(actor=care.user, client=job.client, kind=report.PDF_KIND)
    except BaseException:
        handle.close()
        raise
    return handle


# --- the sweep ----------------------------------------------------------------------------------
def reports_sweep() -> dict[str, int]:
    """Delete reports a day old, fail builds that died with their worker, and remove stray files.
    Idempotent: a second sweep finds nothing more to do."""
    now = timezone.now()
    expired = sum(
        _expire(job, because=ReportExpiry.AGE, now=now)
        for job in ReportJob.objects.filter(status=ReportStatus.READY, expires_at__lte=now)
    )
    old = now - STALE_AFTER
    stale = ReportJob.objects.filter(
        Q(status=ReportStatus.QUEUED, created_at__lte=old)
        | Q(status=ReportStatus.BUILDING, progress_at__lte=old)
    ).update(status=ReportStatus.FAILED, error=STALE_MESSAGE, finished_at=now)
    live = set(
        ReportJob.objects.filter(status=ReportStatus.READY)
        .exclude(file_name="")
        .values_list("file_name", flat=True)
    )
    strays = 0
    older_than = time.time() - STALE_AFTER.total_seconds()
    for entry in reports_dir().iterdir():
        if entry.name in live or not entry.is_file() or entry.stat().st_mtime >= older_than:
            continue
        entry.unlink(missing_ok=True)
        strays += 1
    return {"expired": expired, "stale": stale, "strays": strays}
