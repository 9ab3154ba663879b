"""The sweeps count the client's days: a client in Auckland who started a week ago (their
calendar) gets the no-check-in alert on their seventh day, and an overdue questionnaire is named
by the day it opened for them, not by the UTC date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from interlude.alerts.models import Alert, AlertKind
from interlude.alerts.services import alerts_sweep_checkins, alerts_sweep_overdue
from interlude.measures.models import Frequency
from interlude.measures.services import schedule_create
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db

AUCKLAND = ZoneInfo("Pacific/Auckland")
# 12:30 on Sunday 29 March in Auckland; still Saturday 28 March in UTC.
NOW = datetime(2026, 3, 29, 12, 30, tzinfo=AUCKLAND)


@pytest.fixture
def pair():
    membership, client = clinician_with_client()
    client.time_zone = "Pacific/Auckland"
    client.save(update_fields=["time_zone"])
    return membership, client


@time_machine.travel(NOW, tick=False)
def test_no_checkin_counts_the_clients_days_since_starting(pair):
    _, client = pair
    client.started_on = date(2026, 3, 22)  # a week ago on the client's calendar
    client.save(update_fields=["started_on"])

    assert alerts_sweep_checkins(now=NOW.astimezone(UTC)) == 1  # as timezone.now() gives it

    alert = Alert.objects.get(client=client, kind=AlertKind.NO_CHECKIN)
    assert alert.reason == "No check-in yet, 7 days after starting."


@time_machine.travel(NOW, tick=False)
def test_an_overdue_questionnaire_is_named_by_the_clients_days(pair):
    membership, client = pair
    schedule_create(
        actor=membership.user,
        client=client,
        instrument_code="phq9",
        frequency=Frequency.ONCE,
        window_days=3,
        starts_at=datetime(2026, 3, 20, 8, 0, tzinfo=AUCKLAND),  # 19 March in UTC
    )

    assert alerts_sweep_overdue(now=NOW.astimezone(UTC) + timedelta(minutes=1)) == 1

    alert = Alert.objects.get(client=client, kind=AlertKind.QUESTIONNAIRE_OVERDUE)
    assert alert.reason == (
        "The questionnaire due 20 Mar was not answered; its window closed 23 Mar."
    )
