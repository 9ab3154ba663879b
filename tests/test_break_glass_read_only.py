"""Emergency (break-glass) access only reads (issue [5]): every page and API call that changes a
client's record answers 404 to an owner who opened it in an emergency, and changes nothing; the
same request from the care team still works. The record under emergency access says until when
and that it is read only, and offers no form that would change it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient

from interlude.care.models import Appointment, SafetyPlanVersion
from interlude.consents.breakglass_services import break_glass_open
from interlude.consents.models import ClientPrivacy
from interlude.measures.models import Frequency, QuestionnaireResponse, QuestionnaireSchedule
from interlude.measures.services import appointment_add, schedule_create
from interlude.practices.enums import Module, Role
from interlude.practices.models import Client, Invitation, Membership
from tests.factories import (
    CareTeamMemberFactory,
    ClientFactory,
    MembershipFactory,
    PracticeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # 09:00 in New York (the practice's zone)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@dataclass
class World:
    client: Client
    clinician: Membership
    owner: Membership

    def http(self, who: str) -> HttpClient:
        http = HttpClient()
        http.force_login((self.owner if who == "owner" else self.clinician).user)
        return http


@pytest.fixture
def world() -> World:
    practice = PracticeFactory(time_zone="America/New_York")
    clinician = MembershipFactory(practice=practice, user=UserFactory(mfa_exempt=True))
    owner = MembershipFactory(practice=practice, role=Role.OWNER, user=UserFactory(mfa_exempt=True))
    # No account yet, so the record offers the invitation form as well.
    client = ClientFactory(practice=practice, user=None, email="", time_zone="America/New_York")
    CareTeamMemberFactory(client=client, membership=clinician)
    break_glass_open(
        user=owner.user, client_public_id=client.public_id, reason="The client rang in distress"
    )
    return World(client=client, clinician=clinician, owner=owner)


def _record(w: World) -> str:
    return f"/clinic/clients/{w.client.public_id}/"


def _safety_plan_form(**rows: str) -> dict[str, str]:
    data: dict[str, str] = {"base_version": "0"}
    for key in (
        "warning_signs",
        "coping_strategies",
        "distraction",
        "safe_environment",
        "reasons_for_living",
    ):
        for i in range(3):
            data[f"{key}-{i}"] = ""
    for i in range(3):
        for part in ("people_to_ask-{i}-name", "people_to_ask-{i}-phone"):
            data[part.format(i=i)] = ""
        for part in ("name", "phone", "hours"):
            data[f"professionals-{i}-{part}"] = ""
    data.update(rows)
    return data


@dataclass(frozen=True)
class Write:
    """One request that changes the record, and what it changes."""

    method: str
    path: Callable[[World], str]
    data: Callable[[World], dict[str, Any]]
    state: Callable[[World], object]
    json: bool = False
    setup: Callable[[World], None] | None = None


def _schedule(w: World) -> None:
    schedule_create(
        actor=w.clinician.user, client=w.client, instrument_code="gad7", frequency=Frequency.ONCE
    )


def _appointment(w: World) -> None:
    appointment_add(
        actor=w.clinician.user,
        client=w.client,
        clinician=w.clinician,
        starts_at=datetime(2026, 3, 9, 15, 0, tzinfo=UTC),
        duration_minutes=50,
    )


WRITES = {
    "schedule a questionnaire": Write(
        "POST",
        lambda w: _record(w) + "questionnaires/schedule/",
        lambda w: {
            "instrument": "phq9",
            "frequency": "every_n_days",
            "interval_days": "14",
            "window_days": "3",
            "starts_on": "2026-03-03",
        },
        lambda w: QuestionnaireSchedule.objects.filter(client=w.client, is_active=True).count(),
    ),
    "stop a schedule": Write(
        "POST",
        lambda w: (
            _record(w)
            + f"questionnaires/schedules/{QuestionnaireSchedule.objects.get().public_id}/stop/"
        ),
        lambda w: {},
        lambda w: QuestionnaireSchedule.objects.filter(client=w.client, is_active=True).count(),
        setup=_schedule,
    ),
    "enter a paper form": Write(
        "POST",
        lambda w: _record(w) + "questionnaires/enter/phq9/",
        lambda w: {
            "idempotency_key": "k-1",
            "completed_on": "2026-03-02",
            **{f"item_{n}": "1" for n in range(1, 10)},
        },
        lambda w: QuestionnaireResponse.objects.filter(client=w.client).count(),
    ),
    "add an appointment": Write(
        "POST",
        lambda w: _record(w) + "appointments/add/",
        lambda w: {"day": "2026-03-10", "start": "14:00", "duration_minutes": "50"},
        lambda w: Appointment.objects.filter(client=w.client).count(),
    ),
    "change an appointment's status": Write(
        "POST",
        lambda w: _record(w) + f"appointments/{Appointment.objects.get().public_id}/status/",
        lambda w: {"status": "cancelled"},
        lambda w: list(Appointment.objects.values_list("status", flat=True)),
        setup=_appointment,
    ),
    "save the safety plan": Write(
        "POST",
        lambda w: _record(w) + "safety-plan/edit/",
        lambda w: _safety_plan_form(**{"warning_signs-0": "Not sleeping"}),
        lambda w: SafetyPlanVersion.objects.filter(client=w.client).count(),
    ),
    "save the safety plan (API)": Write(
        "PUT",
        lambda w: f"/api/v1/safety-plan?client_id={w.client.public_id}",
        lambda w: {"base_version": 0, "content": {"warning_signs": ["Not sleeping"]}},
        lambda w: SafetyPlanVersion.objects.filter(client=w.client).count(),
        json=True,
    ),
    "switch parts of the app": Write(
        "POST",
        lambda w: _record(w) + "modules/",
        lambda w: {"module_on": [m.value for m in Module if m is not Module.JOURNAL]},
        lambda w: ClientPrivacy.objects.get(client=w.client).modules_off,
    ),
    "invite the client": Write(
        "POST",
        lambda w: _record(w) + "invite/",
        lambda w: {"email": "robin@example.org"},
        lambda w: Invitation.objects.filter(client=w.client).count(),
    ),
}


def _send(http: HttpClient, write: Write, w: World):
    method = getattr(http, write.method.lower())
    if write.json:
        return method(
            write.path(w), data=json.dumps(write.data(w)), content_type="application/json"
        )
    return method(write.path(w), write.data(w))


@pytest.mark.parametrize("name", list(WRITES))
def test_a_write_under_emergency_access_is_refused_and_changes_nothing(world, name):
    write = WRITES[name]
    if write.setup:
        write.setup(world)
    before = write.state(world)

    response = _send(world.http("owner"), write, world)

    assert response.status_code == 404
    assert write.state(world) == before


@pytest.mark.parametrize("name", list(WRITES))
def test_the_same_write_still_works_for_the_care_team(world, name):
    write = WRITES[name]
    if write.setup:
        write.setup(world)
    before = write.state(world)

    response = _send(world.http("clinician"), write, world)

    assert response.status_code in (200, 302), response.content.decode()[:2000]
    assert write.state(world) != before


def _forms(html: str) -> list[str]:
    return re.findall(r'<form[^>]*action="([^"]*)"', html)


def test_the_record_under_emergency_access_says_read_only_and_offers_no_form(world):
    _schedule(world)
    _appointment(world)
    # The paper-form links and the stop links are forms' pages: also left out.
    write_links = ("/questionnaires/enter/", "/stop/", "/appointments/add/", "/modules/")

    owner_html = world.http("owner").get(_record(world)).content.decode()
    team_html = world.http("clinician").get(_record(world)).content.decode()

    # The grant ends 60 minutes after it opened: 10:00 on the practice's clock (UTC-5).
    assert "Emergency access until 10:00 — read only." in owner_html
    assert "Emergency access until" not in team_html
    record = _record(world)
    assert [a for a in _forms(owner_html) if a.startswith(record)] == []
    assert not any(link in owner_html for link in write_links)
    assert {a.removeprefix(record) for a in _forms(team_html) if a.startswith(record)} == {
        f"appointments/{Appointment.objects.get().public_id}/status/",
        "appointments/add/",
        "invite/",
        "modules/",
        "questionnaires/schedule/",
        "readiness/modules/",
        "readiness/request/",
        "suitability/",
    }
    assert all(link in team_html for link in write_links)


def test_the_safety_plan_under_emergency_access_offers_no_edit(world):
    path = _record(world) + "safety-plan/"

    owner_html = world.http("owner").get(path).content.decode()
    team_html = world.http("clinician").get(path).content.decode()

    assert "Start the plan" not in owner_html
    assert "Start the plan" in team_html
