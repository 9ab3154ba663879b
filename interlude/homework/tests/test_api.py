"""/api/v1/clients/{id}/assignments (care team), /api/v1/assignments (client) and
/api/v1/assignments/{id}/complete."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from interlude.consents.models import ClientPrivacy
from interlude.homework.models import Assignment
from interlude.homework.tests.helpers import assign
from interlude.tracking.services import CheckInValues, checkin_create
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)  # Wednesday 11 March, 11:00 in New York
TODAY = date(2026, 3, 11)


@pytest.fixture
def pair():
    with time_machine.travel(NOW, tick=False):
        yield clinician_with_client()


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _post(http: HttpClient, url: str, body: dict):
    return http.post(url, data=json.dumps(body), content_type="application/json")


def _queries(http: HttpClient, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert http.get(url).status_code == 200
    return len(ctx)


def _module_off(client) -> None:
    ClientPrivacy.objects.filter(client=client).update(modules_off=["homework"])


def test_clinician_sets_a_thought_record_due_tomorrow_with_a_reminder(pair):
    membership, client = pair
    response = _post(
        _as(membership.user),
        f"/api/v1/clients/{client.public_id}/assignments",
        {
            "tool_kind": "worksheet",
            "tool_ref": "thought_record",
            "instructions": "One record when you notice the dread before work.",
            "starts_on": "2026-03-11",
            "schedule": "once",
            "due_on": "2026-03-12",
            "reminder": True,
            "reminder_time": "19:00",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["title"], body["due_on"], body["reminder_time"]) == (
        "Thought record",
        "2026-03-12",
        "19:00:00",
    )
    assert Assignment.objects.get(client=client).assigned_by == membership


@pytest.mark.parametrize(
    ("changes", "loc", "msg"),
    [
        (
            {"rrule": "FREQ=DAILY;UNTIL=20260301"},
            "rrule",
            "The repeat ends (UNTIL) before it starts.",
        ),
        (
            {"tool_ref": "nonsense"},
            "tool_ref",
            "Choose a worksheet: thought_record, activity, exposure, sleep_diary, journal.",
        ),
        (
            {"schedule": "weekly_count", "times_per_week": 9},
            "times_per_week",
            "Choose from 1 to 7 times a week.",
        ),
        (
            {"instructions": "a\u0000b"},
            "instructions",
            "This text contains characters that cannot be stored. Remove them and try again.",
        ),
    ],
)
def test_bad_homework_is_refused_with_422_naming_the_field(pair, changes, loc, msg):
    membership, client = pair
    body = {
        "tool_kind": "worksheet",
        "tool_ref": "thought_record",
        "starts_on": "2026-03-11",
        "schedule": "rrule",
        "rrule": "FREQ=DAILY",
    }
    body.update(changes)
    response = _post(_as(membership.user), f"/api/v1/clients/{client.public_id}/assignments", body)
    assert response.status_code == 422
    [detail] = response.json()["detail"]
    assert (detail["loc"][-1], detail["msg"]) == (loc, msg)
    assert Assignment.objects.count() == 0


def test_clinician_of_another_practice_gets_404_both_ways(pair):
    _, client = pair
    stranger, _ = clinician_with_client()
    http = _as(stranger.user)
    url = f"/api/v1/clients/{client.public_id}/assignments"
    assert http.get(url).status_code == 404
    assert (
        _post(
            http,
            url,
            {
                "tool_kind": "checkin",
                "starts_on": "2026-03-11",
                "schedule": "rrule",
                "rrule": "FREQ=DAILY",
            },
        ).status_code
        == 404
    )


def test_care_team_list_has_adherence_in_constant_queries(pair):
    membership, client = pair
    a = assign(membership, client, starts_on=date(2026, 3, 9))
    for n in range(4):
        assign(
            membership,
            client,
            tool_kind="custom",
            instructions=f"Task {n}",
            schedule="once",
            due_on=date(2026, 3, 10),
        )
    from interlude.homework.services import assignment_complete

    assignment_complete(assignment=a, occurrence=date(2026, 3, 9), status="done", actor=client.user)
    http = _as(membership.user)
    url = f"/api/v1/clients/{client.public_id}/assignments"
    http.get(url)  # the session's first request does its own bookkeeping
    few = _queries(http, url)
    for n in range(6):
        more = assign(membership, client, tool_kind="custom", instructions=f"More {n}")
        assignment_complete(
            assignment=more, occurrence=date(2026, 3, 10), status="done", actor=client.user
        )
    assert _queries(http, url) == few
    response = http.get(url)
    daily = next(r for r in response.json() if r["id"] == str(a.public_id))
    # Recorded today for Monday: late. Tuesday passed with nothing: missed.
    assert daily["adherence"] == {"done": 0, "late": 1, "missed": 1, "not_possible": 0, "n": 2}


def test_client_lists_own_homework_with_due_and_status(pair):
    membership, client = pair
    daily = assign(membership, client)
    later = assign(
        membership,
        client,
        tool_kind="custom",
        instructions="Walk",
        schedule="once",
        due_on=date(2026, 3, 13),
    )
    http = _as(client.user)
    response = http.get("/api/v1/assignments")
    assert response.status_code == 200
    few = _queries(http, "/api/v1/assignments")
    for n in range(6):
        assign(
            membership,
            client,
            tool_kind="custom",
            instructions=f"More {n}",
            schedule="once",
            due_on=date(2026, 3, 20),
        )
    assert _queries(http, "/api/v1/assignments") == few
    assert [(r["id"], r["due"], r["status"]) for r in response.json()][:2] == [
        (str(daily.public_id), "2026-03-11", "due"),
        # open from its start: to do now, by its due day
        (str(later.public_id), "2026-03-13", "due"),
    ]


def test_client_list_is_404_when_homework_is_switched_off(pair):
    _, client = pair
    _module_off(client)
    assert _as(client.user).get("/api/v1/assignments").status_code == 404


def test_client_completes_a_day_with_a_record_and_again_gets_the_same_answer(pair):
    membership, client = pair
    a = assign(membership, client)
    # A check-in made before the homework existed is linked by hand.
    checkin, _ = checkin_create(
        client=client, actor=client.user, values=CheckInValues(mood=4), idempotency_key="k1"
    )
    http = _as(client.user)
    url = f"/api/v1/assignments/{a.public_id}/complete"
    body = {
        "occurrence": "2026-03-10",
        "status": "done",
        "record": {"type": "tracking.checkin", "id": str(checkin.public_id)},
    }
    first = _post(http, url, body)
    second = _post(http, url, body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert first.json()["record"] == {"type": "tracking.checkin", "id": str(checkin.public_id)}


@pytest.mark.parametrize(
    ("body", "loc", "msg"),
    [
        (
            {"occurrence": "2026-03-01", "status": "done"},
            "occurrence",
            "2026-03-01 is not a day this homework is due.",
        ),
        (
            {
                "occurrence": "2026-03-10",
                "status": "done",
                "record": {
                    "type": "tracking.checkin",
                    "id": "00000000-0000-0000-0000-000000000000",
                },
            },
            "id",
            "No such record of yours.",
        ),
        (
            {"occurrence": "2026-03-10", "status": "done", "record": {"type": "x.y", "id": "1"}},
            "type",
            "record.type is one of: tracking.checkin, exercises.thought_record, "
            "exercises.activity, exercises.exposure_practice, exercises.sleep_diary, "
            "exercises.journal, exercises.relaxation_session, measures.response.",
        ),
    ],
)
def test_a_bad_completion_is_422_naming_the_problem(pair, body, loc, msg):
    membership, client = pair
    a = assign(membership, client)
    response = _post(_as(client.user), f"/api/v1/assignments/{a.public_id}/complete", body)
    assert response.status_code == 422
    [detail] = response.json()["detail"]
    assert (detail["loc"][-1], detail["msg"]) == (loc, msg)


def test_another_clients_homework_cannot_be_completed(pair):
    membership, client = pair
    a = assign(membership, client)
    _, other = clinician_with_client()
    response = _post(
        _as(other.user),
        f"/api/v1/assignments/{a.public_id}/complete",
        {"occurrence": "2026-03-11", "status": "done"},
    )
    assert response.status_code == 404


def test_complete_is_404_when_homework_is_switched_off(pair):
    membership, client = pair
    a = assign(membership, client)
    _module_off(client)
    response = _post(
        _as(client.user),
        f"/api/v1/assignments/{a.public_id}/complete",
        {"occurrence": "2026-03-11", "status": "done"},
    )
    assert response.status_code == 404
