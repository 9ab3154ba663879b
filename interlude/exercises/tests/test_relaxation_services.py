"""relaxation_session_create and friends: rules, idempotency, observations; breathing patterns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from interlude.core.errors import ApplicationError, IdempotencyConflict
from interlude.exercises.models import RelaxationSession
from interlude.exercises.relaxation_selectors import (
    breathing_pattern,
    breathing_test_seconds,
    relaxation_session_list,
)
from interlude.exercises.relaxation_services import (
    relaxation_minutes,
    relaxation_session_create,
)
from interlude.practices.models import Client
from interlude.tracking.models import Observation, ObservationKind
from tests.factories import ClientFactory, UserFactory

STARTED = datetime(2026, 3, 2, 19, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("seconds", "minutes"),
    [(1, 0.0), (6, 0.1), (10, 0.2), (59, 1.0), (60, 1.0), (90, 1.5), (180, 3.0), (10800, 180.0)],
)
def test_minutes_practised_have_one_decimal(seconds, minutes):
    assert relaxation_minutes(seconds) == minutes


def _create(client: Client, **overrides):
    values = {
        "client": client,
        "actor": client.user,
        "kind": "478",
        "started_at": STARTED,
        "seconds_practised": 76,
        "idempotency_key": "key-1",
    }
    values.update(overrides)
    return relaxation_session_create(**values)


@pytest.mark.django_db
def test_create_stores_session_observations_and_last_activity(care_pair):
    _, client = care_pair

    session, created = _create(client, distress_before=6)

    assert created is True
    assert session.kind == "478"
    assert dict(
        Observation.objects.filter(source_id=str(session.public_id)).values_list("kind", "value")
    ) == {ObservationKind.RELAXATION_MINUTES: 1.3, ObservationKind.DISTRESS_BEFORE: 6.0}
    client.refresh_from_db()
    assert client.last_activity_at is not None


@pytest.mark.django_db
def test_same_key_with_other_values_is_refused_and_stores_nothing(care_pair):
    _, client = care_pair
    _create(client)

    with pytest.raises(IdempotencyConflict) as refused:
        _create(client, seconds_practised=999, kind="box")

    assert refused.value.field == "idempotency_key"
    assert RelaxationSession.objects.get().seconds_practised == 76


@pytest.mark.django_db
def test_keys_are_per_client_and_observations_use_each_clients_zone(care_pair):
    _, client = care_pair
    other = ClientFactory(practice=client.practice, user=UserFactory(), time_zone="Europe/Berlin")

    _create(client)
    _, created = _create(other, actor=other.user)

    assert created is True
    assert RelaxationSession.objects.count() == 2
    minutes = Observation.objects.get(client=other, kind=ObservationKind.RELAXATION_MINUTES)
    assert minutes.time_zone == "Europe/Berlin"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "yoga"}, "kind"),
        ({"started_at": datetime(2026, 3, 2, 19, 30)}, "started_at"),
        # In the future when the test runs (not when it was collected, minutes earlier).
        ({"started_at": "ten minutes from now"}, "started_at"),
        ({"seconds_practised": 0}, "seconds_practised"),
        ({"seconds_practised": 3 * 60 * 60 + 1}, "seconds_practised"),
        ({"distress_before": 11}, "distress_before"),
        ({"distress_after": -1}, "distress_after"),
        ({"idempotency_key": "   "}, "idempotency_key"),
    ],
)
def test_broken_rules_name_the_field_and_store_nothing(care_pair, overrides, field):
    _, client = care_pair
    if overrides.get("started_at") == "ten minutes from now":
        overrides = {"started_at": timezone.now() + timedelta(minutes=10)}

    with pytest.raises(ApplicationError) as caught:
        _create(client, **overrides)

    assert caught.value.field == field
    assert RelaxationSession.objects.count() == 0
    assert Observation.objects.count() == 0


@pytest.mark.django_db
def test_list_is_newest_first_and_filters_by_time(care_pair):
    _, client = care_pair
    for i, day in enumerate([1, 3, 2]):
        _create(client, started_at=STARTED.replace(day=day), idempotency_key=f"k{i}")

    everything = relaxation_session_list(client=client)
    since_2nd = relaxation_session_list(client=client, since=STARTED.replace(day=2))

    assert [s.started_at.day for s in everything] == [3, 2, 1]
    assert [s.started_at.day for s in since_2nd] == [3, 2]


def test_default_breathing_patterns_follow_clinical_4_6():
    box = breathing_pattern(kind="box")
    four_seven_eight = breathing_pattern(kind="478")
    paced = breathing_pattern(kind="paced")

    assert box is not None and four_seven_eight is not None and paced is not None
    assert [p[2] for p in box.phases] == [4, 4, 4, 4]
    assert [p[2] for p in four_seven_eight.phases] == [4, 7, 8]
    assert [p[2] for p in paced.phases] == [5, 5]
    assert 60 / paced.cycle_seconds == 6.0
    assert breathing_pattern(kind="pmr") is None


@override_settings(
    INTERLUDE_BREATHING_PATTERNS={"paced": {"in": 4, "out": 6, "minutes": 3, "hold_in": 30}}
)
def test_a_deployment_can_override_timings_within_bounds():
    paced = breathing_pattern(kind="paced")

    assert paced is not None
    assert [(p[0], p[2]) for p in paced.phases] == [("in", 4), ("out", 6)]  # 30 s hold ignored
    assert paced.default_minutes == 3


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [(None, None), ("", None), ("4", None), ("5", 5), ("6", 6), ("600", 600), ("601", None)],
)
def test_test_only_session_length_is_accepted_between_5_and_600_seconds(raw, seconds):
    assert breathing_test_seconds(raw) == seconds
