"""Recurring questionnaires keep to the client's wall clock: "every 14 days" at 09:00 stays at
09:00 and a 3-day window ends at the same time of day, across a daylight-saving change.

The client is in Berlin, where clocks go forward on Sunday 29 March 2026 (CET to CEST)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from interlude.care.models import AppointmentStatus
from interlude.measures.models import DueStatus, Frequency, QuestionnaireDue
from interlude.measures.services import (
    appointment_add,
    due_mark_missed,
    response_submit,
    schedule_create,
)
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def _berlin(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=BERLIN)


def _wall(at: datetime) -> str:
    return at.astimezone(BERLIN).strftime("%a %d %b %H:%M")


@pytest.fixture
def pair():
    membership, client = clinician_with_client()
    client.time_zone = "Europe/Berlin"
    client.save(update_fields=["time_zone"])
    return membership, client


def test_every_n_days_opens_at_the_same_local_time_after_the_clocks_change(pair):
    membership, client = pair
    with time_machine.travel(_berlin(3, 20, 9), tick=False):
        schedule = schedule_create(
            actor=membership.user,
            client=client,
            instrument_code="gad7",
            frequency=Frequency.EVERY_N_DAYS,
            interval_days=14,
            window_days=3,
        )
    with time_machine.travel(_berlin(3, 21, 18), tick=False):
        response_submit(
            client=client,
            actor=client.user,
            instrument_code="gad7",
            answers=[1] * 7,
            idempotency_key="g1",
        )

    first, following = QuestionnaireDue.objects.filter(schedule=schedule).order_by("opens_at")
    assert (_wall(first.opens_at), _wall(first.closes_at)) == (
        "Fri 20 Mar 09:00",
        "Mon 23 Mar 09:00",
    )
    assert (_wall(following.opens_at), _wall(following.closes_at)) == (
        "Fri 03 Apr 09:00",
        "Mon 06 Apr 09:00",
    )


def test_a_window_across_the_change_ends_at_the_same_local_time(pair):
    membership, client = pair
    with time_machine.travel(_berlin(3, 27, 9), tick=False):
        schedule = schedule_create(
            actor=membership.user,
            client=client,
            instrument_code="phq9",
            frequency=Frequency.EVERY_N_DAYS,
            interval_days=7,
            window_days=3,
        )

    due = QuestionnaireDue.objects.get(schedule=schedule)
    assert (_wall(due.opens_at), _wall(due.closes_at)) == ("Fri 27 Mar 09:00", "Mon 30 Mar 09:00")
    # 71 hours, not 72: the night of the 29th had an hour fewer.
    assert (due.closes_at - due.opens_at).total_seconds() == 71 * 3600


def test_a_missed_questionnaire_opens_the_next_one_at_the_same_local_time(pair):
    membership, client = pair
    with time_machine.travel(_berlin(3, 20, 9), tick=False):
        schedule = schedule_create(
            actor=membership.user,
            client=client,
            instrument_code="gad7",
            frequency=Frequency.EVERY_N_DAYS,
            interval_days=7,
            window_days=2,
        )
    with time_machine.travel(_berlin(3, 25, 9), tick=False):
        due = QuestionnaireDue.objects.select_related("client", "schedule").get(schedule=schedule)
        following = due_mark_missed(due=due, actor=membership.user)

    assert following is not None
    assert (_wall(following.opens_at), _wall(following.closes_at)) == (
        "Fri 27 Mar 09:00",
        "Sun 29 Mar 09:00",
    )
    assert QuestionnaireDue.objects.get(pk=due.pk).status == DueStatus.MISSED


def test_before_an_appointment_opens_whole_local_days_before_it(pair):
    membership, client = pair
    with time_machine.travel(_berlin(3, 20, 9), tick=False):
        schedule_create(
            actor=membership.user,
            client=client,
            instrument_code="phq9",
            frequency=Frequency.BEFORE_APPOINTMENT,
            window_days=3,
        )
        appointment = appointment_add(
            actor=membership.user,
            client=client,
            clinician=membership,
            starts_at=_berlin(3, 31, 10),
            duration_minutes=50,
        )

    due = QuestionnaireDue.objects.get(appointment=appointment)
    assert appointment.status == AppointmentStatus.SCHEDULED
    assert (_wall(due.opens_at), _wall(due.closes_at)) == ("Sat 28 Mar 10:00", "Tue 31 Mar 10:00")
