"""The safety plan and appointments are never hidden from the care team, whatever the client
shares and even after they withdraw consent (the consent says so): the selectors still read
through the gate's CareAccess, whose rule keeps them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from interlude.care.selectors import appointment_list
from interlude.care.services import appointment_create, safety_plan_save
from interlude.care.tests.conftest import logged_in
from interlude.consents.access import Viewer, care_access_for
from interlude.consents.consent_services import consent_withdraw
from interlude.consents.models import ConsentMethod
from interlude.consents.rules import SWITCHABLE
from interlude.consents.sharing_services import sharing_update

pytestmark = pytest.mark.django_db

PLAN_CANARY = "CANARY-reason-8b1e: my dog, Pepper"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime(2026, 3, 2, 15, 0, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def nothing_shared(client):
    safety_plan_save(
        client=client,
        actor=client.user,
        content={"reasons_for_living": [PLAN_CANARY]},
        base_version=0,
    )
    sharing_update(
        client=client, actor=client.user, categories={c.value: False for c in SWITCHABLE}
    )
    return client


@pytest.mark.parametrize("withdrawn", [False, True], ids=["everything off", "consent withdrawn"])
def test_the_care_team_sees_the_safety_plan_page_and_api(nothing_shared, clinician, withdrawn):
    client = nothing_shared
    if withdrawn:
        consent_withdraw(client=client, actor=client.user, method=ConsentMethod.WEB)
    http = logged_in(clinician.user)

    page = http.get(f"/clinic/clients/{client.public_id}/safety-plan/")
    api = http.get(f"/api/v1/safety-plan?client_id={client.public_id}")

    assert page.status_code == 200
    assert PLAN_CANARY in page.content.decode()
    assert "Not shared by" not in page.content.decode()
    assert api.status_code == 200
    assert api.json()["content"]["reasons_for_living"] == [PLAN_CANARY]


def test_the_care_team_sees_appointments_after_consent_is_withdrawn(nothing_shared, clinician):
    client = nothing_shared
    appointment_create(
        actor=clinician.user,
        client=client,
        clinician=clinician,
        starts_at=datetime(2026, 3, 9, 15, 0, tzinfo=UTC),
    )
    consent_withdraw(client=client, actor=client.user, method=ConsentMethod.WEB)
    care = care_access_for(
        client=client, user=clinician.user, viewer=Viewer.CARE_TEAM, membership=clinician
    )

    assert [a.starts_at for a in appointment_list(access=care)] == [
        datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
    ]
