"""The client's download carries the apps their therapist suggested (with the reason), their
readiness answers and the notes on what suits them, in their time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from interlude.catalog.models import CatalogApp, ReadinessCheck, Recommendation, SuitabilityNote
from interlude.consents.access import access_own
from interlude.rights.selectors import export_section_rows
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)  # 26 Nov after midnight in Berlin


@pytest.fixture
def world():
    membership, client = clinician_with_client()
    client.time_zone = "Europe/Berlin"
    client.save()
    membership.user.full_name = "Dr Ann Okafor"
    membership.user.save()
    who = {
        "practice": client.practice,
        "client": client,
        "created_by": membership.user,
        "updated_by": membership.user,
    }
    with time_machine.travel(NOW, tick=False):
        app = CatalogApp.objects.create(
            slug="sleep-diary", name="Sleep Diary", website="https://sleep.example/"
        )
        rec = Recommendation.objects.create(
            **who, app=app, reason="For the sleep window we agreed", recommended_by=membership
        )
        check = ReadinessCheck.objects.create(
            **who,
            requested_by=membership,
            status="submitted",
            submitted_at=NOW,
            answers={"devices": ["smartphone"], "reminders": "few"},
            eheals_answers=[4, 4, 3, 3, 4, 4, 3, 5],
            eheals_total=30,
        )
        note = SuitabilityNote.objects.create(
            **who, text="Prefers paper for worksheets", author=membership
        )
    return client, rec, check, note


def test_recommendations_readiness_and_notes_are_in_the_download(world):
    client, rec, check, note = world
    care = access_own(user=client.user)

    assert export_section_rows(care=care, key="app_recommendations") == [
        {
            "id": str(rec.public_id),
            "app": "Sleep Diary",
            "website": "https://sleep.example/",
            "reason": "For the sleep window we agreed",
            "recommended_at": "2026-11-26T00:30:00+01:00",
            "local_day": "2026-11-26",
            "recommended_by": "Dr Ann Okafor",
            "homework": False,
            "withdrawn_at": "",
        }
    ]
    assert export_section_rows(care=care, key="readiness") == [
        {
            "id": str(check.public_id),
            "asked_at": "2026-11-26T00:30:00+01:00",
            "asked_by": "Dr Ann Okafor",
            "status": "Answered",
            "answered_at": "2026-11-26T00:30:00+01:00",
            "answers": {"devices": ["smartphone"], "reminders": "few"},
            "eheals_answers": [4, 4, 3, 3, 4, 4, 3, 5],
            "eheals_total": 30,
        }
    ]
    assert export_section_rows(care=care, key="suitability_notes") == [
        {
            "id": str(note.public_id),
            "written_at": "2026-11-26T00:30:00+01:00",
            "local_day": "2026-11-26",
            "written_by": "Dr Ann Okafor",
            "note": "Prefers paper for worksheets",
            "removed_at": "",
        }
    ]
