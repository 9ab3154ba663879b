"""POST/GET/PATCH /api/v1/relaxation-sessions: idempotent, validated field by field, own only."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from interlude.exercises.models import RelaxationSession
from interlude.exercises.relaxation_services import relaxation_session_create
from interlude.tracking.models import Observation, ObservationKind
from tests.factories import UserFactory, clinician_with_client

pytestmark = pytest.mark.django_db
URL = "/api/v1/relaxation-sessions"
BODY = {
    "kind": "box",
    "started_at": "2026-03-02T20:30:00+01:00",
    "seconds_practised": 180,
    "distress_before": 7,
    "distress_after": 4,
    "idempotency_key": "phone-1-0001",
}


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _post(http: HttpClient, body: dict):
    return http.post(URL, data=json.dumps(body), content_type="application/json")


def _observations(client) -> dict[str, float]:
    return dict(Observation.objects.filter(client=client).values_list("kind", "value"))


@pytest.fixture
def pair():
    return clinician_with_client()


def test_same_idempotency_key_twice_stores_one_session_201_then_200(pair):
    _, client = pair
    http = _as(client.user)

    first = _post(http, BODY)
    second = _post(http, BODY)

    assert first.status_code == 201
    assert second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert RelaxationSession.objects.filter(client=client).count() == 1
    stored = RelaxationSession.objects.get(client=client)
    assert str(stored.public_id) == first.json()["id"]
    assert stored.kind == "box"
    assert stored.started_at == datetime(2026, 3, 2, 19, 30, tzinfo=UTC)
    assert stored.seconds_practised == 180
    assert (stored.distress_before, stored.distress_after) == (7, 4)
    assert stored.created_by == client.user
    assert stored.practice_id == client.practice_id
    assert Observation.objects.filter(client=client).count() == 3


def test_session_writes_observations_with_exact_values(pair):
    _, client = pair

    response = _post(_as(client.user), BODY)

    session_id = response.json()["id"]
    assert _observations(client) == {
        ObservationKind.RELAXATION_MINUTES: 3.0,
        ObservationKind.DISTRESS_BEFORE: 7.0,
        ObservationKind.DISTRESS_AFTER: 4.0,
    }
    for obs in Observation.objects.filter(client=client):
        assert obs.source == "exercise"
        assert obs.source_type == "exercises.relaxationsession"
        assert obs.source_id == session_id
        assert obs.effective_at == datetime(2026, 3, 2, 19, 30, tzinfo=UTC)
        assert obs.time_zone == "America/New_York"
        assert obs.created_by == client.user


def test_minutes_are_rounded_to_one_decimal_and_ratings_are_optional(pair):
    _, client = pair
    body = {
        "kind": "paced",
        "started_at": "2026-03-02T08:00:00Z",
        "seconds_practised": 100,
        "idempotency_key": "k-100",
    }

    response = _post(_as(client.user), body)

    assert response.status_code == 201
    assert response.json()["distress_before"] is None
    assert _observations(client) == {ObservationKind.RELAXATION_MINUTES: 1.7}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "yoga"}, "kind"),
        ({"kind": ""}, "kind"),
        ({"seconds_practised": 0}, "seconds_practised"),
        ({"seconds_practised": 10801}, "seconds_practised"),
        ({"seconds_practised": "lots"}, "seconds_practised"),
        ({"distress_before": 11}, "distress_before"),
        ({"distress_before": -1}, "distress_before"),
        ({"distress_after": 11}, "distress_after"),
        ({"started_at": "2026-03-02T20:30:00"}, "started_at"),
        ({"started_at": "yesterday"}, "started_at"),
        ({"idempotency_key": ""}, "idempotency_key"),
        ({"idempotency_key": "k" * 101}, "idempotency_key"),
    ],
)
def test_invalid_input_is_422_naming_the_field_and_stores_nothing(pair, change, field):
    _, client = pair

    response = _post(_as(client.user), {**BODY, **change})

    assert response.status_code == 422
    locations = [error["loc"][-1] for error in response.json()["detail"]]
    assert locations == [field]
    assert RelaxationSession.objects.count() == 0
    assert Observation.objects.count() == 0


@pytest.mark.parametrize("missing", ["kind", "started_at", "seconds_practised", "idempotency_key"])
def test_missing_required_field_is_422_naming_it(pair, missing):
    _, client = pair
    body = {k: v for k, v in BODY.items() if k != missing}

    response = _post(_as(client.user), body)

    assert response.status_code == 422
    assert [e["loc"][-1] for e in response.json()["detail"]] == [missing]


def test_three_hours_is_the_longest_session(pair):
    _, client = pair

    response = _post(_as(client.user), {**BODY, "seconds_practised": 10800})

    assert response.status_code == 201
    assert _observations(client)[ObservationKind.RELAXATION_MINUTES] == 180.0


def test_session_starting_in_the_future_is_422_naming_started_at(pair):
    _, client = pair
    later = (timezone.now() + timedelta(hours=1)).isoformat()

    response = _post(_as(client.user), {**BODY, "started_at": later})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "payload", "started_at"]
    assert response.json()["detail"][0]["msg"] == "A session cannot start in the future."
    assert RelaxationSession.objects.count() == 0


def test_list_returns_only_my_sessions_newest_first(pair):
    _, client = pair
    _, other = clinician_with_client(practice=client.practice)
    http = _as(client.user)
    for i, day in enumerate([3, 5, 4]):
        _post(
            http,
            {**BODY, "started_at": f"2026-03-0{day}T09:00:00Z", "idempotency_key": f"k{i}"},
        )
    _post(_as(other.user), {**BODY, "idempotency_key": "theirs"})

    response = http.get(URL)

    assert response.status_code == 200
    assert [s["started_at"] for s in response.json()] == [
        "2026-03-05T09:00:00Z",
        "2026-03-04T09:00:00Z",
        "2026-03-03T09:00:00Z",
    ]
    assert {s["idempotency_key"] for s in response.json()} == {"k0", "k1", "k2"}


def test_list_uses_the_same_number_of_queries_for_1_or_30_sessions(pair):
    _, client = pair
    http = _as(client.user)
    _post(http, {**BODY, "idempotency_key": "first"})
    with CaptureQueriesContext(connection) as one:
        assert len(http.get(URL).json()) == 1
    for i in range(29):
        _post(http, {**BODY, "idempotency_key": f"more-{i}"})
    with CaptureQueriesContext(connection) as thirty:
        assert len(http.get(URL).json()) == 30

    assert len(thirty.captured_queries) == len(one.captured_queries)


def test_clinicians_and_other_non_clients_get_404(pair):
    membership, _ = pair
    for user in (membership.user, UserFactory()):
        http = _as(user)
        assert _post(http, BODY).status_code == 404
        assert http.get(URL).status_code == 404
    assert RelaxationSession.objects.count() == 0


def test_anonymous_callers_get_401():
    http = HttpClient()
    assert _post(http, BODY).status_code == 401
    assert http.get(URL).status_code == 401


def test_post_without_csrf_token_is_refused(pair):
    _, client = pair
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(client.user)

    response = _post(http, BODY)

    assert response.status_code == 403
    assert RelaxationSession.objects.count() == 0


def test_rating_after_is_added_and_its_observation_follows(pair):
    _, client = pair
    http = _as(client.user)
    session_id = _post(http, {**BODY, "distress_after": None}).json()["id"]
    assert ObservationKind.DISTRESS_AFTER not in _observations(client)

    response = http.patch(
        f"{URL}/{session_id}",
        data=json.dumps({"distress_after": 2}),
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["distress_after"] == 2
    assert _observations(client) == {
        ObservationKind.RELAXATION_MINUTES: 3.0,
        ObservationKind.DISTRESS_BEFORE: 7.0,
        ObservationKind.DISTRESS_AFTER: 2.0,
    }


def test_rating_after_out_of_range_is_422_and_changes_nothing(pair):
    _, client = pair
    http = _as(client.user)
    session_id = _post(http, BODY).json()["id"]

    response = http.patch(
        f"{URL}/{session_id}",
        data=json.dumps({"distress_after": 12}),
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "distress_after"
    assert RelaxationSession.objects.get().distress_after == 4


def test_rating_someone_elses_session_is_404(pair):
    _, client = pair
    _, other = clinician_with_client(practice=client.practice)
    session, _ = relaxation_session_create(
        client=other,
        actor=other.user,
        kind="pmr",
        started_at=timezone.now(),
        seconds_practised=600,
        idempotency_key="theirs",
    )

    response = _as(client.user).patch(
        f"{URL}/{session.public_id}",
        data=json.dumps({"distress_after": 1}),
        content_type="application/json",
    )

    assert response.status_code == 404
    session.refresh_from_db()
    assert session.distress_after is None


def test_rating_more_than_a_day_later_is_refused(pair):
    _, client = pair
    session, _ = relaxation_session_create(
        client=client,
        actor=client.user,
        kind="box",
        started_at=timezone.now(),
        seconds_practised=60,
        idempotency_key="old",
    )
    RelaxationSession.objects.filter(pk=session.pk).update(
        created_at=timezone.now() - timedelta(hours=25)
    )

    response = _as(client.user).patch(
        f"{URL}/{session.public_id}",
        data=json.dumps({"distress_after": 1}),
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == (
        "You can rate a session for 24 hours after it ends."
    )
