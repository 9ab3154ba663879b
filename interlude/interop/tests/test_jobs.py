"""Import jobs: the upload (size limits, the stored file), reading into staged rows (the preview's
counts), the choices in the preview, adding, discarding, a rerun after a crash, the sweep, and
who may reach a job. Tasks run at once in tests (ImmediateBackend) once the upload commits."""

from __future__ import annotations

import io
import logging
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.core.errors import ApplicationError
from interlude.interop import importers, services, storage
from interlude.interop.enums import ImportSource, ImportStatus
from interlude.interop.models import ImportJob, ImportProfile, StagedRecord
from interlude.interop.selectors import (
    access_import_job,
    import_jobs_for_client,
    import_preview,
)
from interlude.interop.tests.import_helpers import (
    NOW,
    SMALL,
    daylio_days,
    point_imports_dir,
    upload,
)
from interlude.tracking.models import CheckIn, Observation, ObservationSource
from tests.factories import clinician_with_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("imports_dir")]


@pytest.fixture
def imports_dir(settings, tmp_path):
    return point_imports_dir(settings, tmp_path)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def client_row():
    return clinician_with_client()[1]


def _actions(client) -> list[str]:
    return list(
        AuditEvent.objects.filter(client=client).order_by("seq").values_list("action", flat=True)
    )


# --- upload and read -------------------------------------------------------------------------
def test_upload_stores_the_file_owner_only_and_reads_it_into_a_preview(
    client_row, imports_dir, django_capture_on_commit_callbacks
):
    job = upload(client_row, SMALL, capture=django_capture_on_commit_callbacks)

    assert job.status == ImportStatus.PREVIEW
    assert (job.source, job.file_name, job.file_size) == ("daylio", "daylio_export.csv", len(SMALL))
    assert job.attempt == 1 and job.progress == 100
    stored = imports_dir / f"{job.public_id.hex}.upload"
    assert job.stored_name == stored.name
    assert stored.read_bytes() == SMALL
    assert stored.stat().st_mode & 0o777 == 0o600
    assert imports_dir.stat().st_mode & 0o777 == 0o700
    assert job.summary == {
        "to_add": {"checkins": 4},
        "duplicates": 0,
        "unreadable": [
            {"line": 6, "message": "time “25:99” is not a time like “8:30 pm” or “21:35”."}
        ],
        "unreadable_count": 1,
        "skipped": {},
        "moods": {
            "awful": {"count": 1, "default_level": 1},
            "good": {"count": 1, "default_level": 4},
            "meh": {"count": 1, "default_level": 3},
            "wired": {"count": 1, "default_level": None},
        },
        "assumed_zone": "America/New_York",
    }
    staged = list(StagedRecord.objects.filter(job=job).order_by("seq"))
    assert [(s.seq, s.line, s.kind, s.duplicate, s.attempt) for s in staged] == [
        (1, 2, "checkins", False, 1),
        (2, 3, "checkins", False, 1),
        (3, 4, "checkins", False, 1),
        (4, 5, "checkins", False, 1),
    ]
    assert staged[0].payload["note"] == "Felt calmer"
    assert len({s.natural_key for s in staged}) == 4
    # Nothing is in the record before the client adds it.
    assert CheckIn.objects.count() == 0 and Observation.objects.count() == 0
    assert _actions(client_row) == [AuditAction.IMPORT_UPLOADED]
    assert AuditEvent.objects.get(client=client_row).detail == {"source": "daylio"}


def test_preview_selector(client_row, django_capture_on_commit_callbacks):
    job = upload(client_row, SMALL, capture=django_capture_on_commit_callbacks)
    services.import_moods_set(user=client_row.user, job=job, moods={"good": 5})

    preview = import_preview(job=job)

    assert preview.to_add == {"checkins": 4} and preview.total_to_add == 4
    assert preview.duplicates == 0
    assert preview.unreadable == [(6, "time “25:99” is not a time like “8:30 pm” or “21:35”.")]
    assert preview.unreadable_count == 1
    assert [(m.name, m.count, m.default_level, m.chosen_level) for m in preview.moods] == [
        ("awful", 1, 1, None),
        ("good", 1, 4, 5),
        ("meh", 1, 3, None),
        ("wired", 1, None, None),
    ]
    assert preview.unmapped_moods == ["wired"]
    assert preview.assumed_zone == "America/New_York"
    assert [(s.kind, s.line, s.when.isoformat()) for s in preview.samples] == [
        ("checkins", 2, "2025-03-02T20:30:00-05:00"),
        ("checkins", 3, "2025-03-03T21:00:00-05:00"),
        ("checkins", 4, "2025-03-04T09:15:00-05:00"),
        ("checkins", 5, "2025-03-05T10:00:00-05:00"),
    ]
    assert preview.samples[0].record.note == "Felt calmer"


def test_samples_are_the_first_ten(client_row, django_capture_on_commit_callbacks):
    job = upload(client_row, daylio_days(25), capture=django_capture_on_commit_callbacks)
    preview = import_preview(job=job)
    assert preview.to_add == {"checkins": 25}
    assert [s.line for s in preview.samples] == list(range(2, 12))


def test_a_file_over_the_limit_is_refused_before_anything_is_stored(
    client_row, settings, imports_dir
):
    settings.IMPORT_MAX_TEXT_BYTES = 100
    with pytest.raises(ApplicationError) as refused:
        services.import_upload(
            user=client_row.user,
            client=client_row,
            source=ImportSource.DAYLIO,
            file=SimpleUploadedFile("big.csv", b"x" * 101),
            file_name="big.csv",
        )
    assert refused.value.field == "file"
    assert refused.value.message == (
        "This file is larger than 0 MB, the most Interlude takes from Daylio. "
        "Export a shorter period and try again."
    )
    # A stream without a size is counted while it is written, and removed when too big.
    with pytest.raises(ApplicationError):
        services.import_upload(
            user=client_row.user,
            client=client_row,
            source=ImportSource.DAYLIO,
            file=io.BytesIO(b"x" * 101),
            file_name="big.csv",
        )
    assert ImportJob.objects.count() == 0
    assert list(imports_dir.iterdir()) == []


def test_apple_health_has_the_archive_limit(client_row, settings):
    settings.IMPORT_MAX_TEXT_BYTES = 10
    settings.IMPORT_MAX_ARCHIVE_BYTES = 1000
    assert services.size_limit(ImportSource.APPLE_HEALTH) == 1000
    assert services.size_limit(ImportSource.FHIR) == 10
    job = services.import_upload(
        user=client_row.user,
        client=client_row,
        source=ImportSource.APPLE_HEALTH,
        file=io.BytesIO(b"<HealthData/>" * 10),
        file_name="../../export.xml",
    )
    assert (job.status, job.file_name, job.file_size) == (ImportStatus.QUEUED, "export.xml", 130)


def test_an_empty_file_is_refused(client_row, imports_dir):
    with pytest.raises(ApplicationError, match="The file is empty"):
        services.import_upload(
            user=client_row.user,
            client=client_row,
            source="daylio",
            file=io.BytesIO(b""),
            file_name="x.csv",
        )
    assert list(imports_dir.iterdir()) == []


def test_a_file_of_the_wrong_format_fails_with_the_parsers_message(
    client_row, django_capture_on_commit_callbacks
):
    job = upload(
        client_row, b"date,steps\r\n2025-01-01,5\r\n", capture=django_capture_on_commit_callbacks
    )
    assert job.status == ImportStatus.FAILED
    assert job.error.startswith("This does not look like a Daylio export: its first line")
    assert StagedRecord.objects.count() == 0


def test_an_unexpected_error_fails_with_a_safe_message_and_logs_no_content(
    client_row, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def broken(**kwargs):
        raise ValueError("Felt calmer (secret note)")
        yield  # pragma: no cover

    monkeypatch.setattr(importers, "parse_file", broken)
    with caplog.at_level(logging.ERROR):
        job = upload(client_row, SMALL, capture=django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.FAILED
    assert job.error == services.READ_FAILED
    assert "ValueError" in caplog.text
    assert "secret" not in caplog.text and "calmer" not in caplog.text


# --- a spreadsheet waits for its columns ---------------------------------------------------
SHEET = b"Day,Mood,Notes\r\n2025-03-02,7,fine\r\n2025-03-03,4,\r\n"
MAPPING = {
    "date": "Day",
    "date_format": "%Y-%m-%d",
    "value": "Mood",
    "value_kind": "mood",
    "scale_min": 1,
    "scale_max": 10,
    "note": "Notes",
}


def test_a_spreadsheet_waits_for_its_mapping_then_is_read(
    client_row, django_capture_on_commit_callbacks
):
    job = upload(
        client_row,
        SHEET,
        capture=django_capture_on_commit_callbacks,
        source=ImportSource.CSV,
        name="moods.csv",
    )
    assert job.status == ImportStatus.MAPPING
    assert StagedRecord.objects.count() == 0
    assert services.import_columns(job=job)[0] == ["Day", "Mood", "Notes"]

    with pytest.raises(ApplicationError) as refused:
        services.import_mapping_set(
            user=client_row.user, job=job, mapping={**MAPPING, "value": "Nope"}
        )
    assert (refused.value.field, refused.value.message) == (
        "value",
        "This file has no column called “Nope”.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.import_mapping_set(
            user=client_row.user, job=job, mapping=MAPPING, profile_name="  My   mood log "
        )
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEW
    assert job.summary["to_add"] == {"checkins": 2}
    profile = ImportProfile.objects.get(client=client_row)
    assert (profile.name, profile.mapping) == ("My mood log", MAPPING)
    assert _actions(client_row) == [
        AuditAction.IMPORT_UPLOADED,
        AuditAction.IMPORT_PROFILE_SAVED,
    ]


# --- moods, adding -------------------------------------------------------------------------
def test_adding_needs_every_mood_mapped_then_adds_it_all(
    client_row, imports_dir, django_capture_on_commit_callbacks
):
    job = upload(client_row, SMALL, capture=django_capture_on_commit_callbacks)
    with pytest.raises(ApplicationError) as refused:
        services.import_commit(user=client_row.user, job=job)
    assert refused.value.field == "moods"
    assert refused.value.message == "Choose a level for each mood first: “wired”."
    for wrong in ({"wired": 6}, {"wired": 0}, {"wired": True}, {"calm": 3}):
        with pytest.raises(ApplicationError):
            services.import_moods_set(user=client_row.user, job=job, moods=wrong)
    services.import_moods_set(user=client_row.user, job=job, moods={"wired": 4})

    job = services.import_commit(user=client_row.user, job=job)

    assert job.status == ImportStatus.COMMITTED
    assert job.summary["added"] == {
        "checkins": 4,
        "sleep": 0,
        "mindful": 0,
        "steps": 0,
        "responses": 0,
    }
    rows = list(CheckIn.objects.filter(client=client_row).order_by("recorded_at"))
    assert [(c.mood, c.source, c.import_id, c.source_app) for c in rows] == [
        (8, ObservationSource.IMPORT, job.public_id, "daylio"),  # good = 4
        (8, ObservationSource.IMPORT, job.public_id, "daylio"),  # wired, mapped to 4
        (0, ObservationSource.IMPORT, job.public_id, "daylio"),  # awful = 1
        (5, ObservationSource.IMPORT, job.public_id, "daylio"),  # meh = 3
    ]
    assert rows[0].recorded_at.isoformat() == "2025-03-03T01:30:00+00:00"  # 20:30 EST
    assert rows[0].activities == ["work", "walk"]
    assert (rows[0].note, rows[0].note_shared, rows[0].source_file) == (
        "Felt calmer",
        False,
        "daylio_export.csv",
    )
    assert rows[0].original["mood"] == "good" and rows[0].original["time"] == "8:30 pm"
    assert rows[0].idempotency_key.startswith("import:") and len(rows[0].idempotency_key) == 71
    moods = Observation.objects.filter(client=client_row, kind="mood")
    assert sorted(moods.values_list("value", flat=True)) == [0.0, 5.0, 8.0, 8.0]
    assert set(moods.values_list("source", "import_id")) == {("import", job.public_id)}
    # The file and the staged rows are gone; the audit says what was added, in counts.
    assert list(imports_dir.iterdir()) == []
    assert StagedRecord.objects.count() == 0
    assert job.stored_name == ""
    committed = AuditEvent.objects.get(client=client_row, action=AuditAction.IMPORT_COMMITTED)
    assert committed.detail == {"source": "daylio", "added": job.summary["added"]}

    # Committing again adds nothing and changes nothing.
    again = services.import_commit(user=client_row.user, job=job)
    assert again.status == ImportStatus.COMMITTED
    assert CheckIn.objects.count() == 4
    assert _actions(client_row).count(AuditAction.IMPORT_COMMITTED) == 1


def test_reimporting_the_same_file_shows_all_as_duplicates_and_adds_nothing(
    client_row, django_capture_on_commit_callbacks
):
    first = upload(client_row, daylio_days(30), capture=django_capture_on_commit_callbacks)
    services.import_commit(user=client_row.user, job=first)
    assert CheckIn.objects.count() == 30

    second = upload(client_row, daylio_days(30), capture=django_capture_on_commit_callbacks)
    assert second.summary["to_add"] == {}
    assert second.summary["duplicates"] == 30
    assert import_preview(job=second).duplicates == 30
    second = services.import_commit(user=client_row.user, job=second)
    assert second.summary["added"]["checkins"] == 0
    assert CheckIn.objects.count() == 30
    assert Observation.objects.count() == 30

    # A longer export of the same diary adds only the new days.
    third = upload(client_row, daylio_days(35), capture=django_capture_on_commit_callbacks)
    assert (third.summary["to_add"], third.summary["duplicates"]) == ({"checkins": 5}, 30)
    services.import_commit(user=client_row.user, job=third)
    assert CheckIn.objects.count() == 35


def test_the_same_entry_twice_in_one_file_is_one_duplicate(
    client_row, django_capture_on_commit_callbacks
):
    data = SMALL + SMALL.decode().split("\r\n", 1)[1].encode()  # the rows again, no header
    job = upload(client_row, data, capture=django_capture_on_commit_callbacks)
    assert (job.summary["to_add"], job.summary["duplicates"]) == ({"checkins": 4}, 4)
    assert job.summary["unreadable_count"] == 2


def test_a_large_import_is_added_by_the_worker(
    client_row, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(services, "COMMIT_INLINE_MAX", 10)
    job = upload(client_row, daylio_days(12), capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.import_commit(user=client_row.user, job=job)
    assert job.status == ImportStatus.COMMITTING
    assert CheckIn.objects.count() == 0
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED
    assert CheckIn.objects.count() == 12


# --- discard, rerun, sweep -----------------------------------------------------------------
def test_discard_deletes_the_file_and_staged_rows(
    client_row, imports_dir, django_capture_on_commit_callbacks
):
    job = upload(client_row, SMALL, capture=django_capture_on_commit_callbacks)
    job = services.import_discard(user=client_row.user, job=job)
    assert job.status == ImportStatus.DISCARDED
    assert list(imports_dir.iterdir()) == []
    assert StagedRecord.objects.count() == 0
    assert _actions(client_row)[-1] == AuditAction.IMPORT_DISCARDED
    # Twice is harmless; a discarded import cannot be added.
    assert services.import_discard(user=client_row.user, job=job).status == ImportStatus.DISCARDED
    with pytest.raises(ApplicationError):
        services.import_commit(user=client_row.user, job=job)


def test_a_rerun_after_a_crash_starts_over_and_drops_the_earlier_rows(
    client_row, django_capture_on_commit_callbacks
):
    job = upload(client_row, daylio_days(7), capture=django_capture_on_commit_callbacks)
    # As if the worker died half-way through a second read: the job says "reading", with rows
    # of its attempt staged.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.READING, summary={})
    assert StagedRecord.objects.filter(job=job).count() == 7

    assert services.import_read(job_id=job.pk) is True

    job.refresh_from_db()
    assert (job.status, job.attempt) == (ImportStatus.PREVIEW, 2)
    assert list(StagedRecord.objects.filter(job=job).values_list("attempt", flat=True)) == [2] * 7
    assert job.summary["to_add"] == {"checkins": 7}
    # A read of a job that is not waiting does nothing.
    assert services.import_read(job_id=job.pk) is False
    services.import_commit(user=client_row.user, job=job)
    assert CheckIn.objects.count() == 7


def test_a_read_taken_over_by_another_run_stops_writing(
    client_row, django_capture_on_commit_callbacks, monkeypatch
):
    job = upload(client_row, daylio_days(3), capture=django_capture_on_commit_callbacks)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)
    real = importers.parse_file

    def discarded_meanwhile(**kwargs):
        for number, item in enumerate(real(**kwargs)):
            if number == 1:
                services.import_discard(user=client_row.user, job=job)
            yield item

    monkeypatch.setattr(importers, "parse_file", discarded_meanwhile)
    assert services.import_read(job_id=job.pk) is False
    job.refresh_from_db()
    assert job.status == ImportStatus.DISCARDED
    assert StagedRecord.objects.count() == 0


def test_the_sweep_purges_a_day_old_upload_and_resumes_a_stalled_read(
    client_row, imports_dir, django_capture_on_commit_callbacks
):
    old = upload(client_row, SMALL, capture=django_capture_on_commit_callbacks)
    ImportJob.objects.filter(pk=old.pk).update(created_at=NOW - timedelta(days=1, minutes=1))
    stalled = upload(client_row, daylio_days(3), capture=django_capture_on_commit_callbacks)
    ImportJob.objects.filter(pk=stalled.pk).update(
        status=ImportStatus.READING, updated_at=NOW - timedelta(minutes=11)
    )
    stray = imports_dir / ".part-abc"
    stray.write_bytes(b"x")
    import os

    os.utime(stray, (0, 0))

    assert services.imports_sweep(now=NOW) == {"resumed": 1, "purged": 1}

    old.refresh_from_db()
    assert (old.status, old.error, old.stored_name) == (
        ImportStatus.DISCARDED,
        services.EXPIRED,
        "",
    )
    assert not (imports_dir / f"{old.public_id.hex}.upload").exists()
    assert not stray.exists()
    assert StagedRecord.objects.filter(job=old).count() == 0
    stalled.refresh_from_db()
    assert (stalled.status, stalled.attempt, stalled.options) == (
        ImportStatus.PREVIEW,
        2,
        {"stalls": 1},
    )
    assert StagedRecord.objects.filter(job=stalled).count() == 3
    assert (imports_dir / stalled.stored_name).exists()
    # Again: nothing more to do.
    assert services.imports_sweep(now=NOW) == {"resumed": 0, "purged": 0}


def test_a_read_that_stalls_again_and_again_fails(client_row, django_capture_on_commit_callbacks):
    job = upload(client_row, daylio_days(2), capture=django_capture_on_commit_callbacks)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.READING,
        updated_at=NOW - timedelta(minutes=11),
        options={"stalls": services.MAX_ATTEMPTS},
    )
    assert services.imports_resume_stalled(now=NOW) == 0
    job.refresh_from_db()
    assert (job.status, job.error) == (ImportStatus.FAILED, services.STALLED)


def test_stored_names_are_only_ours():
    assert storage.path_of("../../etc/passwd") is None
    assert storage.path_of(f"{uuid.uuid4().hex}.zip") is None
    assert storage.file_delete("x/../y") is False


# --- who may reach a job -------------------------------------------------------------------
def test_only_the_client_reaches_their_job(client_row, django_capture_on_commit_callbacks):
    job = upload(client_row, SMALL, capture=django_capture_on_commit_callbacks)
    assert access_import_job(user=client_row.user, job_id=job.public_id) == job
    membership, other = clinician_with_client(practice=client_row.practice)
    for user in (other.user, membership.user):
        with pytest.raises(Http404):
            access_import_job(user=user, job_id=job.public_id)
    with pytest.raises(Http404):
        access_import_job(user=client_row.user, job_id=uuid.uuid4())
    assert import_jobs_for_client(client=client_row) == [job]
    assert import_jobs_for_client(client=other) == []


def test_imports_switched_off_is_404(client_row, django_capture_on_commit_callbacks):
    from interlude.consents.modules_services import client_modules_set
    from interlude.practices.enums import Module

    job = upload(client_row, SMALL, capture=django_capture_on_commit_callbacks)
    client_modules_set(actor=client_row.user, client=client_row, modules_off=[Module.IMPORTS])
    with pytest.raises(Http404):
        access_import_job(user=client_row.user, job_id=job.public_id)
