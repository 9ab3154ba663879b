"""Input that answered 500 (or was stored and then broke pages for good) answers 422 naming the
field, and lists survive rows already stored with odd values. One bound for dates and times
(interlude/core/validation.py) is used by every entry point."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient

from interlude.care.models import SafetyPlanVersion
from interlude.exercises.models import ActivityPlan, JournalEntry, SleepDiaryEntry, ThoughtRecord
from interlude.tracking.models import CheckIn
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
API = "/api/v1"


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pair():
    return clinician_with_client()


def _http(user: Any) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _post(http: HttpClient, path: str, body: Any, method: str = "post") -> Any:
    raw = body if isinstance(body, str) else json.dumps(body)
    return getattr(http, method)(API + path, raw, content_type="application/json")


def _thought_record(**changes: Any) -> dict:
    body = {
        "idempotency_key": "tr-1",
        "occurred_at": "2026-03-09T10:30:00-05:00",
        "situation": "Manager frowned at my slides",
        "automatic_thoughts": [{"text": "She thinks I'm useless", "belief": 90, "hot": True}],
        "emotions": [{"label": "Anxious", "intensity": 80}],
        "evidence_for": "She frowned twice",
        "evidence_against": "She thanked me after",
        "balanced_thought": {"text": "She may have been busy", "belief": 70},
        "hot_thought_belief_after": 40,
        "emotions_rerated": [{"label": "Anxious", "intensity": 45}],
    }
    body.update(changes)
    return body


def _only_error(response: Any) -> tuple[list, str]:
    assert response.status_code == 422, response.content
    [item] = response.json()["detail"]
    return item["loc"], item["msg"]


def test_a_thought_record_dated_year_1_is_refused_and_the_lists_still_open(pair):
    membership, client = pair
    http = _http(client.user)
    response = _post(http, "/thought-records", _thought_record(occurred_at="0001-01-01T00:00:00Z"))
    assert _only_error(response) == (
        ["body", "payload", "occurred_at"],
        "Enter a date from 1900 onwards.",
    )
    assert ThoughtRecord.objects.count() == 0
    assert http.get(API + "/thought-records").status_code == 200
    assert http.get("/tools/thought-records/").status_code == 200
    clinic = _http(membership.user)
    assert clinic.get(f"/clinic/clients/{client.public_id}/worksheets/").status_code == 200


def test_imported_history_of_many_years_is_accepted(pair):
    _, client = pair
    response = _post(
        _http(client.user), "/thought-records", _thought_record(occurred_at="1994-07-01T09:00:00Z")
    )
    assert response.status_code == 201
    assert response.json()["occurred_at"] == "1994-07-01T09:00:00Z"


def test_more_than_a_day_ahead_is_refused_naming_the_field(pair):
    _, client = pair
    response = _post(
        _http(client.user),
        "/checkins",
        {"mood": 5, "idempotency_key": "k1", "recorded_at": "2026-03-12T15:00:00+00:00"},
    )
    assert _only_error(response) == (
        ["body", "payload", "recorded_at"],
        "This is in the future. Check the date and time.",
    )
    assert CheckIn.objects.count() == 0


def test_lists_survive_rows_already_stored_with_odd_values(pair):
    """Rows written before the bounds existed: year 1 in a zone west of UTC cannot be shown in
    local time; the lists still answer 200."""
    membership, client = pair
    http = _http(client.user)
    assert _post(http, "/thought-records", _thought_record()).status_code == 201
    assert _post(http, "/checkins", {"mood": 4, "idempotency_key": "c1"}).status_code == 201
    odd = datetime(1, 1, 1, 0, 0, tzinfo=UTC)
    ThoughtRecord.objects.update(occurred_at=odd)
    CheckIn.objects.update(recorded_at=odd)
    assert http.get(API + "/thought-records").status_code == 200
    assert http.get(API + "/checkins").status_code == 200
    assert http.get("/tools/thought-records/").status_code == 200
    assert http.get("/today/").status_code == 200
    clinic = _http(membership.user)
    assert clinic.get(f"/clinic/clients/{client.public_id}/worksheets/").status_code == 200
    assert clinic.get(f"/clinic/clients/{client.public_id}/").status_code == 200


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/checkins", "since=0001-01-01T00:00:00%2B01:00", "since"),
        ("/checkins", "until=9999-12-31T23:59:59-05:00", "until"),
        ("/relaxation-sessions", "since=0001-01-01T00:00:00%2B14:00", "since"),
    ],
)
def test_datetimes_that_overflow_in_queries_answer_422(pair, path, query, field):
    _, client = pair
    response = _http(client.user).get(f"{API}{path}?{query}")
    assert _only_error(response) == (["query", field], "Enter a date between 1900 and 2999.")


def test_a_checkin_whose_time_overflows_answers_422(pair):
    _, client = pair
    response = _post(
        _http(client.user),
        "/checkins",
        {"mood": 5, "idempotency_key": "k1", "recorded_at": "0001-01-01T00:00:00+01:00"},
    )
    assert _only_error(response) == (
        ["body", "payload", "recorded_at"],
        "Enter a date from 1900 onwards.",
    )


def test_an_activity_time_with_a_zone_answers_422(pair):
    _, client = pair
    body = {
        "title": "Walk",
        "life_area": "health",
        "planned_for": "2026-03-11",
        "planned_time": "10:00:00+02:00",
    }
    response = _post(_http(client.user), "/activities", body)
    assert _only_error(response) == (
        ["body", "payload", "planned_time"],
        "Enter a time of day like 22:30, without a date or time zone.",
    )
    assert ActivityPlan.objects.count() == 0


def test_a_number_where_a_time_of_day_is_expected_answers_422(pair):
    _, client = pair
    body = {
        "night_of": "2026-03-09",
        "into_bed": "22:30",
        "tried_to_sleep": 1.5,
        "minutes_to_fall_asleep": 20,
        "awakenings": 1,
        "minutes_awake_after_onset": 10,
        "final_awakening": "06:30",
        "out_of_bed": "07:00",
        "quality": 3,
    }
    response = _post(_http(client.user), "/sleep-diary", body)
    assert _only_error(response) == (
        ["body", "payload", "tried_to_sleep"],
        "Enter a time of day like 22:30, without a date or time zone.",
    )
    assert SleepDiaryEntry.objects.count() == 0


def test_feelings_differing_only_in_case_answer_422(pair):
    _, client = pair
    body = _thought_record(
        emotions=[{"label": "Sad", "intensity": 80}, {"label": "sad", "intensity": 50}],
        emotions_rerated=[{"label": "Sad", "intensity": 40}, {"label": "sad", "intensity": 30}],
    )
    response = _post(_http(client.user), "/thought-records", body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"] == ["body", "payload", "emotions"]
    assert "“sad” is listed twice." in detail[0]["msg"]
    assert ThoughtRecord.objects.count() == 0


def test_a_nul_byte_answers_422_naming_the_field(pair):
    _, client = pair
    response = _post(_http(client.user), "/journal", {"title": "x", "body": "a\u0000b"})
    assert _only_error(response) == (
        ["body", "payload", "body"],
        "This text contains characters that cannot be stored. Remove them and try again.",
    )
    assert JournalEntry.objects.count() == 0


def test_a_nul_byte_in_a_query_answers_422(pair):
    _, client = pair
    response = _http(client.user).get(API + "/responses?instrument=phq%009")
    assert _only_error(response) == (
        ["query", "instrument"],
        "This text contains characters that cannot be stored. Remove them and try again.",
    )


def test_a_lone_surrogate_in_the_safety_plan_answers_422(pair):
    _, client = pair
    raw = '{"base_version": 0, "content": {"warning_signs": ["I stop \\ud800 eating"]}}'
    response = _post(_http(client.user), "/safety-plan", raw, method="put")
    assert _only_error(response) == (
        ["body", "payload", "content", "warning_signs", 0],
        "This text contains characters that cannot be stored. Remove them and try again.",
    )
    assert SafetyPlanVersion.objects.count() == 0


def test_a_lone_surrogate_as_a_key_in_the_safety_plan_answers_422(pair):
    _, client = pair
    raw = '{"base_version": 0, "content": {"\\udfff": ["x"], "warning_signs": []}}'
    response = _post(_http(client.user), "/safety-plan", raw, method="put")
    assert _only_error(response) == (
        ["body", "payload", "content", "<key>"],
        "This text contains characters that cannot be stored. Remove them and try again.",
    )


def test_an_odd_key_in_the_safety_plan_answers_422(pair):
    _, client = pair
    body = {"base_version": 0, "content": {"\u00b2": [], "warning_signs": []}}
    response = _post(_http(client.user), "/safety-plan", body, method="put")
    assert _only_error(response) == (
        ["body", "payload", "content", "\u00b2"],
        "“\u00b2” is not part of a safety plan.",
    )
