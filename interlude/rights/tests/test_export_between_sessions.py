"""The client's download carries their homework (with each recorded day, reason and feedback)
and their message thread."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from interlude.consents.access import access_own
from interlude.homework.services import (
    AssignmentValues,
    assignment_complete,
    assignment_create,
    assignment_feedback_add,
)
from interlude.messaging.models import Side
from interlude.messaging.services import message_send
from interlude.rights.selectors import export_section_rows
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


@pytest.fixture
def world():
    membership, client = clinician_with_client()
    client.time_zone = "Europe/Berlin"
    client.save()
    membership.user.full_name = "Dr Ann Okafor"
    membership.user.save()
    with time_machine.travel(NOW, tick=False):
        assignment = assignment_create(
            client=client,
            assigned_by=membership,
            actor=membership.user,
            values=AssignmentValues(
                tool_kind="custom",
                title="Ten minutes outside",
                instructions="Any time before dinner",
                starts_on=date(2026, 11, 23),
                schedule="once",
                due_on=date(2026, 11, 24),
            ),
        )
        day, _ = assignment_complete(
            assignment=assignment,
            occurrence=date(2026, 11, 24),
            status="not_possible",
            actor=client.user,
            reason="It rained all day",
        )
        assignment_feedback_add(
            occurrence=day, membership=membership, actor=membership.user, text="Fair enough"
        )
        message_send(
            client=client,
            sender=client.user,
            by=Side.CLIENT,
            body="Could we talk about sleep?",
            idempotency_key="m1",
        )
        message_send(
            client=client,
            sender=membership.user,
            by=Side.CARE_TEAM,
            body="Yes, on Thursday",
            idempotency_key="m2",
        )
    return client, assignment


def test_homework_rows_carry_each_recorded_day_with_reason_and_feedback(world):
    client, assignment = world

    rows = export_section_rows(care=access_own(user=client.user), key="homework")

    assert rows == [
        {
            "id": str(assignment.public_id),
            "title": "Ten minutes outside",
            "tool": "Custom task",
            "instructions": "Any time before dinner",
            "schedule": "Once, by a date",
            "starts_on": "2026-11-23",
            "ended_at": "",
            "due_day": "2026-11-24",
            "status": "Couldn't do it",
            "recorded_at": "2026-11-25T16:00:00+01:00",
            "reason": "It rained all day",
            "feedback": "Fair enough",
        }
    ]


def test_message_rows_are_the_thread_oldest_first_in_the_clients_zone(world):
    client, _ = world

    rows = export_section_rows(care=access_own(user=client.user), key="messages")

    assert [(r["sent_at"], r["from"], r["body"], r["attachment"]) for r in rows] == [
        ("2026-11-25T16:00:00+01:00", "You", "Could we talk about sleep?", ""),
        ("2026-11-25T16:00:00+01:00", "Dr Ann Okafor", "Yes, on Thursday", ""),
    ]
