"""The SMART `fhirclient` library reads a running server over HTTP with a `read` token."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from fhirclient import client as smart_client
from fhirclient.models.bundle import Bundle
from fhirclient.models.observation import Observation
from fhirclient.models.patient import Patient

from interlude.interop.enums import TokenScope
from interlude.interop.tests.fhir_seed import NOW, seed
from interlude.interop.tokens import token_create

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def smart(live_server):  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=True):
        s = seed()
        _, raw = token_create(
            user=s.client.user,
            client=s.client,
            name="fhirclient",
            scopes=[TokenScope.READ],
            expires_at=NOW + timedelta(days=30),
        )
        app = smart_client.FHIRClient(
            settings={"app_id": "interlude-test", "api_base": f"{live_server.url}/fhir/R4/"}
        )
        app.server.session.headers["Authorization"] = f"Bearer {raw}"
        yield app, s


def test_fhirclient_reads_the_patient(smart):  # type: ignore[no-untyped-def]
    app, s = smart
    patient = Patient.read(str(s.client.public_id), app.server)
    assert patient.id == str(s.client.public_id)
    assert patient.name[0].text == s.client.full_name
    assert patient.identifier[0].value == str(s.client.public_id)


def test_fhirclient_searches_observations(smart):  # type: ignore[no-untyped-def]
    app, s = smart
    bundles = list(
        Observation.where(struct={"patient": str(s.client.public_id), "code": "mood"}).perform_iter(
            app.server
        )
    )
    assert len(bundles) == 1
    bundle = bundles[0]
    assert isinstance(bundle, Bundle)
    assert bundle.total == 2
    values = [e.resource.valueQuantity.value for e in bundle.entry]
    assert values == [4.0, 7.0]
    assert [e.resource.effectiveDateTime.isostring for e in bundle.entry] == [
        "2026-03-01T09:00:00+00:00",
        "2026-03-10T09:00:00+00:00",
    ]
    sleep = Observation.where(
        struct={"patient": str(s.client.public_id), "code": "http://loinc.org|93832-4"}
    ).perform_resources_iter(app.server)
    assert [(o.valueQuantity.value, o.valueQuantity.unit) for o in list(sleep)] == [(7.5, "h")]
    scores = Observation.where(
        struct={"patient": str(s.client.public_id), "code": "http://loinc.org|44261-6"}
    ).perform_resources_iter(app.server)
    assert [(o.valueQuantity.value, o.interpretation[0].text) for o in scores] == [
        (10.0, "Moderate")
    ]
