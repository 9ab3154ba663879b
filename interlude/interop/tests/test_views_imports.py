"""The client's import pages: upload, preview with mood levels, add, undo, discard, a
spreadsheet's columns, the progress fragment, who may see them, and the source badge on Progress
and on the client record. Tasks run at once in tests (ImmediateBackend), so an upload is read
before the redirect."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from interlude.consents.modules_services import client_modules_set
from interlude.consents.sharing_services import sharing_update
from interlude.interop.enums import ImportStatus
from interlude.interop.models import ImportJob, ImportProfile
from interlude.practices.enums import Module, ShareScope
from interlude.tracking.models import CheckIn, Observation
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)  # 11:00 in New York, the client's zone

# Daylio's current export: a default mood on two days, a custom name ("wired") on one, and a
# line whose time cannot be read (line 5: the header is line 1).
DAYLIO = (
    "\ufefffull_date,date,weekday,time,mood,activities,scales,note_title,note\r\n"
    '2026-03-02,March 2,Monday,8:30 pm,good,"work | walk","","",""\r\n'
    '2026-03-03,March 3,Tuesday,21:00,wired,"coffee","","",""\r\n'
    '2026-03-04,March 4,Wednesday,09:15,awful,"","","",""\r\n'
    '2026-03-05,March 5,Thursday,25:99,meh,"","","",""\r\n'
).encode()
SPREADSHEET = b"Day,Mood,Notes\r\n2026-03-02,7,fine\r\n2026-03-03,4,\r\n2026-03-04,9,great\r\n"


@pytest.fixture(autouse=True)
def frozen(django_capture_on_commit_callbacks):
    # Reading and adding are queued on commit: run them as the request's transaction ends.
    global ON_COMMIT
    ON_COMMIT = django_capture_on_commit_callbacks
    with time_machine.travel(NOW, tick=False):
        yield


ON_COMMIT = None


def _post(http: HttpClient, url: str, data: dict | None = None):
    assert ON_COMMIT is not None
    with ON_COMMIT(execute=True):
        return http.post(url, data or {})


@pytest.fixture
def pair():
    return clinician_with_client()


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _upload(http: HttpClient, *, source: str = "daylio", data: bytes = DAYLIO, name: str = ""):
    name = name or ("daylio_export.csv" if source == "daylio" else "moods.csv")
    return _post(
        http,
        "/imports/",
        {"source": source, "file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def _job_from(response) -> ImportJob:
    match = re.search(r"/imports/([0-9a-f-]{36})/", response["Location"])
    assert match, response["Location"]
    return ImportJob.objects.get(public_id=uuid.UUID(match.group(1)))


def _mood_data(response, levels: dict[str, str]) -> dict[str, str]:
    """The preview's mood selects as posted: each preset level, or the one given by name."""
    form = response.context["form"]
    return {
        name: levels.get(field.label, str(field.initial or ""))
        for name, field in form.fields.items()
    }


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def _previewed(http: HttpClient):
    job = _job_from(_upload(http))
    return job, http.get(f"/imports/{job.public_id}/")


# --- upload and preview ---------------------------------------------------------------------------
def test_upload_reads_the_file_and_the_preview_says_what_would_be_added(pair):
    _, client = pair
    http = _as(client.user)
    response = _upload(http)
    assert response.status_code == 302
    job = _job_from(response)
    assert response["Location"] == f"/imports/{job.public_id}/"
    job.refresh_from_db()
    assert (job.status, job.source, job.file_name) == ("preview", "daylio", "daylio_export.csv")

    page = http.get(f"/imports/{job.public_id}/")
    assert page.status_code == 200
    text = _text(page)
    assert "Check what will be added" in text
    assert "3 check-ins" in text
    assert "Lines that could not be read 1" in text
    assert re.search(r"<th scope=\"row\">5</th>", page.content.decode())
    assert "read as America/New_York time" in text
    # The moods found, how often, preset to their default level; the new name has none.
    form = page.context["form"]
    assert [(f.label, f.initial) for f in form.fields.values()] == [
        ("awful", "1"),
        ("good", "4"),
        ("wired", ""),
    ]
    assert "New name" in text
    assert CheckIn.objects.filter(client=client).count() == 0  # nothing written yet


def test_upload_without_app_or_file_lists_both_errors_linking_to_the_fields(pair):
    _, client = pair
    response = _post(_as(client.user), "/imports/", {})
    assert response.status_code == 422
    html = response.content.decode()
    assert '<a href="#id_source_0">Choose the app your file comes from</a>' in html
    assert '<a href="#id_file">Choose the file to bring in</a>' in html
    assert ImportJob.objects.count() == 0


def test_adding_without_a_level_for_a_new_mood_names_it_and_adds_nothing(pair):
    _, client = pair
    http = _as(client.user)
    job, page = _previewed(http)
    response = _post(http, f"/imports/{job.public_id}/add/", _mood_data(page, {}))
    assert response.status_code == 422
    assert "Choose a level for “wired”" in response.content.decode()
    assert CheckIn.objects.filter(client=client).count() == 0
    job.refresh_from_db()
    assert job.status == "preview"


def test_adding_with_levels_writes_the_check_ins_marked_with_their_source(pair):
    _, client = pair
    http = _as(client.user)
    job, page = _previewed(http)
    response = _post(http, f"/imports/{job.public_id}/add/", _mood_data(page, {"wired": "4"}))
    assert response.status_code == 302
    assert response["Location"] == f"/imports/{job.public_id}/"
    job.refresh_from_db()
    assert job.status == "committed"
    rows = CheckIn.objects.filter(client=client).order_by("recorded_at")
    assert [(c.source, c.source_app, c.source_file) for c in rows] == [
        ("import", "daylio", "daylio_export.csv")
    ] * 3
    assert all(c.import_id == job.public_id for c in rows)
    done = http.get(f"/imports/{job.public_id}/")
    text = _text(done)
    assert "Added to your record" in text
    assert "3 check-ins" in text
    assert "Undo this import" in text

    listing = _text(http.get("/imports/"))
    assert "Daylio : daylio_export.csv daylio_export.csv Added" in listing
    assert "Added 3 check-ins" in listing


def test_undo_asks_first_then_takes_everything_out(pair):
    _, client = pair
    http = _as(client.user)
    job, page = _previewed(http)
    _post(http, f"/imports/{job.public_id}/add/", _mood_data(page, {"wired": "5"}))
    confirm = http.get(f"/imports/{job.public_id}/undo/")
    assert confirm.status_code == 200
    text = _text(confirm)
    assert "Undo this import?" in text
    assert "3 check-ins" in text
    assert CheckIn.objects.filter(client=client).count() == 3  # asking changes nothing

    response = _post(http, f"/imports/{job.public_id}/undo/")
    assert response.status_code == 302
    assert response["Location"] == "/imports/"
    assert CheckIn.objects.filter(client=client).count() == 0
    assert Observation.objects.filter(client=client).count() == 0
    job.refresh_from_db()
    assert job.status == "undone"


def test_discard_adds_nothing(pair):
    _, client = pair
    http = _as(client.user)
    job, _ = _previewed(http)
    response = _post(http, f"/imports/{job.public_id}/discard/")
    assert response.status_code == 302
    assert response["Location"] == "/imports/"
    job.refresh_from_db()
    assert job.status == "discarded"
    assert CheckIn.objects.filter(client=client).count() == 0
    assert "This import was discarded" in _text(http.get(f"/imports/{job.public_id}/"))


def test_a_failed_read_says_why_and_offers_another_try(pair):
    _, client = pair
    http = _as(client.user)
    job = _job_from(_upload(http, data=b"\x00\x01\x02 not a csv at all"))
    page = http.get(f"/imports/{job.public_id}/")
    job.refresh_from_db()
    assert job.status == "failed"
    text = _text(page)
    assert "Your file could not be read" in text
    assert job.error in text
    assert "Try again with another file" in text


# --- the progress fragment ------------------------------------------------------------------------
def test_a_job_being_read_polls_its_progress_and_stops_once_done(pair):
    _, client = pair
    job = ImportJob.objects.create(
        practice=client.practice,
        client=client,
        source="daylio",
        file_name="daylio_export.csv",
        status=ImportStatus.READING,
        progress=40,
        step="Reading your file",
        created_by=client.user,
        updated_by=client.user,
    )
    http = _as(client.user)
    url = f"/imports/{job.public_id}/"
    page = http.get(url).content.decode()
    assert 'aria-live="polite"' in page
    assert '<progress id="import-progress-bar" max="100" value="40">40%</progress>' in page
    assert 'hx-trigger="every 1s"' in page
    fragment = http.get(url, headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert body.lstrip().startswith('<div id="import-progress"')
    assert "<html" not in body
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED, error="Broken.")
    done = http.get(url, headers={"HX-Request": "true"})
    assert done.status_code == 200
    assert done["HX-Refresh"] == "true"


# --- a spreadsheet's columns ----------------------------------------------------------------------
def test_a_spreadsheet_waits_for_its_columns_then_reads_with_them_and_saves_the_profile(pair):
    _, client = pair
    http = _as(client.user)
    response = _upload(http, source="csv", data=SPREADSHEET)
    job = _job_from(response)
    assert response["Location"] == f"/imports/{job.public_id}/columns/"
    assert http.get(f"/imports/{job.public_id}/")["Location"] == response["Location"]
    page = http.get(f"/imports/{job.public_id}/columns/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<th scope="col">Day</th><th scope="col">Mood</th><th scope="col">Notes</th>' in html
    assert "<td>2026-03-04</td><td>9</td><td>great</td>" in html

    missing = _post(http, f"/imports/{job.public_id}/columns/", {"date_format": "%Y-%m-%d"})
    assert missing.status_code == 422
    assert '<a href="#id_date">' in missing.content.decode()

    mapped = _post(
        http,
        f"/imports/{job.public_id}/columns/",
        {
            "date": "Day",
            "date_format": "%Y-%m-%d",
            "time": "",
            "value": "Mood",
            "value_kind": "mood",
            "scale_min": "1",
            "scale_max": "10",
            "tags": "",
            "tag_separator": ",",
            "note": "Notes",
            "save_as": "My mood app",
        },
    )
    assert mapped.status_code == 302
    assert mapped["Location"] == f"/imports/{job.public_id}/"
    job.refresh_from_db()
    assert job.status == "preview"
    assert "3 check-ins" in _text(http.get(f"/imports/{job.public_id}/"))
    profile = ImportProfile.objects.get(client=client)
    assert (profile.name, profile.mapping["date"], profile.mapping["scale_max"]) == (
        "My mood app",
        "Day",
        10,
    )

    # Next time, the saved columns are offered and are enough on their own.
    again = _job_from(_upload(http, source="csv", data=SPREADSHEET, name="moods2.csv"))
    page = http.get(f"/imports/{again.public_id}/columns/")
    assert "My mood app" in page.content.decode()
    used = _post(http, f"/imports/{again.public_id}/columns/", {"profile": str(profile.public_id)})
    assert used.status_code == 302
    again.refresh_from_db()
    assert again.status == "preview"


# --- who may see the pages ------------------------------------------------------------------------
def test_another_client_and_the_clinician_get_404(pair):
    membership, client = pair
    job, _ = _previewed(_as(client.user))
    _, other = clinician_with_client()
    for user in (other.user, membership.user):
        http = _as(user)
        for url in (
            f"/imports/{job.public_id}/",
            f"/imports/{job.public_id}/undo/",
            f"/imports/{job.public_id}/columns/",
        ):
            assert http.get(url).status_code == 404, (user, url)
        assert _post(http, f"/imports/{job.public_id}/discard/").status_code == 404
        assert _post(http, f"/imports/{job.public_id}/add/").status_code == 404
    assert _as(membership.user).get("/imports/").status_code == 404
    job.refresh_from_db()
    assert job.status == "preview"


def test_the_pages_answer_404_when_the_module_is_off(pair):
    membership, client = pair
    http = _as(client.user)
    job, _ = _previewed(http)
    client_modules_set(client=client, actor=membership.user, modules_off=[Module.IMPORTS])
    assert http.get("/imports/").status_code == 404
    assert http.get(f"/imports/{job.public_id}/").status_code == 404
    assert _upload(http).status_code == 404


def test_list_page_queries_do_not_grow_with_imports(pair):
    _, client = pair
    http = _as(client.user)
    _upload(http)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert http.get("/imports/").status_code == 200
        return len(ctx)

    one = count()
    _upload(http, name="second.csv")
    _upload(http, name="third.csv")
    assert count() == one


# --- the source badge -----------------------------------------------------------------------------
def _committed(pair) -> ImportJob:
    _, client = pair
    http = _as(client.user)
    job, page = _previewed(http)
    _post(http, f"/imports/{job.public_id}/add/", _mood_data(page, {"wired": "4"}))
    return job


def test_progress_marks_imported_days_with_their_app_and_file(pair):
    _, client = pair
    _committed(pair)
    text = _text(_as(client.user).get("/progress/"))
    assert "from Daylio 3 days brought in (file daylio_export.csv)" in text
    assert "Wed 4 Mar 0 from Daylio" in text  # awful: level 1 is 0 on the 0-10 scale


def test_the_record_shows_imported_check_ins_only_when_imported_data_is_shared(pair):
    membership, client = pair
    _committed(pair)
    http = _as(membership.user)
    url = f"/clinic/clients/{client.public_id}/"
    text = _text(http.get(url))
    assert "Check-in from Daylio" in text
    assert "imported from daylio_export.csv" in text
    assert "from Daylio 3 days brought in" in text

    sharing_update(client=client, actor=client.user, categories={ShareScope.IMPORTS: False})
    text = _text(http.get(url))
    assert "Check-in from Daylio" not in text
    assert "from Daylio" not in text
    name = client.display_name
    assert f"Not shared by {name}. {name} chose not to share imported app data" in text
