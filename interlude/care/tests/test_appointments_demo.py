"""The demo seed fills how and where the demo sessions happen and books one in the coming days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from interlude.care.demo import DEMO_ADDRESS, seed_demo_appointment_logistics
from interlude.care.models import Appointment
from interlude.care.services import appointment_create
from tests.factories import CareTeamMemberFactory, ClientFactory, UserFactory, clinician_with_client

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
def test_the_seed_fills_logistics_adds_a_session_soon_and_is_idempotent():
    membership, first = clinician_with_client()
    second = ClientFactory(practice=membership.practice, user=UserFactory())
    CareTeamMemberFactory(client=second, membership=membership)
    appointment_create(
        actor=membership.user,
        client=first,
        clinician=membership,
        starts_at=NOW + timedelta(days=2),
    )

    assert seed_demo_appointment_logistics(practice=membership.practice) == 2
    assert seed_demo_appointment_logistics(practice=membership.practice) == 0

    mine = Appointment.objects.get(client=first)
    assert (mine.modality, mine.location) == ("in_person", DEMO_ADDRESS)
    added = Appointment.objects.get(client=second)
    assert added.modality == "video"
    assert added.join_url == "https://meet.example.org/interlude-demo-2"
    assert added.starts_at == datetime(2026, 3, 5, 15, 0, tzinfo=UTC)  # 10:00 in New York
