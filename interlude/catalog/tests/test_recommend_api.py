"""POST/GET /api/v1/clients/{id}/recommendations (care team) and GET /api/v1/me/recommendations
(the client, by session or by a token with the read scope)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client as HttpClient
from django.utils import timezone

from interlude.catalog.models import Recommendation
from interlude.catalog.tests.test_recommend_helpers import KNOWN, make_app, recommend
from interlude.consents.modules_services import client_modules_set
from interlude.homework.models import Assignment
from interlude.interop.tokens import token_create
from tests.factories import PracticeFactory, clinician_with_client

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)
REASON = "It makes noticing your mood a two-second habit."


@pytest.fixture
def pair():
    with time_machine.travel(NOW, tick=False):
        yield clinician_with_client()


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _url(client) -> str:
    return f"/api/v1/clients/{client.public_id}/recommendations"


def _post(http: HttpClient, client, body: dict, **headers):
    return http.post(
        _url(client), data=json.dumps(body), content_type="application/json", headers=headers
    )


def _body(app, **extra) -> dict:
    return {"app_id": str(app.public_id), "reason": REASON, **extra}


def _loc(response) -> list:
    return [d["loc"] for d in response.json()["detail"]]


def test_recommending_answers_201_with_the_recommendation(pair):
    membership, client = pair
    app = make_app()

    response = _post(_as(membership.user), client, _body(app))

    assert response.status_code == 201
    rec = Recommendation.objects.get()
    assert response.json() == {
        "id": str(rec.public_id),
        "app": {"id": str(app.public_id), "name": "Moodlog"},
        "reason": REASON,
        "created_at": "2026-03-11T15:00:00Z",
        "assignment_id": None,
    }


def test_recommending_as_homework_returns_the_assignment(pair):
    membership, client = pair
    body = _body(
        make_app(), homework={"schedule": "weekly", "times_per_week": 3, "until": "2026-04-08"}
    )
    response = _post(_as(membership.user), client, body)
    assert response.status_code == 201
    a = Assignment.objects.get()
    assert response.json()["assignment_id"] == str(a.public_id)
    assert (a.tool_kind, a.title, a.times_per_week, a.catalog_app_id) == (
        "app",
        "Try Moodlog",
        3,
        Recommendation.objects.get().app_id,
    )


def test_another_practices_client_is_not_found(pair):
    membership, _ = pair
    _, stranger = clinician_with_client(practice=PracticeFactory())
    response = _post(_as(membership.user), stranger, _body(make_app()))
    assert response.status_code == 404
    assert not Recommendation.objects.exists()


def test_another_practices_app_is_not_found(pair):
    membership, client = pair
    theirs = make_app(practice=PracticeFactory(), slug="theirs")
    response = _post(_as(membership.user), client, _body(theirs))
    assert response.status_code == 404
    assert not Recommendation.objects.exists()


def test_a_colleagues_client_is_not_found(pair):
    membership, client = pair
    _, colleagues = clinician_with_client(practice=client.practice)
    assert _post(_as(membership.user), colleagues, _body(make_app())).status_code == 404


@pytest.mark.parametrize(
    ("extra", "loc", "msg"),
    [
        (
            {"reason": ""},
            ["body", "payload", "reason"],
            "Say why you recommend this app, in your words. The client reads this.",
        ),
        (
            {"reason": "x" * 1001},
            ["body", "payload", "reason"],
            "Keep the reason to 1,000 characters or fewer.",
        ),
        (
            {"homework": {"schedule": "weekly", "times_per_week": 0, "until": "2026-04-08"}},
            ["body", "payload", "homework", "times_per_week"],
            "Choose from 1 to 7 times a week.",
        ),
        (
            {"homework": {"schedule": "once"}},
            ["body", "payload", "homework", "due_on"],
            "Enter the date it is due.",
        ),
    ],
)
def test_422_names_the_field(pair, extra, loc, msg):
    membership, client = pair
    response = _post(_as(membership.user), client, {**_body(make_app()), **extra})
    assert response.status_code == 422
    assert response.json()["detail"] == [{"loc": loc, "msg": msg, "type": "value_error"}]
    assert not Recommendation.objects.exists()
    assert not Assignment.objects.exists()


def test_422_for_a_missing_field_and_a_bad_schedule_from_the_schema(pair):
    membership, client = pair
    http = _as(membership.user)
    missing = _post(http, client, {"app_id": str(make_app().public_id)})
    assert missing.status_code == 422
    assert _loc(missing) == [["body", "payload", "reason"]]
    bad = _post(http, client, _body(make_app(slug="b"), homework={"schedule": "daily"}))
    assert bad.status_code == 422
    assert _loc(bad) == [["body", "payload", "homework", "schedule"]]


def test_422_for_an_archived_app_and_for_homework_switched_off(pair):
    membership, client = pair
    http = _as(membership.user)
    archived = make_app(
        practice=client.practice, slug="old", name="Oldapp", archived_at=timezone.now()
    )
    response = _post(http, client, _body(archived))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "payload", "app_id"]

    client_modules_set(client=client, actor=membership.user, modules_off=["homework"])
    response = _post(
        http, client, _body(make_app(), homework={"schedule": "once", "due_on": "2026-03-18"})
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "payload", "homework"]


def test_a_duplicate_open_recommendation_is_409(pair):
    membership, client = pair
    app = make_app()
    http = _as(membership.user)
    assert _post(http, client, _body(app)).status_code == 201
    response = _post(http, client, _body(app, reason="Again"))
    assert response.status_code == 409
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "payload", "app_id"],
                "msg": "You already recommended Moodlog to this client on 11 March 2026. "
                "Withdraw that recommendation first to recommend it again.",
                "type": "value_error",
            }
        ]
    }
    assert Recommendation.objects.count() == 1


def test_the_care_team_lists_open_recommendations(pair):
    membership, client = pair
    membership.user.full_name = "Dr Sam Lee"
    membership.user.save(update_fields=["full_name"])
    rec = recommend(membership, client, make_app())
    response = _as(membership.user).get(_url(client))
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": str(rec.public_id),
            "app": {"id": str(rec.app.public_id), "name": "Moodlog"},
            "reason": REASON,
            "created_at": "2026-03-11T15:00:00Z",
            "assignment_id": None,
            "recommended_by": "Dr Sam Lee",
            "seen_at": None,
        }
    ]
    _, stranger = clinician_with_client(practice=PracticeFactory())
    assert _as(membership.user).get(_url(stranger)).status_code == 404


def test_the_client_reads_theirs_with_the_privacy_summary(pair):
    membership, client = pair
    membership.user.full_name = "Dr Sam Lee"
    membership.user.save(update_fields=["full_name"])
    rec = recommend(membership, client, make_app(answers=KNOWN, importer="daylio"))

    response = _as(client.user).get("/api/v1/me/recommendations")

    assert response.status_code == 200
    [item] = response.json()
    assert item == {
        "id": str(rec.public_id),
        "app": {
            "id": str(rec.app.public_id),
            "name": "Moodlog",
            "website": "https://moodlog.example.org/",
            "summary": "A mood diary with a tap a day.",
            "cost": "freemium",
            "platforms": ["ios", "android"],
            "goals": ["mood", "habits"],
            "importer": "daylio",
        },
        "reason": REASON,
        "recommended_by": "Dr Sam Lee",
        "created_at": "2026-03-11T15:00:00Z",
        "assignment_id": None,
        "seen_at": None,
        "privacy_summary": [
            "You can read its privacy policy before you sign up.",
            "We found no sign that it sells your data or uses it for advertising.",
            "You can delete your data from it.",
            "You can use it without creating an account.",
            "Where your data is kept: On your phone, with an optional backup to your own "
            "cloud account.",
            "It does not point to crisis help. Your safety plan is always in Interlude.",
            "We last checked this in February 2026.",
        ],
    }
    rec.refresh_from_db()
    assert rec.seen_at is None  # reading the API is not opening the page


def test_a_client_token_with_read_may_read_but_never_recommend(pair):
    membership, client = pair
    recommend(membership, client, make_app())
    _, raw = token_create(
        user=client.user,
        client=client,
        name="My phone",
        scopes=["read"],
        expires_at=NOW + timedelta(days=30),
    )
    http = HttpClient()
    auth = {"Authorization": f"Bearer {raw}"}
    response = http.get("/api/v1/me/recommendations", headers=auth)
    assert response.status_code == 200
    assert [r["app"]["name"] for r in response.json()] == ["Moodlog"]

    refused = _post(http, client, _body(make_app(slug="x")), **auth)
    assert refused.status_code == 403
    assert Recommendation.objects.count() == 1


def test_a_client_cannot_recommend_to_themselves_by_session(pair):
    _, client = pair
    response = _post(_as(client.user), client, _body(make_app()))
    assert response.status_code == 404
    assert not Recommendation.objects.exists()
