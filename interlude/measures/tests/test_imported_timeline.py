"""On the record's timeline an imported answer set says it is history, and a risk answer in it
is flagged as one that raised no alert."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from interlude.consents.access import access_client
from interlude.measures.panels import timeline_questionnaires
from interlude.measures.services import ImportedResponse, imported_responses_add
from interlude.practices.enums import ShareScope
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)


def test_an_imported_risk_answer_shows_as_history_on_the_timeline():
    with time_machine.travel(NOW, tick=False):
        membership, client = clinician_with_client()
        imported_responses_add(
            client=client,
            actor=client.user,
            import_id=uuid.uuid4(),
            source_app="fhir",
            source_file="bundle.json",
            rows=[
                ImportedResponse(
                    key="qr-1",
                    instrument_code="phq9",
                    answers=[1, 1, 1, 1, 1, 1, 1, 1, 3],
                    submitted_at=NOW - timedelta(days=10),
                )
            ],
        )
        care = access_client(
            user=membership.user, client_id=client.public_id, scope=ShareScope.MEASURES
        )
        items = timeline_questionnaires(
            care, since=NOW - timedelta(days=30), until=NOW + timedelta(days=1)
        )

    assert [(i.kind_label, i.title, i.detail, i.flag) for i in items] == [
        (
            "Questionnaire from FHIR Bundle",
            "PHQ-9 11, moderate",
            "Imported history (bundle.json): not compared, no alert raised.",
            "Critical item endorsed in imported history: no alert was raised",
        )
    ]
