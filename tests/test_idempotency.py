"""Idempotent creates, everywhere alike: the same request under the same key returns the stored
record (200, same id); a different request under a used key answers 409 naming idempotency_key
and stores nothing. Compared by the stored hash of the first request (core.IdempotencyRecord)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient

from interlude.core.models import IdempotencyRecord
from interlude.exercises.models import RelaxationSession, ThoughtRecord
from interlude.tracking.models import CheckIn
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
CONFLICT = (
    "This idempotency_key was already used for a different {what}. "
    "Nothing new was saved. Send a new key for a new {what}."
)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def http():
    _, client = clinician_with_client()
    http = HttpClient()
    http.force_login(client.user)
    return http


def _post(http: HttpClient, path: str, body: dict) -> Any:
    return http.post("/api/v1" + path, json.dumps(body), content_type="application/json")


def _thought_record(situation: str) -> dict:
    return {
        "idempotency_key": "same-key",
        "situation": situation,
        "automatic_thoughts": [{"text": "I'll fail", "belief": 80}],
        "emotions": [{"label": "Anxious", "intensity": 70}],
        "evidence_for": "Last time",
        "evidence_against": "I passed twice",
        "balanced_thought": {"text": "I have passed before", "belief": 60},
        "hot_thought_belief_after": 40,
        "emotions_rerated": [{"label": "Anxious", "intensity": 40}],
    }


CASES = [
    (
        "/checkins",
        {"mood": 3, "idempotency_key": "same-key", "recorded_at": "2026-03-10T09:00:00+00:00"},
        {"mood": 8, "idempotency_key": "same-key", "recorded_at": "2026-03-10T09:00:00+00:00"},
        CheckIn,
        "check-in",
    ),
    (
        "/thought-records",
        _thought_record("Exam tomorrow"),
        _thought_record("Something else entirely"),
        ThoughtRecord,
        "thought record",
    ),
    (
        "/relaxation-sessions",
        {
            "kind": "box",
            "started_at": "2026-03-10T09:00:00+00:00",
            "seconds_practised": 120,
            "idempotency_key": "same-key",
        },
        {
            "kind": "pmr",
            "started_at": "2026-03-10T09:00:00+00:00",
            "seconds_practised": 600,
            "idempotency_key": "same-key",
        },
        RelaxationSession,
        "session",
    ),
]


@pytest.mark.parametrize(("path", "first", "different", "model", "what"), CASES)
def test_same_body_returns_the_record_and_a_different_body_answers_409(
    http, path, first, different, model, what
):
    created = _post(http, path, first)
    assert created.status_code == 201
    again = _post(http, path, first)
    assert again.status_code == 200
    assert again.json()["id"] == created.json()["id"]

    conflict = _post(http, path, different)

    assert conflict.status_code == 409
    assert conflict.json() == {
        "detail": [
            {
                "loc": ["body", "payload", "idempotency_key"],
                "msg": CONFLICT.format(what=what),
                "type": "conflict",
            }
        ]
    }
    assert model.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_the_same_values_spelled_differently_are_the_same_request(http):
    """7.5 and "7.50" hours, and one instant in two offsets, are one check-in."""
    body = {"mood": 6, "sleep_hours": 7.5, "idempotency_key": "k"}
    body["recorded_at"] = "2026-03-10T09:00:00+00:00"
    assert _post(http, "/checkins", body).status_code == 201
    body |= {"sleep_hours": "7.50", "recorded_at": "2026-03-10T10:00:00+01:00"}
    assert _post(http, "/checkins", body).status_code == 200
