"""GET/PUT /api/v1/me/sharing."""

from __future__ import annotations

import json

import pytest
from django.test import Client as HttpClient

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.consents.access import access_client
from interlude.consents.models import ClientPrivacy
from interlude.practices.enums import ShareScope
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db
URL = "/api/v1/me/sharing"
DEFAULTS = {
    "checkins": True,
    "journal": False,
    "worksheets": True,
    "measures": True,
    "imports": True,
    "relaxation": True,
}


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _put(http: HttpClient, body: object):
    return http.put(URL, data=json.dumps(body), content_type="application/json")


def test_get_returns_every_switchable_category():
    _, client = clinician_with_client()

    response = _as(client.user).get(URL)

    assert response.status_code == 200
    assert response.json() == {"categories": DEFAULTS}


def test_put_changes_the_named_categories_and_leaves_the_rest():
    membership, client = clinician_with_client()
    http = _as(client.user)

    response = _put(http, {"categories": {"journal": True, "measures": False}})

    assert response.status_code == 200
    assert response.json() == {"categories": DEFAULTS | {"journal": True, "measures": False}}
    assert http.get(URL).json() == response.json()
    care = access_client(user=membership.user, client_id=client.public_id)
    assert care.hidden_categories() == [ShareScope.MEASURES]
    (event,) = AuditEvent.objects.filter(action=AuditAction.SHARING_CHANGED)
    assert event.detail == {"changes": {"journal": True, "measures": False}, "hidden_from": []}


def test_put_twice_is_the_same_as_once():
    _, client = clinician_with_client()
    http = _as(client.user)

    first = _put(http, {"categories": {"checkins": False}})
    second = _put(http, {"categories": {"checkins": False}})

    assert first.json() == second.json() == {"categories": DEFAULTS | {"checkins": False}}
    assert AuditEvent.objects.filter(action=AuditAction.SHARING_CHANGED).count() == 1


def test_put_unknown_category_is_422_naming_it_and_changes_nothing():
    _, client = clinician_with_client()

    response = _put(_as(client.user), {"categories": {"journal": True, "diary": True}})

    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "payload", "categories", "diary"]
    assert error["type"] == "extra_forbidden"
    assert ClientPrivacy.objects.get(client=client).categories == {}


@pytest.mark.parametrize("value", ["yes", 1, "true", [True]])
def test_put_non_boolean_is_422_naming_the_category(value):
    _, client = clinician_with_client()

    response = _put(_as(client.user), {"categories": {"journal": value}})

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "bool_type",
                "loc": ["body", "payload", "categories", "journal"],
                "msg": "Input should be a valid boolean",
            }
        ]
    }
    assert ClientPrivacy.objects.get(client=client).categories == {}


def test_put_null_is_422_naming_the_category():
    _, client = clinician_with_client()

    response = _put(_as(client.user), {"categories": {"journal": None}})

    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert (error["loc"], error["msg"]) == (
        ["body", "payload", "categories"],
        "Value error, 'journal' must be true or false.",
    )


def test_put_without_categories_is_422():
    _, client = clinician_with_client()

    response = _put(_as(client.user), {"journal": True})

    assert response.status_code == 422
    locs = [e["loc"] for e in response.json()["detail"]]
    assert ["body", "payload", "categories"] in locs


def test_clinician_has_no_sharing_of_their_own():
    membership, _ = clinician_with_client()

    assert _as(membership.user).get(URL).status_code == 404


def test_not_signed_in_is_401():
    assert HttpClient().get(URL).status_code == 401


def test_schema_names_every_category():
    schema = HttpClient().get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]

    assert list(components["SharingCategories"]["properties"]) == list(DEFAULTS)
    assert list(components["SharingCategoriesIn"]["properties"]) == list(DEFAULTS)
    assert components["SharingCategoriesIn"]["additionalProperties"] is False
    put = schema["paths"]["/api/v1/me/sharing"]["put"]
    assert put["summary"] == "Change some of my sharing switches; the others keep their value"
    assert {"200", "422"} <= set(put["responses"])
