"""The demo's treatment plan and session notes: realistic, idempotent, dated to past sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from interlude.care.demo import seed_demo_plan
from interlude.care.models import (
    AppointmentStatus,
    Goal,
    GoalReview,
    Problem,
    SessionNote,
    SessionNoteAddendum,
)
from interlude.care.services import appointment_create, appointment_set_status
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 18, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_demo_plan_has_two_problems_three_goals_reviews_and_signed_notes_once():
    membership, client = clinician_with_client()
    sessions = []
    for weeks in (6, 4, 2):
        a = appointment_create(
            actor=membership.user,
            client=client,
            clinician=membership,
            starts_at=NOW - timedelta(weeks=weeks),
        )
        appointment_set_status(
            actor=membership.user, appointment=a, status=AppointmentStatus.ATTENDED
        )
        sessions.append(a)

    assert seed_demo_plan(client=client) is True
    assert seed_demo_plan(client=client) is False

    assert Problem.objects.filter(client=client).count() == 2
    goals = list(Goal.objects.filter(client=client))
    assert len(goals) == 3
    assert [
        (g.instrument_code, g.target_direction, g.target_value) for g in goals if g.instrument_code
    ] == [("phq9", "below", 10.0)]
    assert GoalReview.objects.filter(client=client).count() == 19
    notes = list(SessionNote.objects.filter(client=client).order_by("session_date"))
    assert [n.appointment_id for n in notes] == [a.pk for a in sessions]
    assert all(n.signed_at is not None and n.signed_at < NOW for n in notes)
    assert SessionNoteAddendum.objects.filter(client=client).count() == 1
