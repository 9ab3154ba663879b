"""Worksheet list pages, the care team's worksheets page and the API lists use a fixed number of
queries, with 3 items or with 30 (DESIGN.md, "Testing")."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from interlude.consents.access import Viewer, care_access_for
from interlude.consents.sharing_services import sharing_update
from interlude.exercises.models import LifeArea
from interlude.exercises.schemas import (
    ActivityLogIn,
    ActivityPlanIn,
    EmotionIn,
    ExposurePracticeIn,
    ExposureStepIn,
    JournalEntryIn,
    SleepDiaryIn,
    ThoughtIn,
    ThoughtRecordIn,
)
from interlude.exercises.worksheets_selectors import (
    client_local_today,
    monday_of,
    worksheets_summary_for_clinician,
)
from interlude.exercises.worksheets_services import (
    activity_plan_create,
    activity_plan_log,
    exposure_practice_create,
    exposure_step_create,
    journal_entry_create,
    sleep_diary_save,
    thought_record_create,
)
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _still_clock():
    """The clock stands still: the session is written at most once a minute (every 9 s for
    staff), and such a write must not fall into a counted request on a slow machine."""
    with time_machine.travel(timezone.now(), tick=False):
        yield


# Statements per request, savepoints not counted. Every signed-in request: session, user,
# membership (tenant), client profile (4; the session and allauth's session row are written at
# most once a minute, not here). A client's page also reads their consent state (the onboarding
# middleware) and whether the module is on for them (the gate's module switch), an API call only
# the module switch. Then each page's own reads, one per list (exposure steps and their practices
# are two).
CLIENT_PAGE_QUERIES = {
    "/tools/thought-records/": 7,
    "/tools/activities/": 7,
    "/tools/exposure/": 8,
    "/tools/sleep/": 7,
    "/tools/journal/": 7,
}
# The 4 above, the gate (clinical memberships, the client on the care team, audit head lock,
# event insert, head update: 5), then seven reads: thought records, activities, exposure steps
# and their practices, sleep diary, shared journal entries, relaxation sessions.
CLINICIAN_PAGE_QUERIES = 17
# Thought-record count, latest record, this week's activities, exposure counts, sleep nights,
# shared-journal count, latest shared entry: rendering the partial adds none.
SUMMARY_QUERIES = 7
API_LIST_QUERIES = {
    "/api/v1/thought-records": 6,
    "/api/v1/sleep-diary": 6,
    "/api/v1/journal": 6,
    "/api/v1/activities": 6,
    "/api/v1/exposure/steps": 7,
}


def fill(client, n: int) -> None:
    """n of every worksheet kind for the client, in the current week and the last nights."""
    user = client.user
    today = client_local_today(client=client)
    monday = monday_of(today)
    for i in range(n):
        thought_record_create(
            client=client,
            actor=user,
            values=ThoughtRecordIn(
                idempotency_key=f"k{i}",
                situation=f"Situation {i}",
                automatic_thoughts=[ThoughtIn(text="T", belief=80, hot=True)],
                emotions=[EmotionIn(label="Anxious", intensity=70)],
                evidence_for="F",
                evidence_against="A",
                distortions=["labelling"],
                balanced_thought={"text": "B", "belief": 60},
                hot_thought_belief_after=40,
                emotions_rerated=[EmotionIn(label="Anxious", intensity=40)],
            ),
        )
        activity = activity_plan_create(
            client=client,
            actor=user,
            values=ActivityPlanIn(
                title=f"Activity {i}",
                life_area=LifeArea.LEISURE,
                planned_for=monday + timedelta(days=i % 7),
            ),
        )
        if i % 2:
            activity_plan_log(
                activity=activity,
                actor=user,
                values=ActivityLogIn(done=True, mastery=5, pleasure=6),
            )
        step = exposure_step_create(
            client=client,
            actor=user,
            values=ExposureStepIn(description=f"Step {i}", suds_anticipated=i % 101),
        )
        for _ in range(2):
            exposure_practice_create(
                client=client,
                step=step,
                actor=user,
                values=ExposurePracticeIn(
                    duration_minutes=10, suds_pre=40, suds_peak=60, suds_post=20
                ),
            )
        sleep_diary_save(
            client=client,
            actor=user,
            values=SleepDiaryIn(
                night_of=today - timedelta(days=1 + i),
                into_bed=time(22, 30),
                tried_to_sleep=time(23, 0),
                minutes_to_fall_asleep=15,
                awakenings=1,
                minutes_awake_after_onset=10,
                final_awakening=time(6, 30),
                out_of_bed=time(7, 0),
                quality=3,
            ),
        )
        journal_entry_create(
            client=client, actor=user, values=JournalEntryIn(body=f"Entry {i}", shared=i % 2 == 0)
        )


def _is_savepoint(sql: str) -> bool:
    return sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))


def count(http: HttpClient, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = http.get(path)
    assert response.status_code == 200, path
    return len([q for q in ctx.captured_queries if not _is_savepoint(q["sql"])])


def setup(n: int) -> tuple[HttpClient, HttpClient, object]:
    membership, client = clinician_with_client()
    sharing_update(client=client, actor=client.user, categories={"journal": True})
    fill(client, n)
    as_client = HttpClient()
    as_client.force_login(client.user)
    as_client.get("/tools/")  # warm up: the session learns its kind on the first request
    as_clinician = HttpClient()
    as_clinician.force_login(membership.user)
    as_clinician.get("/clinic/")
    return as_client, as_clinician, client


@pytest.mark.parametrize("path", list(CLIENT_PAGE_QUERIES))
def test_client_list_pages_use_the_same_queries_with_3_and_30_items(path):
    few, _, _ = setup(3)
    many, _, _ = setup(30)

    assert count(few, path) == count(many, path) == CLIENT_PAGE_QUERIES[path]


def test_clinician_worksheets_page_uses_the_same_queries_with_3_and_30_items():
    _, few, few_client = setup(3)
    _, many, many_client = setup(30)

    small = count(few, f"/clinic/clients/{few_client.public_id}/worksheets/")
    large = count(many, f"/clinic/clients/{many_client.public_id}/worksheets/")

    assert small == large == CLINICIAN_PAGE_QUERIES


@pytest.mark.parametrize("path", list(API_LIST_QUERIES))
def test_api_lists_use_the_same_queries_with_3_and_30_items(path):
    few, _, _ = setup(3)
    many, _, _ = setup(30)

    assert count(few, path) == count(many, path) == API_LIST_QUERIES[path]


def test_summary_for_the_client_record_uses_the_same_queries_with_3_and_30_items(
    django_assert_num_queries,
):
    counts = []
    for n in (3, 30):
        _, _, client = setup(n)
        membership = client.care_team.get().membership
        care = care_access_for(
            client=client, user=membership.user, viewer=Viewer.CARE_TEAM, membership=membership
        )
        with django_assert_num_queries(SUMMARY_QUERIES):
            summary = worksheets_summary_for_clinician(access=care)
            render_to_string("exercises/clinician/_summary.html", {"summary": summary})
        counts.append(summary["thought_records_complete"])

    assert counts == [3, 30]


def test_the_30_items_really_are_on_the_pages():
    http, clinician, client = setup(30)

    assert len(http.get("/tools/thought-records/").context["finished"]) == 30
    assert http.get("/tools/activities/").context["week"].planned == 30
    assert len(http.get("/tools/exposure/").context["steps"]) == 30
    assert len(http.get("/tools/sleep/").context["table"].rows) == 14
    assert len(http.get("/tools/journal/").context["entries"]) == 30
    context = clinician.get(f"/clinic/clients/{client.public_id}/worksheets/").context
    assert len(context["thought_records"]) == 10
    assert len(context["journal_entries"]) == 15
    assert sum(len(s.practices.all()) for s in context["exposure_steps"]) == 60
