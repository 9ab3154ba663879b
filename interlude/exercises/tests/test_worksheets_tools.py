"""The client's pages for activation, exposure, the sleep diary and the journal: what a form
stores, errors beside the field with nothing stored, and privacy of the journal."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client as HttpClient

from interlude.exercises.models import (
    ActivityPlan,
    ExposurePractice,
    ExposureStep,
    JournalEntry,
    SleepDiaryEntry,
)
from interlude.exercises.worksheets_selectors import client_local_today, monday_of
from interlude.tracking.models import Observation, ObservationKind
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    _, client = clinician_with_client()
    http = HttpClient()
    http.force_login(client.user)
    return http, client


def error_beside(html: str, field: str) -> str:
    match = re.search(
        rf'<p class="field-error" id="id_{field}_error">'
        r'<span class="visually-hidden">Error:</span> ([^<]+)</p>',
        html,
    )
    assert match, f"no error beside {field}"
    return match.group(1)


@pytest.mark.parametrize(
    "path",
    [
        "/tools/thought-records/",
        "/tools/thought-records/new/",
        "/tools/activities/",
        "/tools/activities/new/",
        "/tools/exposure/",
        "/tools/exposure/steps/new/",
        "/tools/sleep/",
        "/tools/sleep/new/",
        "/tools/journal/",
        "/tools/journal/new/",
    ],
)
def test_every_tool_page_opens_for_the_client_in_the_tools_tab(person, path):
    http, _ = person

    response = http.get(path)

    assert response.status_code == 200
    assert response.context["nav"] == "tools"
    assert '<a href="/tools/" aria-current="page">' in response.content.decode()


# --- behavioural activation ----------------------------------------------------------------------
def test_plan_then_log_an_activity_and_the_week_says_how_many_were_done(person):
    http, client = person
    today = client_local_today(client=client)

    response = http.post(
        "/tools/activities/new/",
        {"title": "Walk to the park", "life_area": "health", "planned_for": today.isoformat()},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/tools/activities/?week={today.isoformat()}"
    activity = ActivityPlan.objects.get()
    assert (activity.title, activity.life_area, activity.done) == (
        "Walk to the park",
        "health",
        None,
    )
    week = http.get(response["Location"]).content.decode()
    assert "0 of 1 planned activity done" in week
    assert "1 not logged yet" in week

    http.post(
        f"/tools/activities/{activity.public_id}/", {"done": "yes", "mastery": "6", "pleasure": "8"}
    )

    activity.refresh_from_db()
    assert (activity.done, activity.mastery, activity.pleasure) == (True, 6, 8)
    assert activity.logged_at is not None
    week = http.get("/tools/activities/").content.decode()
    assert "1 of 1 planned activity done" in week
    assert "achievement 6, enjoyment 8" in week


def test_the_week_runs_monday_to_sunday_and_counts_only_that_week(person):
    http, client = person
    monday = monday_of(client_local_today(client=client))
    for offset, done in [(0, "yes"), (2, "no"), (6, "yes"), (7, "yes"), (-1, "yes")]:
        http.post(
            "/tools/activities/new/",
            {
                "title": f"Day {offset}",
                "life_area": "leisure",
                "planned_for": (monday + timedelta(days=offset)).isoformat(),
            },
        )
        activity = ActivityPlan.objects.get(planned_for=monday + timedelta(days=offset))
        data = {"done": done} | ({"mastery": "5", "pleasure": "5"} if done == "yes" else {})
        http.post(f"/tools/activities/{activity.public_id}/", data)

    response = http.get("/tools/activities/")

    week = response.context["week"]
    assert [d.day.weekday() for d in week.days] == [0, 1, 2, 3, 4, 5, 6]
    assert (week.planned, week.done, week.not_done, week.not_logged) == (3, 2, 1, 0)
    assert "2 of 3 planned activities done" in response.content.decode()


def test_logging_done_without_ratings_shows_the_error_beside_mastery_and_stores_nothing(person):
    http, _ = person
    http.post(
        "/tools/activities/new/",
        {"title": "Tidy desk", "life_area": "home", "planned_for": "2026-03-02"},
    )
    activity = ActivityPlan.objects.get()

    response = http.post(f"/tools/activities/{activity.public_id}/", {"done": "yes"})

    assert response.status_code == 200
    assert error_beside(response.content.decode(), "mastery") == (
        "Rate how much of an achievement it felt, from 0 to 10."
    )
    activity.refresh_from_db()
    assert (activity.done, activity.mastery, activity.logged_at) == (None, None, None)


def test_planning_without_a_life_area_is_an_error_beside_it(person):
    http, _ = person

    response = http.post("/tools/activities/new/", {"title": "Swim", "planned_for": "2026-03-02"})

    assert response.status_code == 200
    assert error_beside(response.content.decode(), "life_area") == (
        "Choose the part of your life it is for."
    )
    assert ActivityPlan.objects.count() == 0


def test_an_unlogged_activity_can_be_taken_off_the_plan(person):
    http, _ = person
    http.post(
        "/tools/activities/new/",
        {"title": "Gym", "life_area": "health", "planned_for": "2026-03-02"},
    )
    activity = ActivityPlan.objects.get()

    http.post(f"/tools/activities/{activity.public_id}/", {"remove": "1"})

    assert ActivityPlan.objects.count() == 0


# --- exposure ------------------------------------------------------------------------------------
def test_the_ladder_is_ordered_by_expected_distress_and_shows_practices(person):
    http, _ = person
    for description, suds in [("Supermarket at noon", 70), ("Bus, two stops", 30), ("Lift", 50)]:
        response = http.post(
            "/tools/exposure/steps/new/", {"description": description, "suds_anticipated": suds}
        )
        assert response.status_code == 302
    bus = ExposureStep.objects.get(suds_anticipated=30)

    response = http.post(
        f"/tools/exposure/steps/{bus.public_id}/practice/",
        {
            "practiced_on": "2026-03-02",
            "practiced_time": "08:15",
            "duration_minutes": "25",
            "suds_pre": "50",
            "suds_peak": "70",
            "suds_post": "30",
            "safety_behaviours": "Held my phone",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"/tools/exposure/steps/{bus.public_id}/"
    practice = ExposurePractice.objects.get()
    assert (practice.suds_pre, practice.suds_peak, practice.suds_post) == (50, 70, 30)
    assert practice.safety_behaviours == "Held my phone"
    assert practice.practiced_at.isoformat() == "2026-03-02T13:15:00+00:00"
    assert Observation.objects.get().kind == ObservationKind.SUDS_PEAK
    ladder = http.get("/tools/exposure/").content.decode()
    assert re.findall(r'class="ladder-link" href="[^"]+">([^<]+)</a>', ladder) == [
        "Bus, two stops",
        "Lift",
        "Supermarket at noon",
    ]
    assert "1 practice" in ladder
    step_page = http.get(response["Location"]).content.decode()
    assert "25 minutes" in step_page
    assert "Distress 50 before, 70 at the highest, 30 at the end" in step_page
    assert "Safety behaviours: Held my phone" in step_page


def test_a_suds_above_100_is_an_error_beside_it_and_nothing_is_stored(person):
    http, _ = person
    http.post("/tools/exposure/steps/new/", {"description": "Lift", "suds_anticipated": "50"})
    step = ExposureStep.objects.get()

    response = http.post(
        f"/tools/exposure/steps/{step.public_id}/practice/",
        {
            "practiced_on": "2026-03-02",
            "duration_minutes": "10",
            "suds_pre": "20",
            "suds_peak": "120",
            "suds_post": "10",
        },
    )

    assert response.status_code == 200
    assert error_beside(response.content.decode(), "suds_peak") == (
        "Enter a whole number from 0 to 100."
    )
    assert ExposurePractice.objects.count() == 0
    assert Observation.objects.count() == 0


# --- sleep diary ---------------------------------------------------------------------------------
def sleep_form(**changes: str) -> dict[str, str]:
    data = {
        "night_of": "2026-03-01",
        "into_bed": "22:30",
        "tried_to_sleep": "23:00",
        "minutes_to_fall_asleep": "20",
        "awakenings": "2",
        "minutes_awake_after_onset": "30",
        "final_awakening": "06:30",
        "out_of_bed": "07:00",
        "quality": "3",
        "comments": "",
    }
    data.update(changes)
    return data


def test_a_night_entered_on_the_form_shows_in_the_table_with_derived_values(person):
    http, client = person
    yesterday = client_local_today(client=client) - timedelta(days=1)

    response = http.post("/tools/sleep/new/", sleep_form(night_of=yesterday.isoformat()))

    assert response.status_code == 302
    entry = SleepDiaryEntry.objects.get()
    assert (entry.awakenings, entry.quality, entry.comments) == (2, 3, None)
    page = http.get("/tools/sleep/")
    table = page.context["table"]
    assert [
        (r.derived.time_in_bed, r.derived.total_sleep_time, r.derived.sleep_efficiency)
        for r in table.rows
    ] == [(510, 400, 78.4)]
    html = page.content.decode()
    assert "<td>8h 30m</td>" in html
    assert "<td>6h 40m</td>" in html
    assert "<td>78.4%</td>" in html
    assert "Average, 1 night" in html
    assert Observation.objects.get().value == 78.4


def test_the_table_shows_the_last_14_nights_with_their_averages(person):
    http, client = person
    today = client_local_today(client=client)
    for days_ago, awake in [(1, "30"), (2, "0"), (15, "0"), (16, "0")]:
        night = (today - timedelta(days=days_ago)).isoformat()
        http.post("/tools/sleep/new/", sleep_form(night_of=night, minutes_awake_after_onset=awake))

    table = http.get("/tools/sleep/").context["table"]

    assert [(today - r.entry.night_of).days for r in table.rows] == [1, 2]
    assert (table.first_night, table.last_night) == (today - timedelta(days=14), today)
    assert table.averages.nights == 2
    assert table.averages.sleep_efficiency == 81.4  # (78.4 + 84.3) / 2 = 81.35, rounded up
    assert table.average_total_sleep == "6h 55m"


def test_times_out_of_order_are_an_error_beside_the_field_and_nothing_is_stored(person):
    http, _ = person

    response = http.post("/tools/sleep/new/", sleep_form(final_awakening="07:30"))

    assert response.status_code == 200
    assert error_beside(response.content.decode(), "final_awakening") == (
        "Your final awakening can&#x27;t be after the time you got out of bed."
    )
    assert SleepDiaryEntry.objects.count() == 0
    assert Observation.objects.count() == 0


def test_a_second_entry_for_the_same_night_is_refused_beside_the_date(person):
    http, _ = person
    http.post("/tools/sleep/new/", sleep_form())

    response = http.post("/tools/sleep/new/", sleep_form(quality="5"))

    assert response.status_code == 200
    assert error_beside(response.content.decode(), "night_of") == (
        "You already filled in the diary for the night of Sunday 1 March. "
        "Change that entry instead."
    )
    assert list(SleepDiaryEntry.objects.values_list("quality", flat=True)) == [3]


def test_changing_a_night_updates_it_and_its_efficiency(person):
    http, _ = person
    http.post("/tools/sleep/new/", sleep_form())
    entry = SleepDiaryEntry.objects.get()
    assert http.get(f"/tools/sleep/{entry.public_id}/").status_code == 200

    response = http.post(
        f"/tools/sleep/{entry.public_id}/", sleep_form(minutes_awake_after_onset="0")
    )

    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.minutes_awake_after_onset == 0
    assert list(Observation.objects.values_list("value", flat=True)) == [84.3]


def test_missing_answers_are_each_shown_beside_their_field(person):
    http, _ = person

    response = http.post("/tools/sleep/new/", {"night_of": "2026-03-01"})

    html = response.content.decode()
    assert error_beside(html, "into_bed") == "Enter the time you got into bed."
    assert error_beside(html, "awakenings") == "Enter how many times you woke up. Enter 0 if none."
    assert error_beside(html, "quality") == "Choose how well you slept."
    # The summary at the top links to the first radio of a group (GOV.UK pattern).
    assert '<a href="#id_quality_0">Choose how well you slept.</a>' in html
    assert SleepDiaryEntry.objects.count() == 0


# --- journal -------------------------------------------------------------------------------------
def test_a_new_entry_is_private_by_default_and_says_so(person):
    http, _ = person

    response = http.post("/tools/journal/new/", {"title": "Sunday", "body": "A long walk helped."})

    entry = JournalEntry.objects.get()
    assert entry.shared_at is None
    assert response["Location"] == f"/tools/journal/{entry.public_id}/"
    page = http.get(response["Location"]).content.decode()
    assert "<strong>Private.</strong> Only you can see this entry." in page
    assert "Saved. Only you can see this entry." in page
    listing = http.get("/tools/journal/").content.decode()
    assert '<span class="badge">Private</span>' in listing


def test_share_and_stop_sharing_set_and_clear_shared_at(person):
    http, _ = person
    http.post("/tools/journal/new/", {"body": "Hard day."})
    entry = JournalEntry.objects.get()

    http.post(f"/tools/journal/{entry.public_id}/share/", {"shared": "1"})
    entry.refresh_from_db()
    assert entry.shared_at is not None
    assert (
        "Shared with your therapist"
        in http.get(f"/tools/journal/{entry.public_id}/").content.decode()
    )

    http.post(f"/tools/journal/{entry.public_id}/share/", {"shared": "0"})
    entry.refresh_from_db()
    assert entry.shared_at is None


def test_sharing_needs_a_post(person):
    http, _ = person
    http.post("/tools/journal/new/", {"body": "Hard day."})
    entry = JournalEntry.objects.get()

    assert http.get(f"/tools/journal/{entry.public_id}/share/?shared=1").status_code == 405
    entry.refresh_from_db()
    assert entry.shared_at is None


def test_ticking_share_when_writing_shares_the_entry(person):
    http, _ = person

    http.post("/tools/journal/new/", {"body": "For my therapist.", "shared": "on"})

    assert JournalEntry.objects.get().shared_at is not None


def test_editing_keeps_the_sharing_choice(person):
    http, _ = person
    http.post("/tools/journal/new/", {"body": "First draft", "shared": "on"})
    entry = JournalEntry.objects.get()

    http.post(
        f"/tools/journal/{entry.public_id}/edit/", {"title": "Now titled", "body": "Second draft"}
    )

    entry.refresh_from_db()
    assert (entry.title, entry.body) == ("Now titled", "Second draft")
    assert entry.shared_at is not None


def test_an_empty_entry_is_an_error_beside_the_body(person):
    http, _ = person

    response = http.post("/tools/journal/new/", {"title": "Only a title", "body": " "})

    assert error_beside(response.content.decode(), "body") == "Write something before you save."
    assert JournalEntry.objects.count() == 0


def test_another_clients_entry_cannot_be_read_changed_or_shared(person):
    http, _ = person
    other_http = HttpClient()
    other = clinician_with_client()[1]
    other_http.force_login(other.user)
    other_http.post("/tools/journal/new/", {"body": "Not yours"})
    entry = JournalEntry.objects.get()

    assert http.get(f"/tools/journal/{entry.public_id}/").status_code == 404
    assert http.post(f"/tools/journal/{entry.public_id}/edit/", {"body": "x"}).status_code == 404
    assert http.post(f"/tools/journal/{entry.public_id}/share/", {"shared": "1"}).status_code == 404
    entry.refresh_from_db()
    assert (entry.body, entry.shared_at) == ("Not yours", None)
