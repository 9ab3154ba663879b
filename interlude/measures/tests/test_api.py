"""/api/v1/instruments and /api/v1/responses: what a caller may use, and answering on the server."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from interlude.alerts.models import Alert
from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.measures.api import NOT_MONITORED
from interlude.measures.instruments import shipped_definitions
from interlude.measures.models import (
    PracticeInstrument,
    QuestionnaireDue,
    QuestionnaireResponse,
)
from interlude.measures.services import instrument_setting_save, response_submit
from interlude.practices.models import CrisisResource
from tests.factories import UserFactory, clinician_with_client

pytestmark = pytest.mark.django_db
INSTRUMENTS = "/api/v1/instruments"
RESPONSES = "/api/v1/responses"
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _post(http: HttpClient, body: dict):
    return http.post(RESPONSES, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def pair():
    membership, client = clinician_with_client()
    CrisisResource.objects.create(
        practice=client.practice,
        country="US",
        name="Emergency services",
        phone="911",
        is_emergency=True,
    )
    CrisisResource.objects.create(
        practice=client.practice, country="US", name="988 Lifeline", phone="988", position=1
    )
    CrisisResource.objects.create(
        practice=client.practice, country="GB", name="Samaritans", phone="116 123"
    )
    return membership, client


def _response_count() -> tuple[int, int, int]:
    return (
        QuestionnaireResponse.objects.count(),
        Alert.objects.count(),
        AuditEvent.objects.filter(action=AuditAction.QUESTIONNAIRE_SUBMITTED).count(),
    )


# --- instruments -------------------------------------------------------------------------------
PHQ9_OPTIONS = [
    {"value": 0, "label": "Not at all"},
    {"value": 1, "label": "Several days"},
    {"value": 2, "label": "More than half the days"},
    {"value": 3, "label": "Nearly every day"},
]


def test_a_client_gets_every_shipped_instrument_with_item_text_only_where_licensed(pair):
    _, client = pair

    body = _as(client.user).get(INSTRUMENTS).json()

    assert [i["code"] for i in body] == sorted(shipped_definitions())
    phq9 = next(i for i in body if i["code"] == "phq9")
    items = phq9.pop("items")
    assert phq9 == {
        "code": "phq9",
        "version": "1",
        "name": "Patient Health Questionnaire-9",
        "short_name": "PHQ-9",
        "item_count": 9,
        "answer_min": 0,
        "answer_max": 3,
        "total_min": 0.0,
        "total_max": 27.0,
        "direction": "higher_is_worse",
        "licence": "free_with_attribution",
        "text_shipped": True,
        "recall": "Over the last 2 weeks",
        "attribution": shipped_definitions()["phq9"].attribution,
        "bands": [
            {"min": 0.0, "max": 4.0, "code": "minimal", "label": "Minimal", "clinical": False},
            {"min": 5.0, "max": 9.0, "code": "mild", "label": "Mild", "clinical": False},
            {"min": 10.0, "max": 14.0, "code": "moderate", "label": "Moderate", "clinical": True},
            {
                "min": 15.0,
                "max": 19.0,
                "code": "moderately_severe",
                "label": "Moderately severe",
                "clinical": True,
            },
            {"min": 20.0, "max": 27.0, "code": "severe", "label": "Severe", "clinical": True},
        ],
        "reliable_change": 6.0,
        "clinical_range": {"at_or_above": 10.0, "at_or_below": None},
    }
    assert len(items) == 9
    assert items[8] == {
        "number": 9,
        "text": "Thoughts that you would be better off dead or of hurting yourself in some way",
        "options": PHQ9_OPTIONS,
    }


@pytest.mark.parametrize("code", ["isi", "core10"])
def test_score_only_instruments_never_carry_item_text(pair, code):
    _, client = pair

    body = _as(client.user).get(INSTRUMENTS).json()

    entry = next(i for i in body if i["code"] == code)
    assert entry["text_shipped"] is False
    assert entry["items"] is None
    assert entry["item_count"] == shipped_definitions()[code].item_count


def test_a_clinician_gets_their_practice_instruments_with_its_settings(pair):
    membership, _ = pair
    instrument_setting_save(
        actor=membership.user,
        practice=membership.practice,
        instrument_code="phq9",
        reliable_change=5.0,
        clinical_cutoff=None,
    )
    PracticeInstrument.objects.create(
        practice=membership.practice,
        code="mood3",
        created_by=membership.user,
        definition={
            "code": "mood3",
            "version": "1",
            "name": "Three mood questions",
            "licence": "practice_own",
            "options": [{"value": 0, "label": "No"}, {"value": 1, "label": "Yes"}],
            "items": [{"text": "Low?"}, {"text": "Flat?"}, {"text": "Tired?"}],
            "scoring": {"method": "sum"},
            "bands": [{"min": 0, "max": 3, "code": "any", "label": "Any"}],
        },
    )
    _, elsewhere = clinician_with_client()

    mine = _as(membership.user).get(INSTRUMENTS).json()
    theirs = _as(elsewhere.user).get(INSTRUMENTS).json()

    assert next(i for i in mine if i["code"] == "phq9")["reliable_change"] == 5.0
    assert next(i for i in theirs if i["code"] == "phq9")["reliable_change"] == 6.0
    assert "mood3" in [i["code"] for i in mine]
    assert "mood3" not in [i["code"] for i in theirs]


def test_someone_with_neither_a_practice_nor_a_client_profile_gets_404():
    assert _as(UserFactory()).get(INSTRUMENTS).status_code == 404


def test_instruments_need_a_sign_in():
    assert HttpClient().get(INSTRUMENTS).status_code == 401


# --- answering ---------------------------------------------------------------------------------
def test_a_client_answers_phq9_and_gets_the_score_and_its_meaning(pair):
    _, client = pair
    http = _as(client.user)

    with time_machine.travel(NOW, tick=False):
        response = _post(
            http,
            {"instrument": "phq9", "answers": [2, 2, 2, 2, 2, 2, 2, 2, 0], "idempotency_key": "a"},
        )

    assert response.status_code == 201
    stored = QuestionnaireResponse.objects.get(client=client)
    assert response.json() == {
        "id": str(stored.public_id),
        "instrument": "phq9",
        "version": "1",
        "submitted_at": "2026-03-02T15:00:00Z",
        "entered_by": "client",
        "total": 16.0,
        "band": {"code": "moderately_severe", "label": "Moderately severe"},
        "complete": True,
        "prorated": False,
        "flags": [],
        "classification": {
            "code": "baseline",
            "label": "Baseline",
            "reason": "The first answer: later answers are compared with this one.",
        },
        "change_from_baseline": None,
        "change_from_previous": None,
        "track_status": {
            "code": "on_track",
            "label": "On track",
            "reason": "First PHQ-9: this sets the starting point.",
        },
        "crisis": None,
    }
    assert list(
        AuditEvent.objects.filter(client=client).values_list("action", "actor_id", "detail")
    ) == [
        (
            AuditAction.QUESTIONNAIRE_SUBMITTED,
            client.user.pk,
            {"instrument": "phq9", "entered_by": "client"},
        )
    ]


def test_a_later_answer_is_classified_against_the_baseline(pair):
    _, client = pair
    _submit(client, "phq9", [2] * 8 + [0], "1", NOW - timedelta(days=28))

    with time_machine.travel(NOW, tick=False):
        body = _post(
            _as(client.user),
            {"instrument": "phq9", "answers": [1] * 8 + [0], "idempotency_key": "2"},
        ).json()

    assert (body["total"], body["band"]) == (8.0, {"code": "mild", "label": "Mild"})
    assert body["change_from_baseline"] == -8.0
    assert body["change_from_previous"] == -8.0
    assert body["classification"]["code"] == "recovered"
    assert body["classification"]["label"] == "Recovered"
    assert body["track_status"] == {
        "code": "on_track",
        "label": "On track",
        "reason": "PHQ-9 is outside the clinical range now.",
    }


def test_item_nine_brings_crisis_lines_and_the_not_monitored_statement(pair):
    _, client = pair

    response = _post(
        _as(client.user),
        {"instrument": "phq9", "answers": [1] * 8 + [2], "idempotency_key": "risk"},
    )

    assert response.status_code == 201
    body = response.json()
    assert body["flags"] == ["critical_item"]
    assert body["crisis"] == {
        "resources": [
            {"name": "Emergency services", "phone": "911"},
            {"name": "988 Lifeline", "phone": "988"},
        ],
        "message": NOT_MONITORED,
    }
    assert "not an emergency service" in NOT_MONITORED
    assert Alert.objects.filter(client=client, kind="critical_item").count() == 1


def test_crisis_lines_fall_back_to_the_shipped_ones_when_the_practice_has_none():
    _, client = clinician_with_client()

    body = _post(
        _as(client.user),
        {"instrument": "phq9", "answers": [0] * 8 + [1], "idempotency_key": "risk"},
    ).json()

    assert body["crisis"]["resources"][0] == {"name": "Emergency services", "phone": "911"}
    assert {"name": "988 Suicide & Crisis Lifeline", "phone": "988"} in body["crisis"]["resources"]


def test_the_same_key_again_answers_200_with_the_same_body_and_stores_nothing_more(pair):
    _, client = pair
    http = _as(client.user)
    body = {"instrument": "phq9", "answers": [1] * 8 + [1], "idempotency_key": "retry"}

    first = _post(http, body)
    counts = _response_count()
    second = _post(http, body)

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert _response_count() == counts == (1, 1, 1)


def test_a_key_reused_for_different_answers_is_a_409_naming_the_key(pair):
    _, client = pair
    http = _as(client.user)
    _post(http, {"instrument": "phq9", "answers": [0] * 9, "idempotency_key": "k"})

    response = _post(http, {"instrument": "phq9", "answers": [1] * 9, "idempotency_key": "k"})

    assert response.status_code == 409
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "payload", "idempotency_key"],
                "msg": "This idempotency_key was already used for a different set of answers. "
                "Nothing new was saved. Send a new key for a new set of answers.",
                "type": "conflict",
            }
        ]
    }
    assert QuestionnaireResponse.objects.count() == 1


def test_an_answer_outside_the_range_is_a_422_naming_the_item_and_stores_nothing(pair):
    _, client = pair

    response = _post(
        _as(client.user),
        {"instrument": "phq9", "answers": [0, 0, 4, 0, 0, 0, 0, 0, 3], "idempotency_key": "bad"},
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "payload", "answers", 2],
                "msg": "Item 3: 4 is not an answer to this item; answers are 0 to 3.",
                "type": "value_error",
            }
        ]
    }
    assert _response_count() == (0, 0, 0)


@pytest.mark.parametrize(
    ("body", "loc", "msg"),
    [
        (
            {"instrument": "phq99", "answers": [0] * 9, "idempotency_key": "k"},
            ["body", "payload", "instrument"],
            "No instrument called 'phq99'.",
        ),
        (
            {"instrument": "phq9", "answers": [0] * 8, "idempotency_key": "k"},
            ["body", "payload", "answers"],
            "PHQ-9 has 9 items; 8 answers were given.",
        ),
        (
            {"instrument": "phq9", "answers": [None] * 9, "idempotency_key": "k"},
            ["body", "payload", "answers"],
            "Answer at least one question.",
        ),
    ],
)
def test_a_broken_rule_is_a_422_naming_the_field_and_stores_nothing(pair, body, loc, msg):
    _, client = pair

    response = _post(_as(client.user), body)

    assert response.status_code == 422
    assert response.json() == {"detail": [{"loc": loc, "msg": msg, "type": "value_error"}]}
    assert _response_count() == (0, 0, 0)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"answers": [0] * 9, "idempotency_key": "k"}, "instrument"),
        ({"instrument": "phq9", "idempotency_key": "k"}, "answers"),
        ({"instrument": "phq9", "answers": [0] * 9}, "idempotency_key"),
        ({"instrument": "phq9", "answers": [0, "x"], "idempotency_key": "k"}, "answers"),
        ({"instrument": "phq9", "answers": [0] * 9, "idempotency_key": ""}, "idempotency_key"),
    ],
)
def test_a_malformed_body_is_a_422_naming_the_field(pair, body, field):
    _, client = pair

    response = _post(_as(client.user), body)

    assert response.status_code == 422
    assert all(e["loc"][:3] == ["body", "payload", field] for e in response.json()["detail"])
    assert _response_count() == (0, 0, 0)


def test_missing_answers_are_stored_as_incomplete_without_a_total(pair):
    _, client = pair

    body = _post(
        _as(client.user),
        {"instrument": "phq9", "answers": [1, None, 1, 1, 1, 1, 1, 1, 0], "idempotency_key": "m"},
    ).json()

    assert (body["total"], body["band"], body["complete"]) == (None, None, False)
    assert body["classification"]["code"] == "not_available"
    assert body["track_status"] is None


def test_answering_completes_what_was_due(pair):
    membership, client = pair
    from interlude.measures.models import Frequency
    from interlude.measures.services import schedule_create

    schedule_create(
        actor=membership.user, client=client, instrument_code="phq9", frequency=Frequency.ONCE
    )

    _post(_as(client.user), {"instrument": "phq9", "answers": [0] * 9, "idempotency_key": "d"})

    assert list(QuestionnaireDue.objects.values_list("status", flat=True)) == ["completed"]


def test_a_clinician_cannot_answer_or_list_as_a_client(pair):
    membership, _ = pair
    http = _as(membership.user)

    body = {"instrument": "phq9", "answers": [0] * 9, "idempotency_key": "k"}
    assert _post(http, body).status_code == 404
    assert http.get(RESPONSES).status_code == 404
    assert _response_count() == (0, 0, 0)


def test_answering_needs_a_sign_in_and_a_csrf_token(pair):
    _, client = pair
    body = {"instrument": "phq9", "answers": [0] * 9, "idempotency_key": "k"}
    assert _post(HttpClient(), body).status_code == 401
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(client.user)
    assert _post(http, body).status_code == 403
    assert _response_count() == (0, 0, 0)


# --- listing -----------------------------------------------------------------------------------
def _submit(client, code, answers, key, when):
    response_submit(
        client=client,
        actor=client.user,
        instrument_code=code,
        answers=answers,
        idempotency_key=key,
        submitted_at=when,
    )


def test_the_list_is_newest_first_filters_by_instrument_and_shows_only_my_own(pair):
    _, client = pair
    _, other = clinician_with_client()
    _submit(client, "phq9", [1] * 9, "a", NOW - timedelta(days=14))
    _submit(client, "gad7", [1] * 7, "b", NOW - timedelta(days=7))
    _submit(client, "phq9", [0] * 9, "c", NOW)
    _submit(other, "phq9", [3] * 9, "x", NOW)
    http = _as(client.user)

    everything = http.get(RESPONSES).json()
    phq9 = http.get(RESPONSES, {"instrument": "phq9"}).json()

    assert [(r["instrument"], r["total"]) for r in everything] == [
        ("phq9", 0.0),
        ("gad7", 7.0),
        ("phq9", 9.0),
    ]
    assert [r["total"] for r in phq9] == [0.0, 9.0]
    assert phq9[0]["classification"]["code"] == "reliably_improved"  # 9 was not clinical
    assert all(r["crisis"] is None for r in everything)


def test_the_list_uses_the_same_queries_for_3_and_30_answers(pair):
    _, client = pair
    http = _as(client.user)
    http.get(RESPONSES)  # the first request after sign-in also records the session

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert http.get(RESPONSES).status_code == 200
        return len(ctx.captured_queries)

    for n in range(3):
        _submit(client, "phq9", [1] * 9, f"a{n}", NOW - timedelta(days=100 - n))
    small = count_queries()
    for n in range(27):
        _submit(client, "gad7", [1] * 7, f"b{n}", NOW - timedelta(days=50 - n))
    large = count_queries()

    assert small == large


def test_the_openapi_schema_lists_the_questionnaire_and_alert_endpoints():
    paths = HttpClient().get("/api/v1/openapi.json").json()["paths"]

    assert set(paths["/api/v1/instruments"]) == {"get"}
    assert set(paths["/api/v1/responses"]) == {"get", "post"}
    assert set(paths["/api/v1/alerts"]) == {"get"}
    assert set(paths["/api/v1/alerts/{id}/acknowledge"]) == {"post"}
