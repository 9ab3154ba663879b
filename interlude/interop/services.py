"""Writes for imports: the upload, the choices made in the preview, reading the file (the worker),
adding it, discarding it, undoing it, and the sweep.

The life of an import (ADR 0024): the upload is stored (0600, named from the job's id) and the
job queued; the worker reads the file into staged rows (`StagedRecord`, encrypted), in batches of
a few hundred, each in its own short transaction, so nothing holds the database for long (on
SQLite a long transaction would block every audited read). The preview shows what will be added;
adding applies the staged rows through the one loader in ONE short transaction (all or nothing),
then deletes the file and the staged rows. Every domain row carries the job's `public_id` as its
`import_id`: undo removes exactly those.

Reading is safe to run twice: each run takes the job over with a new `attempt`, deletes the rows
of earlier attempts, and stops if another run takes it over meanwhile. Adding is idempotent: a
record already in the client's record (same natural key) is not added again.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, BinaryIO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from interlude.accounts.models import User
from interlude.audit.services import (
    event_import_committed,
    event_import_discarded,
    event_import_profile_saved,
    event_import_undone,
    event_import_uploaded,
)
from interlude.core.clock import client_zone
from interlude.core.errors import ApplicationError
from interlude.core.validation import BoundError, check_past_datetime, text_problem
from interlude.interop import importers, loader, storage
from interlude.interop.canonical import (
    Answers,
    ImportFileError,
    MoodEntry,
    ParseOptions,
    Record,
    Skipped,
    Unreadable,
    natural_key,
    record_from_json,
    record_to_json,
)
from interlude.interop.enums import ImportSource, ImportStatus, StagedKind
from interlude.interop.models import ImportJob, ImportProfile, StagedRecord
from interlude.measures.selectors import imported_answers_problem
from interlude.measures.selectors import imported_keys_present as responses_present
from interlude.measures.services import imported_responses_remove
from interlude.practices.models import Client
from interlude.tracking.selectors import imported_keys_present as records_present
from interlude.tracking.services import imported_rows_remove

logger = logging.getLogger(__name__)

BATCH = 500  # staged rows written per short transaction
PROGRESS_EVERY = 0.5  # seconds between progress updates
UNREADABLE_KEPT = 200  # unreadable lines listed in the preview (all are counted)
KEEP_FOR = timedelta(days=1)  # an upload not added within a day is deleted
STALLED_AFTER = timedelta(minutes=10)  # a read with no sign of life this long died with its worker
MAX_ATTEMPTS = 3
# Adding more staged rows than this is left to the worker (measured: 5,000 Daylio entries are
# added in about 0.6 s on SQLite, 10,000 in about 1.2 s; see the report in test_loader.py).
COMMIT_INLINE_MAX = 2_000

TEXT_SOURCES = frozenset(
    {ImportSource.DAYLIO, ImportSource.BEARABLE, ImportSource.FHIR, ImportSource.CSV}
)
READ_FAILED = (
    "Something went wrong while reading your file. Nothing was added. "
    "Please try again, or send the file to your care team."
)
STALLED = "Reading your file stopped several times. Nothing was added. Please upload it again."
COMMIT_FAILED = "Adding your data did not work, so nothing was added. Please try again."
EMPTY = "The file is empty. Choose the file your app exported."
EXPIRED = "This import waited more than a day, so the file was deleted. Please upload it again."

STEP_QUEUED = "Waiting to be read"
STEP_READING = "Reading your file"
STEP_ADDING = "Adding your data"


# --- helpers ---------------------------------------------------------------------------------
def size_limit(source: ImportSource) -> int:
    """The largest file accepted from `source` (SR-22): text files are small, Apple Health
    archives are not."""
    if source in TEXT_SOURCES:
        return int(settings.IMPORT_MAX_TEXT_BYTES)
    return int(settings.IMPORT_MAX_ARCHIVE_BYTES)


def _megabytes(size: int) -> str:
    return f"{size / 1024**2:,.0f} MB" if size < 1024**3 else f"{size / 1024**3:,.1f} GB"


def _too_big(source: ImportSource) -> ApplicationError:
    return ApplicationError(
        f"This file is larger than {_megabytes(size_limit(source))}, the most Interlude takes "
        f"from {ImportSource(source).label}. Export a shorter period and try again.",
        field="file",
    )


def _shown_name(file_name: str) -> str:
    """The uploaded file's own name, without any folder, for the client's list only."""
    base = PureWindowsPath(PurePosixPath(file_name or "").name).name
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[:200] or "file"


def _source(source: ImportSource | str) -> ImportSource:
    try:
        return ImportSource(source)
    except ValueError:
        raise ApplicationError("Choose which app the file comes from.", field="source") from None


def _enqueue_read(job_id: int) -> None:
    from interlude.interop.tasks import import_read_task

    import_read_task.enqueue(job_id=job_id)


def _enqueue_commit(job_id: int) -> None:
    from interlude.interop.tasks import import_commit_task

    import_commit_task.enqueue(job_id=job_id)


def _staged_delete(job_id: int) -> int:
    """Delete a job's staged rows a few thousand at a time (short transactions)."""
    deleted = 0
    while True:
        ids = list(StagedRecord.objects.filter(job_id=job_id).values_list("pk", flat=True)[:5000])
        if not ids:
            return deleted
        deleted += StagedRecord.objects.filter(pk__in=ids).delete()[0]


def _files_and_rows_delete(job: ImportJob) -> None:
    if job.stored_name:
        storage.file_delete(job.stored_name)
    _staged_delete(job.pk)


def default_mood_levels(source: ImportSource | str) -> Mapping[str, int]:
    """The levels (1-5) a source gives its own mood names (casefolded), e.g. Daylio's rad=5."""
    if source == ImportSource.DAYLIO:
        from interlude.interop.importers import daylio

        return {name.casefold(): level for name, level in daylio.DEFAULT_MOOD_LEVELS.items()}
    return {}


def unmapped_moods(job: ImportJob) -> list[str]:
    """Mood names of the preview with neither a default level nor the client's choice."""
    chosen = job.options.get("moods") or {}
    found = job.summary.get("moods") or {}
    return sorted(
        name
        for name, info in found.items()
        if info.get("default_level") is None and name not in chosen
    )


# --- uploading -------------------------------------------------------------------------------
def import_upload(
    *,
    user: User,
    client: Client,
    source: ImportSource | str,
    file: UploadedFile | BinaryIO,
    file_name: str,
    mapping: Mapping[str, Any] | None = None,
) -> ImportJob:
    """Store an uploaded file and queue it to be read (a spreadsheet without a column mapping
    waits for one first). The size is checked before anything is stored. Audited."""
    source = _source(source)
    limit = size_limit(source)
    declared = getattr(file, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise _too_big(source)
    if declared == 0:
        raise ApplicationError(
            "The file is empty. Choose the file your app exported.", field="file"
        )
    job = ImportJob(
        practice_id=client.practice_id,
        client=client,
        source=source,
        file_name=_shown_name(file_name),
        created_by=user,
        updated_by=user,
    )
    job.stored_name = storage.file_name_for(job.public_id.hex)
    try:
        size, digest = storage.file_store(source=file, name=job.stored_name, limit=limit)
    except storage.TooBig:
        raise _too_big(source) from None
    if size == 0:
        storage.file_delete(job.stored_name)
        raise ApplicationError(
            "The file is empty. Choose the file your app exported.", field="file"
        )
    job.file_size = size
    job.file_sha256 = digest
    if mapping is not None:
        job.options = {"mapping": dict(mapping)}
    waiting = source == ImportSource.CSV and mapping is None
    job.status = ImportStatus.MAPPING if waiting else ImportStatus.QUEUED
    job.step = "" if waiting else STEP_QUEUED
    try:
        with transaction.atomic():
            job.save()
            event_import_uploaded(
                actor=user, client=client, job_id=str(job.public_id), source=str(source)
            )
            if not waiting:
                transaction.on_commit(lambda: _enqueue_read(job.pk))
    except BaseException:
        storage.file_delete(job.stored_name)
        raise
    return job


def import_columns(*, job: ImportJob) -> tuple[list[str], list[list[str]]]:
    """A spreadsheet's column names and its first rows, for the mapping step."""
    from interlude.interop.importers import generic_csv

    path = storage.path_of(job.stored_name)
    if path is None or not path.exists():
        raise ApplicationError(EXPIRED, field="file")
    try:
        return generic_csv.read_columns(path)
    except ImportFileError as exc:
        raise ApplicationError(exc.message, field="file") from None


def _requeue(job: ImportJob, *, user: User, options: dict[str, Any]) -> ImportJob:
    with transaction.atomic():
        updated = ImportJob.objects.filter(
            pk=job.pk, status__in=(ImportStatus.MAPPING, ImportStatus.PREVIEW, ImportStatus.FAILED)
        ).update(
            options=options,
            status=ImportStatus.QUEUED,
            step=STEP_QUEUED,
            progress=0,
            error="",
            updated_by=user,
            updated_at=timezone.now(),
        )
        if not updated:
            raise ApplicationError("This import can no longer be changed.")
        transaction.on_commit(lambda: _enqueue_read(job.pk))
    job.refresh_from_db()
    return job


def import_mapping_set(
    *, user: User, job: ImportJob, mapping: Mapping[str, Any], profile_name: str | None = None
) -> ImportJob:
    """Match a spreadsheet's columns (and save them as a named profile when asked), then queue
    the file to be read. A mapping that does not fit the file is refused naming the field."""
    from interlude.interop.importers import generic_csv

    if job.source != ImportSource.CSV:
        raise ApplicationError("Only a spreadsheet needs its columns matched.")
    headers, _ = import_columns(job=job)
    errors = generic_csv.mapping_errors(mapping, headers)
    if errors:
        field, message = next(iter(errors.items()))
        raise ApplicationError(message, field=field)
    name = " ".join((profile_name or "").split())
    if len(name) > 60:
        raise ApplicationError(
            "Give the profile a shorter name (up to 60 characters).", field="profile_name"
        )
    with transaction.atomic():
        if name:
            profile, _ = ImportProfile.objects.update_or_create(
                client=job.client,
                name=name,
                defaults={
                    "practice_id": job.client.practice_id,
                    "mapping": dict(mapping),
                    "updated_by": user,
                },
                create_defaults={
                    "practice_id": job.client.practice_id,
                    "mapping": dict(mapping),
                    "created_by": user,
                    "updated_by": user,
                },
            )
            event_import_profile_saved(
                actor=user, client=job.client, profile_id=str(profile.public_id)
            )
        return _requeue(job, user=user, options={**job.options, "mapping": dict(mapping)})


def import_scales_set(
    *, user: User, job: ImportJob, scales: Mapping[str, tuple[int, int]]
) -> ImportJob:
    """The scales a file does not state (Bearable's mood and energy); the file is read again."""
    clean: dict[str, list[int]] = {}
    for name, pair in scales.items():
        if name not in ("mood", "energy"):
            raise ApplicationError(f"There is no scale called “{name[:30]}”.", field="scales")
        low, high = (int(v) for v in pair)
        if not (0 <= low < high <= 100):
            raise ApplicationError("A scale goes from a lower to a higher number.", field=name)
        clean[name] = [low, high]
    return _requeue(job, user=user, options={**job.options, "scales": clean})


def import_moods_set(*, user: User, job: ImportJob, moods: Mapping[str, int]) -> ImportJob:
    """The client's level (1 worst .. 5 best) for mood names found in the file."""
    if job.status != ImportStatus.PREVIEW:
        raise ApplicationError("This import can no longer be changed.")
    found = job.summary.get("moods") or {}
    chosen: dict[str, int] = dict(job.options.get("moods") or {})
    for name, level in moods.items():
        if name not in found:
            raise ApplicationError(f"“{name[:40]}” is not a mood in this file.", field="moods")
        if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 5:
            raise ApplicationError(f"Choose a level from 1 to 5 for “{name[:40]}”.", field="moods")
        chosen[name] = level
    job.options = {**job.options, "moods": chosen}
    job.updated_by = user
    job.save(update_fields=["options", "updated_by", "updated_at"])
    return job


# --- reading (the worker) --------------------------------------------------------------------
class _Superseded(Exception):
    """Another run took the job over, or it was discarded: this run stops, writing nothing."""


def _claim_read(job_id: int) -> ImportJob | None:
    now = timezone.now()
    claimed = ImportJob.objects.filter(
        pk=job_id, status__in=(ImportStatus.QUEUED, ImportStatus.READING)
    ).update(
        status=ImportStatus.READING,
        attempt=F("attempt") + 1,
        started_at=now,
        progress=0,
        step=STEP_READING,
        error="",
        summary={},
        updated_at=now,
    )
    if not claimed:
        return None
    return ImportJob.objects.select_related("client__practice").get(pk=job_id)


def _mine(job: ImportJob) -> Any:
    return ImportJob.objects.filter(pk=job.pk, attempt=job.attempt, status=ImportStatus.READING)


class _Reader:
    """One run over the file: stages records in batches and keeps the preview's counts."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self.client = job.client
        self.source = ImportSource(job.source)
        self.client_key = str(self.client.public_id)
        self.zone = client_zone(self.client)
        self.source_type = f"import.{self.source}"
        self.defaults = default_mood_levels(self.source)
        self.seq = 0
        self.buffer: list[StagedRecord] = []
        self.seen: set[str] = set()
        self.to_add: Counter[str] = Counter()
        self.duplicates = 0
        self.unreadable: list[dict[str, Any]] = []
        self.unreadable_count = 0
        self.skipped: Counter[str] = Counter()
        self.moods: Counter[str] = Counter()
        self.naive = False
        self.last_progress = time.monotonic()
        self.answer_checks: dict[str, str] = {}

    # progress, at most every PROGRESS_EVERY seconds, in its own short update
    def progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last_progress < PROGRESS_EVERY:
            return
        self.last_progress = now
        percent = min(95, int(95 * done / total)) if total else 50
        if not _mine(self.job).update(progress=percent, updated_at=timezone.now()):
            raise _Superseded

    def bad(self, line: int | None, message: str) -> None:
        self.unreadable_count += 1
        if len(self.unreadable) < UNREADABLE_KEPT:
            self.unreadable.append({"line": line, "message": message[:200]})

    def check(self, record: Record) -> str:
        """Why a record cannot be added ("" when it can)."""
        try:
            check_past_datetime(loader.aware(record.when, self.zone))
        except BoundError as exc:
            return str(exc)
        except (OverflowError, ValueError):
            return "The date cannot be read."
        if isinstance(record, Answers):
            fingerprint = f"{record.instrument_code}:{record.answers!r}"
            if fingerprint not in self.answer_checks:
                self.answer_checks[fingerprint] = imported_answers_problem(
                    client=self.client,
                    instrument_code=record.instrument_code,
                    answers=record.answers,
                )
            return self.answer_checks[fingerprint]
        return ""

    def add(self, record: Record) -> None:
        problem = self.check(record)
        payload = record_to_json(record)
        if not problem and text_problem(payload) is not None:
            problem = "This line contains characters that cannot be stored."
        if problem:
            self.bad(record.line, problem)
            return
        if record.when.tzinfo is None:
            self.naive = True
        if isinstance(record, MoodEntry) and record.mood_value is None:
            self.moods[loader.mood_name(record.mood_label)] += 1
        key = natural_key(client_key=self.client_key, source=self.source, record=record)
        duplicate = key in self.seen
        self.seen.add(key)
        self.seq += 1
        self.buffer.append(
            StagedRecord(
                job_id=self.job.pk,
                practice_id=self.client.practice_id,
                client_id=self.client.pk,
                attempt=self.job.attempt,
                seq=self.seq,
                line=record.line,
                kind=str(record.kind),
                natural_key=key,
                duplicate=duplicate,
                payload=payload,
            )
        )
        if len(self.buffer) >= BATCH:
            self.flush()

    def flush(self) -> None:
        rows, self.buffer = self.buffer, []
        if not rows:
            return
        fresh = [r for r in rows if not r.duplicate]
        present: set[str] = set()
        answers = [r.natural_key for r in fresh if r.kind == StagedKind.RESPONSE]
        others = [r.natural_key for r in fresh if r.kind != StagedKind.RESPONSE]
        if others:
            present |= records_present(
                client=self.client, keys=others, source_type=self.source_type
            )
        if answers:
            present |= responses_present(client=self.client, keys=answers)
        for row in rows:
            if row.natural_key in present:
                row.duplicate = True
            if row.duplicate:
                self.duplicates += 1
            else:
                self.to_add[row.kind] += 1
        with transaction.atomic():
            if not _mine(self.job).update(updated_at=timezone.now()):
                raise _Superseded
            StagedRecord.objects.bulk_create(rows)

    def summary(self) -> dict[str, Any]:
        return {
            "to_add": dict(self.to_add),
            "duplicates": self.duplicates,
            "unreadable": self.unreadable,
            "unreadable_count": self.unreadable_count,
            "skipped": dict(self.skipped),
            "moods": {
                name: {
                    "count": count,
                    "default_level": self.defaults.get(name.casefold()),
                }
                for name, count in sorted(self.moods.items())
            },
            "assumed_zone": self.client.time_zone if self.naive else "",
        }

    def run(self, path: Path) -> dict[str, Any]:
        options = self.job.options or {}
        scales = options.get("scales")
        parse_options = ParseOptions(
            mapping=options.get("mapping"),
            scales={k: (int(v[0]), int(v[1])) for k, v in scales.items()} if scales else None,
            on_progress=self.progress,
        )
        items: Iterator[Any] = importers.parse_file(
            source=self.source, path=path, options=parse_options
        )
        for item in items:
            if isinstance(item, Unreadable):
                self.bad(item.line, item.message)
            elif isinstance(item, Skipped):
                self.skipped[item.reason] += 1
            else:
                self.add(item)
        self.flush()
        return self.summary()


def _read_fail(job: ImportJob, message: str) -> None:
    _mine(job).update(
        status=ImportStatus.FAILED,
        error=message[:300],
        step="",
        progress=0,
        updated_at=timezone.now(),
    )
    _staged_delete(job.pk)


def import_read(*, job_id: int, path: Path | None = None) -> bool:
    """Read a queued job's file into staged rows and make it ready to preview. True when this
    run read it; False when there was nothing to do or another run took over. Safe to run again
    after a crash: the rerun deletes what earlier runs staged and starts over.

    `path` reads a file that is not in the import folder (the import_file command)."""
    job = _claim_read(job_id)
    if job is None:
        return False
    # Rows of earlier attempts (a run killed half-way) go before anything new is staged.
    stale = StagedRecord.objects.filter(job_id=job.pk).exclude(attempt=job.attempt)
    while ids := list(stale.values_list("pk", flat=True)[:5000]):
        StagedRecord.objects.filter(pk__in=ids).delete()
    if path is None:
        path = storage.path_of(job.stored_name)
        if path is None or not path.exists():
            _read_fail(job, EXPIRED)
            return True
    try:
        summary = _Reader(job).run(path)
    except _Superseded:
        return False
    except ImportFileError as exc:
        _read_fail(job, exc.message)
        return True
    except Exception as exc:
        # Only the kind of error: a message could quote the file's content.
        logger.error("import %s could not be read: %s", job.public_id, type(exc).__name__)
        _read_fail(job, READ_FAILED)
        return True
    with transaction.atomic():
        done = _mine(job).update(
            status=ImportStatus.PREVIEW,
            summary=summary,
            progress=100,
            step="",
            read_at=timezone.now(),
            updated_at=timezone.now(),
        )
    return bool(done)


# --- adding ----------------------------------------------------------------------------------
def _staged_records(job: ImportJob) -> list[loader.Staged]:
    rows = StagedRecord.objects.filter(job_id=job.pk, attempt=job.attempt, duplicate=False)
    return [
        loader.Staged(natural_key=row.natural_key, record=record_from_json(row.payload))
        for row in rows.order_by("seq")
    ]


def import_commit(*, user: User, job: ImportJob) -> ImportJob:
    """Add a previewed import to the client's record: all of it in one short transaction, or
    nothing. A large one is handed to the worker (the job shows "Being added" meanwhile).
    Idempotent: an import already added is returned as it is."""
    job.refresh_from_db()
    if job.status == ImportStatus.COMMITTED:
        return job
    if job.status not in (ImportStatus.PREVIEW, ImportStatus.COMMITTING):
        raise ApplicationError("This import is not ready to be added.")
    missing = unmapped_moods(job)
    if missing:
        names = ", ".join(f"“{name[:40]}”" for name in missing)
        raise ApplicationError(f"Choose a level for each mood first: {names}.", field="moods")
    claimed = ImportJob.objects.filter(
        pk=job.pk, status__in=(ImportStatus.PREVIEW, ImportStatus.COMMITTING)
    ).update(
        status=ImportStatus.COMMITTING,
        step=STEP_ADDING,
        error="",
        updated_by=user,
        updated_at=timezone.now(),
    )
    if not claimed:
        job.refresh_from_db()
        return job
    size = StagedRecord.objects.filter(job_id=job.pk, attempt=job.attempt).count()
    if size > COMMIT_INLINE_MAX:
        transaction.on_commit(lambda: _enqueue_commit(job.pk))
    else:
        try:
            import_apply(job_id=job.pk)
        except Exception:
            raise ApplicationError(COMMIT_FAILED) from None
    job.refresh_from_db()
    if job.status == ImportStatus.PREVIEW and job.error:
        raise ApplicationError(job.error)
    return job


def import_apply(*, job_id: int) -> bool:
    """Apply a job being added: the loader, the job's new status and the audit event in ONE
    transaction, then the file and staged rows are deleted. True when this run added it."""
    job = (
        ImportJob.objects.select_related("client__practice", "updated_by")
        .filter(pk=job_id, status=ImportStatus.COMMITTING)
        .first()
    )
    if job is None:
        return False
    actor = job.updated_by
    # Decrypted before the transaction, so the transaction holds only the writes.
    records = _staged_records(job)
    moods = {str(k): int(v) for k, v in (job.options.get("moods") or {}).items()}
    try:
        with transaction.atomic():
            now = timezone.now()
            # The first write takes the job (and, on SQLite, the database) for this run only.
            if not ImportJob.objects.filter(pk=job.pk, status=ImportStatus.COMMITTING).update(
                status=ImportStatus.COMMITTED, committed_at=now, updated_at=now
            ):
                return False
            result = loader.load(
                job=job,
                records=records,
                actor=actor,
                moods=moods,
                default_moods=default_mood_levels(job.source),
            )
            added = {kind: result.added.get(kind, 0) for kind in _added_kinds(job, result.added)}
            summary = {**job.summary, "added": added, "duplicates_when_added": result.duplicates}
            ImportJob.objects.filter(pk=job.pk).update(
                summary=summary, progress=100, step="", stored_name=""
            )
            event_import_committed(
                actor=actor,
                client=job.client,
                job_id=str(job.public_id),
                source=str(job.source),
                added=added,
            )
    except loader.UnmappedMood:
        _commit_failed(job, "Choose a level for each mood first.")
        return False
    except Exception as exc:
        logger.error("import %s could not be added: %s", job.public_id, type(exc).__name__)
        _commit_failed(job, COMMIT_FAILED)
        raise
    _files_and_rows_delete(job)
    return True


def _added_kinds(job: ImportJob, added: Mapping[str, int]) -> list[str]:
    kinds = [
        StagedKind.CHECKIN.value,
        StagedKind.SLEEP.value,
        StagedKind.MINDFUL.value,
        StagedKind.STEPS.value,
        StagedKind.RESPONSE.value,
    ]
    staged_measurements = (job.summary.get("to_add") or {}).get(StagedKind.MEASUREMENT.value)
    if added.get(StagedKind.MEASUREMENT.value) or staged_measurements:
        kinds.append(StagedKind.MEASUREMENT.value)
    return kinds


def _commit_failed(job: ImportJob, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk, status=ImportStatus.COMMITTING).update(
        status=ImportStatus.PREVIEW, step="", error=message[:300], updated_at=timezone.now()
    )


# --- discarding and undoing ------------------------------------------------------------------
DISCARDABLE = (
    ImportStatus.MAPPING,
    ImportStatus.QUEUED,
    ImportStatus.READING,
    ImportStatus.PREVIEW,
    ImportStatus.FAILED,
)


def import_discard(*, user: User, job: ImportJob) -> ImportJob:
    """Throw an import away before it is added: the file and staged rows are deleted. A read in
    progress stops at its next batch. Audited."""
    with transaction.atomic():
        if not ImportJob.objects.filter(pk=job.pk, status__in=DISCARDABLE).update(
            status=ImportStatus.DISCARDED,
            step="",
            stored_name="",
            updated_by=user,
            updated_at=timezone.now(),
        ):
            job.refresh_from_db()
            if job.status == ImportStatus.DISCARDED:
                return job
            raise ApplicationError("This import can no longer be discarded.")
        event_import_discarded(actor=user, client=job.client, job_id=str(job.public_id))
    _files_and_rows_delete(job)
    job.refresh_from_db()
    return job


def import_undo(*, user: User, job: ImportJob) -> ImportJob:
    """Remove everything one import added, in one transaction. Audited with the count."""
    with transaction.atomic():
        now = timezone.now()
        if not ImportJob.objects.filter(pk=job.pk, status=ImportStatus.COMMITTED).update(
            status=ImportStatus.UNDONE, undone_at=now, updated_by=user, updated_at=now
        ):
            job.refresh_from_db()
            if job.status == ImportStatus.UNDONE:
                return job
            raise ApplicationError("Only an import that was added can be undone.")
        removed = imported_rows_remove(client=job.client, import_id=job.public_id)
        removed += imported_responses_remove(client=job.client, import_id=job.public_id)
        ImportJob.objects.filter(pk=job.pk).update(summary={**job.summary, "removed": removed})
        event_import_undone(
            actor=user,
            client=job.client,
            job_id=str(job.public_id),
            source=str(job.source),
            removed=removed,
        )
    job.refresh_from_db()
    return job


# --- the command: read and add at once -------------------------------------------------------
def import_file_now(
    *,
    user: User,
    client: Client,
    source: ImportSource | str,
    path: Path,
    options: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Read a file and add it without a preview (`manage.py import_file`): the same reading,
    loader and transaction as an upload. Raises ApplicationError, having added nothing, for a
    file that cannot be read or moods without a level. Returns the summary line's dict."""
    source = _source(source)
    options = dict(options or {})
    try:
        size = path.stat().st_size
    except OSError:
        raise ApplicationError("There is no file at that path.", field="file") from None
    if size > size_limit(source):
        raise _too_big(source)
    job = ImportJob(
        practice_id=client.practice_id,
        client=client,
        source=source,
        file_name=_shown_name(path.name),
        file_size=size,
        options=options,
        status=ImportStatus.QUEUED,
        created_by=user,
        updated_by=user,
    )
    with transaction.atomic():
        job.save()
        event_import_uploaded(
            actor=user, client=client, job_id=str(job.public_id), source=str(source)
        )
    import_read(job_id=job.pk, path=path)
    job.refresh_from_db()
    if job.status != ImportStatus.PREVIEW:
        raise ApplicationError(job.error or READ_FAILED, field="file")
    missing = unmapped_moods(job)
    if missing:
        import_discard(user=user, job=job)
        names = ", ".join(missing)
        raise ApplicationError(
            f"These moods have no level: {names}. Give each one with --mood-map, e.g. "
            f"'{{\"{missing[0]}\": 3}}'.",
            field="moods",
        )
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.COMMITTING, step=STEP_ADDING, updated_at=timezone.now()
    )
    import_apply(job_id=job.pk)
    job.refresh_from_db()
    if job.status != ImportStatus.COMMITTED:
        raise ApplicationError(job.error or COMMIT_FAILED)
    return import_summary_line(job)


def import_summary_line(job: ImportJob) -> dict[str, Any]:
    """The command's summary: what was added per kind, what was already there, what could not
    be read."""
    summary = job.summary
    stored = summary.get("added") or {}
    # In the documented order (PostgreSQL's jsonb does not keep the order keys were written in).
    order = ["checkins", "sleep", "mindful", "steps", "responses", "measurements"]
    added = {k: stored[k] for k in order if k in stored}
    added |= {k: v for k, v in stored.items() if k not in added}
    not_added = sum((summary.get("to_add") or {}).values()) - sum(added.values())
    return {
        "source": str(job.source),
        "added": added,
        "duplicates": int(summary.get("duplicates", 0)) + max(0, not_added),
        "unreadable": int(summary.get("unreadable_count", 0)),
    }


# --- the sweep -------------------------------------------------------------------------------
def imports_purge_stale(*, now: datetime) -> int:
    """Delete the files and staged rows of imports not added within a day (they become
    "discarded" with a note), and files no job names. Returns how many imports were purged.
    Idempotent."""
    cutoff = now - KEEP_FOR
    stale = list(
        ImportJob.objects.filter(created_at__lte=cutoff).filter(
            status__in=(
                ImportStatus.MAPPING,
                ImportStatus.QUEUED,
                ImportStatus.READING,
                ImportStatus.PREVIEW,
                ImportStatus.COMMITTING,
                ImportStatus.FAILED,
            )
        )
    )
    purged = 0
    for job in stale:
        with transaction.atomic():
            if not ImportJob.objects.filter(pk=job.pk, status=job.status).update(
                status=ImportStatus.DISCARDED,
                error=EXPIRED if job.status != ImportStatus.FAILED else job.error,
                stored_name="",
                step="",
                updated_at=now,
            ):
                continue
        _files_and_rows_delete(job)
        purged += 1
    # Staged rows left by a finished job (a crash between adding and tidying up).
    for job_id in (
        StagedRecord.objects.filter(
            job__status__in=(
                ImportStatus.COMMITTED,
                ImportStatus.DISCARDED,
                ImportStatus.UNDONE,
            )
        )
        .values_list("job_id", flat=True)
        .distinct()
    ):
        _staged_delete(job_id)
    live = set(
        ImportJob.objects.exclude(stored_name="")
        .filter(status__in=(*DISCARDABLE, ImportStatus.COMMITTING))
        .values_list("stored_name", flat=True)
    )
    for path in storage.stray_files(keep=live, older_than=cutoff.timestamp()):
        path.unlink(missing_ok=True)
    return purged


def imports_resume_stalled(*, now: datetime) -> int:
    """Queue again the reads whose worker died (no sign of life for STALLED_AFTER) and the
    additions that never ran; returns how many were queued."""
    cutoff = now - STALLED_AFTER
    reads: list[int] = []
    for job in ImportJob.objects.filter(
        status__in=(ImportStatus.QUEUED, ImportStatus.READING), updated_at__lte=cutoff
    ):
        # A file that stops its worker every time (it runs out of memory, say) is not retried
        # for ever: after MAX_ATTEMPTS stalls it fails with a message.
        stalls = int((job.options or {}).get("stalls", 0)) + 1
        with transaction.atomic():
            if stalls > MAX_ATTEMPTS:
                ImportJob.objects.filter(pk=job.pk, status=job.status).update(
                    status=ImportStatus.FAILED, error=STALLED, step="", updated_at=now
                )
                continue
            if ImportJob.objects.filter(pk=job.pk, status=job.status).update(
                options={**(job.options or {}), "stalls": stalls}, updated_at=now
            ):
                reads.append(job.pk)
    commits = list(
        ImportJob.objects.filter(
            status=ImportStatus.COMMITTING, updated_at__lte=cutoff
        ).values_list("pk", flat=True)
    )
    for job_id in reads:
        _enqueue_read(job_id)
    for job_id in commits:
        _enqueue_commit(job_id)
    return len(reads) + len(commits)


def imports_sweep(*, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "resumed": imports_resume_stalled(now=now),
        "purged": imports_purge_stale(now=now),
    }
