"""A client with one record of every kind (and a canary word in each text), and a second client of
the same practice with canaries of their own that must never reach the first one's export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine

from interlude.accounts.models import User
from interlude.care.models import Appointment, SafetyPlanVersion
from interlude.care.services import safety_plan_save
from interlude.consents.models import ConsentEvent, ConsentEventKind, ConsentMethod
from interlude.exercises.models import (
    ActivityPlan,
    ExposurePractice,
    ExposureStep,
    JournalEntry,
    RelaxationSession,
    SleepDiaryEntry,
    ThoughtRecord,
)
from interlude.measures.models import EnteredBy
from interlude.measures.services import response_submit
from interlude.practices.models import Client, Membership
from interlude.tracking.services import CheckInValues, checkin_create
from tests.factories import (
    CareTeamMemberFactory,
    ClientFactory,
    MembershipFactory,
    PracticeFactory,
    UserFactory,
)

# 15:00 UTC is 10:00 in New York (EST, -05:00) on 25 November 2026.
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
# 02:30 UTC on the 20th is still the 19th in New York: the local day, not the UTC one.
LATE = datetime(2026, 11, 20, 2, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def exports_dir(settings, tmp_path: Path) -> Path:
    settings.EXPORTS_DIR = tmp_path / "exports"
    return settings.EXPORTS_DIR


@dataclass
class World:
    client: Client
    other: Client
    clinician: Membership

    @property
    def user(self) -> User:
        assert self.client.user is not None
        return self.client.user


def _fill(
    client: Client, clinician: Membership, canary: str, *, night: date = date(2026, 11, 19)
) -> None:
    user = client.user
    assert user is not None
    checkin_create(
        client=client,
        actor=user,
        values=CheckInValues(
            mood=6,
            anxiety=3,
            energy=5,
            sleep_hours=Decimal("7.5"),
            sleep_quality=4,
            emotions=[{"label": "calm", "intensity": 2}],
            activities=["walk"],
            note=f"Checkin note {canary}",
            note_shared=True,
        ),
        idempotency_key=f"c-{canary}",
        recorded_at=LATE,
    )
    common = {"practice": client.practice, "client": client, "created_by": user, "updated_by": user}
    JournalEntry.objects.create(
        **common, written_at=LATE, title=f"Title {canary}", body=f"Journal body {canary}"
    )
    ThoughtRecord.objects.create(
        **common,
        occurred_at=LATE,
        idempotency_key=f"t-{canary}",
        is_complete=True,
        distortions=["all_or_nothing"],
        content=(
            '{"situation": "Situation ' + canary + '", "automatic_thoughts": '
            '[{"text": "Thought", "belief": 80, "hot": true}], '
            '"emotions": [{"label": "Anxious", "intensity": 70}], '
            '"evidence_for": "for", "evidence_against": "against", '
            '"balanced_thought": {"text": "Balanced", "belief": 60}, '
            '"hot_thought_belief_after": 40, '
            '"emotions_rerated": [{"label": "Anxious", "intensity": 30}], "action_plan": "plan"}'
        ),
    )
    ActivityPlan.objects.create(
        **common,
        title=f'=HYPERLINK("http://evil") {canary}',
        life_area="health",
        planned_for=date(2026, 11, 21),
        planned_time=time(9, 30),
        difficulty=2,
        done=True,
        mastery=7,
        pleasure=8,
        logged_at=datetime(2026, 11, 21, 20, 0, tzinfo=UTC),
    )
    step = ExposureStep.objects.create(
        **common, description=f"Step {canary}", suds_anticipated=40, created_at=LATE
    )
    ExposurePractice.objects.create(
        **common,
        step=step,
        practiced_at=LATE,
        duration_minutes=20,
        suds_pre=40,
        suds_peak=60,
        suds_post=20,
        safety_behaviours="none",
        notes=f"-practice note {canary}",
    )
    SleepDiaryEntry.objects.create(
        **common,
        night_of=night,
        into_bed=time(23, 0),
        tried_to_sleep=time(23, 15),
        minutes_to_fall_asleep=20,
        awakenings=1,
        minutes_awake_after_onset=10,
        final_awakening=time(6, 30),
        out_of_bed=time(7, 0),
        quality=3,
        comments=f"Sleep {canary}",
    )
    RelaxationSession.objects.create(
        **common,
        kind="box",
        started_at=LATE,
        seconds_practised=240,
        distress_before=6,
        distress_after=3,
        idempotency_key=f"r-{canary}",
    )
    response_submit(
        client=client,
        actor=clinician.user,
        instrument_code="phq9",
        answers=[1, 1, 1, 1, 1, 1, 1, 1, 0],
        idempotency_key=f"q-{canary}",
        entered_by=EnteredBy.CLINICIAN,
        submitted_at=LATE,
    )
    safety_plan_save(
        client=client,
        actor=user,
        content={"warning_signs": [f"Warning {canary}"], "reasons_for_living": ["My dog"]},
        base_version=SafetyPlanVersion.objects.filter(client=client).count(),
    )
    Appointment.objects.create(
        practice=client.practice,
        client=client,
        created_by=clinician.user,
        updated_by=clinician.user,
        clinician=clinician,
        starts_at=datetime(2026, 11, 26, 14, 0, tzinfo=UTC),
    )
    ConsentEvent.objects.create(
        practice=client.practice,
        client=client,
        kind=ConsentEventKind.ACCEPTED,
        document_version=1,
        document_sha256="a" * 64,
        typed_name=f"Typed {canary}",
        method=ConsentMethod.WEB,
        at=datetime(2026, 10, 20, 12, 0, tzinfo=UTC),
        actor=user,
    )


@pytest.fixture
def world(db) -> World:
    with time_machine.travel(NOW, tick=False):
        practice = PracticeFactory(name="Harbour Counselling")
        clinician = MembershipFactory(
            practice=practice, user=UserFactory(full_name="Dr Ann Okafor", mfa_exempt=True)
        )
        client = ClientFactory(
            practice=practice, full_name="Jordan Ellis", user=UserFactory(full_name="Jordan Ellis")
        )
        other = ClientFactory(
            practice=practice, full_name="Morgan Vale", user=UserFactory(full_name="Morgan Vale")
        )
        for c in (client, other):
            CareTeamMemberFactory(client=c, membership=clinician)
        _fill(client, clinician, "CANARYOWN")
        _fill(other, clinician, "CANARYFOREIGN")
    return World(client=client, other=other, clinician=clinician)
