"""In a real browser on a 390 px phone: a client opens "Download my data" from Me, watches an
export being prepared (htmx polls the progress), downloads the zip once, and sees that the file
is gone. axe runs on each state, and nothing scrolls sideways."""

from __future__ import annotations

import zipfile
from decimal import Decimal

import pytest
from django.db import OperationalError
from django.utils import timezone

from interlude.consents.models import ClientPrivacy
from interlude.rights.models import ExportJob, ExportStatus
from interlude.rights.services import export_build
from interlude.tracking.services import CheckInValues, checkin_create
from tests.e2e.conftest import check_axe, goto, login, screenshot
from tests.factories import PASSWORD, clinician_with_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def client_with_a_checkin(settings, tmp_path):
    settings.EXPORTS_DIR = tmp_path / "exports"
    _membership, client = clinician_with_client()
    client.full_name = "Jordan Ellis"
    client.save()
    ClientPrivacy.objects.filter(client=client).update(onboarded_at=timezone.now())
    checkin_create(
        client=client,
        actor=client.user,
        values=CheckInValues(mood=7, sleep_hours=Decimal("7"), note="A calm walk by the sea"),
        idempotency_key="e2e-1",
    )
    return client


def test_a_client_downloads_their_data_once_on_a_phone(new_page, client_with_a_checkin, tmp_path):
    client = client_with_a_checkin
    page = new_page("phone")
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, client.user.email, PASSWORD)

    goto(page, "/me/")
    page.get_by_role("link", name="Download my data").click()
    page.wait_for_url("**/me/download-my-data/")
    assert page.get_by_role("heading", level=1).inner_text() == "Download my data"
    check_axe(page)
    screenshot(page, "export-1-start")

    # An export on its way: the page shows its progress and polls until it is ready.
    job = ExportJob.objects.create(
        practice=client.practice,
        client=client,
        requested_by=client.user,
        status=ExportStatus.RUNNING,
        progress=40,
        step="Reading your journal",
    )
    goto(page, "/me/download-my-data/")
    assert page.get_by_label("Reading your journal").get_attribute("value") == "40"
    check_axe(page)
    screenshot(page, "export-2-progress")
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.QUEUED)
    assert export_build(job_id=job.pk) is True
    link = page.get_by_role("link", name="Download my data (zip)")
    link.wait_for(timeout=8_000)  # the next poll swaps the ready state in
    check_axe(page)
    screenshot(page, "export-3-ready")

    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.startswith("interlude-export-")
    saved = tmp_path / "download.zip"
    download.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        assert "checkins.csv" in archive.namelist()
        assert b"A calm walk by the sea" in archive.read("checkins.csv")

    # The server marks the job once its last byte is handed over, which can be a moment after
    # the browser has the whole file: wait for it (at most 5 s).
    for _ in range(50):
        try:
            job.refresh_from_db()
        except OperationalError:  # SQLite's shared in-memory database: the server is writing it
            page.wait_for_timeout(100)
            continue
        if job.status == ExportStatus.DELETED:
            break
        page.wait_for_timeout(100)
    assert job.status == ExportStatus.DELETED
    goto(page, "/me/download-my-data/")
    assert (
        "That file has been deleted from Interlude." in page.locator("#export-status").inner_text()
    )
    check_axe(page)
    screenshot(page, "export-4-downloaded")
