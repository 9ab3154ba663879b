"""GET /api/v1/catalog/apps: the caller's practice catalog with the page's filters, 422 naming a
bad filter, 404 for anyone who is not staff of a practice (a client, a client's token)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from interlude.catalog.tests.test_catalog_helpers import NOW, clear_catalog, make_app
from interlude.interop.enums import TokenScope
from interlude.interop.tokens import token_create
from interlude.practices.enums import Role
from tests.factories import MembershipFactory, PracticeFactory, UserFactory, clinician_with_client

pytestmark = pytest.mark.django_db
URL = "/api/v1/catalog/apps"


@pytest.fixture(autouse=True)
def _only_our_rows(db):
    clear_catalog()
    with time_machine.travel(NOW, tick=False):
        yield


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


@pytest.fixture
def staff():
    m = MembershipFactory(user=UserFactory(mfa_exempt=True))
    starter = make_app(
        name="Sleepwell",
        summary="Sleep coach.",
        answers={"goals": ["sleep"], "platforms": ["ios"], "cost": "subscription"},
        importer="apple_health",
        reviewed_on=date(2024, 12, 1),
    )
    make_app(name="Moodnotes", practice=m.practice, answers={"goals": ["mood"]})
    make_app(name="Elsewhere", practice=PracticeFactory())
    return m, starter


def test_lists_the_practices_catalog_with_every_field(staff):
    membership, starter = staff

    response = _as(membership.user).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert [a["name"] for a in body] == ["Moodnotes", "Sleepwell"]
    assert body[1] == {
        "id": str(starter.public_id),
        "slug": "sleepwell",
        "name": "Sleepwell",
        "website": "https://sleepwell.example.org",
        "summary": "Sleep coach.",
        "importer": "apple_health",
        "importable": True,
        "available": True,
        "platforms": ["ios"],
        "cost": "subscription",
        "goals": ["sleep"],
        "evidence": "unknown",
        "privacy": "unknown",
        "reviewed_on": "2024-12-01",
        "review_due": True,
        "starter": True,
    }
    assert (body[0]["starter"], body[0]["review_due"], body[0]["importable"]) == (
        False,
        False,
        False,
    )


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("goal=sleep", ["Sleepwell"]),
        ("goal=mood", ["Moodnotes"]),
        ("importable=true", ["Sleepwell"]),
        ("importable=false", ["Moodnotes"]),
        ("platform=ios&cost=subscription", ["Sleepwell"]),
        ("q=coach", ["Sleepwell"]),
        ("privacy=clear", []),
    ],
)
def test_filters_as_query_parameters(staff, query, names):
    membership, _ = staff

    body = _as(membership.user).get(f"{URL}?{query}").json()

    assert [a["name"] for a in body] == names


@pytest.mark.parametrize(
    ("query", "field", "msg"),
    [
        (
            "goal=bliss",
            "goal",
            "'bliss' is not a goal filter: use one of mood, low_mood, anxiety, sleep, "
            "relaxation, trauma, symptoms, cbt_skills, safety, habits.",
        ),
        (
            "include_unavailable=sometimes",
            "include_unavailable",
            "'sometimes' is not a yes or no value for include_unavailable: use true or false.",
        ),
    ],
)
def test_a_bad_filter_value_is_a_422_naming_it(staff, query, field, msg):
    membership, _ = staff

    response = _as(membership.user).get(f"{URL}?{query}")

    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"loc": ["query", field], "msg": msg, "type": "value_error"}]
    }


def test_a_practice_admin_may_read_the_catalog(staff):
    membership, _ = staff
    admin = MembershipFactory(
        practice=membership.practice, role=Role.ADMIN, user=UserFactory(mfa_exempt=True)
    )

    assert [a["name"] for a in _as(admin.user).get(URL).json()] == ["Moodnotes", "Sleepwell"]


def test_a_client_and_a_clients_token_get_404_and_nobody_signed_in_401(staff):
    _, client = clinician_with_client()
    _, raw = token_create(
        user=client.user,
        client=client,
        name="phone",
        scopes=[TokenScope.READ],
        expires_at=NOW + timedelta(days=30),
    )

    assert _as(client.user).get(URL).status_code == 404
    assert HttpClient().get(URL, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 404
    assert HttpClient().get(URL).status_code == 401


def test_the_list_takes_the_same_number_of_queries_as_the_catalog_grows(staff):
    membership, _ = staff
    http = _as(membership.user)
    http.get(URL)
    with CaptureQueriesContext(connection) as few:
        http.get(URL)
    for n in range(12):
        make_app(name=f"App {n}", answers={"goals": ["mood"]})
    with CaptureQueriesContext(connection) as many:
        assert len(http.get(URL).json()) == 14

    assert len(many) == len(few)
