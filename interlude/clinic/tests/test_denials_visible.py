"""Refusals are recorded where the people concerned can see them."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from interlude.audit.enums import AuditAction, AuditOutcome
from interlude.audit.models import AuditEvent
from tests.factories import MembershipFactory, UserFactory, clinician_with_client

pytestmark = pytest.mark.django_db


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def test_a_refused_read_by_another_practice_shows_in_the_clients_access_history():
    _, client = clinician_with_client()
    stranger = MembershipFactory(user=UserFactory(full_name="Dr Quinn Stranger", mfa_exempt=True))

    response = _as(stranger.user).get(f"/clinic/clients/{client.public_id}/")
    assert response.status_code == 404

    event = AuditEvent.objects.get(action=AuditAction.CLIENT_ACCESS_DENIED)
    assert (event.client_id, event.practice_id, event.outcome) == (
        client.pk,
        client.practice_id,
        AuditOutcome.DENIED,
    )
    # The client learns that someone outside their care team tried, not who works where.
    page = _as(client.user).get("/me/who-has-seen/").content.decode()
    assert "Dr Quinn Stranger" not in page
    assert "Someone outside your care team (refused)" in page


def test_an_unknown_client_id_is_refused_without_naming_anyone():
    membership, _ = clinician_with_client()

    response = _as(membership.user).get("/clinic/clients/00000000-0000-4000-8000-000000000000/")

    assert response.status_code == 404
    event = AuditEvent.objects.get(action=AuditAction.CLIENT_ACCESS_DENIED)
    assert event.client_id is None
    assert event.object_id == "00000000-0000-4000-8000-000000000000"


def test_a_client_opening_a_clinician_page_is_refused_and_recorded():
    _, client = clinician_with_client()

    response = _as(client.user).get("/clinic/")

    assert response.status_code == 404
    event = AuditEvent.objects.get(action=AuditAction.ROUTE_ACCESS_DENIED)
    assert (event.actor_id, event.object_id, event.detail) == (
        client.user.pk,
        "clinic/",
        {"rule": "clinician"},
    )


def test_the_api_answers_json_403_when_a_clinician_has_no_second_factor():
    membership, client = clinician_with_client(mfa_exempt=False)

    for path in ("/api/v1/clients", f"/api/v1/clients/{client.public_id}"):
        response = _as(membership.user).get(path)
        assert response.status_code == 403, path
        assert response.json() == {
            "detail": "Two-step verification must be set up before reading client data."
        }
        assert client.full_name not in response.content.decode()
