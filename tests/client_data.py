"""One client with something in every part of their record, each free text carrying a canary
(a made-up word that appears nowhere else), for the authorisation matrix and the category
canaries. Everything goes in through the services, as the app writes it.

Not a test module: `seed_client_record(...)` returns the canaries by category and the ids that
fill each route's parameters.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

from interlude.alerts.models import Alert
from interlude.care.notes_services import (
    session_note_addendum_add,
    session_note_create,
    session_note_sign,
)
from interlude.care.plan_services import goal_create, goal_review_add, problem_create
from interlude.care.services import safety_plan_save
from interlude.consents.access import access_client
from interlude.exercises.models import LifeArea
from interlude.exercises.relaxation_services import relaxation_session_create
from interlude.exercises.schemas import (
    ActivityPlanIn,
    EmotionIn,
    ExposurePracticeIn,
    ExposureStepIn,
    JournalEntryIn,
    SleepDiaryIn,
    ThoughtIn,
    ThoughtRecordIn,
)
from interlude.exercises.worksheets_selectors import client_local_today
from interlude.exercises.worksheets_services import (
    activity_plan_create,
    exposure_practice_create,
    exposure_step_create,
    journal_entry_create,
    sleep_diary_save,
    thought_record_create,
)
from interlude.homework.services import AssignmentValues, assignment_complete, assignment_create
from interlude.measures.models import Frequency, PracticeInstrument, QuestionnaireDue
from interlude.measures.services import appointment_add, response_submit, schedule_create
from interlude.messaging.models import Side
from interlude.messaging.services import Upload, message_send
from interlude.practices.enums import ShareScope
from interlude.practices.models import Client, Membership
from interlude.tracking.services import CheckInValues, checkin_create

# One made-up word per switchable category. Each appears only in that category's data.
CANARIES: dict[ShareScope, str] = {
    # a check-in's own activity label (the scores themselves are numbers)
    ShareScope.CHECKINS: "Kestrelwick",
    # the note of a check-in (shared) and a journal entry (shared)
    ShareScope.JOURNAL: "Quillonby",
    # thought record, behavioural activation, exposure and sleep diary text
    ShareScope.WORKSHEETS: "Marrowgate",
    # the band label of a practice's own questionnaire, shown with each score
    ShareScope.MEASURES: "Thistlebrook",
    # relaxation practice has no free text: the one kind of exercise this client did
    ShareScope.RELAXATION: "5-4-3-2-1 grounding",
    # an activity of a check-in brought in from a Daylio export
    ShareScope.IMPORTS: "Fernhollow",
}
# What never hides (the consent says so): the safety plan.
ALWAYS_CANARY = "Larkspurwell"
CANARY_INSTRUMENT = "canary5"


@dataclass
class SeededRecord:
    client: Client
    ids: dict[str, Any] = field(default_factory=dict)  # route parameter -> value


def seed_client_record(*, client: Client, clinician: Membership) -> SeededRecord:
    """Fill `client`'s record (their own writes as the client, scheduling and appointments as
    `clinician`). The client shares everything, each item switched on where it has a switch."""
    user = client.user
    assert user is not None
    today = client_local_today(client=client)
    now = timezone.now()
    seeded = SeededRecord(client=client)
    ids = seeded.ids
    ids["client_id"] = client.public_id
    ids["article_slug"] = "cbt-triangle"

    checkin, _ = checkin_create(
        client=client,
        actor=user,
        values=CheckInValues(
            mood=4,
            anxiety=6,
            activities=[f"{CANARIES[ShareScope.CHECKINS]} allotment"],
            note=f"{CANARIES[ShareScope.JOURNAL]} lantern: could not sleep again",
            note_shared=True,
        ),
        idempotency_key="canary-checkin",
        recorded_at=now - timedelta(hours=3),
    )
    ids["checkin_id"] = checkin.public_id
    entry = journal_entry_create(
        client=client,
        actor=user,
        values=JournalEntryIn(
            title="Sunday",
            body=f"{CANARIES[ShareScope.JOURNAL]} harbour: the argument with my sister",
            shared=True,
        ),
    )
    ids["journal_entry_id"] = entry.public_id

    w = CANARIES[ShareScope.WORKSHEETS]
    record, _ = thought_record_create(
        client=client,
        actor=user,
        values=ThoughtRecordIn(
            idempotency_key="canary-thought",
            situation=f"{w} office: manager frowned at my slides",
            automatic_thoughts=[ThoughtIn(text="She thinks I am useless", belief=90, hot=True)],
            emotions=[EmotionIn(label="Anxious", intensity=80)],
            evidence_for="She frowned",
            evidence_against="She thanked me",
            balanced_thought={"text": "She may be busy", "belief": 70},
            hot_thought_belief_after=40,
            emotions_rerated=[EmotionIn(label="Anxious", intensity=45)],
        ),
    )
    ids["record_id"] = record.public_id
    activity = activity_plan_create(
        client=client,
        actor=user,
        values=ActivityPlanIn(
            title=f"{w} walk to the park", life_area=LifeArea.HEALTH, planned_for=today
        ),
    )
    ids["activity_id"] = activity.public_id
    step = exposure_step_create(
        client=client,
        actor=user,
        values=ExposureStepIn(description=f"{w} bus, two stops", suds_anticipated=40),
    )
    ids["step_id"] = step.public_id
    exposure_practice_create(
        client=client,
        step=step,
        actor=user,
        values=ExposurePracticeIn(
            duration_minutes=25,
            suds_pre=50,
            suds_peak=70,
            suds_post=30,
            notes=f"{w} practice notes",
        ),
    )
    sleep, _ = sleep_diary_save(
        client=client,
        actor=user,
        values=SleepDiaryIn(
            night_of=today - timedelta(days=1),
            into_bed=time(22, 30),
            tried_to_sleep=time(23, 0),
            minutes_to_fall_asleep=20,
            awakenings=2,
            minutes_awake_after_onset=30,
            final_awakening=time(6, 30),
            out_of_bed=time(7, 0),
            quality=3,
            comments=f"{w} neighbours' dog barked",
        ),
    )
    ids["sleep_entry_id"] = sleep.public_id

    session, _ = relaxation_session_create(
        client=client,
        actor=user,
        kind="grounding",
        started_at=now - timedelta(hours=2),
        seconds_practised=420,
        idempotency_key="canary-relax",
        distress_before=7,
        distress_after=3,
    )
    ids["session_id"] = session.public_id

    PracticeInstrument.objects.create(
        practice=client.practice,
        code=CANARY_INSTRUMENT,
        created_by=clinician.user,
        definition={
            "code": CANARY_INSTRUMENT,
            "version": "1",
            "name": "Five worry questions",
            "short_name": "Worry-5",
            "licence": "practice_own",
            "options": [{"value": 0, "label": "No"}, {"value": 1, "label": "Yes"}],
            "items": [{"text": f"Worry {i}?"} for i in range(1, 6)],
            "scoring": {"method": "sum"},
            "bands": [
                {"min": 0, "max": 5, "code": "canary", "label": CANARIES[ShareScope.MEASURES]}
            ],
        },
    )
    response, _ = response_submit(
        client=client,
        actor=user,
        instrument_code=CANARY_INSTRUMENT,
        answers=[1, 1, 0, 1, 0],
        idempotency_key="canary-response",
        submitted_at=now - timedelta(hours=1),
    )
    ids["response_id"] = response.public_id
    # A risk answer (PHQ-9 item 9) raises an alert: what the care team always sees.
    response_submit(
        client=client,
        actor=user,
        instrument_code="phq9",
        answers=[1, 1, 1, 1, 1, 1, 1, 1, 1],
        idempotency_key="canary-risk",
        submitted_at=now - timedelta(minutes=50),
    )
    alert = Alert.objects.filter(client=client).order_by("pk").first()
    ids["alert_id"] = alert.public_id if alert is not None else None
    schedule = schedule_create(
        actor=clinician.user, client=client, instrument_code="phq9", frequency=Frequency.ONCE
    )
    ids["schedule_id"] = schedule.public_id
    due = QuestionnaireDue.objects.filter(client=client).order_by("pk").first()
    ids["due_id"] = due.public_id if due is not None else None
    appointment = appointment_add(
        actor=clinician.user,
        client=client,
        clinician=clinician,
        starts_at=now + timedelta(days=3),
        duration_minutes=50,
    )
    ids["appointment_id"] = appointment.public_id
    plan = safety_plan_save(
        client=client,
        actor=user,
        content={"warning_signs": [f"{ALWAYS_CANARY} when I stop answering the phone"]},
        base_version=0,
    )
    ids["safety_plan_version"] = plan.version
    _seed_between_sessions(client=client, clinician=clinician, ids=ids, record=record, now=now)
    _seed_interop(client=client, ids=ids, now=now)
    _seed_catalog(client=client, clinician=clinician, ids=ids)
    return seeded


def _seed_between_sessions(
    *, client: Client, clinician: Membership, ids: dict[str, Any], record: Any, now: Any
) -> None:
    """Homework (one done by a thought record), a treatment plan with a review, a signed session
    note with an addendum, and a message each way, one with an attachment."""
    user = client.user
    assert user is not None
    today = client_local_today(client=client)
    care = access_client(
        user=clinician.user,
        client_id=client.public_id,
        scope=ShareScope.CARE_RECORD,
        for_write=True,
    )
    assignment = assignment_create(
        client=client,
        assigned_by=clinician,
        actor=clinician.user,
        values=AssignmentValues(
            tool_kind="worksheet",
            tool_ref="thought_record",
            starts_on=today - timedelta(days=2),
            schedule="once",
            due_on=today,
            instructions=f"{ALWAYS_CANARY} homework: one thought record after a hard meeting",
        ),
    )
    ids["assignment_id"] = assignment.public_id
    occurrence, _ = assignment_complete(
        assignment=assignment,
        occurrence=today,
        status="done",
        actor=user,
        record_type="exercises.thought_record",
        record_id=str(record.public_id),
    )
    ids["occurrence_id"] = occurrence.public_id
    problem = problem_create(care=care, title="Low mood", description="Since the move")
    ids["problem_id"] = problem.public_id
    goal = goal_create(
        care=care,
        description="Feel able to go back to choir",
        problem=problem,
        instrument_code="phq9",
        target_direction="below",
        target_value=10,
    )
    ids["goal_id"] = goal.public_id
    goal_review_add(care=care, goal=goal, reviewed_on=today, score=0, note="On track")
    note = session_note_create(
        care=care,
        template="soap",
        sections={"subjective": "Slept better", "plan": "Keep the walks"},
        session_date=today - timedelta(days=1),
    )
    note = session_note_sign(care=care, note=note)
    session_note_addendum_add(care=care, note=note, text="Phoned to move the next session")
    ids["note_id"] = note.public_id
    message, _ = message_send(
        client=client,
        sender=user,
        by=Side.CLIENT,
        body="Here is the sleep diary I scanned",
        idempotency_key="canary-message",
        attachment=Upload(name="diary.pdf", data=b"%PDF-1.4\n%canary\n"),
    )
    ids["message_id"] = message.public_id
    ids["attachment_id"] = message.attachment.public_id
    message_send(
        client=client,
        sender=clinician.user,
        by=Side.CARE_TEAM,
        body="Thank you, see you on Thursday",
        idempotency_key="canary-reply",
    )


def _seed_interop(*, client: Client, ids: dict[str, Any], now: Any) -> None:
    """A Daylio import (added), an access token, and the ids the FHIR routes take."""
    from interlude.interop.fhir.resources import observation_fhir_id
    from interlude.interop.models import ImportJob
    from interlude.interop.services import import_file_now
    from interlude.interop.tokens import token_create
    from interlude.tracking.models import Observation

    user = client.user
    assert user is not None
    day = client_local_today(client=client) - timedelta(days=3)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "daylio_export.csv"
        path.write_text(
            "full_date,date,weekday,time,mood,activities,note_title,note\n"
            f'{day.isoformat()},x,x,8:30 pm,good,"walk | {CANARIES[ShareScope.IMPORTS]}","",""\n',
            encoding="utf-8",
        )
        import_file_now(user=user, client=client, source="daylio", path=path)
    ids["job_id"] = ImportJob.objects.get(client=client).public_id
    token, _raw = token_create(
        user=user, client=client, name="Watch", scopes=["read"], expires_at=now + timedelta(days=30)
    )
    ids["token_id"] = token.public_id
    ids["patient_id"] = client.public_id
    point = Observation.objects.filter(client=client, source="checkin").first()
    assert point is not None
    ids["fhir_observation_id"] = observation_fhir_id(point.pk)
    ids["fhir_questionnaire_id"] = "phq9"


def _seed_catalog(*, client: Client, clinician: Membership, ids: dict[str, Any]) -> None:
    """An app of the practice's catalog recommended with a reason, the readiness check answered
    (with a note and eHEALS), and a suitability note."""
    from interlude.catalog.models import CatalogApp
    from interlude.catalog.readiness_services import readiness_submit
    from interlude.catalog.recommend_services import recommendation_create
    from interlude.catalog.suitability_services import suitability_note_add

    user = client.user
    assert user is not None
    app, _ = CatalogApp.objects.get_or_create(
        practice=client.practice,
        slug="sleep-diary",
        defaults={"name": "Sleep Diary", "website": "https://sleep.example/"},
    )
    ids["app_id"] = app.public_id
    care = access_client(
        user=clinician.user,
        client_id=client.public_id,
        scope=ShareScope.CARE_RECORD,
        for_write=True,
    )
    recommendation = recommendation_create(
        care=care,
        membership=clinician,
        app=app,
        reason=f"{ALWAYS_CANARY} app: for the sleep window we agreed",
    )
    ids["recommendation_id"] = recommendation.public_id
    readiness_submit(
        client=client,
        actor=user,
        answers={
            "devices": ["smartphone"],
            "connection": "wifi",
            "phone_shared": "shared",
            "comfort": "3",
            "reminders": "few",
            "privacy": ["none"],
            "privacy_note": f"{ALWAYS_CANARY} readiness: my brother borrows my phone",
            "worksheets": "paper",
            "accessibility": "",
            "apps_used": "no",
        },
        eheals_answers=[4, 4, 3, 3, 4, 4, 3, 5],
    )
    note = suitability_note_add(
        care=care, membership=clinician, text=f"{ALWAYS_CANARY} fit: prefers paper for worksheets"
    )
    ids["suitability_note_id"] = note.public_id
