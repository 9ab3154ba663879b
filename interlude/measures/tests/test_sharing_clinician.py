"""Questionnaire answers reach a care-team clinician only while the client shares questionnaires,
through the gate's CareAccess; scores the care team entered from paper stay visible whatever the
client shares (the consent says so), and a risk answer still raises its alert."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client as HttpClient

from interlude.alerts.models import Alert, AlertKind
from interlude.consents.access import Viewer, care_access_for
from interlude.consents.consent_services import consent_withdraw
from interlude.consents.models import ConsentMethod
from interlude.consents.sharing_services import sharing_update
from interlude.measures.models import EnteredBy, Frequency
from interlude.measures.selectors import response_series, schedule_rows
from interlude.measures.services import response_submit, schedule_create
from interlude.measures.views_clinician import schedules_panel_context
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pair():
    membership, client = clinician_with_client()
    own, _ = response_submit(
        client=client,
        actor=client.user,
        instrument_code="gad7",
        answers=[2] * 7,
        idempotency_key="own",
        submitted_at=datetime(2026, 2, 20, 15, 0, tzinfo=UTC),
    )
    paper, _ = response_submit(
        client=client,
        actor=membership.user,
        instrument_code="phq9",
        answers=[1] * 8 + [0],  # no risk answer: the only alert is the test's own
        idempotency_key="paper",
        entered_by=EnteredBy.CLINICIAN,
        submitted_at=datetime(2026, 2, 23, 15, 0, tzinfo=UTC),
    )
    return membership, client, own, paper


def share(client, **categories: bool) -> None:
    sharing_update(client=client, actor=client.user, categories=categories)


def care_view(membership, client):
    return care_access_for(
        client=client, user=membership.user, viewer=Viewer.CARE_TEAM, membership=membership
    )


def logged_in(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def responses_json(membership, client) -> dict:
    response = logged_in(membership.user).get(f"/api/v1/clients/{client.public_id}/responses")
    assert response.status_code == 200
    return response.json()


def test_the_api_lists_every_answer_while_questionnaires_are_shared(pair):
    membership, client, own, paper = pair

    body = responses_json(membership, client)

    assert (body["shared"], body["not_shared"]) == (True, None)
    assert [(i["id"], i["entered_by"]) for i in body["items"]] == [
        (str(paper.public_id), "clinician"),
        (str(own.public_id), "client"),
    ]


def test_the_api_says_not_shared_and_keeps_only_paper_forms_when_questionnaires_are_off(pair):
    membership, client, own, paper = pair
    share(client, measures=False)

    body = responses_json(membership, client)

    assert body["shared"] is False
    assert body["not_shared"] == f"Not shared by {client.display_name}"
    assert [i["id"] for i in body["items"]] == [str(paper.public_id)]
    assert str(own.public_id) not in str(body)


def test_paper_forms_stay_visible_after_the_client_withdraws_consent(pair):
    membership, client, _, paper = pair
    consent_withdraw(client=client, actor=client.user, method=ConsentMethod.WEB)

    body = responses_json(membership, client)

    assert body["shared"] is False
    assert [i["id"] for i in body["items"]] == [str(paper.public_id)]


def test_the_api_answers_404_to_a_clinician_of_another_practice(pair):
    _, client, _, _ = pair
    stranger, _ = clinician_with_client()

    response = logged_in(stranger.user).get(f"/api/v1/clients/{client.public_id}/responses")

    assert response.status_code == 404


def test_series_for_the_care_team_keep_only_paper_scores_when_questionnaires_are_off(pair):
    membership, client, _, _ = pair
    share(client, measures=False)

    series = response_series(access=care_view(membership, client))

    assert [(s.definition.code, len(s.responses)) for s in series] == [("phq9", 1)]


def test_a_paper_entry_saved_link_never_shows_the_clients_own_answers_when_not_shared(pair):
    membership, client, own, paper = pair
    share(client, measures=False)
    http = logged_in(membership.user)
    base = f"/clinic/clients/{client.public_id}/questionnaires/enter"

    assert http.get(f"{base}/gad7/?saved={own.public_id}").status_code == 404
    assert http.get(f"{base}/phq9/?saved={paper.public_id}").status_code == 200


def test_last_answered_in_the_schedules_counts_only_answers_the_clinician_may_see(pair):
    membership, client, _, _ = pair
    for code in ("gad7", "phq9"):
        schedule_create(
            actor=membership.user, client=client, instrument_code=code, frequency=Frequency.ONCE
        )
    share(client, measures=False)
    care = care_view(membership, client)
    definitions = schedules_panel_context(access=care)["instruments"]

    rows = schedule_rows(access=care, definitions={d.code: d for d in definitions})

    assert {r.schedule.instrument_code: r.last_answered_at for r in rows} == {
        "gad7": None,
        "phq9": datetime(2026, 2, 23, 15, 0, tzinfo=UTC),
    }


def test_a_risk_answer_raises_its_alert_while_questionnaires_are_not_shared(pair):
    _, client, _, _ = pair
    share(client, measures=False)

    response_submit(
        client=client,
        actor=client.user,
        instrument_code="phq9",
        answers=[0] * 8 + [2],
        idempotency_key="risk",
    )

    assert list(Alert.objects.filter(client=client).values_list("kind", flat=True)) == [
        AlertKind.CRITICAL_ITEM
    ]
