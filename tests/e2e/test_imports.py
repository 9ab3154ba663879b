"""Bringing in data from another app, in a real browser at phone width (issue [7] acceptance).

The client uploads a Daylio export with a custom mood name, gives it a level in the preview, adds
it and sees the days in Progress marked "from Daylio". The clinician sees them on the client
record while the client shares imported app data, and "not shared" once the client switches it
off on their Sharing page. The client undoes the import and the days are gone.

axe runs on every page visited. The entries are dated from the client's today (in a zone near
midday now, as in test_between_sessions), so they fall inside Progress's 30 days.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from interlude.interop.models import ImportJob
from interlude.tracking.models import CheckIn
from tests.e2e.conftest import check_axe, expect_status, goto, login, screenshot
from tests.e2e.test_between_sessions import local_today, zone_near_midday
from tests.factories import PASSWORD, clinician_with_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def daylio_export(zone: str) -> bytes:
    """Daylio's current export: three days, one with the client's own mood name "wired"."""
    today = local_today(zone)
    lines = ["full_date,date,weekday,time,mood,activities,scales,note_title,note"]
    for back, clock, mood, activities in (
        (3, "8:30 pm", "good", "work | walk"),
        (2, "21:00", "wired", "coffee"),
        (1, "09:15", "awful", ""),
    ):
        day = today - timedelta(days=back)
        lines.append(
            f'{day.isoformat()},{day:%B} {day.day},{day:%A},{clock},{mood},"{activities}","","",""'
        )
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


@pytest.fixture
def care() -> tuple[Any, Any]:
    membership, client = clinician_with_client()
    membership.user.full_name = "Dr. Alex Rivera"
    membership.user.save()
    zone = zone_near_midday()
    client.full_name = "Robin Ash"
    client.preferred_name = "Robin"
    client.time_zone = zone
    client.save()
    client.practice.time_zone = zone
    client.practice.save()
    return membership, client


def heading(page: Any) -> str:
    return page.get_by_role("heading", level=1).inner_text().strip()


def test_client_brings_in_daylio_maps_a_mood_shares_it_then_undoes_it(new_page, care):
    membership, client = care
    page = new_page("phone")
    login(page, client.user.email, PASSWORD)

    # From Me to the import page.
    goto(page, "/me/")
    with page.expect_navigation():
        page.get_by_role("link", name="Bring in data from other apps").click()
    assert heading(page) == "Bring in data from other apps"
    check_axe(page)
    screenshot(page, "imports-start-phone")

    # Nothing chosen: the error summary links to the fields (the page answers 422).
    expect_status(page, 422)
    with page.expect_navigation():
        page.get_by_role("button", name="Read my file").click()
    summary = page.get_by_role("alert")
    assert summary.get_by_role("link", name="Choose the app your file comes from").is_visible()
    check_axe(page)
    screenshot(page, "imports-errors-phone")

    page.get_by_role("radio", name="Daylio").check()
    page.get_by_label("Your file").set_input_files(
        {
            "name": "daylio_export.csv",
            "mimeType": "text/csv",
            "buffer": daylio_export(client.time_zone),
        }
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Read my file").click()
    page.wait_for_selector("h1:text('Check what will be added')")
    check_axe(page)
    screenshot(page, "imports-preview-phone")
    assert page.get_by_text("3 check-ins").is_visible()
    wired = page.get_by_role("combobox", name="wired")
    assert wired.input_value() == ""
    assert page.get_by_role("combobox", name="good").input_value() == "4"

    # Adding without a level for "wired" names it; then it is given one.
    with page.expect_navigation():
        page.get_by_role("button", name="Add to my record").click()
    assert page.get_by_role("link", name="Choose a level for “wired”").is_visible()
    check_axe(page)
    page.get_by_role("combobox", name="wired").select_option("4")
    with page.expect_navigation():
        page.get_by_role("button", name="Add to my record").click()
    assert heading(page) == "Added to your record"
    check_axe(page)
    screenshot(page, "imports-added-phone")
    assert CheckIn.objects.filter(client=client, source_app="daylio").count() == 3

    # Progress marks the days with their source.
    goto(page, "/progress/")
    mood = page.get_by_role("region", name="Mood")
    assert mood.get_by_text(
        re.compile(r"3 days brought in \(file daylio_export\.csv\)")
    ).is_visible()
    assert mood.locator(".badge-source").inner_text().strip() == "from Daylio"
    check_axe(page)
    screenshot(page, "imports-progress-phone")

    # The clinician sees them on the record while imported app data is shared.
    desk = new_page("desktop")
    login(desk, membership.user.email, PASSWORD)
    record = f"/clinic/clients/{client.public_id}/"
    goto(desk, record)
    assert desk.get_by_text("Check-in from Daylio").first.is_visible()
    assert desk.locator("#series-title ~ * .badge-source, .badge-source").first.is_visible()
    check_axe(desk)
    screenshot(desk, "imports-record-shared-desktop")

    # The client switches "Data from other apps" off on their Sharing page.
    goto(page, "/me/sharing/")
    page.get_by_role("switch", name="Data from other apps").uncheck()
    page.get_by_role("button", name="Save my choices").click()
    page.get_by_text("Saved. Your care team sees this from now on.").wait_for()
    check_axe(page)

    goto(desk, record)
    assert desk.get_by_text("Check-in from Daylio").count() == 0
    assert desk.locator('[data-not-shared="imports"]').first.is_visible()
    assert (
        "chose not to share imported app data"
        in desk.locator('[data-not-shared="imports"]').first.inner_text()
    )
    check_axe(desk)
    screenshot(desk, "imports-record-not-shared-desktop")

    # The client undoes the import: a confirmation first, then the days are gone.
    goto(page, "/imports/")
    job = ImportJob.objects.get(client=client)
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("^Undo")).click()
    assert heading(page) == "Undo this import?"
    check_axe(page)
    screenshot(page, "imports-undo-confirm-phone")
    with page.expect_navigation():
        page.get_by_role("button", name="Yes, undo this import").click()
    assert page.get_by_text("Import undone.").is_visible()
    check_axe(page)
    screenshot(page, "imports-undone-phone")
    job.refresh_from_db()
    assert job.status == "undone"
    assert CheckIn.objects.filter(client=client).count() == 0
    goto(page, "/progress/")
    assert page.locator(".badge-source").count() == 0
    check_axe(page)
