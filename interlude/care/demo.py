"""Demo data for care: how and where the demo sessions happen, and a session in the next days.

Called by the coordinator's seed (clinic/demo.py) after the measures seed has booked the demo
sessions. Idempotent: only sessions with no logistics yet are filled, and a session is added only
when a client has none booked in the coming week.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from interlude.care.models import Appointment, AppointmentModality, AppointmentStatus
from interlude.care.services import appointment_logistics_set
from interlude.measures.services import appointment_add  # opens its questionnaires too
from interlude.practices.enums import ClientStatus
from interlude.practices.models import CareTeamMember, Client, Practice

DEMO_ADDRESS = "Demo Practice, 200 Harbor Street, Suite 4, Boston, MA 02110"
# Example links on a reserved domain (RFC 2606): they open nothing.
DEMO_VIDEO_URL = "https://meet.example.org/interlude-demo-{n}"
# Each demo client's usual way of meeting, by position among the practice's active clients.
PATTERN = (AppointmentModality.IN_PERSON, AppointmentModality.VIDEO, AppointmentModality.PHONE)


def _logistics(modality: AppointmentModality, n: int) -> dict[str, str]:
    return {
        "modality": modality,
        "location": DEMO_ADDRESS if modality == AppointmentModality.IN_PERSON else "",
        "join_url": DEMO_VIDEO_URL.format(n=n) if modality == AppointmentModality.VIDEO else "",
    }


@transaction.atomic
def seed_demo_appointment_logistics(*, practice: Practice, now: datetime | None = None) -> int:
    """Fill modality, address or join link on the practice's demo sessions (alternating in person,
    video and phone per client, with every fourth session of an in-person client by video), and
    book a video session three days ahead, 10:00 in the client's zone, for an active client with
    none in the next week. Returns how many sessions were added or changed."""
    now = now or timezone.now()
    changed = 0
    clients = list(
        Client.objects.filter(
            practice=practice, status=ClientStatus.ACTIVE, user__isnull=False
        ).order_by("created_at", "pk")
    )
    for index, client in enumerate(clients):
        team = (
            CareTeamMember.objects.filter(client=client, membership__is_active=True)
            .select_related("membership__user")
            .order_by("-is_primary", "pk")
            .first()
        )
        if team is None:
            continue
        clinician = team.membership
        usual = PATTERN[index % len(PATTERN)]
        untouched = Appointment.objects.filter(
            client=client,
            modality=AppointmentModality.IN_PERSON,
            location="",
            join_url="",
        ).order_by("starts_at")
        for position, appointment in enumerate(untouched):
            modality = (
                AppointmentModality.VIDEO
                if usual == AppointmentModality.IN_PERSON and position % 4 == 3
                else usual
            )
            appointment_logistics_set(
                actor=clinician.user, appointment=appointment, **_logistics(modality, index + 1)
            )
            changed += 1
        soon = Appointment.objects.filter(
            client=client,
            status=AppointmentStatus.SCHEDULED,
            starts_at__gte=now,
            starts_at__lt=now + timedelta(days=7),
        ).exists()
        if soon:
            continue
        zone = ZoneInfo(client.time_zone)
        day = (now.astimezone(zone) + timedelta(days=3)).date()
        appointment = appointment_add(
            actor=clinician.user,
            client=client,
            clinician=clinician,
            starts_at=datetime.combine(day, time(10, 0), tzinfo=zone),
            duration_minutes=50,
        )
        appointment_logistics_set(
            actor=clinician.user,
            appointment=appointment,
            **_logistics(AppointmentModality.VIDEO, index + 1),
        )
        changed += 1
    return changed


# --- the treatment plan and session notes (seed_demo_plan) ----------------------------------------
# Written through the services with the care team's `CareAccess`, like a clinician would, then
# dated back: the plan was made at the start of care, GAS reviews every two weeks since, and notes
# of the last few attended sessions (signed the same day; one with a later addendum).
from datetime import date  # noqa: E402

from interlude.care.models import (  # noqa: E402
    Goal,
    GoalReview,
    Problem,
    SessionNote,
    SessionNoteAddendum,
)
from interlude.care.notes_services import (  # noqa: E402
    session_note_addendum_add,
    session_note_create,
    session_note_sign,
)
from interlude.care.plan_services import goal_create, goal_review_add, problem_create  # noqa: E402
from interlude.consents.access import Viewer, care_access_for  # noqa: E402
from interlude.core.clock import client_date, client_today  # noqa: E402

# (days ago, score) for each goal: every two weeks over about three months, with movement.
GAS_HISTORY = {
    "mood": ((84, -2), (70, -2), (56, -1), (42, -1), (28, 0), (14, 0), (0, 1)),
    "activity": ((84, -1), (70, -1), (56, 0), (42, 0), (28, 1), (14, 0), (0, 1)),
    "sleep": ((56, -2), (42, -1), (28, -1), (14, 0), (0, 0)),
}

NOTES = (
    {
        "subjective": "Reports a better week: went to the choir rehearsal on Thursday and "
        "walked with a friend twice. Still waking around 4 am most nights.",
        "objective": "Engaged, brighter affect, good eye contact. PHQ-9 8 this week. Denies "
        "thoughts of self-harm; safety plan reviewed, no changes needed.",
        "assessment": "Continuing improvement in mood and activity. Early waking persists.",
        "plan": "Keep the activity schedule. Start a sleep diary for two weeks; review "
        "stimulus control next session.",
    },
    {
        "subjective": "Found the weekend hard after a call from their sister about the house "
        "sale. Used box breathing on Sunday evening and said it helped.",
        "objective": "Tearful when talking about the house; settled within a few minutes. PHQ-9 "
        "9. No risk indicators.",
        "assessment": "Grief response triggered by the house sale; coping skills in use.",
        "plan": "Plan one pleasant activity for each weekend day. Bring the thought record "
        "about the call to the next session.",
    },
    {
        "subjective": "Says mornings are still the worst part of the day. Managed two short walks.",
        "objective": "Flat affect at first, brighter by the end. PHQ-9 10.",
        "assessment": "Slow, steady gains; activity scheduling is taking hold.",
        "plan": "Add a third walk. Try the morning routine we wrote together.",
    },
)
ADDENDUM = (
    "Client phoned the next day to say the morning routine went well on two days. No change "
    "to the plan."
)


def _backdate(model: type, pk: int, at: datetime, **extra: object) -> None:
    model.objects.filter(pk=pk).update(created_at=at, **extra)  # type: ignore[attr-defined]


def seed_demo_plan(*, client: Client) -> bool:
    """A treatment plan (2 problems, 3 goals, one linked to PHQ-9 below 10, GAS reviews every
    two weeks) and signed notes of the last three attended sessions, one with an addendum.
    Returns whether anything was created."""
    team = client.care_team.select_related("membership__user").first()
    if team is None:
        return False
    if (
        Problem.objects.filter(client=client).exists()
        or SessionNote.objects.filter(client=client).exists()
    ):
        return False
    membership = team.membership
    care = care_access_for(
        client=client, user=membership.user, viewer=Viewer.CARE_TEAM, membership=membership
    )
    today = client_today(client)
    now = timezone.now()
    start = now - timedelta(days=90)

    mood = problem_create(
        care=care,
        title="Low mood since the bereavement",
        description="Low mood, withdrawal from friends and activities since their father died "
        "last spring.",
        order=1,
    )
    sleep = problem_create(
        care=care,
        title="Early waking",
        description="Wakes around 4 am most nights and cannot get back to sleep.",
        order=2,
    )
    goals = {
        "mood": goal_create(
            care=care,
            problem=mood,
            description="Feel like myself again most days",
            instrument_code="phq9",
            target_direction="below",
            target_value=10,
            target_date=today + timedelta(days=30),
            order=1,
        ),
        "activity": goal_create(
            care=care,
            problem=mood,
            description="Back to the choir and a walk with a friend each week",
            target_date=today + timedelta(days=60),
            order=2,
        ),
        "sleep": goal_create(
            care=care,
            problem=sleep,
            description="Sleep through to 6 am on most nights",
            target_date=today + timedelta(days=60),
            order=1,
        ),
    }
    for row in (mood, sleep):
        _backdate(Problem, row.pk, start)
    for goal in goals.values():
        _backdate(Goal, goal.pk, start)
    for key, history in GAS_HISTORY.items():
        for days_ago, score in history:
            review = goal_review_add(
                care=care,
                goal=goals[key],
                reviewed_on=today - timedelta(days=days_ago),
                score=score,
                note="Reviewed together in session." if days_ago == 0 else "",
            )
            _backdate(GoalReview, review.pk, now - timedelta(days=days_ago))

    attended = list(
        Appointment.objects.filter(
            client=client, status=AppointmentStatus.ATTENDED, starts_at__lt=now
        ).order_by("-starts_at")[: len(NOTES)]
    )
    sessions: list[tuple[date, Appointment | None, datetime]] = [
        (client_date(a.starts_at, client), a, a.starts_at + timedelta(hours=1)) for a in attended
    ]
    while len(sessions) < len(NOTES):  # no appointments in this demo: every two weeks
        days_ago = 14 * (len(sessions) + 1)
        sessions.append((today - timedelta(days=days_ago), None, now - timedelta(days=days_ago)))
    for n, (sections, (day, appointment, written_at)) in enumerate(
        zip(NOTES, sessions, strict=True)
    ):
        note = session_note_create(
            care=care,
            template="soap",
            sections=sections,
            session_date=day,
            appointment=appointment,
        )
        note = session_note_sign(care=care, note=note)
        _backdate(SessionNote, note.pk, written_at, signed_at=written_at)
        if n == 0:
            addendum = session_note_addendum_add(care=care, note=note, text=ADDENDUM)
            _backdate(SessionNoteAddendum, addendum.pk, written_at + timedelta(days=1))
    return True
