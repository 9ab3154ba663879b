"""POST/GET /api/v1/checkins: idempotent, validated field by field, scoped to the caller."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from interlude.core.errors import ApplicationError
from interlude.tracking.models import CheckIn, Observation, ObservationKind
from interlude.tracking.services import CheckInValues, checkin_create, checkin_update
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db
URL = "/api/v1/checkins"


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _post(http: HttpClient, body: dict):
    return http.post(URL, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def pair():
    return clinician_with_client()


def test_same_idempotency_key_twice_stores_one_checkin(pair):
    _, client = pair
    http = _as(client.user)
    body = {
        "mood": 6,
        "anxiety": 3,
        "energy": 5,
        "sleep_hours": "7.5",
        "sleep_quality": 4,
        "emotions": [{"label": "calm", "intensity": 3}],
        "activities": ["Time outside"],
        "note": "Walked by the river",
        "recorded_at": "2026-03-02T20:30:00+01:00",
        "idempotency_key": "device-1-0001",
    }

    first = _post(http, body)
    second = _post(http, body)

    assert first.status_code == 201
    assert second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert CheckIn.objects.filter(client=client).count() == 1
    stored = CheckIn.objects.get(client=client)
    assert stored.recorded_at == datetime(2026, 3, 2, 19, 30, tzinfo=UTC)
    assert stored.note == "Walked by the river"
    assert first.json()["sleep_hours"] == second.json()["sleep_hours"] == 7.5
    assert dict(Observation.objects.filter(client=client).values_list("kind", "value")) == {
        ObservationKind.MOOD: 6.0,
        ObservationKind.ANXIETY: 3.0,
        ObservationKind.ENERGY: 5.0,
        ObservationKind.SLEEP_HOURS: 7.5,
        ObservationKind.SLEEP_QUALITY: 4.0,
    }


def test_only_mood_is_required(pair):
    _, client = pair
    response = _post(_as(client.user), {"mood": 0, "idempotency_key": "k"})
    assert response.status_code == 201
    assert response.json()["mood"] == 0
    assert Observation.objects.filter(client=client).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"mood": 11, "idempotency_key": "k"}, "mood"),
        ({"idempotency_key": "k"}, "mood"),
        ({"mood": 5}, "idempotency_key"),
        ({"mood": 5, "anxiety": -1, "idempotency_key": "k"}, "anxiety"),
        ({"mood": 5, "sleep_quality": 6, "idempotency_key": "k"}, "sleep_quality"),
        ({"mood": 5, "sleep_hours": "25", "idempotency_key": "k"}, "sleep_hours"),
        ({"mood": 5, "emotions": [{"label": "furious"}], "idempotency_key": "k"}, "emotions"),
        ({"mood": 5, "activities": ["x" * 61], "idempotency_key": "k"}, "activities"),
        ({"mood": 5, "recorded_at": "2026-03-02T20:30:00", "idempotency_key": "k"}, "recorded_at"),
    ],
)
def test_invalid_input_is_a_422_naming_the_field_and_stores_nothing(pair, body, field):
    _, client = pair

    response = _post(_as(client.user), body)

    assert response.status_code == 422
    locations = [e["loc"] for e in response.json()["detail"]]
    assert any(field in loc for loc in locations), locations
    assert CheckIn.objects.count() == 0
    assert Observation.objects.count() == 0


def test_a_future_check_in_is_refused(pair):
    _, client = pair
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    response = _post(_as(client.user), {"mood": 5, "recorded_at": tomorrow, "idempotency_key": "k"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "payload", "recorded_at"]
    assert CheckIn.objects.count() == 0


def test_list_is_newest_first_and_filters_by_time(pair):
    _, client = pair
    for day in (1, 2, 3):
        checkin_create(
            client=client,
            actor=client.user,
            values=CheckInValues(mood=day),
            idempotency_key=f"k{day}",
            recorded_at=datetime(2026, 3, day, 12, tzinfo=UTC),
        )
    http = _as(client.user)

    everything = http.get(URL).json()
    window = http.get(URL, {"since": "2026-03-02T00:00:00Z", "until": "2026-03-03T00:00:00Z"})

    assert [c["mood"] for c in everything] == [3, 2, 1]
    assert [c["mood"] for c in window.json()] == [2]


def test_list_uses_the_same_queries_for_3_and_30_check_ins(pair):
    _, client = pair
    http = _as(client.user)
    http.get(URL)  # the first request after sign-in also records the session

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert http.get(URL).status_code == 200
        return len(ctx.captured_queries)

    for n in range(3):
        checkin_create(
            client=client, actor=client.user, values=CheckInValues(mood=5), idempotency_key=f"a{n}"
        )
    small = count_queries()
    for n in range(27):
        checkin_create(
            client=client, actor=client.user, values=CheckInValues(mood=5), idempotency_key=f"b{n}"
        )
    large = count_queries()

    assert small == large


def test_a_clinician_cannot_post_or_list_check_ins(pair):
    membership, _ = pair
    http = _as(membership.user)
    assert _post(http, {"mood": 5, "idempotency_key": "k"}).status_code == 404
    assert http.get(URL).status_code == 404
    assert CheckIn.objects.count() == 0


def test_clients_see_only_their_own_check_ins(pair):
    _, client = pair
    _, other = clinician_with_client()
    checkin_create(
        client=other, actor=other.user, values=CheckInValues(mood=2), idempotency_key="o"
    )
    assert _as(client.user).get(URL).json() == []


def test_check_ins_can_be_changed_for_24_hours_only(pair):
    _, client = pair
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False):
        checkin, _ = checkin_create(
            client=client, actor=client.user, values=CheckInValues(mood=4), idempotency_key="k"
        )
    with time_machine.travel(datetime(2026, 3, 3, 8, 59, tzinfo=UTC), tick=False):
        checkin_update(checkin=checkin, actor=client.user, values=CheckInValues(mood=7, anxiety=2))
    assert Observation.objects.get(client=client, kind=ObservationKind.MOOD).value == 7.0
    assert Observation.objects.get(client=client, kind=ObservationKind.ANXIETY).value == 2.0
    with (
        time_machine.travel(datetime(2026, 3, 3, 9, 1, tzinfo=UTC), tick=False),
        pytest.raises(ApplicationError, match="24 hours"),
    ):
        checkin_update(checkin=checkin, actor=client.user, values=CheckInValues(mood=1))
    checkin.refresh_from_db()
    assert checkin.mood == 7


def test_removing_a_value_in_an_edit_removes_its_observation(pair):
    _, client = pair
    checkin, _ = checkin_create(
        client=client,
        actor=client.user,
        values=CheckInValues(mood=4, sleep_hours=Decimal("6.0")),
        idempotency_key="k",
    )
    checkin_update(checkin=checkin, actor=client.user, values=CheckInValues(mood=4))
    assert list(Observation.objects.filter(client=client).values_list("kind", flat=True)) == [
        ObservationKind.MOOD
    ]


def test_a_new_activity_sent_through_the_api_joins_the_activity_list(pair):
    """The offline queue sends a typed-in activity in `activities`; it must join the client's
    list (defaults first, for a first check-in) as the form's own path does."""
    from interlude.tracking.selectors import activity_option_list
    from interlude.tracking.vocabulary import DEFAULT_ACTIVITIES

    _, client = pair
    body = {
        "mood": 6,
        "activities": ["  Choir   practice ", "choir practice"],
        "idempotency_key": "k",
    }
    response = _post(_as(client.user), body)

    assert response.status_code == 201
    assert response.json()["activities"] == ["Choir practice"]
    labels = [o.label for o in activity_option_list(client=client)]
    assert labels == [*DEFAULT_ACTIVITIES, "Choir practice"]


def test_an_activity_differing_only_in_case_uses_the_listed_spelling(pair):
    from interlude.tracking.models import ActivityOption
    from interlude.tracking.vocabulary import DEFAULT_ACTIVITIES

    _, client = pair
    first = DEFAULT_ACTIVITIES[0]
    response = _post(
        _as(client.user), {"mood": 6, "activities": [first.upper()], "idempotency_key": "k"}
    )

    assert response.json()["activities"] == [first]
    assert ActivityOption.objects.filter(client=client).count() == len(DEFAULT_ACTIVITIES)


@time_machine.travel(datetime(2026, 3, 2, 21, 0, tzinfo=UTC), tick=False)
def test_posting_a_check_in_costs_a_fixed_number_of_queries(
    pair, django_capture_on_commit_callbacks
):
    """The hot path: a check-in is stored, its observations written, its idempotency fingerprint
    kept and its new activity added, in a known number of statements. A change that adds one
    changes this number on purpose, or it is a regression."""
    _, client = pair
    http = _as(client.user)
    http.get(URL)  # the first request after sign-in also records the session
    body = {
        "mood": 6,
        "anxiety": 3,
        "sleep_hours": "7.5",
        "activities": ["Time outside"],
        "note": "Walked by the river",
        "recorded_at": "2026-03-02T20:30:00+01:00",
    }

    def post_counting(key: str, at: str = body["recorded_at"]) -> tuple[int, list[str]]:
        # Run the request's on-commit work as a real commit would: that is where the client's
        # data key is remembered for the next request (ADR 0017).
        with (
            django_capture_on_commit_callbacks(execute=True),
            CaptureQueriesContext(connection) as ctx,
        ):
            response = _post(http, {**body, "idempotency_key": key, "recorded_at": at})
        return response.status_code, [q["sql"] for q in ctx.captured_queries]

    first_status, first = post_counting("q-1")
    # The next one is newer, as check-ins usually are: the summary moves on.
    second_status, second = post_counting("q-2", "2026-03-02T21:50:00+01:00")
    replay_status, replay = post_counting("q-2", "2026-03-02T21:50:00+01:00")

    assert (first_status, second_status, replay_status) == (201, 201, 200)
    # The first check-in also gives the client the default activity list, creates the client's data
    # key (ADR 0017), sets the client's last activity and builds the whole caseload summary (after
    # looking for a row to merge into). Of the 18 of a later one: the session 1 and the user 1 (no
    # session bookkeeping: the GET above wrote it within the minute), membership and client profile
    # 2, the request's one transaction (a savepoint pair here) 2, both write limits 1
    # (core/throttling.py), the check-in module's switch 1, the idempotency look-up 1, the service's
    # savepoint pair 2 (a retry racing it is answered from the other copy), the activity list 1, the
    # check-in 1, its observations 1 (one insert for all kinds, no read: the record is new), the
    # idempotency fingerprint 1, the homework hook 1 (open check-in routines with their done days,
    # core.hooks) and the caseload summary 2 (core.hooks: its row locked, and the new check-in
    # merged into it by one update; insights.summary._checkin_merge). The last-activity time is
    # already this minute's. A replay: the shared 9 and the stored fingerprint.
    assert (len(first), len(second), len(replay)) == (39, 18, 10)
    assert sum(q.startswith('INSERT INTO "tracking_observation"') for q in second) == 1
