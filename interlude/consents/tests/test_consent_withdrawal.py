"""Withdrawal: the care team loses access to old and new data, except what the consent says is
kept (risk alerts, the safety plan, what clinicians recorded themselves), from their next request;
giving consent again brings the shared categories back (SR-14)."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from interlude.alerts.models import Alert, AlertKind
from interlude.care.services import safety_plan_save
from interlude.consents import rules
from interlude.consents.access import Category, access_client
from interlude.consents.consent_services import (
    consent_accept,
    consent_document_current,
    consent_withdraw,
)
from interlude.consents.models import ClientPrivacy
from interlude.measures.models import EnteredBy, QuestionnaireResponse
from interlude.measures.services import response_submit
from interlude.tracking.models import CheckIn
from interlude.tracking.selectors_care_team import checkins_for_care_team
from interlude.tracking.services import CheckInValues, checkin_create
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db

ALL_ON = {c.value: True for c in rules.SWITCHABLE}


def _http(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _checkin(client, note: str, key: str, mood: int) -> CheckIn:
    checkin, _ = checkin_create(
        client=client,
        actor=client.user,
        values=CheckInValues(mood=mood, note=note, note_shared=True),
        idempotency_key=key,
    )
    return checkin


@pytest.fixture
def record():
    membership, client = clinician_with_client()
    ClientPrivacy.objects.filter(client=client).update(categories=ALL_ON)
    consent_document_current(practice=client.practice)
    _checkin(client, "OLD-NOTE-canary", "old", mood=3)
    safety_plan_save(
        client=client,
        actor=client.user,
        content={"warning_signs": ["PLAN-canary"]},
        base_version=0,
    )
    risky, _ = response_submit(
        client=client,
        actor=client.user,
        instrument_code="phq9",
        answers=[1, 1, 1, 1, 1, 1, 1, 1, 1],
        idempotency_key="risk",
    )
    alert = Alert.objects.get(response=risky, kind=AlertKind.CRITICAL_ITEM)
    paper, _ = response_submit(
        client=client,
        actor=membership.user,
        instrument_code="gad7",
        answers=[2, 2, 2, 2, 2, 2, 2],
        idempotency_key="paper",
        entered_by=EnteredBy.CLINICIAN,
    )
    return membership, client, alert, risky, paper


def test_before_withdrawal_the_care_team_sees_what_is_shared(record):
    membership, client, _, risky, paper = record

    care = access_client(user=membership.user, client_id=client.public_id)

    assert care.hidden_categories() == []
    assert care.scope(CheckIn.objects.all(), Category.CHECKINS).count() == 1
    assert set(care.scope(QuestionnaireResponse.objects.all(), Category.MEASURES)) == {
        risky,
        paper,
    }
    assert [c.mood for c in checkins_for_care_team(access=care)] == [3]  # type: ignore[union-attr]
    page = _http(membership.user).get(f"/clinic/clients/{client.public_id}/").content.decode()
    assert "OLD-NOTE-canary" in page


def test_withdrawal_hides_old_and_new_data_and_keeps_what_the_consent_says(record):
    membership, client, alert, _, paper = record

    consent_withdraw(client=client, actor=client.user, method="web")
    _checkin(client, "NEW-NOTE-canary", "new", mood=2)
    care = access_client(user=membership.user, client_id=client.public_id)

    # Every category the client shares is hidden, old rows and new alike...
    assert care.hidden_categories() == list(rules.SWITCHABLE)
    assert care.scope(CheckIn.objects.all(), Category.CHECKINS).count() == 0
    assert care.scope(CheckIn.objects.all(), Category.JOURNAL).count() == 0
    assert getattr(checkins_for_care_team(access=care), "not_shared", False) is True
    # ...except what never hides: scores the clinician entered from paper, the safety plan, risk.
    assert list(care.scope(QuestionnaireResponse.objects.all(), Category.MEASURES)) == [paper]
    assert [care.can_see(c) for c in sorted(rules.ALWAYS_VISIBLE)] == [True] * 7

    http = _http(membership.user)
    page = http.get(f"/clinic/clients/{client.public_id}/").content.decode()
    assert "OLD-NOTE-canary" not in page
    assert "NEW-NOTE-canary" not in page
    plan = http.get(f"/clinic/clients/{client.public_id}/safety-plan/").content.decode()
    assert "PLAN-canary" in plan
    inbox = http.get("/clinic/alerts/").content.decode()
    assert f'id="alert-{alert.public_id}"' in inbox


def test_giving_consent_again_brings_shared_data_back_on_the_next_request(record):
    membership, client, *_ = record
    consent_withdraw(client=client, actor=client.user, method="web")
    _checkin(client, "NEW-NOTE-canary", "new", mood=2)

    consent_accept(client=client, actor=client.user, version=1, typed_name="Me", method="web")

    care = access_client(user=membership.user, client_id=client.public_id)
    assert care.hidden_categories() == []
    assert care.scope(CheckIn.objects.all(), Category.CHECKINS).count() == 2
    page = _http(membership.user).get(f"/clinic/clients/{client.public_id}/").content.decode()
    assert "OLD-NOTE-canary" in page
    assert "NEW-NOTE-canary" in page
