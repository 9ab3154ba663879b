"""In a real browser: a clinician asks for the progress report PDF, watches it being made (htmx
polls its status while the task worker builds it) and downloads it. The worker is held back
(a task backend that only queues) so the page shows the job waiting; the test then runs the
build itself, as the worker would, and the page moves on by itself. axe runs on each state."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from interlude.insights.models import ReportJob, ReportStatus
from interlude.insights.services import report_job_build
from interlude.measures.services import response_submit
from tests.e2e.conftest import check_axe, goto, login, screenshot
from tests.factories import PASSWORD, clinician_with_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def care(settings, tmp_path):
    settings.REPORTS_DIR = tmp_path / "reports"
    # The worker is held back: asking queues the job and nothing builds it until the test does.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    membership, client = clinician_with_client()
    membership.user.full_name = "Dr. Alex Rivera"
    membership.user.save()
    client.full_name = "Jordan Ellis"
    client.save()
    now = timezone.now()
    for key, code, days, answers in [
        ("p1", "phq9", 60, [2, 2, 2, 2, 2, 2, 2, 2, 0]),
        ("p2", "phq9", 3, [1, 1, 1, 1, 1, 1, 1, 1, 0]),
        ("g1", "gad7", 60, [2, 2, 2, 2, 2, 2, 2]),
        ("g2", "gad7", 3, [1, 1, 1, 1, 1, 1, 1]),
    ]:
        response_submit(
            client=client,
            actor=client.user,
            instrument_code=code,
            answers=answers,
            idempotency_key=key,
            submitted_at=now - timedelta(days=days),
        )
    return membership, client


def test_clinician_asks_for_the_pdf_sees_it_being_made_and_downloads_it(new_page, care, tmp_path):
    membership, client = care
    page = new_page("desktop")
    login(page, membership.user.email, PASSWORD)
    goto(page, f"/clinic/clients/{client.public_id}/report/")

    with page.expect_navigation():
        page.get_by_role("button", name="Download PDF").click()
    job = ReportJob.objects.get()
    assert page.url.endswith(f"/clinic/reports/{job.public_id}/")
    assert page.get_by_role("heading", name="Making the PDF").is_visible()
    assert page.get_by_role("progressbar", name="Waiting to start").is_visible()
    assert page.get_by_role("link", name="refresh it").is_visible()
    check_axe(page)
    screenshot(page, "report-pdf-making")

    assert report_job_build(job_id=job.pk) is True  # what the worker does
    # htmx polls every 2 seconds and swaps in the ready state; no reload.
    ready = page.get_by_role("heading", name="The PDF is ready")
    ready.wait_for(timeout=10_000)
    job.refresh_from_db()
    facts = page.locator(".report-job-facts").inner_text()
    assert facts.startswith("Made ") and f", {job.pages} page" in facts, facts
    check_axe(page)
    screenshot(page, "report-pdf-ready")
    page.emulate_media(color_scheme="dark")
    check_axe(page)
    screenshot(page, "report-pdf-ready-dark")
    page.emulate_media(color_scheme="light")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").click()
    download = info.value
    assert download.suggested_filename.startswith("interlude-progress-report-")
    assert "Jordan" not in download.suggested_filename
    target = Path(tmp_path) / download.suggested_filename
    download.save_as(str(target))
    data = target.read_bytes()
    assert data.startswith(b"%PDF-")
    assert job.status == ReportStatus.READY
    assert data == (Path(tmp_path) / "reports" / job.file_name).read_bytes()
    if os.environ.get("INTERLUDE_SCREENSHOTS"):  # for reviews, beside the screenshots
        (Path(os.environ["INTERLUDE_SCREENSHOTS"]) / "report-job.pdf").write_bytes(data)
