"""The caseload summary stays equal to a recomputation from scratch, whatever the writes.

A seeded random sequence of writes through the real services (check-ins, imported check-ins and
their undo, answers from the client, on paper and imported and their undo, alerts raised,
acknowledged and resolved, relaxation, exposure practice, sleep diary, thought records begun and
discarded, activities planned, logged and deleted), then every client's stored summary is
compared with `summary_values` computed afresh. Runs on SQLite and on PostgreSQL
(DATABASE_URL=... --create-db)."""

from __future__ import annotations

import importlib
import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from interlude.alerts.models import Alert, AlertKind, AlertStatus, Severity
from interlude.alerts.services import alert_acknowledge, alert_raise, alert_resolve
from interlude.core.hooks import SUMMARY_PARTS
from interlude.exercises.models import ActivityPlan, ThoughtRecord
from interlude.exercises.relaxation_services import relaxation_session_create
from interlude.exercises.schemas import (
    ActivityLogIn,
    ActivityPlanIn,
    ExposurePracticeIn,
    ExposureStepIn,
    SleepDiaryIn,
)
from interlude.exercises.worksheets_services import (
    activity_plan_create,
    activity_plan_delete,
    activity_plan_log,
    exposure_practice_create,
    exposure_step_create,
    sleep_diary_save,
    thought_record_delete,
    thought_record_start,
)
from interlude.insights.models import ClientSummary
from interlude.insights.summary import summaries_rebuild, summary_values
from interlude.measures.models import EnteredBy
from interlude.measures.services import (
    ImportedResponse,
    imported_responses_add,
    imported_responses_remove,
    response_submit,
)
from interlude.practices.models import Client
from interlude.tracking.services import (
    CheckInValues,
    ImportedCheckIn,
    checkin_create,
    imported_checkins_add,
    imported_rows_remove,
)
from tests.factories import (
    CareTeamMemberFactory,
    ClientFactory,
    UserFactory,
    clinician_with_client,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)
PHQ9 = 9
GAD7 = 7
ZONES = ("Europe/Berlin", "America/Los_Angeles", "Pacific/Auckland")


def _stored(client: Client) -> dict:
    summary = ClientSummary.objects.get(client=client)
    return {
        "scores": summary.scores,
        "tracks": summary.tracks,
        "last_checkin_at": summary.last_checkin_at,
        "last_imported_checkin_at": summary.last_imported_checkin_at,
        "alerts_open": summary.alerts_open,
        "alerts_new": summary.alerts_new,
        "alert_top_rank": summary.alert_top_rank,
        "active_days": summary.active_days,
    }


def _fresh(client: Client) -> dict:
    values = summary_values(client=Client.objects.get(pk=client.pk), parts=SUMMARY_PARTS)
    # Through JSON and back, as the stored row is.
    summary = ClientSummary(client=client, practice_id=client.practice_id, **values)
    summary.save()
    summary.refresh_from_db()
    return _stored(client) | {}


class World:
    def __init__(self, seed: int, clients: int = 3) -> None:
        self.rng = random.Random(seed)  # reproducible writes, not security
        first = clinician_with_client()
        self.clinician = first[0]
        self.clients = [first[1]]
        for _ in range(clients - 1):
            client = ClientFactory(practice=self.clinician.practice, user=UserFactory())
            CareTeamMemberFactory(client=client, membership=self.clinician)
            self.clients.append(client)
        for i, client in enumerate(self.clients):
            client.time_zone = ZONES[i % len(ZONES)]
            client.save(update_fields=["time_zone"])
        self.imports: dict[int, list[tuple[str, uuid.UUID]]] = {c.pk: [] for c in self.clients}
        self.steps: dict[int, object] = {}
        self.n = 0

    def key(self) -> str:
        self.n += 1
        return f"k{self.n}"

    def when(self, client: Client) -> datetime:
        """Some moment in the last 40 days (the summary keeps days and answers beyond any
        window, so old writes matter too)."""
        return NOW - timedelta(minutes=self.rng.randrange(0, 40 * 24 * 60))

    def step(self) -> None:
        rng = self.rng
        client = rng.choice(self.clients)
        user = client.user
        action = rng.randrange(17)
        if action in (0, 15, 16):
            # A check-in merges into the stored summary (insights.summary._checkin_merge): an
            # old one, or (15, 16) one of the last two days, mostly newer than any stored.
            recent = NOW - timedelta(minutes=rng.randrange(0, 2 * 24 * 60))
            checkin_create(
                client=client,
                actor=user,
                values=CheckInValues(mood=rng.randrange(11), anxiety=rng.randrange(11)),
                idempotency_key=self.key(),
                recorded_at=self.when(client) if action == 0 else recent,
            )
        elif action == 1:
            import_id = uuid.uuid4()
            rows = [
                ImportedCheckIn(
                    key=f"{rng.getrandbits(256):064x}",
                    recorded_at=self.when(client),
                    time_zone=rng.choice(("", *ZONES)),
                    mood=rng.randrange(11),
                )
                for _ in range(rng.randrange(1, 4))
            ]
            imported_checkins_add(
                client=client,
                actor=user,
                import_id=import_id,
                source_app="daylio",
                source_file="x.csv",
                rows=rows,
            )
            self.imports[client.pk].append(("checkins", import_id))
        elif action == 2 and self.imports[client.pk]:
            kind, import_id = self.imports[client.pk].pop(
                rng.randrange(len(self.imports[client.pk]))
            )
            if kind == "checkins":
                imported_rows_remove(client=client, import_id=import_id)
            else:
                imported_responses_remove(client=client, import_id=import_id)
        elif action in (3, 4):
            code, items = rng.choice((("phq9", PHQ9), ("gad7", GAD7)))
            paper = action == 4
            response_submit(
                client=client,
                actor=self.clinician.user if paper else user,
                instrument_code=code,
                answers=[rng.randrange(4) for _ in range(items)],
                idempotency_key=self.key(),
                entered_by=EnteredBy.CLINICIAN if paper else EnteredBy.CLIENT,
                submitted_at=self.when(client),
            )
        elif action == 5:
            import_id = uuid.uuid4()
            imported_responses_add(
                client=client,
                actor=user,
                import_id=import_id,
                source_app="fhir",
                source_file="b.json",
                rows=[
                    ImportedResponse(
                        key=f"{rng.getrandbits(256):064x}",
                        instrument_code="phq9",
                        answers=[rng.randrange(4) for _ in range(PHQ9)],
                        submitted_at=self.when(client),
                    )
                    for _ in range(rng.randrange(1, 14))
                ],
            )
            self.imports[client.pk].append(("responses", import_id))
        elif action == 6:
            severity = rng.choice(list(Severity))
            alert_raise(
                client=client,
                kind=AlertKind.MOOD_DROP,
                severity=severity,
                reason="Mood fell.",
                dedupe_key=self.key(),
                actor=user,
            )
        elif action == 7:
            alert = Alert.objects.filter(client=client, status=AlertStatus.OPEN).first()
            if alert is not None:
                alert_acknowledge(actor=self.clinician.user, alert=alert, note="Called them.")
        elif action == 8:
            alert = Alert.objects.filter(client=client).exclude(status=AlertStatus.RESOLVED).first()
            if alert is not None:
                alert_resolve(actor=self.clinician.user, alert=alert, note="Done.")
        elif action == 9:
            relaxation_session_create(
                client=client,
                actor=user,
                kind="box",
                started_at=self.when(client),
                seconds_practised=rng.randrange(1, 900),
                idempotency_key=self.key(),
            )
        elif action == 10:
            step = self.steps.get(client.pk)
            if step is None:
                step = exposure_step_create(
                    client=client,
                    actor=user,
                    values=ExposureStepIn(description="Ride the bus", suds_anticipated=60),
                )
                self.steps[client.pk] = step
            exposure_practice_create(
                client=client,
                step=step,
                actor=user,
                values=ExposurePracticeIn(
                    practiced_at=self.when(client),
                    duration_minutes=20,
                    suds_pre=50,
                    suds_peak=70,
                    suds_post=30,
                ),
            )
        elif action == 11:
            night = NOW.date() - timedelta(days=rng.randrange(2, 40))
            sleep_diary_save(
                client=client,
                actor=user,
                values=SleepDiaryIn(
                    night_of=night,
                    into_bed=time(22, 30),
                    tried_to_sleep=time(23, 0),
                    minutes_to_fall_asleep=20,
                    awakenings=1,
                    minutes_awake_after_onset=10,
                    final_awakening=time(6, 30),
                    out_of_bed=time(7, 0),
                    quality=3,
                ),
                replace_existing=True,
            )
        elif action == 12:
            thought_record_start(
                client=client,
                actor=user,
                situation="A hard meeting.",
                occurred_at=self.when(client),
                idempotency_key=self.key(),
            )
        elif action == 13:
            draft = ThoughtRecord.objects.filter(client=client, is_complete=False).first()
            if draft is not None:
                thought_record_delete(record=draft, actor=user)
        else:
            planned = ActivityPlan.objects.filter(client=client, done__isnull=True).first()
            if planned is None or rng.random() < 0.4:
                activity_plan_create(
                    client=client,
                    actor=user,
                    values=ActivityPlanIn(
                        title="Walk", life_area="health", planned_for=date(2026, 3, 12)
                    ),
                )
            elif rng.random() < 0.5:
                activity_plan_log(
                    activity=planned,
                    actor=user,
                    values=ActivityLogIn(done=True, mastery=5, pleasure=6),
                )
            else:
                activity_plan_delete(activity=planned, actor=user)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_summary_equals_a_recomputation_after_random_writes(seed):
    with time_machine.travel(NOW, tick=False) as traveller:
        world = World(seed)
        for i in range(160):
            if i % 40 == 39:  # time moves on: nothing stored may depend on it
                traveller.shift(timedelta(hours=world.rng.randrange(1, 30)))
            world.step()
        kept = {c.pk: _stored(c) for c in world.clients}
        for client in world.clients:
            assert kept[client.pk] == _fresh(client), f"client {client.pk}, seed {seed}"
    touched = {k for s in kept.values() for k in s["scores"]}
    assert {"phq9", "gad7", "import:phq9"} <= touched  # the sequence did reach every kind
    assert any(s["alerts_open"] for s in kept.values())
    assert any(s["last_imported_checkin_at"] for s in kept.values())
    assert any(len(s["active_days"]) == 3 for s in kept.values())


def test_rebuild_command_writes_what_the_writes_kept():
    with time_machine.travel(NOW, tick=False):
        world = World(7, clients=2)
        for _ in range(60):
            world.step()
        kept = {c.pk: _stored(c) for c in world.clients}
        ClientSummary.objects.all().delete()
        out = StringIO()
        call_command("summaries_rebuild", stdout=out)
        assert out.getvalue().strip() == "Rebuilt 2 summaries."
        assert {c.pk: _stored(c) for c in world.clients} == kept

        one = world.clients[0]
        ClientSummary.objects.filter(client=one).delete()
        call_command("summaries_rebuild", "--client", str(one.public_id), stdout=out)
        assert _stored(one) == kept[one.pk]


def test_rebuild_keeps_only_the_newest_answers_and_days():
    with time_machine.travel(NOW, tick=False):
        world = World(11, clients=1)
        client = world.clients[0]
        for i in range(30):
            checkin_create(
                client=client,
                actor=client.user,
                values=CheckInValues(mood=5, anxiety=5),
                idempotency_key=f"c{i}",
                recorded_at=NOW - timedelta(days=i, hours=1),
            )
            response_submit(
                client=client,
                actor=client.user,
                instrument_code="gad7",
                answers=[1] * GAD7,
                idempotency_key=f"r{i}",
                submitted_at=NOW - timedelta(days=i, hours=1),
            )
        summaries_rebuild()
        summary = ClientSummary.objects.get(client=client)
    assert len(summary.scores["gad7"][0]) == 12
    newest = summary.scores["gad7"][0][0]
    assert newest[1] == (NOW - timedelta(hours=1)).isoformat()
    assert summary.scores["gad7"][1][0] == newest[0]  # its detail: the newest scored answer
    assert [t[:2] for t in summary.tracks] == [["gad7", newest[0]]]
    assert len(summary.active_days["checkins"]) == 20
    assert summary.last_checkin_at == NOW - timedelta(hours=1)


def test_the_migration_compacts_stored_answers_and_works_out_their_tracks():
    migration = importlib.import_module("interlude.insights.migrations.0004_summary_compact_scores")
    old_shape = {
        "phq9": [
            [5, "2026-03-01T10:00:00+00:00", "client", None, "", None, "", "", ""],
            [
                3,
                "2026-02-01T10:00:00+00:00",
                "client",
                12,
                "Moderate",
                -3,
                "improved",
                "at_risk",
                "Slow",
            ],
        ],
        "import:gad7": [[9, "2026-01-01T10:00:00+00:00", "import", 4, "Mild", None, "", "", ""]],
    }
    compact = migration._compact(old_shape)
    assert compact == {
        "phq9": [
            [[5, "2026-03-01T10:00:00+00:00", None], [3, "2026-02-01T10:00:00+00:00", 12]],
            [3, "Moderate", -3, "improved", "at_risk", "Slow"],
        ],
        "import:gad7": [[[9, "2026-01-01T10:00:00+00:00", 4]], [9, "Mild", None, "", "", ""]],
    }
    assert migration._compact(compact) == compact  # a row already compact stays as it is
    assert migration._tracks(compact) == [["gad7", 9, 0], ["phq9", 3, 1]]
