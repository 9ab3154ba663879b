"""The client's data export end to end: ask on the page, the task builds the zip, download it once.

The task runs in-process (the test settings' immediate backend) when the request's transaction
commits; test_worker.py runs it once through a real worker.
"""

from __future__ import annotations

import csv
import html
import io
import json
import zipfile
from datetime import date, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client as HttpClient
from fhir.resources.R4B.bundle import Bundle

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.consents.models import PracticePrivacySettings
from interlude.rights import pdf as export_pdf_module
from interlude.rights import services
from interlude.rights.models import ExportJob, ExportStatus
from interlude.rights.package import SECTIONS
from interlude.rights.tests.conftest import NOW

PAGE = "/me/download-my-data/"
PDF = "Interlude export - Jordan Ellis - 2026-11-25.pdf"
FILES = [
    PDF,
    "README.txt",
    "data.json",
    "fhir.json",
    "checkins.csv",
    "observations.csv",
    "journal.csv",
    "thought_records.csv",
    "activities.csv",
    "exposure_steps.csv",
    "exposure_practice.csv",
    "sleep_diary.csv",
    "relaxation.csv",
    "questionnaires.csv",
    "safety_plan_versions.csv",
    "appointments.csv",
    "homework.csv",
    "messages.csv",
    "app_recommendations.csv",
    "readiness_checks.csv",
    "suitability_notes.csv",
    "consent_history.csv",
    "sharing.csv",
    "access_history.csv",
]


def _as(user) -> HttpClient:
    # Signed in at the tests' "now", whatever instant the run started at (CI's frozen passes).
    http = HttpClient()
    with time_machine.travel(NOW, tick=False):
        http.force_login(user)
    return http


@pytest.fixture(autouse=True)
def at_now():
    """Every request of these tests happens at NOW unless a test moves on from it, whatever
    instant the run started at (CI's frozen passes): a session stamped in November and then used
    in March would look idle for months."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def long_sessions(settings):
    """These tests move the clock by hours and days; sign-outs are tested elsewhere."""
    for name in (
        "CLIENT_IDLE_TIMEOUT",
        "CLIENT_ABSOLUTE_TIMEOUT",
        "STAFF_IDLE_TIMEOUT",
        "STAFF_ABSOLUTE_TIMEOUT",
    ):
        setattr(settings, name, timedelta(days=30))


@pytest.fixture
def rendered(monkeypatch):
    """The HTML each export PDF was made from (the real PDF is still made)."""
    seen: list[str] = []
    original = export_pdf_module.pdf_render

    def spy(html: str) -> bytes:
        seen.append(html)
        return original(html)

    monkeypatch.setattr(export_pdf_module, "pdf_render", spy)
    return seen


def _layout_text(document) -> str:
    """The text WeasyPrint laid out on the pages, in order (as the progress report's tests read
    it: there is no PDF text extractor here)."""
    words: list[str] = []

    def walk(box) -> None:
        text = getattr(box, "text", None)
        if isinstance(text, str):
            words.append(text)
        for child in getattr(box, "children", None) or []:
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return " ".join(" ".join(words).split())


def _request(http: HttpClient, capture) -> ExportJob:
    with time_machine.travel(NOW, tick=False), capture(execute=True):
        response = http.post(PAGE)
    assert response.status_code == 302
    assert response["Location"] == PAGE
    return ExportJob.objects.get()


def _download(http: HttpClient, job: ExportJob) -> bytes:
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        response = http.get(f"{PAGE}{job.public_id}/file/")
        assert response.status_code == 200
        return b"".join(response.streaming_content)


def _zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def _csv(archive: zipfile.ZipFile, name: str) -> list[list[str]]:
    text = archive.read(name).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def built(world, django_capture_on_commit_callbacks, rendered):
    http = _as(world.user)
    job = _request(http, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    return world, http, job


# --- the zip -------------------------------------------------------------------------------------
def test_the_zip_has_exactly_these_files(built, exports_dir):
    _world, _http, job = built
    assert job.status == ExportStatus.READY
    assert (job.progress, job.step) == (100, "Ready")
    assert job.finished_at == NOW
    assert job.expires_at == NOW + timedelta(days=1)
    path = exports_dir / job.file_name
    assert job.file_name == f"{job.public_id.hex}.zip"
    assert path.stat().st_mode & 0o777 == 0o600
    assert exports_dir.stat().st_mode & 0o777 == 0o700
    assert job.size == path.stat().st_size
    archive = _zip(path.read_bytes())
    assert archive.namelist() == FILES
    assert archive.read(PDF).startswith(b"%PDF")
    fhir = Bundle.model_validate_json(archive.read("fhir.json"))
    assert fhir.type == "collection"
    assert fhir.entry[0].resource.get_resource_type() == "Patient"


def test_csv_headers_and_one_row_of_each_kind(built, exports_dir):
    _world, _http, job = built
    archive = _zip((exports_dir / job.file_name).read_bytes())
    for section in SECTIONS:
        rows = _csv(archive, section.file_name)
        assert rows[0] == section.keys, section.key
    checkins = _csv(archive, "checkins.csv")
    assert len(checkins) == 2
    row = dict(zip(checkins[0], checkins[1], strict=True))
    assert {k: v for k, v in row.items() if k != "id"} == {
        "recorded_at": "2026-11-19T21:30:00-05:00",
        "local_day": "2026-11-19",
        "time_zone": "America/New_York",
        "mood": "6",
        "anxiety": "3",
        "energy": "5",
        "sleep_hours": "7.5",
        "sleep_quality": "4",
        "emotions": "calm 2",
        "activities": "walk",
        "note": "Checkin note CANARYOWN",
        "note_shared": "yes",
        "source": "Check-in",
    }
    journal = _csv(archive, "journal.csv")
    assert journal[1][1:] == [
        "2026-11-19T21:30:00-05:00",
        "2026-11-19",
        "Title CANARYOWN",
        "Journal body CANARYOWN",
        "no",
        "",
    ]
    activities = _csv(archive, "activities.csv")
    # Formula text is neutralised; the rest of the row is plain values.
    assert activities[1][1:] == [
        '\'=HYPERLINK("http://evil") CANARYOWN',
        "Health and body",
        "2026-11-21",
        "09:30",
        "2",
        "yes",
        "7",
        "8",
        "2026-11-21T15:00:00-05:00",
    ]
    practice = _csv(archive, "exposure_practice.csv")
    assert practice[1][2:] == [
        "Step CANARYOWN",
        "2026-11-19T21:30:00-05:00",
        "2026-11-19",
        "20",
        "40",
        "60",
        "20",
        "none",
        "'-practice note CANARYOWN",
    ]
    assert _csv(archive, "exposure_steps.csv")[1][1:] == [
        "Step CANARYOWN",
        "40",
        "no",
        "2026-11-19T21:30:00-05:00",
    ]
    assert _csv(archive, "sleep_diary.csv")[1][1:] == [
        "2026-11-19",
        "23:00",
        "23:15",
        "20",
        "1",
        "10",
        "06:30",
        "07:00",
        "3",
        "Sleep CANARYOWN",
    ]
    assert _csv(archive, "relaxation.csv")[1][1:] == [
        "Box breathing",
        "2026-11-19T21:30:00-05:00",
        "2026-11-19",
        "240",
        "6",
        "3",
    ]
    thought = dict(zip(*_csv(archive, "thought_records.csv")[:2], strict=True))
    assert thought["situation"] == "Situation CANARYOWN"
    assert thought["automatic_thoughts"] == "Thought 80 yes"
    assert thought["emotions"] == "Anxious 70"
    assert thought["thinking_traps"] == "All-or-nothing thinking"
    assert thought["balanced_thought"] == "Balanced"
    assert thought["emotions_after"] == "Anxious 30"
    questionnaire = dict(zip(*_csv(archive, "questionnaires.csv")[:2], strict=True))
    assert {k: questionnaire[k] for k in ("code", "local_day", "answers", "total", "band")} == {
        "code": "phq9",
        "local_day": "2026-11-19",
        "answers": "1; 1; 1; 1; 1; 1; 1; 1; 0",
        "total": "8",
        "band": "Mild",
    }
    assert questionnaire["entered_by"] == "Clinician (from a paper form)"
    plan = dict(zip(*_csv(archive, "safety_plan_versions.csv")[:2], strict=True))
    assert (plan["version"], plan["warning_signs"], plan["reasons_for_living"]) == (
        "1",
        "Warning CANARYOWN",
        "My dog",
    )
    appointment = _csv(archive, "appointments.csv")[1][1:]
    assert appointment == [
        "2026-11-26T09:00:00-05:00",
        "2026-11-26",
        "50",
        "Scheduled",
        "Dr Ann Okafor",
    ]
    consent = _csv(archive, "consent_history.csv")[1][1:]
    assert consent == [
        "Accepted",
        "2026-10-20T08:00:00-04:00",  # summer time then: the offset of that instant
        "2026-10-20",
        "1",
        "a" * 64,
        "Typed CANARYOWN",
        "In the app, with their typed name",
    ]
    assert _csv(archive, "sharing.csv")[1:] == [
        ["checkins", "Check-in scores", "yes"],
        ["journal", "Check-in notes and journal", "no"],
        ["worksheets", "Worksheets", "yes"],
        ["measures", "Questionnaires", "yes"],
        ["imports", "Imported app data", "yes"],
        ["relaxation", "Relaxation practice", "yes"],
    ]
    observations = _csv(archive, "observations.csv")
    mood = next(r for r in observations[1:] if r[0] == "mood")
    assert mood[1:8] == [
        "Mood (0-10)",
        "6",
        "2026-11-19T21:30:00-05:00",
        "2026-11-19",
        "America/New_York",
        "Check-in",
        "tracking.checkin",
    ]


def test_data_json_has_every_section_with_iso_times(built, exports_dir):
    _world, _http, job = built
    archive = _zip((exports_dir / job.file_name).read_bytes())
    data = json.loads(archive.read("data.json"))
    assert data["format"] == "interlude-client-export"
    assert data["generated_at"] == "2026-11-25T10:00:00-05:00"
    assert data["time_zone"] == "America/New_York"
    assert data["profile"]["full_name"] == "Jordan Ellis"
    assert data["profile"]["practice"] == "Harbour Counselling"
    assert data["profile"]["care_team"] == [{"name": "Dr Ann Okafor", "primary": True}]
    assert list(data["records"]) == [s.key for s in SECTIONS]
    checkin = data["records"]["checkins"][0]
    assert checkin["recorded_at"] == "2026-11-19T21:30:00-05:00"
    assert checkin["emotions"] == [{"label": "calm", "intensity": 2}]
    assert checkin["note_shared"] is True
    assert data["records"]["journal"][0]["body"] == "Journal body CANARYOWN"
    # Text in JSON is not changed for spreadsheets.
    assert data["records"]["activation"][0]["title"].startswith("=HYPERLINK")
    assert data["session_notes"] == {
        "included": True,
        "records": [],
        "explanation": "Your practice includes your clinicians' signed session notes in this "
        "download (0), each with any later additions. Drafts not yet signed are not part of your "
        "record yet.",
        "practice_exemption": "",
    }
    for s in SECTIONS:
        assert set(data["documentation"][s.key]["fields"]) == set(s.keys)
        for row in data["records"][s.key]:
            assert set(row) == set(s.keys), s.key


def test_pdf_text_has_the_check_in_and_the_journal_entry_on_the_local_day(built, rendered):
    html = rendered[0]
    text = _layout_text(export_pdf_module.pdf_document(html))
    assert "Your data from Interlude" in text
    assert "For Jordan Ellis, from Harbour Counselling. Made on 25 November 2026." in text
    assert "19 November 2026 21:30 6/10 3/10 5/10" in text  # the local day, not the UTC 20th
    assert "Checkin note CANARYOWN (shared)" in text
    assert "19 November 2026, 21:30 · private" in text
    assert "Title CANARYOWN Journal body CANARYOWN" in text
    assert "Drafts not yet signed are not part of your record yet." in text


def test_no_other_clients_data_gets_in(built, exports_dir, rendered):
    world, _http, job = built
    archive = _zip((exports_dir / job.file_name).read_bytes())
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"CANARYOWN" in everything
    for foreign in ("CANARYFOREIGN", "Morgan Vale", str(world.other.public_id)):
        assert foreign.encode() not in everything
        assert foreign not in rendered[0]


# --- downloading once ----------------------------------------------------------------------------
def test_download_streams_the_zip_then_deletes_it(built, exports_dir):
    world, http, job = built
    path = exports_dir / job.file_name
    expected = path.read_bytes()
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        response = http.get(f"{PAGE}{job.public_id}/file/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        assert response["Content-Disposition"] == (
            'attachment; filename="interlude-export-2026-11-25.zip"'
        )
        assert response["Content-Length"] == str(len(expected))
        assert "no-store" in response["Cache-Control"]
        assert path.exists()  # nothing is deleted before the last byte has gone
        assert b"".join(response.streaming_content) == expected
    assert not path.exists()
    job.refresh_from_db()
    assert job.status == ExportStatus.DELETED
    assert job.downloaded_at == NOW + timedelta(hours=1)
    actions = list(
        AuditEvent.objects.filter(client=world.client, actor=world.user)
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [AuditAction.EXPORT_REQUESTED, AuditAction.EXPORT_DOWNLOADED]
    # Once: the second try is a 404 and the page says what happened.
    assert http.get(f"{PAGE}{job.public_id}/file/").status_code == 404
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        page = http.get(PAGE).content.decode()
    assert "You downloaded your data on 25 November 2026, 11:00. That file has been deleted" in page
    assert "Prepare my download" in page


def test_a_download_past_its_day_is_refused_before_the_sweep_comes(built, exports_dir):
    _world, http, job = built
    url = f"{PAGE}{job.public_id}/file/"
    with time_machine.travel(job.expires_at, tick=False):
        assert http.get(url).status_code == 404
    assert (exports_dir / job.file_name).exists()  # the sweep deletes it, not the refusal
    with time_machine.travel(job.expires_at - timedelta(seconds=1), tick=False):
        assert http.get(url).status_code == 200


def test_a_download_cut_off_half_way_deletes_nothing(built, exports_dir):
    _world, http, job = built
    response = http.get(f"{PAGE}{job.public_id}/file/")
    stream = iter(response.streaming_content)
    next(stream)
    # The connection dropped: the server closes the response half-way. The test client's own
    # wrapper (which keeps the test's database connection open) does that when it is closed.
    response._iterator.close()
    assert (exports_dir / job.file_name).exists()
    job.refresh_from_db()
    assert job.status == ExportStatus.READY
    assert _download(http, job)[:2] == b"PK"


def test_a_day_later_the_sweep_deletes_it(built, exports_dir, capsys):
    _world, http, job = built
    path = exports_dir / job.file_name
    with time_machine.travel(NOW + timedelta(hours=23, minutes=59), tick=False):
        assert services.exports_sweep() == {"expired": 0, "stale": 0, "strays": 0}
    assert path.exists()
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        call_command("exports_sweep")
        assert capsys.readouterr().out == (
            "Deleted 1 expired, failed 0 stalled, removed 0 stray files.\n"
        )
        assert services.exports_sweep() == {"expired": 0, "stale": 0, "strays": 0}
    assert not path.exists()
    job.refresh_from_db()
    assert (job.status, job.downloaded_at) == (ExportStatus.DELETED, None)
    assert job.deleted_at == NOW + timedelta(days=1)
    assert http.get(f"{PAGE}{job.public_id}/file/").status_code == 404


def test_asking_after_the_day_without_a_sweep_makes_a_new_one(
    built, exports_dir, django_capture_on_commit_callbacks
):
    _world, http, job = built
    with (
        time_machine.travel(NOW + timedelta(days=2), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        http.post(PAGE)
    job.refresh_from_db()
    assert job.status == ExportStatus.DELETED
    assert not (exports_dir / job.file_name).exists()
    new = ExportJob.objects.exclude(pk=job.pk).get()
    assert new.status == ExportStatus.READY


# --- asking is idempotent, building is safe twice ------------------------------------------------
def test_asking_again_returns_the_same_export(world, django_capture_on_commit_callbacks):
    http = _as(world.user)
    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=False) as queued:
            http.post(PAGE)
            http.post(PAGE)
        assert len(queued) == 1  # one task enqueued
        job = ExportJob.objects.get()
        assert job.status == ExportStatus.QUEUED
        page = http.get(PAGE, headers={"HX-Request": "true"}).content.decode()
    assert f'hx-get="{PAGE}" hx-trigger="every 2s" hx-swap="outerHTML"' in page
    assert '<progress id="export-progress" max="100" value="0">0%</progress>' in page
    assert "<html" not in page  # the partial only
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT_REQUESTED).count() == 1


def test_the_task_twice_builds_once(world, django_capture_on_commit_callbacks, exports_dir):
    http = _as(world.user)
    job = _request(http, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    before = (exports_dir / job.file_name).read_bytes()
    assert services.export_build(job_id=job.pk) is False
    assert (exports_dir / job.file_name).read_bytes() == before
    assert sorted(p.name for p in exports_dir.iterdir()) == [job.file_name]


def test_the_ready_page_links_the_download_and_says_when_it_goes(built):
    _world, http, job = built
    with time_machine.travel(NOW, tick=False):
        page = http.get(PAGE).content.decode()
    assert f'href="{PAGE}{job.public_id}/file/" download>Download my data (zip)</a>' in page
    assert "deletes the file as soon as you have downloaded it once, or after 24 hours" in page
    assert "(26 November 2026, 10:00)" in page
    assert "hx-trigger" not in page


def test_query_count_does_not_grow_with_the_records(world):
    """Each kind of record is read in a fixed number of queries, however many there are."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from interlude.rights.tests.conftest import _fill

    def count() -> int:
        ExportJob.objects.all().delete()
        job = ExportJob.objects.create(
            practice=world.client.practice, client=world.client, requested_by=world.user
        )
        with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as ctx:
            assert services.export_build(job_id=job.pk) is True
        return len(ctx.captured_queries)

    first = count()
    with time_machine.travel(NOW, tick=False):
        _fill(world.client, world.clinician, "MORE", night=date(2026, 11, 18))
    assert count() == first


# --- who may ------------------------------------------------------------------------------------
def test_only_the_client_reaches_their_export(built, exports_dir):
    world, _http, job = built
    other = _as(world.other.user)
    for path in (f"{PAGE}{job.public_id}/file/", f"/api/v1/me/export/{job.public_id}"):
        assert other.get(path).status_code == 404
    clinician = _as(world.clinician.user)
    assert clinician.get(PAGE).status_code == 404
    assert clinician.get(f"{PAGE}{job.public_id}/file/").status_code == 404
    assert clinician.get(f"/api/v1/me/export/{job.public_id}").status_code == 404
    assert HttpClient().get(f"{PAGE}{job.public_id}/file/").status_code == 302  # sign in first
    assert (exports_dir / job.file_name).exists()


def test_session_notes_left_out_show_the_practice_reason(
    world, django_capture_on_commit_callbacks, rendered, exports_dir
):
    PracticePrivacySettings.objects.create(
        practice=world.client.practice,
        export_includes_session_notes=False,
        export_exemption="Notes are kept by the clinician under state law (example).",
    )
    http = _as(world.user)
    job = _request(http, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    data = json.loads(_zip((exports_dir / job.file_name).read_bytes()).read("data.json"))
    explanation = (
        "Your practice does not include your clinicians' session notes in downloads. The reason "
        "it gives: Notes are kept by the clinician under state law (example)."
    )
    assert data["session_notes"]["included"] is False
    assert data["session_notes"]["explanation"] == explanation
    assert html.escape(explanation) in rendered[0]
    with time_machine.travel(NOW, tick=False):
        assert html.escape(explanation) in http.get(PAGE).content.decode()


# --- the API --------------------------------------------------------------------------------------
def test_api_start_status_and_download(world, django_capture_on_commit_callbacks, exports_dir):
    http = _as(world.user)
    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            first = http.post("/api/v1/me/export")
        second = http.post("/api/v1/me/export")
    assert first.status_code == 202
    assert second.status_code == 200
    job = ExportJob.objects.get()
    assert first.json()["id"] == second.json()["id"] == str(job.public_id)
    status = http.get(f"/api/v1/me/export/{job.public_id}").json()
    assert {k: status[k] for k in ("status", "progress", "step", "error")} == {
        "status": "ready",
        "progress": 100,
        "step": "Ready",
        "error": "",
    }
    assert status["expires_at"] == "2026-11-26T15:00:00Z"
    assert status["download_url"] == f"/api/v1/me/export/{job.public_id}/download"
    response = http.get(status["download_url"])
    assert response.status_code == 200
    assert _zip(b"".join(response.streaming_content)).namelist() == FILES
    assert http.get(status["download_url"]).status_code == 404
    assert http.get(f"/api/v1/me/export/{job.public_id}").json()["status"] == "deleted"
    assert not any(exports_dir.iterdir())


def test_closing_an_account_can_delete_the_clients_exports_at_once(
    built, exports_dir, django_capture_on_commit_callbacks
):
    world, _http, job = built
    assert services.exports_delete_for_client(client_id=world.other.pk) == 0
    assert (exports_dir / job.file_name).exists()
    with (
        time_machine.travel(NOW + timedelta(minutes=5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.exports_delete_for_client(client_id=world.client.pk) == 1
        # The file goes when the closure's transaction commits, not before.
        assert (exports_dir / job.file_name).exists()
    assert not any(exports_dir.iterdir())
    job.refresh_from_db()
    assert (job.status, job.deleted_at) == (ExportStatus.DELETED, NOW + timedelta(minutes=5))
    # A run still on its way finds its job gone and builds nothing.
    assert services.export_build(job_id=job.pk) is False
