"""The progress report PDF's job: asked for on the report page, built by the task worker with its
progress, served only while the gate lets the clinician in and the client's sharing still covers
it (audited then), deleted after a day by the sweep. The task backend in tests is the immediate
one: a job asked for inside `capture(execute=True)` is built as the request commits."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client as HttpClient

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.consents.sharing_services import sharing_update
from interlude.insights import report, services
from interlude.insights.models import ReportExpiry, ReportJob, ReportStatus
from interlude.measures.services import response_submit
from tests.factories import (
    CareTeamMemberFactory,
    MembershipFactory,
    PracticeFactory,
    UserFactory,
    clinician_with_client,
)

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    """Every test happens on 25 November 2026 at 15:00 UTC unless it moves on (`clock.shift`)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _utc(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 15, 0, tzinfo=UTC)


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


@pytest.fixture
def care(db):
    """PHQ-9 and GAD-7 answered twice each: two instruments, so four steps."""
    membership, client = clinician_with_client()
    for key, code, when, answers in [
        ("p1", "phq9", _utc(3, 2), [2, 2, 2, 2, 2, 2, 2, 2, 0]),
        ("p2", "phq9", _utc(11, 20), [1, 1, 1, 1, 1, 1, 1, 2, 0]),
        ("g1", "gad7", _utc(3, 2), [2, 2, 2, 2, 2, 2, 2]),
        ("g2", "gad7", _utc(11, 20), [1, 1, 1, 1, 1, 1, 1]),
    ]:
        response_submit(
            client=client,
            actor=client.user,
            instrument_code=code,
            answers=answers,
            idempotency_key=key,
            submitted_at=when,
        )
    return membership, client


def _ask(http: HttpClient, client, capture, *, execute: bool = True, **dates: str):
    with capture(execute=execute) as callbacks:
        response = http.post(f"/clinic/clients/{client.public_id}/report.pdf", dates)
    return response, callbacks


def _job() -> ReportJob:
    return (
        ReportJob.objects.select_related("client__practice", "requested_by").order_by("-pk").first()
    )


def _built(care, capture) -> tuple[HttpClient, ReportJob]:
    membership, client = care
    http = _as(membership.user)
    _ask(http, client, capture)
    job = _job()
    assert job.status == ReportStatus.READY
    return http, job


def _exports() -> int:
    return AuditEvent.objects.filter(action=AuditAction.REPORT_EXPORTED).count()


# --- the job's life ---------------------------------------------------------------------------
def test_asking_queues_a_job_and_the_worker_builds_it_with_its_progress(
    care, django_capture_on_commit_callbacks, monkeypatch, reports_dir
):
    membership, client = care
    steps: list[tuple[str, int, int, str]] = []
    original = services._progress

    def watch(job, *, done, total, step):
        original(job, done=done, total=total, step=step)
        row = ReportJob.objects.get(pk=job.pk)
        steps.append((row.status, row.steps_done, row.steps_total, row.step))

    monkeypatch.setattr(services, "_progress", watch)
    http = _as(membership.user)
    response, _ = _ask(http, client, django_capture_on_commit_callbacks, execute=False)
    job = _job()
    assert (job.status, job.steps_done, job.steps_total, job.step) == ("queued", 0, 0, "")
    queued = http.get(f"/clinic/reports/{job.public_id}/")
    assert services.report_job_build(job_id=job.pk) is True

    assert response.status_code == 303
    assert response["Location"] == f"/clinic/reports/{job.public_id}/"
    page = queued.content.decode()
    assert "Making the PDF" in page
    assert "Waiting to start" in page
    assert f'hx-get="/clinic/reports/{job.public_id}/" hx-trigger="every 2s"' in page
    assert f'<a href="/clinic/reports/{job.public_id}/">refresh it</a>' in page  # without JS
    assert steps == [
        ("building", 0, 4, "Charting questionnaire 1 of 2"),
        ("building", 1, 4, "Charting questionnaire 2 of 2"),
        ("building", 2, 4, "Laying out the pages"),
        ("building", 3, 4, "Writing the PDF"),
    ]
    job.refresh_from_db()
    assert job.status == ReportStatus.READY
    assert (job.steps_done, job.steps_total, job.step, job.attempt) == (4, 4, "Ready", 1)
    assert job.categories == ["checkins", "imports", "measures"]  # journal: off by default
    assert (job.viewer, job.membership_id) == ("care_team", membership.pk)
    assert (job.started_at, job.finished_at) == (NOW, NOW)
    assert job.expires_at == NOW + timedelta(days=1)
    assert job.file_name == f"{job.public_id.hex}-1.pdf"
    assert (reports_dir / job.file_name).read_bytes().startswith(b"%PDF-")
    assert _exports() == 0  # built is not exported: only a download is


def test_the_polled_status_shows_progress_without_client_data_or_the_gate(
    care, django_capture_on_commit_callbacks, django_assert_num_queries
):
    membership, client = care
    http = _as(membership.user)
    _ask(http, client, django_capture_on_commit_callbacks, execute=False)
    job = _job()
    ReportJob.objects.filter(pk=job.pk).update(
        status=ReportStatus.BUILDING,
        steps_done=1,
        steps_total=4,
        step="Charting questionnaire 2 of 2",
    )
    viewed = AuditEvent.objects.count()

    # session, user, the clinician's membership (the route's rule), the job with its client
    with django_assert_num_queries(4):
        response = http.get(f"/clinic/reports/{job.public_id}/", headers={"HX-Request": "true"})

    part = response.content.decode()
    assert part.strip().startswith('<div id="report-job-status" class="report-job" hx-get=')
    assert "<html" not in part
    assert '<progress id="report-job-progress" max="4" value="1">1 of 4</progress>' in part
    assert "Charting questionnaire 2 of 2" in part
    assert "Step 1 of 4 done." in part
    assert client.full_name not in part
    assert AuditEvent.objects.count() == viewed  # polling fills no access history


def test_asking_again_while_it_is_being_built_returns_the_same_job(
    care, django_capture_on_commit_callbacks
):
    membership, client = care
    http = _as(membership.user)
    first, queued = _ask(http, client, django_capture_on_commit_callbacks, execute=False)
    again, none = _ask(http, client, django_capture_on_commit_callbacks, execute=False)
    other, other_queued = _ask(
        http,
        client,
        django_capture_on_commit_callbacks,
        execute=False,
        **{"from": "2026-11-01", "to": "2026-11-25"},
    )

    assert first["Location"] == again["Location"]
    assert (len(queued), len(none), len(other_queued)) == (1, 0, 1)
    assert other["Location"] != first["Location"]  # another period is another PDF
    assert ReportJob.objects.count() == 2


def test_asking_again_once_ready_makes_a_new_one_and_deletes_the_old_file(
    care, django_capture_on_commit_callbacks, reports_dir, clock
):
    http, old = _built(care, django_capture_on_commit_callbacks)
    clock.shift(timedelta(minutes=5))
    _ask(http, old.client, django_capture_on_commit_callbacks)

    old.refresh_from_db()
    new = _job()
    assert (old.status, old.expired_because) == (ReportStatus.EXPIRED, ReportExpiry.REPLACED)
    assert new.status == ReportStatus.READY and new.pk != old.pk
    assert sorted(p.name for p in reports_dir.iterdir()) == [new.file_name]
    page = http.get(f"/clinic/reports/{old.public_id}/").content.decode()
    assert "This PDF was replaced" in page


def test_the_task_twice_builds_once_and_a_stalled_build_is_taken_over(
    care, django_capture_on_commit_callbacks, reports_dir
):
    _, job = _built(care, django_capture_on_commit_callbacks)
    assert services.report_job_build(job_id=job.pk) is False  # ready: left alone
    assert services.report_job_build(job_id=10**9) is False  # gone

    # A worker died half-way: the job says "building" and has not moved for a while.
    membership, client = care
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        _ask(_as(membership.user), client, django_capture_on_commit_callbacks, execute=False)
    stalled = _job()
    ReportJob.objects.filter(pk=stalled.pk).update(
        status=ReportStatus.BUILDING, attempt=1, progress_at=NOW + timedelta(hours=2)
    )
    with time_machine.travel(NOW + timedelta(hours=2, minutes=5), tick=False):
        assert services.report_job_build(job_id=stalled.pk) is False  # still moving
    with time_machine.travel(NOW + timedelta(hours=2, minutes=11), tick=False):
        assert services.report_job_build(job_id=stalled.pk) is True
    stalled.refresh_from_db()
    assert (stalled.status, stalled.attempt) == (ReportStatus.READY, 2)
    assert stalled.file_name == f"{stalled.public_id.hex}-2.pdf"


def test_asking_again_for_a_stalled_build_is_the_retry(
    care, django_capture_on_commit_callbacks, clock
):
    membership, client = care
    http = _as(membership.user)
    _ask(http, client, django_capture_on_commit_callbacks, execute=False)
    job = _job()
    ReportJob.objects.filter(pk=job.pk).update(status=ReportStatus.BUILDING, progress_at=NOW)

    clock.shift(timedelta(minutes=5))
    _, moving = _ask(http, client, django_capture_on_commit_callbacks, execute=False)
    clock.shift(timedelta(minutes=6))
    http = _as(membership.user)
    response, _ = _ask(http, client, django_capture_on_commit_callbacks)

    assert moving == []  # still moving: asking again only shows it
    assert response["Location"] == f"/clinic/reports/{job.public_id}/"
    job.refresh_from_db()
    assert (job.status, job.attempt) == (ReportStatus.READY, 1)
    assert ReportJob.objects.count() == 1


def test_a_build_that_fails_says_so_calmly_and_offers_to_try_again(
    care, django_capture_on_commit_callbacks, monkeypatch, reports_dir
):
    membership, client = care

    def broken(html, *, base_url):
        raise RuntimeError("Jordan's private words")

    monkeypatch.setattr(report, "pdf_document", broken)
    http = _as(membership.user)
    _ask(http, client, django_capture_on_commit_callbacks)
    job = _job()
    page = http.get(f"/clinic/reports/{job.public_id}/")
    download = http.get(f"/clinic/reports/{job.public_id}/download/")

    assert (job.status, job.error) == (
        ReportStatus.FAILED,
        "Something went wrong while making the PDF.",
    )
    assert list(services.reports_dir().iterdir()) == []
    html = page.content.decode()
    assert "The PDF could not be made" in html
    assert "Something went wrong while making the PDF. Nothing was downloaded." in html
    assert "Jordan" not in html
    assert f'<form method="post" action="/clinic/clients/{client.public_id}/report.pdf">' in html
    assert "Make the PDF again" in html
    assert "hx-get" not in html  # nothing to poll any more
    assert download.status_code == 409
    assert _exports() == 0


# --- serving ----------------------------------------------------------------------------------
def test_narrowed_sharing_refuses_the_download_and_deletes_the_file(
    care, django_capture_on_commit_callbacks, reports_dir
):
    http, job = _built(care, django_capture_on_commit_callbacks)
    _, client = care
    path = reports_dir / job.file_name
    assert path.exists()
    sharing_update(client=client, actor=client.user, categories={"measures": False})

    response = http.get(f"/clinic/reports/{job.public_id}/download/")

    assert response.status_code == 410
    page = response.content.decode()
    assert "The client has changed what they share with you since this PDF was made" in page
    assert "Make the PDF again" in page
    assert not path.exists()
    job.refresh_from_db()
    assert (job.status, job.expired_because) == (ReportStatus.EXPIRED, ReportExpiry.SHARING)
    assert _exports() == 0


def test_wider_sharing_since_the_build_still_serves_it(care, django_capture_on_commit_callbacks):
    http, job = _built(care, django_capture_on_commit_callbacks)
    _, client = care
    sharing_update(client=client, actor=client.user, categories={"journal": True})

    response = http.get(f"/clinic/reports/{job.public_id}/download/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert _exports() == 1


def test_the_jobs_page_drops_a_report_the_sharing_no_longer_covers(
    care, django_capture_on_commit_callbacks, reports_dir
):
    http, job = _built(care, django_capture_on_commit_callbacks)
    _, client = care
    sharing_update(client=client, actor=client.user, categories={"imports": False})

    page = http.get(f"/clinic/reports/{job.public_id}/").content.decode()

    assert "Download PDF" not in page
    assert "changed what they share" in page
    assert list(reports_dir.iterdir()) == []


def test_others_get_a_404_and_the_gate_records_the_refusal(
    care, django_capture_on_commit_callbacks
):
    _, job = _built(care, django_capture_on_commit_callbacks)
    _, client = care
    colleague = MembershipFactory(
        practice=client.practice, user=UserFactory(mfa_exempt=True)
    )  # same practice, not on the care team
    elsewhere = MembershipFactory(practice=PracticeFactory(), user=UserFactory(mfa_exempt=True))
    team_mate = MembershipFactory(practice=client.practice, user=UserFactory(mfa_exempt=True))
    CareTeamMemberFactory(client=client, membership=team_mate)

    for membership in (colleague, elsewhere):
        http = _as(membership.user)
        for path in ("", "download/"):
            assert http.get(f"/clinic/reports/{job.public_id}/{path}").status_code == 404
        denied = AuditEvent.objects.filter(
            action=AuditAction.CLIENT_ACCESS_DENIED, actor=membership.user
        )
        assert denied.count() == 2
    # On the care team, but not the one who asked: the PDF says who prepared it.
    http = _as(team_mate.user)
    for path in ("", "download/"):
        assert http.get(f"/clinic/reports/{job.public_id}/{path}").status_code == 404
    assert (
        http.get(f"/clinic/reports/{job.public_id}/", headers={"HX-Request": "true"}).status_code
        == 404
    )
    assert _exports() == 0


def test_a_clinician_taken_off_the_care_team_cannot_download_what_they_made(
    care, django_capture_on_commit_callbacks
):
    http, job = _built(care, django_capture_on_commit_callbacks)
    membership, client = care
    client.care_team.filter(membership=membership).delete()

    assert http.get(f"/clinic/reports/{job.public_id}/download/").status_code == 404
    assert AuditEvent.objects.filter(
        action=AuditAction.CLIENT_ACCESS_DENIED, actor=membership.user
    ).exists()
    assert _exports() == 0


def test_a_download_while_it_is_being_built_goes_to_its_page(
    care, django_capture_on_commit_callbacks
):
    membership, client = care
    http = _as(membership.user)
    _ask(http, client, django_capture_on_commit_callbacks, execute=False)
    job = _job()

    response = http.get(f"/clinic/reports/{job.public_id}/download/")

    assert response.status_code == 303
    assert response["Location"] == f"/clinic/reports/{job.public_id}/"


def test_the_old_address_shows_the_pdf_of_the_period_or_a_button_to_make_it(
    care, django_capture_on_commit_callbacks
):
    membership, client = care
    http = _as(membership.user)
    url = f"/clinic/clients/{client.public_id}/report.pdf"
    before = http.get(url).content.decode()
    _ask(http, client, django_capture_on_commit_callbacks)
    after = http.get(url).content.decode()

    assert "Make the PDF" in before
    assert '<input type="hidden" name="from" value="2026-03-02">' in before
    assert "Period: 2 March 2026 to 25 November 2026." in before
    assert "The PDF is ready" in after
    assert f'href="/clinic/reports/{_job().public_id}/download/"' in after


# --- a day later ------------------------------------------------------------------------------
def test_the_sweep_deletes_pdfs_a_day_old(care, django_capture_on_commit_callbacks, reports_dir):
    _, job = _built(care, django_capture_on_commit_callbacks)
    path = reports_dir / job.file_name

    with time_machine.travel(NOW + timedelta(hours=23, minutes=59), tick=False):
        assert services.reports_sweep() == {"expired": 0, "stale": 0, "strays": 0}
        assert path.exists()
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        assert services.reports_sweep() == {"expired": 1, "stale": 0, "strays": 0}
        assert services.reports_sweep() == {"expired": 0, "stale": 0, "strays": 0}
        page = _as(job.requested_by).get(f"/clinic/reports/{job.public_id}/download/")

    assert not path.exists()
    job.refresh_from_db()
    assert (job.status, job.expired_because) == (ReportStatus.EXPIRED, ReportExpiry.AGE)
    assert job.expired_at == NOW + timedelta(days=1)
    assert page.status_code == 410
    assert "deleted after 24 hours, as every PDF is" in page.content.decode()


def test_a_pdf_past_its_day_is_not_served_even_before_the_sweep(
    care, django_capture_on_commit_callbacks, reports_dir
):
    _, job = _built(care, django_capture_on_commit_callbacks)

    with time_machine.travel(NOW + timedelta(days=1, seconds=1), tick=False):
        response = _as(job.requested_by).get(f"/clinic/reports/{job.public_id}/download/")

    assert response.status_code == 410
    assert list(reports_dir.iterdir()) == []
    assert _exports() == 0


def test_the_sweep_fails_jobs_that_died_and_removes_stray_files(
    care, django_capture_on_commit_callbacks, reports_dir
):
    membership, client = care
    _ask(_as(membership.user), client, django_capture_on_commit_callbacks, execute=False)
    job = _job()
    reports_dir.mkdir(exist_ok=True)
    stray = reports_dir / ".part-0123"
    stray.write_bytes(b"half a PDF")
    os.utime(stray, (time.time() - 7200, time.time() - 7200))
    fresh = reports_dir / ".part-4567"  # a build writing right now
    fresh.write_bytes(b"being written")

    with time_machine.travel(NOW + timedelta(minutes=59), tick=False):
        assert services.reports_sweep() == {"expired": 0, "stale": 0, "strays": 1}
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        assert services.reports_sweep() == {"expired": 0, "stale": 1, "strays": 0}

    job.refresh_from_db()
    assert (job.status, job.error) == (ReportStatus.FAILED, "Making the PDF took too long.")
    assert sorted(p.name for p in reports_dir.iterdir()) == [".part-4567"]


def test_the_sweep_command_says_what_it_did(care, django_capture_on_commit_callbacks, capsys):
    _built(care, django_capture_on_commit_callbacks)

    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        call_command("reports_sweep")

    assert capsys.readouterr().out == (
        "Deleted 1 expired, failed 0 stalled, removed 0 stray files.\n"
    )
