"""Writes for the client's export: asking for it, building it (the worker), the download, and the
sweep that deletes what nobody downloaded within a day.

Asking is idempotent (a client has one live export; asking again returns it). Building is safe to
run twice: only the run that moves the job from "queued" to "running" does the work, and a finished
job is never built again. The file is deleted after the first complete download, or a day after
it was made, whichever comes first.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from interlude.accounts.models import User
from interlude.audit.services import event_export_downloaded, event_export_requested
from interlude.consents.access import CareAccess, Viewer, care_access_for
from interlude.core.clock import client_zone
from interlude.core.errors import ApplicationError
from interlude.interop.fhir.bundle import export_bundle_bytes
from interlude.practices.models import Client
from interlude.rights import package, storage
from interlude.rights.models import LIVE_STATUSES, ExportJob, ExportStatus
from interlude.rights.pdf import export_pdf
from interlude.rights.selectors import (
    export_job_current,
    export_now,
    export_profile,
    export_section_rows,
    export_session_notes,
    iso,
)

logger = logging.getLogger(__name__)

KEEP_FOR = timedelta(days=1)
# A run that has not finished in this time died with its worker: the sweep marks it failed.
STALE_AFTER = timedelta(hours=1)
FAILED_MESSAGE = "Something went wrong while preparing your download. Please ask for it again."
STALE_MESSAGE = "Preparing your download took too long. Please ask for it again."

# The steps the page shows while the worker runs, in order, with the sections each one reads.
STEPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Reading your check-ins", ("checkins", "observations")),
    ("Reading your journal", ("journal",)),
    ("Reading your worksheets", ("thought_records", "activation", "exposure_steps")),
    ("Reading your exposure practice and sleep diary", ("exposure_practice", "sleep_diary")),
    ("Reading your relaxation practice", ("relaxation",)),
    ("Reading your questionnaires", ("questionnaires",)),
    ("Reading your safety plan and appointments", ("safety_plan", "appointments")),
    ("Reading your homework and messages", ("homework", "messages")),
    (
        "Reading your app suggestions and readiness answers",
        ("app_recommendations", "readiness", "suitability_notes"),
    ),
    ("Reading your consent and sharing choices", ("consent", "sharing")),
    ("Reading who has seen your information", ("access_history",)),
)
PDF_STEP = "Writing the PDF"
ZIP_STEP = "Packing the files"


# --- asking ----------------------------------------------------------------------------------
def export_request(*, care: CareAccess) -> tuple[ExportJob, bool]:
    """The client's live export, or a new one queued for the worker (created=True). Audited."""
    if care.viewer is not Viewer.SELF:
        raise ApplicationError("Only you can ask for a download of your data.")
    client = care.client
    existing = export_job_current(client_id=client.pk)
    if existing is not None and not _expire(existing, now=timezone.now()):
        return existing, False
    try:
        with transaction.atomic():
            job = ExportJob.objects.create(
                practice_id=client.practice_id, client=client, requested_by=care.user
            )
            event_export_requested(actor=care.user, client=client, export_id=str(job.public_id))
            transaction.on_commit(lambda: _enqueue(job.pk))
    except IntegrityError:
        # Two requests at once: the other one made it first.
        current = export_job_current(client_id=client.pk)
        if current is None:
            raise
        return current, False
    return job, True


def _enqueue(job_id: int) -> None:
    from interlude.rights.tasks import export_build_task

    export_build_task.enqueue(job_id=job_id)


# --- building (the worker) -------------------------------------------------------------------
def _claim(job_id: int) -> ExportJob | None:
    """Move the job from queued to running; None if another run has it or it is done."""
    now = timezone.now()
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=now, progress=1, step="Starting"
    )
    if not claimed:
        return None
    return ExportJob.objects.select_related("client__practice", "client__user").get(pk=job_id)


def _progress(job: ExportJob, *, percent: int, step: str) -> None:
    ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
        progress=min(99, max(1, percent)), step=step
    )


def export_build(*, job_id: int) -> bool:
    """Build the export of a queued job. True when this run built it; False when there was
    nothing to do (already built, being built, or gone). Safe to call twice."""
    job = _claim(job_id)
    if job is None:
        return False
    try:
        _build(job)
    except Exception as exc:
        # Only the kind of error: a message could quote the client's own words.
        logger.error("export %s failed: %s", job.public_id, type(exc).__name__)
        ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
            status=ExportStatus.FAILED, error=FAILED_MESSAGE, finished_at=timezone.now()
        )
        raise
    return True


def _build(job: ExportJob) -> None:
    client: Client = job.client
    user = client.user
    if user is None or user.pk != job.requested_by_id:
        raise ApplicationError("The export was not asked for by the client.")
    care = care_access_for(client=client, user=user, viewer=Viewer.SELF, membership=None)
    zone = client_zone(client)
    now, today = export_now(care=care)

    records: dict[str, list[dict[str, Any]]] = {}
    total_steps = len(STEPS) + 2
    for number, (label, keys) in enumerate(STEPS):
        _progress(job, percent=int(100 * number / total_steps), step=label)
        for key in keys:
            records[key] = export_section_rows(care=care, key=key)
    profile = export_profile(care=care)
    notes = asdict(export_session_notes(care=care))

    _progress(job, percent=int(100 * len(STEPS) / total_steps), step=PDF_STEP)
    pdf_file = package.pdf_name(full_name=client.full_name, day=today)
    pdf = export_pdf(profile=profile, records=records, session_notes=notes, today=today)

    _progress(job, percent=int(100 * (len(STEPS) + 1) / total_steps), step=ZIP_STEP)
    data = package.json_bytes(
        generated_at=iso(now, zone) or "",
        time_zone=client.time_zone,
        profile=profile,
        session_notes=notes,
        records=records,
    )
    files = [
        (pdf_file, pdf),
        (package.README_NAME, package.readme_text(pdf_file=pdf_file, session_notes=notes).encode()),
        (package.JSON_NAME, data),
        (package.FHIR_NAME, export_bundle_bytes(access=care, now=now)),
        *((s.file_name, package.csv_bytes(s, records[s.key])) for s in package.SECTIONS),
    ]
    local = now.astimezone(zone)
    name = storage.file_name_for(job.public_id.hex)
    with storage.private_temp_file() as (part, fd):
        with os.fdopen(os.dup(fd), "wb") as out:
            package.zip_write(out, files, local_time=local.timetuple()[:6])
        size = part.stat().st_size
        digest = hashlib.sha256(part.read_bytes()).hexdigest()
        final = storage.path_of(name)
        if final is None:  # never: the name is a uuid's hex
            raise ApplicationError(FAILED_MESSAGE)
        os.replace(part, final)
    finished = timezone.now()
    done = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
        status=ExportStatus.READY,
        progress=100,
        step="Ready",
        file_name=name,
        size=size,
        sha256=digest,
        finished_at=finished,
        expires_at=finished + KEEP_FOR,
    )
    if not done:  # swept as stale meanwhile: nobody will download this file
        storage.file_delete(name)


# --- downloading -----------------------------------------------------------------------------
def export_downloaded(*, job: ExportJob, actor: User) -> bool:
    """After the first complete download: delete the file, mark the job, audit. True the first
    time; False if another download got there first."""
    with transaction.atomic():
        now = timezone.now()
        marked = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.READY).update(
            status=ExportStatus.DELETED, downloaded_at=now, deleted_at=now
        )
        if not marked:
            return False
        event_export_downloaded(actor=actor, client=job.client, export_id=str(job.public_id))
    storage.file_delete(job.file_name)
    return True


# --- the sweep -------------------------------------------------------------------------------
def _expire(job: ExportJob, *, now: Any) -> bool:
    """Delete a ready export whose day is over; True if this call deleted it."""
    if job.status != ExportStatus.READY or job.expires_at is None or job.expires_at > now:
        return False
    if not ExportJob.objects.filter(pk=job.pk, status=ExportStatus.READY).update(
        status=ExportStatus.DELETED, deleted_at=now
    ):
        return False
    storage.file_delete(job.file_name)
    return True


def exports_delete_for_client(*, client_id: int) -> int:
    """Delete every export file of one client now and stop any run on its way (for closing an
    account: nothing of the client may wait in the export folder). Returns how many were live."""
    now = timezone.now()
    jobs = list(ExportJob.objects.filter(client_id=client_id, status__in=LIVE_STATUSES))
    ExportJob.objects.filter(pk__in=[j.pk for j in jobs]).update(
        status=ExportStatus.DELETED, deleted_at=now
    )
    names = [job.file_name for job in jobs if job.file_name]

    def delete_files() -> None:
        for name in names:
            storage.file_delete(name)

    # Files go once the caller's transaction commits: a closure that is refused keeps them.
    transaction.on_commit(delete_files)
    return len(jobs)


def exports_sweep() -> dict[str, int]:
    """Delete exports a day old, fail runs that died with their worker, and remove stray files.
    Idempotent: a second sweep finds nothing more to do."""
    now = timezone.now()
    expired = sum(
        _expire(job, now=now)
        for job in ExportJob.objects.filter(status=ExportStatus.READY, expires_at__lte=now)
    )
    stale = ExportJob.objects.filter(
        status__in=(ExportStatus.QUEUED, ExportStatus.RUNNING), created_at__lte=now - STALE_AFTER
    ).update(status=ExportStatus.FAILED, error=STALE_MESSAGE, finished_at=now)
    live = set(
        ExportJob.objects.filter(status__in=LIVE_STATUSES)
        .exclude(file_name="")
        .values_list("file_name", flat=True)
    )
    strays = 0
    for path in storage.stray_files(
        keep=live, older_than=time.time() - STALE_AFTER.total_seconds()
    ):
        path.unlink(missing_ok=True)
        strays += 1
    return {"expired": expired, "stale": stale, "strays": strays}
