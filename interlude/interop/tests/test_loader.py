"""The one loader: every kind of canonical record through the domain services, times without a
zone on the client's wall clock (daylight saving included), all or nothing, lines that cannot be
added listed in the preview, and a formula in a Daylio note kept as written in the record and
neutralised in the client's data download."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.consents.access import Viewer, care_access_for
from interlude.core.errors import ApplicationError
from interlude.interop import importers, loader, services
from interlude.interop.canonical import Answers, MoodEntry, Reading, Skipped, Unreadable
from interlude.interop.enums import ImportSource, ImportStatus, StagedKind
from interlude.interop.models import StagedRecord
from interlude.interop.tests.import_helpers import (
    NOW,
    daylio_file,
    daylio_line,
    point_imports_dir,
    upload,
)
from interlude.measures.models import EnteredBy, QuestionnaireResponse
from interlude.rights import package
from interlude.rights.selectors import export_section_rows
from interlude.tracking.models import CheckIn, Observation
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def imports_dir(settings, tmp_path):
    return point_imports_dir(settings, tmp_path)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def client_row():
    return clinician_with_client()[1]


# Every kind of record an importer can give, with two lines it could not or would not read.
def _everything(**kwargs):
    yield MoodEntry(
        line=2,
        key="m1",
        when=datetime(2025, 6, 1, 21, 0),
        mood_label="7",
        mood_value=7,
        scale_min=1,
        scale_max=10,
        energy_value=4,
        activities=("Walk",),
        note="Calm",
        original={"rating/amount": "7"},
    )
    yield Reading(
        line=3,
        key="s1",
        when=datetime(2025, 6, 2, 7, 0, tzinfo=UTC),
        staged_kind=StagedKind.SLEEP,
        observation_kind="sleep_hours",
        value=7.5,
        original="7:30",
    )
    yield Reading(
        line=4,
        key="p1",
        when=datetime(2025, 6, 2, 12, 0),
        staged_kind=StagedKind.STEPS,
        observation_kind="steps",
        value=9120,
    )
    yield Reading(
        line=5,
        key="n1",
        when=datetime(2025, 6, 2, 18, 0),
        staged_kind=StagedKind.MINDFUL,
        observation_kind="mindful_minutes",
        value=10,
    )
    yield Reading(
        line=6,
        key="x1",
        when=datetime(2025, 6, 2, 18, 0),
        staged_kind=StagedKind.MEASUREMENT,
        observation_kind="symptom",
        value=2,
        label="Headache",
        original="Headache (Moderate)",
    )
    yield Answers(
        line=7,
        key="q1",
        when=datetime(2025, 5, 1, 9, 0, tzinfo=UTC),
        instrument_code="phq9",
        answers=(1, 1, 1, 1, 1, 1, 1, 1, 2),
        original="QuestionnaireResponse/abc",
    )
    yield Answers(
        line=8,
        key="q2",
        when=datetime(2025, 5, 1, 9, 0, tzinfo=UTC),
        instrument_code="phq9",
        answers=(7, 1),
    )
    yield Reading(
        line=9,
        key="f1",
        when=datetime(2026, 4, 1, 12, 0),
        staged_kind=StagedKind.STEPS,
        observation_kind="steps",
        value=1,
    )
    yield Unreadable(line=10, message="A line Interlude cannot read.")
    yield Skipped(line=11, reason="Medication")


def test_every_kind_of_record_goes_through_its_domain_service(
    client_row, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(importers, "parse_file", _everything)
    job = upload(
        client_row,
        b"anything",
        capture=django_capture_on_commit_callbacks,
        source=ImportSource.FHIR,
        name="bundle.json",
    )
    assert job.summary["to_add"] == {
        "checkins": 1,
        "sleep": 1,
        "steps": 1,
        "mindful": 1,
        "measurements": 1,
        "responses": 1,
    }
    assert job.summary["skipped"] == {"Medication": 1}
    unreadable = {u["line"]: u["message"] for u in job.summary["unreadable"]}
    assert unreadable[9] == "This is in the future. Check the date and time."
    assert unreadable[10] == "A line Interlude cannot read."
    assert 8 in unreadable  # answers outside the questionnaire, in the scorer's words
    assert job.summary["unreadable_count"] == 3

    job = services.import_commit(user=client_row.user, job=job)

    assert job.summary["added"] == {
        "checkins": 1,
        "sleep": 1,
        "mindful": 1,
        "steps": 1,
        "responses": 1,
        "measurements": 1,
    }
    assert services.import_summary_line(job) == {
        "source": "fhir",
        "added": job.summary["added"],
        "duplicates": 0,
        "unreadable": 3,
    }
    checkin = CheckIn.objects.get()
    # 7 on 1-10 is 6.67 -> 7 on 0-10; energy 4 on 1-10 -> 3. 21:00 in New York (EDT) is 01:00 UTC.
    assert (checkin.mood, checkin.energy) == (7, 3)
    assert checkin.recorded_at == datetime(2025, 6, 2, 1, 0, tzinfo=UTC)
    assert (checkin.time_zone, checkin.activities, checkin.note) == (
        "America/New_York",
        ["Walk"],
        "Calm",
    )
    assert checkin.original == {"rating/amount": "7", "mood": "7", "line": 2}
    points = {
        p.kind: p
        for p in Observation.objects.filter(client=client_row).exclude(
            source_type="tracking.checkin"
        )
    }
    assert sorted(points) == ["mindful_minutes", "sleep_hours", "steps", "symptom"]
    assert {p.source_type for p in points.values()} == {"import.fhir"}
    assert {p.import_id for p in points.values()} == {job.public_id}
    assert (points["sleep_hours"].value, points["sleep_hours"].original) == (7.5, "7:30")
    assert points["steps"].effective_at == datetime(2025, 6, 2, 16, 0, tzinfo=UTC)
    assert (points["symptom"].label, points["symptom"].original) == (
        "Headache",
        "Headache (Moderate)",
    )
    response = QuestionnaireResponse.objects.get()
    assert (response.entered_by, response.total, response.import_id) == (
        EnteredBy.IMPORT,
        10.0,
        job.public_id,
    )


def test_times_without_a_zone_follow_the_clients_wall_clock_across_daylight_saving():
    # 02:30 does not exist on the spring-forward night: it is taken as the clock's 03:30 (EDT).
    assert loader.aware(datetime(2025, 3, 9, 2, 30), NEW_YORK) == datetime(
        2025, 3, 9, 7, 30, tzinfo=UTC
    )
    # 01:30 happens twice on the fall-back night: the first one (EDT).
    assert loader.aware(datetime(2025, 11, 2, 1, 30), NEW_YORK) == datetime(
        2025, 11, 2, 5, 30, tzinfo=UTC
    )
    assert loader.aware(datetime(2025, 1, 15, 20, 0), NEW_YORK) == datetime(
        2025, 1, 16, 1, 0, tzinfo=UTC
    )
    # A time written with its offset keeps it.
    aware = datetime(2025, 1, 15, 20, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert loader.aware(aware, NEW_YORK) == datetime(2025, 1, 15, 19, 0, tzinfo=UTC)


def test_a_failure_inside_the_transaction_leaves_nothing(
    client_row, monkeypatch, imports_dir, django_capture_on_commit_callbacks
):
    job = upload(
        client_row,
        daylio_file([daylio_line(date(2025, 1, d), "10:00", "good") for d in range(1, 21)]),
        capture=django_capture_on_commit_callbacks,
    )
    real = loader.imported_checkins_add

    def then_fail(**kwargs):
        real(**kwargs)  # the check-ins and their moods are written ...
        assert CheckIn.objects.count() == 20
        raise IntegrityError("forced")  # ... and then something breaks

    monkeypatch.setattr(loader, "imported_checkins_add", then_fail)
    with pytest.raises(ApplicationError) as refused:
        services.import_commit(user=client_row.user, job=job)
    assert refused.value.message == services.COMMIT_FAILED

    assert CheckIn.objects.count() == 0 and Observation.objects.count() == 0
    job.refresh_from_db()
    assert (job.status, job.error) == (ImportStatus.PREVIEW, services.COMMIT_FAILED)
    assert not AuditEvent.objects.filter(action=AuditAction.IMPORT_COMMITTED).exists()
    # The staged rows and the file are still there: adding again works.
    assert StagedRecord.objects.filter(job=job).count() == 20
    assert (imports_dir / job.stored_name).exists()
    monkeypatch.setattr(loader, "imported_checkins_add", real)
    job = services.import_commit(user=client_row.user, job=job)
    assert job.status == ImportStatus.COMMITTED
    assert CheckIn.objects.count() == 20


def test_a_formula_in_a_daylio_note_is_kept_and_neutralised_in_the_download(
    client_row, django_capture_on_commit_callbacks
):
    formula = '=HYPERLINK("http://example.org","click")'
    job = upload(
        client_row,
        daylio_file([daylio_line(date(2025, 2, 1), "10:00", "good", "", formula)]),
        capture=django_capture_on_commit_callbacks,
    )
    services.import_commit(user=client_row.user, job=job)
    checkin = CheckIn.objects.get()
    assert checkin.note == formula  # the client's words, as written

    care = care_access_for(
        client=client_row, user=client_row.user, viewer=Viewer.SELF, membership=None
    )
    section = next(s for s in package.SECTIONS if s.key == "checkins")
    rows = export_section_rows(care=care, key="checkins")
    assert [r["note"] for r in rows] == [formula]
    text = package.csv_bytes(section, rows).decode("utf-8-sig")
    assert '\'=HYPERLINK(""http://example.org"",""click"")' in text
    assert ",=HYPERLINK" not in text and ',"=HYPERLINK' not in text
    assert rows[0]["source"] == "Imported from another app"


def test_an_unmapped_mood_stops_the_loader(client_row, django_capture_on_commit_callbacks):
    job = upload(
        client_row,
        daylio_file([daylio_line(date(2025, 2, 1), "10:00", "wired")]),
        capture=django_capture_on_commit_callbacks,
    )
    with pytest.raises(loader.UnmappedMood):
        loader.mood_level(
            MoodEntry(line=1, key="k", when=datetime(2025, 1, 1), mood_label=" wired "),
            {},
            {"good": 4},
        )
    assert services.unmapped_moods(job) == ["wired"]


def test_adding_thousands_is_one_short_transaction(client_row, django_capture_on_commit_callbacks):
    """5,000 Daylio entries (a check-in and a mood point each): counted in queries, so the claim
    that adding is a few bulk statements holds whatever the machine's speed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    start = date(2012, 1, 1)
    data = daylio_file(
        [daylio_line(start + timedelta(days=i), "10:00", "good", "walk", "n") for i in range(5000)]
    )
    job = upload(client_row, data, capture=django_capture_on_commit_callbacks)
    assert job.summary["to_add"] == {"checkins": 5000}
    # Over COMMIT_INLINE_MAX staged rows, adding is left to the worker (run here on commit).
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.import_commit(user=client_row.user, job=job)
    assert CheckIn.objects.count() == 5000
    writes = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    # 10 inserts of check-ins and 10 of mood points (500 a statement), the audit event.
    assert len([q for q in writes if "tracking_checkin" in q["sql"]]) == 10
    assert len([q for q in writes if "tracking_observation" in q["sql"]]) == 10
