"""Imported history in tracking ([7]): check-ins and readings from other apps are stored in bulk
with their provenance, added once whatever the number of imports, never complete homework or
raise live alerts, reach the care team only under "imported app data", and an undo removes
exactly one import's rows."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from interlude.alerts.models import Alert, AlertKind
from interlude.alerts.services import alerts_sweep_checkins
from interlude.consents.access import Category, access_client
from interlude.consents.sharing_services import sharing_update
from interlude.practices.enums import ShareScope
from interlude.practices.models import Client
from interlude.tracking.models import CheckIn, Observation, ObservationKind, ObservationSource
from interlude.tracking.selectors import imported_counts, imported_keys_present
from interlude.tracking.services import (
    CheckInValues,
    ImportedCheckIn,
    ImportedObservation,
    checkin_create,
    imported_checkins_add,
    imported_observations_add,
    imported_rows_remove,
)
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)
ZONE = "America/New_York"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _checkin(key: str, when: datetime, mood: int = 7, **extra) -> ImportedCheckIn:
    return ImportedCheckIn(key=key, recorded_at=when, time_zone=ZONE, mood=mood, **extra)


def _add(client: Client, rows, import_id: uuid.UUID | None = None) -> tuple[int, int]:
    return imported_checkins_add(
        client=client,
        actor=client.user,
        import_id=import_id or uuid.uuid4(),
        source_app="daylio",
        source_file="daylio_export.csv",
        rows=rows,
    )


def _steps(key: str, when: datetime, value: float = 8000) -> ImportedObservation:
    return ImportedObservation(
        key=key,
        kind=ObservationKind.STEPS,
        value=value,
        effective_at=when,
        time_zone=ZONE,
        source_type="import.apple_health",
        original=f"{value:g} steps",
    )


def test_imported_checkins_are_stored_once_with_their_provenance():
    _membership, client = clinician_with_client()
    import_id = uuid.uuid4()
    rows = [
        _checkin(
            "a" * 64,
            NOW - timedelta(days=3),
            mood=8,
            energy=5,
            activities=("work", " Walk ", "walk", "x" * 70),
            note='=HYPERLINK("http://x")',
            original={"mood": "good", "time": "8:30 pm"},
        ),
        _checkin("b" * 64, NOW - timedelta(days=2), mood=3),
        _checkin("b" * 64, NOW - timedelta(days=2), mood=3),  # the same entry twice
    ]
    assert _add(client, rows, import_id) == (2, 1)
    first = CheckIn.objects.get(idempotency_key="import:" + "a" * 64)
    assert (first.source, first.import_id, first.source_app, first.source_file) == (
        ObservationSource.IMPORT,
        import_id,
        "daylio",
        "daylio_export.csv",
    )
    assert (first.mood, first.energy, first.note_shared) == (8, 5, False)
    assert first.activities == ["work", "Walk", "x" * 60]
    assert first.note == '=HYPERLINK("http://x")'  # real data, stored as written
    assert first.original == {"mood": "good", "time": "8:30 pm"}
    points = Observation.objects.filter(source_id=str(first.public_id)).order_by("kind")
    assert [(p.kind, p.value, p.source, p.import_id) for p in points] == [
        ("energy", 5.0, "import", import_id),
        ("mood", 8.0, "import", import_id),
    ]
    # Imported history is not activity: the client's last activity is left alone.
    client.refresh_from_db()
    assert client.last_activity_at is None
    # Again (a second import of the same file): nothing new.
    assert _add(client, rows) == (0, 3)
    assert CheckIn.objects.count() == 2 and Observation.objects.count() == 3
    assert imported_keys_present(
        client=client, keys=["a" * 64, "c" * 64], source_type="import.daylio"
    ) == {"a" * 64}


def test_imported_readings_are_stored_once():
    _membership, client = clinician_with_client()
    import_id = uuid.uuid4()
    rows = [_steps("s" * 64, NOW - timedelta(days=1)), _steps("t" * 64, NOW - timedelta(days=2))]
    added = imported_observations_add(
        client=client,
        actor=client.user,
        import_id=import_id,
        source_app="apple_health",
        source_file="export.zip",
        rows=rows,
    )
    assert added == (2, 0)
    point = Observation.objects.get(source_id="s" * 64)
    assert (point.kind, point.value, point.source, point.source_type, point.original) == (
        "steps",
        8000.0,
        "import",
        "import.apple_health",
        "8000 steps",
    )
    again = imported_observations_add(
        client=client,
        actor=client.user,
        import_id=uuid.uuid4(),
        source_app="apple_health",
        source_file="export.zip",
        rows=rows,
    )
    assert again == (0, 2)
    assert imported_keys_present(
        client=client, keys=["s" * 64], source_type="import.apple_health"
    ) == {"s" * 64}
    assert imported_counts(client=client, import_id=import_id) == {"checkins": 0, "readings": 2}


def test_removing_an_import_takes_exactly_its_rows():
    _membership, client = clinician_with_client()
    _other_membership, other = clinician_with_client()
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    _add(client, [_checkin("a" * 64, NOW - timedelta(days=2))], mine)
    _add(client, [_checkin("b" * 64, NOW - timedelta(days=1))], theirs)
    imported_observations_add(
        client=client,
        actor=client.user,
        import_id=mine,
        source_app="apple_health",
        source_file="export.zip",
        rows=[_steps("s" * 64, NOW - timedelta(days=1))],
    )
    checkin_create(
        client=client, actor=client.user, values=CheckInValues(mood=5), idempotency_key="live"
    )
    _add(other, [_checkin("c" * 64, NOW - timedelta(days=2))], mine)  # (same id: another client)

    assert imported_rows_remove(client=client, import_id=mine) == 2  # a check-in, a day of steps

    assert sorted(
        CheckIn.objects.filter(client=client).values_list("idempotency_key", flat=True)
    ) == [
        "import:" + "b" * 64,
        "live",
    ]
    assert not Observation.objects.filter(client=client, import_id=mine).exists()
    assert Observation.objects.filter(client=client).count() == 2  # the live and other mood
    assert CheckIn.objects.filter(client=other).count() == 1
    assert imported_rows_remove(client=client, import_id=mine) == 0


def test_imported_dips_raise_no_mood_drop_but_the_same_live_ones_do():
    _membership, imported = clinician_with_client()
    _membership2, live = clinician_with_client()
    days = [(d, 7) for d in range(3, 13)] + [(1, 2), (0, 2)]  # ten days at 7, then two at 2
    _add(
        imported,
        [_checkin(f"{d:064d}", NOW - timedelta(days=d, minutes=1), mood=m) for d, m in days],
    )
    for d, m in days:
        checkin_create(
            client=live,
            actor=live.user,
            values=CheckInValues(mood=m),
            idempotency_key=f"k{d}",
            recorded_at=NOW - timedelta(days=d, minutes=1),
        )

    alerts_sweep_checkins(now=NOW)

    assert list(
        Alert.objects.filter(kind=AlertKind.MOOD_DROP).values_list("client", flat=True)
    ) == [live.pk]
    assert Alert.objects.filter(client=imported).count() == 0


def test_the_care_team_sees_imported_rows_only_when_imported_app_data_is_shared():
    membership, client = clinician_with_client()
    _add(client, [_checkin("a" * 64, NOW - timedelta(days=1))])
    checkin_create(
        client=client, actor=client.user, values=CheckInValues(mood=5), idempotency_key="live"
    )

    def seen() -> tuple[list[str], list[str]]:
        care = access_client(
            user=membership.user, client_id=client.public_id, scope=Category.CHECKINS
        )
        checkins = care.scope(CheckIn.objects.all(), Category.CHECKINS)
        points = care.scope(Observation.objects.all(), Category.CHECKINS)
        return (
            sorted(c.source for c in checkins),
            sorted(p.source for p in points),
        )

    assert seen() == (["checkin", "import"], ["checkin", "import"])
    sharing_update(client=client, actor=client.user, categories={ShareScope.IMPORTS: False})
    assert seen() == (["checkin"], ["checkin"])
    sharing_update(
        client=client,
        actor=client.user,
        categories={ShareScope.IMPORTS: True, ShareScope.CHECKINS: False},
    )
    # Check-ins off, imported app data on: the imported rows still show, the live ones do not.
    assert seen()[0] == ["import"]
