"""A client with check-ins, an imported steps point, a PHQ-9, a treatment plan with goals, consent
and messages, for the FHIR tests. Not a test module."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from interlude.care.plan_services import goal_create, problem_create
from interlude.consents.access import access_client
from interlude.consents.models import ClientPrivacy
from interlude.measures.models import QuestionnaireResponse
from interlude.measures.services import response_submit
from interlude.messaging.models import Side
from interlude.messaging.services import message_send
from interlude.practices.enums import ShareScope
from interlude.practices.models import Client, Membership
from interlude.tracking.models import ObservationKind, ObservationSource
from interlude.tracking.services import CheckInValues, checkin_create, observations_replace
from tests.factories import clinician_with_client

NOW = datetime(2026, 3, 18, 15, 0, tzinfo=UTC)


@dataclass
class Seeded:
    membership: Membership
    client: Client
    phq9: QuestionnaireResponse


def seed(*, practice=None) -> Seeded:  # type: ignore[no-untyped-def]
    membership, client = clinician_with_client(practice=practice)
    user = client.user
    assert user is not None
    checkin_create(
        client=client,
        actor=user,
        values=CheckInValues(mood=4, anxiety=6, energy=5, sleep_hours=7.5),
        idempotency_key="c1",
        recorded_at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
    )
    checkin_create(
        client=client,
        actor=user,
        values=CheckInValues(mood=7),
        idempotency_key="c2",
        recorded_at=datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
    )
    observations_replace(
        client=client,
        actor=user,
        source=ObservationSource.IMPORT,
        source_type="interop.apple_health",
        source_id=f"steps-2026-03-05-{client.public_id}",
        effective_at=datetime(2026, 3, 5, 12, 0, tzinfo=UTC),
        time_zone=client.time_zone,
        values={ObservationKind.STEPS: 8042},
    )
    phq9, _ = response_submit(
        client=client,
        actor=user,
        instrument_code="phq9",
        answers=[2, 2, 1, 1, 1, 1, 1, 1, 0],
        idempotency_key="p1",
        submitted_at=datetime(2026, 3, 12, 10, 0, tzinfo=UTC),
    )
    care = access_client(
        user=membership.user,
        client_id=client.public_id,
        scope=ShareScope.CARE_RECORD,
        for_write=True,
    )
    problem = problem_create(care=care, title="Low mood", description="Since the move")
    goal_create(
        care=care,
        description="Back to choir",
        problem=problem,
        instrument_code="phq9",
        target_direction="below",
        target_value=10,
    )
    goal_create(care=care, description="Walk three times a week")
    message_send(
        client=client, sender=user, by=Side.CLIENT, body="Slept badly", idempotency_key="m1"
    )
    message_send(
        client=client,
        sender=membership.user,
        by=Side.CARE_TEAM,
        body="Thanks for telling me",
        idempotency_key="m2",
    )
    return Seeded(membership=membership, client=client, phq9=phq9)


def share(client: Client, category: ShareScope, on: bool) -> None:
    privacy = ClientPrivacy.objects.get(client=client)
    privacy.categories = {**privacy.categories, category.value: on}
    privacy.save()


def _unused() -> timedelta:  # pragma: no cover
    return timedelta(0)
