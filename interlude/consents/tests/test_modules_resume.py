"""Questionnaires switched off, then on again: a window that closed while they were off was never
open to the client, so switching them back on raises no "overdue" alert for it; the schedule
carries on, and a window after switching on that goes unanswered is overdue as before."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client as HttpClient

from interlude.alerts.models import Alert, AlertKind
from interlude.alerts.services import alerts_sweep_overdue
from interlude.measures.models import DueStatus, Frequency, QuestionnaireDue
from interlude.measures.services import schedule_create
from interlude.practices.enums import Module
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db

ON = [m.value for m in Module]
OFF = [m.value for m in Module if m is not Module.QUESTIONNAIRES]


def _at(day: int, hour: int = 14) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=UTC)


def _switch(membership, client, on: list[str]) -> None:
    http = HttpClient()
    http.force_login(membership.user)
    response = http.post(f"/clinic/clients/{client.public_id}/modules/", {"module_on": on})
    assert response.status_code == 302


def _overdue() -> list[str]:
    return list(
        Alert.objects.filter(kind=AlertKind.QUESTIONNAIRE_OVERDUE)
        .order_by("pk")
        .values_list("dedupe_key", flat=True)
    )


def _dues(client) -> list[tuple[str, str]]:
    return [
        (f"{d.opens_at:%d %H:%M}", d.status)
        for d in QuestionnaireDue.objects.filter(client=client).order_by("opens_at")
    ]


def test_a_window_that_closed_while_questionnaires_were_off_raises_no_alert_when_back_on():
    membership, client = clinician_with_client()
    client.time_zone = "UTC"
    client.save()
    with time_machine.travel(_at(2), tick=False):
        schedule = schedule_create(
            actor=membership.user,
            client=client,
            instrument_code="phq9",
            frequency=Frequency.EVERY_N_DAYS,
            interval_days=7,
            window_days=3,
        )
    first = QuestionnaireDue.objects.get(schedule=schedule)
    with time_machine.travel(_at(3), tick=False):
        _switch(membership, client, OFF)
    with time_machine.travel(_at(9), tick=False):  # the 2-5 March window passed while off
        assert alerts_sweep_overdue() == 0
        _switch(membership, client, ON)
        assert alerts_sweep_overdue() == 0

    assert _overdue() == []
    # The missed window is withdrawn, and the schedule carries on from its next occasion.
    assert _dues(client) == [("02 14:00", DueStatus.CANCELLED), ("09 14:00", DueStatus.DUE)]

    # A window after switching on that goes unanswered is overdue as before (12 March + 2 days).
    with time_machine.travel(_at(14, 15), tick=False):
        assert alerts_sweep_overdue() == 1
    second = QuestionnaireDue.objects.get(schedule=schedule, opens_at=_at(9))
    assert _overdue() == [f"due:{second.public_id}"]
    assert f"due:{first.public_id}" not in _overdue()


def test_switching_another_module_leaves_a_closed_window_overdue():
    membership, client = clinician_with_client()
    client.time_zone = "UTC"
    client.save()
    with time_machine.travel(_at(2), tick=False):
        schedule_create(
            actor=membership.user,
            client=client,
            instrument_code="phq9",
            frequency=Frequency.ONCE,
            window_days=3,
        )
    with time_machine.travel(_at(9), tick=False):
        _switch(membership, client, [m for m in ON if m != Module.JOURNAL.value])
        assert alerts_sweep_overdue() == 1

    assert len(_overdue()) == 1
