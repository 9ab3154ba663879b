"""The demo seed (idempotent, a realistic mix) and the reminders' due provider."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
import time_machine

from interlude.homework.demo import seed_demo
from interlude.homework.models import Assignment, AssignmentOccurrence
from interlude.homework.selectors import adherence_for_assignment
from interlude.homework.services import assignment_complete
from interlude.homework.tests.helpers import assign
from interlude.reminders.providers import DueItem, due_items
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)


@pytest.fixture
def pair():
    with time_machine.travel(NOW, tick=False):
        yield clinician_with_client()


def test_demo_seed_is_idempotent_and_has_done_late_missed_and_not_possible(pair):
    membership, client = pair
    assert seed_demo(client=client, clinician_membership=membership, now=NOW) is True
    rows = AssignmentOccurrence.objects.filter(client=client).count()
    assert seed_demo(client=client, clinician_membership=membership, now=NOW) is False
    assert AssignmentOccurrence.objects.filter(client=client).count() == rows
    assert Assignment.objects.filter(client=client).count() == 4
    totals = {"done": 0, "late": 0, "missed": 0, "not_possible": 0}
    for a in Assignment.objects.filter(client=client):
        result = adherence_for_assignment(assignment=a, today=date(2026, 3, 11))
        for key in totals:
            totals[key] += getattr(result, key)
    assert all(totals[k] > 0 for k in totals), totals
    assert totals["not_possible"] == 1
    assert AssignmentOccurrence.objects.filter(client=client, feedback__isnull=False).count() == 3


def test_due_provider_gives_open_days_of_homework_with_a_reminder(pair):
    membership, client = pair
    daily = assign(membership, client, reminder=True, reminder_time=time(19, 0))
    assign(
        membership,
        client,
        tool_kind="custom",
        instructions="No reminder",
        schedule="once",
        due_on=date(2026, 3, 12),
    )
    assignment_complete(
        assignment=daily, occurrence=date(2026, 3, 11), status="done", actor=client.user
    )
    items = due_items(client_ids=[client.pk], first=date(2026, 3, 11), last=date(2026, 3, 13))
    assert [i for i in items if i.client_id == client.pk] == [
        DueItem(client_id=client.pk, local_date=date(2026, 3, 12), wall_time=time(19, 0)),
        DueItem(client_id=client.pk, local_date=date(2026, 3, 13), wall_time=time(19, 0)),
    ]
