"""The benchmark seed (bench/bench_caseload.py) builds onboarded clients whose data the care team
sees: accounts, consent given, sharing chosen (most share everything, a few less), summaries."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
import time_machine

from bench.bench_caseload import seed
from interlude.alerts.models import Alert
from interlude.consents.access import CLIENT_RELATED, Viewer, care_access_for_loaded
from interlude.consents.models import ClientPrivacy, ConsentEvent, ConsentStatus
from interlude.insights.models import ClientSummary
from interlude.measures.models import QuestionnaireDue, QuestionnaireResponse
from interlude.practices.enums import ShareScope
from interlude.practices.models import Client, Membership
from interlude.tracking.models import CheckIn, Observation

pytestmark = pytest.mark.django_db

SCORES = {ShareScope.CHECKINS, ShareScope.MEASURES}


def test_seeded_clients_are_onboarded_and_mostly_share() -> None:
    with time_machine.travel(datetime(2026, 11, 20, 15, 0, tzinfo=UTC), tick=False):
        user, rows = seed(clients=40, years=1, rng=random.Random(20261125))
    membership = Membership.objects.get(user=user)
    clients = list(
        Client.objects.filter(care_team__membership=membership)
        .select_related(*CLIENT_RELATED)
        .order_by("pk")
    )
    assert len(clients) == 40
    assert all(c.user_id is not None for c in clients)
    assert ConsentEvent.objects.filter(client__in=clients).count() == 40
    assert (
        ClientPrivacy.objects.filter(
            client__in=clients, consent_status=ConsentStatus.ACCEPTED, consent_version=1
        ).count()
        == 40
    )
    seen = [
        care_access_for_loaded(client=c, user=user, viewer=Viewer.CARE_TEAM, membership=membership)
        for c in clients
    ]
    everything = [a for a in seen if not a.hidden_categories()]
    nothing = [a for a in seen if not any(a.can_see(cat) for cat in SCORES)]
    no_checkins = [
        a for a in seen if a.can_see(ShareScope.MEASURES) and not a.can_see(ShareScope.CHECKINS)
    ]
    assert (len(everything), len(no_checkins), len(nothing)) == (34, 4, 2)
    # The client the record, brief and report benchmarks read shares everything.
    assert seen[0] in everything
    assert sum(1 for c in clients if c.privacy.modules_off == ["imports"]) == 2
    assert ClientSummary.objects.filter(client__in=clients).count() == 40
    # Rows written as plain tuples read back through the models, encrypted answers included.
    first = QuestionnaireResponse.objects.filter(client=clients[0]).order_by("submitted_at")[0]
    assert len(first.answers) in (7, 9)
    assert sum(first.answers) == first.total
    checkin = CheckIn.objects.filter(client=clients[0]).order_by("recorded_at")[0]
    assert Observation.objects.filter(source_id=str(checkin.public_id)).count() == 3
    assert rows == 5 * 40 + 1 + 2 * 40 + sum(
        model.objects.count()
        for model in (QuestionnaireDue, QuestionnaireResponse, CheckIn, Observation, Alert)
    )
