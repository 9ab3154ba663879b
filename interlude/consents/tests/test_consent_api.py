"""The consent API: GET/POST /api/v1/me/consent and POST /api/v1/me/consent/withdraw."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client as HttpClient

from interlude.consents.consent_services import consent_document_current
from interlude.consents.models import ClientPrivacy, ConsentEvent, ConsentStatus
from tests.factories import ClientFactory, PracticeFactory, UserFactory, clinician_with_client

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
URL = "/api/v1/me/consent"


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def pending():
    practice = PracticeFactory(name="Riverside Therapy")
    client = ClientFactory(practice=practice, user=UserFactory(), consent="pending")
    http = HttpClient()
    http.force_login(client.user)
    return client, http


def _post(http: HttpClient, path: str, body: dict | None = None):
    return http.post(path, body or {}, content_type="application/json")


def test_get_answers_the_current_version_and_that_it_is_not_accepted_yet(pending):
    client, http = pending

    response = http.get(URL)

    document = consent_document_current(practice=client.practice)
    assert response.status_code == 200
    assert response.json() == {
        "version": 1,
        "text": document.body,
        "accepted": False,
        "accepted_at": None,
    }


def test_post_accepts_and_answers_the_state(pending):
    client, http = pending
    body = consent_document_current(practice=client.practice).body

    response = _post(http, URL, {"version": 1, "typed_name": "Ana Silva"})

    assert response.status_code == 200
    assert response.json() == {
        "version": 1,
        "text": body,
        "accepted": True,
        "accepted_at": "2026-03-10T14:30:00Z",
    }
    (event,) = ConsentEvent.objects.filter(client=client)
    assert (event.method, event.typed_name) == ("api", "Ana Silva")
    assert http.get(URL).json()["accepted_at"] == "2026-03-10T14:30:00Z"


def test_post_again_is_idempotent(pending, now):
    client, http = pending
    _post(http, URL, {"version": 1, "typed_name": "Ana"})
    now.shift(3600)

    again = _post(http, URL, {"version": 1, "typed_name": "Ana"})

    assert again.status_code == 200
    assert again.json()["accepted_at"] == "2026-03-10T14:30:00Z"
    assert ConsentEvent.objects.filter(client=client).count() == 1


@pytest.mark.parametrize("typed_name", ["", "   "])
def test_a_blank_name_is_a_422_naming_typed_name(pending, typed_name):
    client, http = pending

    response = _post(http, URL, {"version": 1, "typed_name": typed_name})

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "payload", "typed_name"],
                "msg": "Type your name to show that you agree, for example the name you go by.",
                "type": "value_error",
            }
        ]
    }
    assert ConsentEvent.objects.filter(client=client).count() == 0


def test_a_missing_name_is_a_422_naming_typed_name(pending):
    _, http = pending

    response = _post(http, URL, {"version": 1})

    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "payload", "typed_name"]]


def test_a_version_that_is_not_current_is_a_422_naming_version(pending):
    client, http = pending

    response = _post(http, URL, {"version": 2, "typed_name": "Ana"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "payload", "version"]
    assert ClientPrivacy.objects.get(client=client).consent_status == ConsentStatus.PENDING


def test_withdraw_then_accept_again(pending):
    client, http = pending
    _post(http, URL, {"version": 1, "typed_name": "Ana"})

    response = _post(http, f"{URL}/withdraw")

    assert response.status_code == 200
    assert (response.json()["accepted"], response.json()["accepted_at"]) == (False, None)
    assert ClientPrivacy.objects.get(client=client).consent_status == ConsentStatus.WITHDRAWN
    assert _post(http, URL, {"version": 1, "typed_name": "Ana"}).json()["accepted"] is True
    assert list(
        ConsentEvent.objects.filter(client=client).order_by("id").values_list("kind", "method")
    ) == [("accepted", "api"), ("withdrawn", "api"), ("accepted", "api")]


def test_someone_without_a_client_profile_gets_404():
    membership, _ = clinician_with_client()
    http = HttpClient()
    http.force_login(membership.user)

    assert http.get(URL).status_code == 404
    assert _post(http, URL, {"version": 1, "typed_name": "X"}).status_code == 404
    assert _post(http, f"{URL}/withdraw").status_code == 404


def test_not_signed_in_gets_401():
    assert HttpClient().get(URL).status_code == 401
