"""The client's "Apps and devices" page: list, make (shown once), revoke; staff get 404."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client as HttpClient

from interlude.audit.models import AuditAction, AuditEvent
from interlude.interop.models import AccessToken
from interlude.interop.tokens import token_authenticate, token_create
from tests.factories import ClientFactory, MembershipFactory, UserFactory, clinician_with_client

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
URL = "/me/apps/"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def test_make_a_token_shows_it_once():
    client = ClientFactory(user=UserFactory(), time_zone="UTC")
    http = _as(client.user)
    page = http.get(URL)
    assert page.status_code == 200
    assert "You have no tokens yet." in page.content.decode()
    response = http.post(
        URL, {"name": "My watch", "scopes": ["observations:write", "read"], "days": "90"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    token = AccessToken.objects.get(client=client)
    raw = html.split('id="new-token" type="text" readonly value="', 1)[1].split('"', 1)[0]
    assert raw.startswith(f"itk_{token.prefix}_")
    assert token_authenticate(raw=raw, now=NOW) is not None
    assert "Copy this token now." in html
    assert "Keep it private" in html
    assert token.expires_at == NOW + timedelta(days=90)
    assert "Send readings (steps, sleep, mood); Read your data" in html
    assert "Never used" in html
    assert response["Cache-Control"] == "no-store, private"
    again = http.get(URL).content.decode()
    assert raw not in again
    assert token.prefix not in again


def test_form_errors_are_named():
    client = ClientFactory(user=UserFactory())
    response = _as(client.user).post(URL, {"name": "", "days": "7"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Give the token a name" in html
    assert "Choose at least one thing the app or device may do." in html
    assert "Select a valid choice. 7 is not one of the available choices." in html
    assert AccessToken.objects.count() == 0


def test_revoke_with_confirmation():
    client = ClientFactory(user=UserFactory())
    token, raw = token_create(
        user=client.user,
        client=client,
        name="Old phone",
        scopes=["read"],
        expires_at=NOW + timedelta(days=30),
    )
    http = _as(client.user)
    url = f"/me/apps/{token.public_id}/revoke/"
    confirm = http.get(url)
    assert confirm.status_code == 200
    assert "Revoke &ldquo;Old phone&rdquo;?" in confirm.content.decode()
    assert token_authenticate(raw=raw, now=NOW) is not None
    done = http.post(url)
    assert done.status_code == 302 and done["Location"] == URL
    assert token_authenticate(raw=raw, now=NOW) is None
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKED).count() == 1
    assert "Revoked" in http.get(URL).content.decode()
    assert http.get(url).status_code == 404  # nothing left to revoke


def test_someone_elses_token_and_staff_are_404():
    client, other = ClientFactory(user=UserFactory()), ClientFactory(user=UserFactory())
    token, _ = token_create(
        user=client.user, client=client, name="x", scopes=["read"], expires_at=NOW + timedelta(1)
    )
    assert _as(other.user).post(f"/me/apps/{token.public_id}/revoke/").status_code == 404
    assert AccessToken.objects.get().revoked_at is None
    membership, _ = clinician_with_client()
    assert _as(membership.user).get(URL).status_code == 404
    # a client who is also on a practice's team is staff too
    MembershipFactory(user=client.user)
    assert _as(client.user).get(URL).status_code == 404


def test_linked_from_me():
    client = ClientFactory(user=UserFactory())
    html = _as(client.user).get("/me/").content.decode()
    assert f'<a href="{URL}">Apps and devices</a>' in html
