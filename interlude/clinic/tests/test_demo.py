"""The demo seeder: idempotent, realistic, and never in production."""

from __future__ import annotations

import pytest
from django.test import override_settings

from interlude.clinic.demo import demo_seed
from interlude.core.errors import ApplicationError
from interlude.practices.models import Client, Practice
from interlude.tracking.models import CheckIn, Observation

pytestmark = pytest.mark.django_db


def test_seeding_twice_creates_nothing_the_second_time():
    first = demo_seed()
    counts = (Client.objects.count(), CheckIn.objects.count(), Observation.objects.count())
    second = demo_seed()

    assert first == {"users": 9, "practices": 2, "clients": 7}
    assert second == {"users": 0, "practices": 0, "clients": 0}
    assert (Client.objects.count(), CheckIn.objects.count(), Observation.objects.count()) == counts


def test_demo_clients_have_months_of_check_ins_with_gaps():
    demo_seed()
    jordan = Client.objects.get(full_name="Jordan Ellis")
    live = CheckIn.objects.filter(client=jordan).exclude(source="import")
    days = {c.recorded_at.date() for c in live}
    imported = CheckIn.objects.filter(client=jordan, source="import")
    first_live = min(days)

    assert 80 <= len(days) < 120  # most days, not all: gaps are normal
    # Two months of Daylio history from before Interlude, brought in by the importer.
    assert imported.count() == 51
    assert set(imported.values_list("source_app", flat=True)) == {"daylio"}
    assert all(c.recorded_at.date() < first_live for c in imported)
    assert CheckIn.objects.filter(client=Client.objects.get(full_name="Daniel Okafor")).count() == 0
    assert Practice.objects.get(name="Harbour Counselling").clients.count() == 1


def test_demo_clients_have_worksheets_relaxation_and_reading():
    from interlude.exercises.models import (
        ArticleRead,
        ExposurePractice,
        JournalEntry,
        RelaxationSession,
        ThoughtRecord,
    )

    demo_seed()
    jordan = Client.objects.get(full_name="Jordan Ellis")
    assert ThoughtRecord.objects.filter(client=jordan, is_complete=True).count() == 3
    assert ExposurePractice.objects.filter(client=jordan).count() == 6
    assert RelaxationSession.objects.filter(client=jordan).count() == 24
    assert ArticleRead.objects.filter(client=jordan).count() == 4
    from interlude.care.models import SafetyPlanVersion

    versions = SafetyPlanVersion.objects.filter(client=jordan).order_by("version")
    assert [(v.version, v.created_by.email) for v in versions] == [
        (1, "client@demo.interlude.test"),
        (2, "therapist@demo.interlude.test"),
    ]
    shared = JournalEntry.objects.filter(client=jordan, shared_at__isnull=False)
    assert [e.title for e in shared] == ["A better week"]


@override_settings(DEMO_ENABLED=False)
def test_demo_data_is_refused_when_demo_is_disabled():
    with pytest.raises(ApplicationError, match="disabled in production"):
        demo_seed()
    assert Practice.objects.count() == 0


def test_demo_has_a_suggested_app_readiness_answers_and_a_suitability_note():
    from interlude.catalog.models import ReadinessCheck, Recommendation, SuitabilityNote

    demo_seed()
    demo_seed()
    jordan = Client.objects.get(full_name="Jordan Ellis")
    sam = Client.objects.get(full_name="Samira Haddad")

    assert [r.app.slug for r in Recommendation.objects.filter(client=jordan)] == ["daylio"]
    assert [(c.status, c.eheals_total) for c in ReadinessCheck.objects.filter(client=jordan)] == [
        ("submitted", 27)
    ]
    assert SuitabilityNote.objects.filter(client=jordan).count() == 1
    assert [(c.status, c.eheals_total) for c in ReadinessCheck.objects.filter(client=sam)] == [
        ("requested", None)
    ]
