"""The worksheet API under /api/v1/: 201 with the stored record and its id, idempotent retries,
422 naming the field with nothing stored, and 404 for anyone who is not a client."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client as HttpClient

from interlude.exercises.models import (
    ActivityPlan,
    ExposurePractice,
    ExposureStep,
    JournalEntry,
    SleepDiaryEntry,
    ThoughtRecord,
)
from interlude.tracking.models import Observation, ObservationKind, ObservationSource
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db

API = "/api/v1"


class Api:
    def __init__(self, user: Any) -> None:
        self.http = HttpClient()
        self.http.force_login(user)

    def post(self, path: str, body: dict) -> Any:
        return self.http.post(API + path, json.dumps(body), content_type="application/json")

    def put(self, path: str, body: dict) -> Any:
        return self.http.put(API + path, json.dumps(body), content_type="application/json")

    def get(self, path: str) -> Any:
        return self.http.get(API + path)


@pytest.fixture
def pair():
    membership, client = clinician_with_client()
    return membership, client


@pytest.fixture
def api(pair) -> Api:
    return Api(pair[1].user)


def thought_record_body(**changes: Any) -> dict:
    body = {
        "idempotency_key": "phone-2026-03-02-001",
        "occurred_at": "2026-03-02T10:30:00-05:00",
        "situation": "Manager frowned at my slides",
        "automatic_thoughts": [
            {"text": "She thinks I'm useless", "belief": 90, "hot": True},
            {"text": "I'll be fired", "belief": 60},
        ],
        "emotions": [{"label": "Anxious", "intensity": 80}, {"label": "Ashamed", "intensity": 50}],
        "evidence_for": "She frowned twice",
        "evidence_against": "She thanked me after",
        "distortions": ["mind_reading", "fortune_telling"],
        "balanced_thought": {"text": "She may have been thinking of something else", "belief": 70},
        "hot_thought_belief_after": 40,
        "emotions_rerated": [
            {"label": "Anxious", "intensity": 45},
            {"label": "Ashamed", "intensity": 30},
        ],
        "action_plan": "Ask her in our 1:1",
    }
    body.update(changes)
    return body


def locs(response: Any) -> list[list]:
    return [item["loc"] for item in response.json()["detail"]]


# --- thought records -----------------------------------------------------------------------------
def test_thought_record_post_stores_it_and_answers_201_with_its_id(api, pair):
    response = api.post("/thought-records", thought_record_body())

    assert response.status_code == 201
    data = response.json()
    record = ThoughtRecord.objects.get()
    assert data["id"] == str(record.public_id)
    assert record.client == pair[1]
    assert record.is_complete is True
    assert (record.belief_before, record.belief_after) == (90, 40)
    assert (record.emotion_before, record.emotion_after) == (80, 45)
    assert record.distortions == ["mind_reading", "fortune_telling"]
    assert data["is_complete"] is True
    assert data["occurred_at"] == "2026-03-02T15:30:00Z"
    assert data["automatic_thoughts"][0] == {
        "text": "She thinks I'm useless",
        "belief": 90,
        "hot": True,
    }
    assert data["emotions_rerated"] == [
        {"label": "Anxious", "intensity": 45},
        {"label": "Ashamed", "intensity": 30},
    ]
    assert (data["emotion_before"], data["emotion_after"]) == (80, 45)


def test_thought_record_same_idempotency_key_twice_is_one_record_201_then_200(api):
    first = api.post("/thought-records", thought_record_body())
    again = api.post("/thought-records", thought_record_body())
    changed = api.post("/thought-records", thought_record_body(situation="A retry, changed"))

    assert (first.status_code, again.status_code, changed.status_code) == (201, 200, 409)
    assert first.json()["id"] == again.json()["id"]
    assert again.json()["situation"] == "Manager frowned at my slides"
    assert ThoughtRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        ({"situation": ""}, ["body", "payload", "situation"]),
        (
            {"automatic_thoughts": [{"text": "X", "belief": 150, "hot": True}]},
            ["body", "payload", "automatic_thoughts", 0, "belief"],
        ),
        (
            {"emotions": [{"label": "Anxious", "intensity": -1}]},
            ["body", "payload", "emotions", 0, "intensity"],
        ),
        ({"hot_thought_belief_after": 101}, ["body", "payload", "hot_thought_belief_after"]),
        ({"distortions": ["mind_reading", "astrology"]}, ["body", "payload", "distortions"]),
        (
            {
                "automatic_thoughts": [
                    {"text": "A", "belief": 50, "hot": True},
                    {"text": "B", "belief": 50, "hot": True},
                ]
            },
            ["body", "payload", "automatic_thoughts"],
        ),
        (
            {"emotions_rerated": [{"label": "Sad", "intensity": 10}]},
            ["body", "payload", "emotions_rerated"],
        ),
        ({"idempotency_key": ""}, ["body", "payload", "idempotency_key"]),
        ({"occurred_at": "2999-01-01T00:00:00Z"}, ["body", "payload", "occurred_at"]),
        ({"balanced_thought": {"text": "Fair", "belief": 200}}, None),
    ],
)
def test_thought_record_invalid_input_is_422_naming_the_field_and_nothing_is_stored(
    api, changes, loc
):
    response = api.post("/thought-records", thought_record_body(**changes))

    assert response.status_code == 422
    if loc is None:
        loc = ["body", "payload", "balanced_thought", "belief"]
    assert loc in locs(response)
    assert ThoughtRecord.objects.count() == 0


def test_thought_record_in_the_future_says_why(api):
    response = api.post("/thought-records", thought_record_body(occurred_at="2999-01-01T00:00:00Z"))

    assert response.json() == {
        "detail": [
            {
                "type": "value_error",
                "loc": ["body", "payload", "occurred_at"],
                "msg": "This is in the future. Check the date and time.",
            }
        ]
    }


def test_thought_record_list_is_the_callers_own_newest_first(api, pair):
    api.post("/thought-records", thought_record_body(idempotency_key="a"))
    api.post(
        "/thought-records",
        thought_record_body(idempotency_key="b", occurred_at="2026-03-03T09:00:00+00:00"),
    )
    other = Api(clinician_with_client()[1].user)
    other.post("/thought-records", thought_record_body(idempotency_key="c"))

    response = api.get("/thought-records")

    assert response.status_code == 200
    assert [r["occurred_at"] for r in response.json()] == [
        "2026-03-03T09:00:00Z",
        "2026-03-02T15:30:00Z",
    ]


def test_worksheet_api_is_404_for_someone_who_is_not_a_client(pair):
    clinician = Api(pair[0].user)

    for path in ("/thought-records", "/sleep-diary", "/journal", "/activities", "/exposure/steps"):
        assert clinician.get(path).status_code == 404, path
    assert clinician.post("/thought-records", thought_record_body()).status_code == 404
    assert ThoughtRecord.objects.count() == 0


def test_worksheet_api_needs_a_session():
    assert HttpClient().get(f"{API}/thought-records").status_code == 401


# --- sleep diary ---------------------------------------------------------------------------------
def sleep_body(**changes: Any) -> dict:
    body = {
        "night_of": "2026-03-01",
        "into_bed": "22:30",
        "tried_to_sleep": "23:00",
        "minutes_to_fall_asleep": 20,
        "awakenings": 2,
        "minutes_awake_after_onset": 30,
        "final_awakening": "06:30",
        "out_of_bed": "07:00",
        "quality": 3,
        "comments": "Noisy street",
    }
    body.update(changes)
    return body


def test_sleep_diary_post_answers_201_with_derived_values_and_writes_efficiency(api, pair):
    response = api.post("/sleep-diary", sleep_body())

    assert response.status_code == 201
    data = response.json()
    entry = SleepDiaryEntry.objects.get()
    assert data["id"] == str(entry.public_id)
    assert (data["time_in_bed_minutes"], data["total_sleep_minutes"]) == (510, 400)
    assert data["sleep_efficiency"] == 78.4
    assert data["comments"] == "Noisy street"
    observation = Observation.objects.get()
    assert observation.kind == ObservationKind.SLEEP_EFFICIENCY
    assert observation.value == 78.4
    assert observation.source == ObservationSource.EXERCISE
    assert observation.source_type == "exercises.sleepdiaryentry"
    assert observation.source_id == str(entry.public_id)
    assert observation.client == pair[1]
    assert observation.effective_at.isoformat() == "2026-03-02T12:00:00+00:00"  # 07:00 New York


def test_sleep_diary_same_night_again_changes_that_night_200_same_id(api):
    first = api.post("/sleep-diary", sleep_body())
    again = api.post("/sleep-diary", sleep_body(minutes_awake_after_onset=0))

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert again.json()["sleep_efficiency"] == 84.3  # 430 / 510
    assert SleepDiaryEntry.objects.count() == 1
    assert list(Observation.objects.values_list("value", flat=True)) == [84.3]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"quality": 6}, "quality"),
        ({"minutes_to_fall_asleep": -5}, "minutes_to_fall_asleep"),
        ({"into_bed": "25:00"}, "into_bed"),
        ({"final_awakening": "07:30"}, "final_awakening"),
        ({"minutes_to_fall_asleep": 400, "minutes_awake_after_onset": 100}, None),
        ({"night_of": "2999-01-01"}, "night_of"),
        ({"night_of": "yesterday"}, "night_of"),
    ],
)
def test_sleep_diary_invalid_input_is_422_naming_the_field_and_nothing_is_stored(
    api, changes, field
):
    response = api.post("/sleep-diary", sleep_body(**changes))

    assert response.status_code == 422
    assert ["body", "payload", field or "minutes_awake_after_onset"] in locs(response)
    assert SleepDiaryEntry.objects.count() == 0
    assert Observation.objects.count() == 0


def test_sleep_diary_list_is_newest_night_first(api):
    api.post("/sleep-diary", sleep_body(night_of="2026-03-01"))
    api.post("/sleep-diary", sleep_body(night_of="2026-03-02"))

    assert [e["night_of"] for e in api.get("/sleep-diary").json()] == ["2026-03-02", "2026-03-01"]


# --- journal -------------------------------------------------------------------------------------
def test_journal_post_is_private_unless_shared_and_sharing_can_be_switched(api):
    response = api.post("/journal", {"title": "Sunday", "body": "A long walk helped."})

    assert response.status_code == 201
    data = response.json()
    entry = JournalEntry.objects.get()
    assert data["id"] == str(entry.public_id)
    assert (data["shared"], data["shared_at"]) == (False, None)
    assert entry.shared_at is None

    shared = api.put(f"/journal/{entry.public_id}/sharing", {"shared": True})
    assert shared.status_code == 200
    assert shared.json()["shared"] is True
    entry.refresh_from_db()
    assert entry.shared_at is not None

    assert (
        api.put(f"/journal/{entry.public_id}/sharing", {"shared": False}).json()["shared"] is False
    )
    entry.refresh_from_db()
    assert entry.shared_at is None


def test_journal_empty_body_is_422_naming_body(api):
    response = api.post("/journal", {"title": "Only a title", "body": "   "})

    assert response.status_code == 422
    assert ["body", "payload", "body"] in locs(response)
    assert JournalEntry.objects.count() == 0


def test_journal_list_holds_only_the_callers_entries(api):
    api.post("/journal", {"body": "Mine"})
    Api(clinician_with_client()[1].user).post("/journal", {"body": "Someone else's"})

    assert [e["body"] for e in api.get("/journal").json()] == ["Mine"]


# --- behavioural activation ----------------------------------------------------------------------
def test_activity_plan_then_log_done_with_mastery_and_pleasure(api):
    created = api.post(
        "/activities",
        {"title": "Walk to the park", "life_area": "health", "planned_for": "2026-03-02"},
    )
    assert created.status_code == 201
    activity_id = created.json()["id"]

    missing = api.post(f"/activities/{activity_id}/log", {"done": True, "pleasure": 7})
    assert missing.status_code == 422
    assert ["body", "payload", "mastery"] in locs(missing)
    assert ActivityPlan.objects.get().done is None

    logged = api.post(f"/activities/{activity_id}/log", {"done": True, "mastery": 6, "pleasure": 7})
    assert logged.status_code == 200
    assert (logged.json()["done"], logged.json()["mastery"], logged.json()["pleasure"]) == (
        True,
        6,
        7,
    )


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"title": "X", "life_area": "hobbies", "planned_for": "2026-03-02"}, "life_area"),
        ({"title": "", "life_area": "work", "planned_for": "2026-03-02"}, "title"),
        (
            {"title": "X", "life_area": "work", "planned_for": "2026-03-02", "difficulty": 9},
            "difficulty",
        ),
    ],
)
def test_activity_invalid_input_is_422_naming_the_field(api, body, loc):
    response = api.post("/activities", body)

    assert response.status_code == 422
    assert ["body", "payload", loc] in locs(response)
    assert ActivityPlan.objects.count() == 0


def test_activity_log_mastery_above_10_is_422(api):
    activity_id = api.post(
        "/activities",
        {"title": "Call Sam", "life_area": "relationships", "planned_for": "2026-03-02"},
    ).json()["id"]

    response = api.post(
        f"/activities/{activity_id}/log", {"done": True, "mastery": 11, "pleasure": 5}
    )

    assert response.status_code == 422
    assert ["body", "payload", "mastery"] in locs(response)


# --- exposure ------------------------------------------------------------------------------------
def test_exposure_step_and_practice_with_suds_peak_in_the_time_series(api, pair):
    step = api.post("/exposure/steps", {"description": "Bus, two stops", "suds_anticipated": 40})
    assert step.status_code == 201
    step_id = step.json()["id"]

    practice = api.post(
        "/exposure/practices",
        {
            "step_id": step_id,
            "practiced_at": "2026-03-02T08:00:00+00:00",
            "duration_minutes": 25,
            "suds_pre": 50,
            "suds_peak": 70,
            "suds_post": 30,
            "safety_behaviours": "Held my phone",
        },
    )

    assert practice.status_code == 201
    stored = ExposurePractice.objects.get()
    assert practice.json()["id"] == str(stored.public_id)
    assert practice.json()["step_id"] == step_id
    observation = Observation.objects.get()
    assert (observation.kind, observation.value) == (ObservationKind.SUDS_PEAK, 70.0)
    assert observation.source_type == "exercises.exposurepractice"
    assert observation.source_id == str(stored.public_id)
    ladder = api.get("/exposure/steps").json()
    assert [(s["description"], len(s["practices"])) for s in ladder] == [("Bus, two stops", 1)]


def test_exposure_practice_on_another_clients_step_is_404(api):
    other = Api(clinician_with_client()[1].user)
    step_id = other.post(
        "/exposure/steps", {"description": "Theirs", "suds_anticipated": 20}
    ).json()["id"]

    response = api.post(
        "/exposure/practices",
        {"step_id": step_id, "duration_minutes": 5, "suds_pre": 1, "suds_peak": 2, "suds_post": 1},
    )

    assert response.status_code == 404
    assert ExposurePractice.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"suds_peak": 101}, "suds_peak"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"suds_pre": -1}, "suds_pre"),
    ],
)
def test_exposure_practice_invalid_input_is_422_naming_the_field(api, changes, field):
    step_id = api.post("/exposure/steps", {"description": "Shop", "suds_anticipated": 30}).json()[
        "id"
    ]
    body = {
        "step_id": step_id,
        "duration_minutes": 5,
        "suds_pre": 10,
        "suds_peak": 20,
        "suds_post": 5,
    }
    body.update(changes)

    response = api.post("/exposure/practices", body)

    assert response.status_code == 422
    assert ["body", "payload", field] in locs(response)
    assert ExposurePractice.objects.count() == 0
    assert ExposureStep.objects.count() == 1
