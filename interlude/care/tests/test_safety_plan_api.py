"""GET and PUT /api/v1/safety-plan: the plan in force, optimistic concurrency, 422 per field."""

from __future__ import annotations

import json

import pytest

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.care.models import SafetyPlanVersion
from interlude.care.services import safety_plan_save
from interlude.care.tests.conftest import logged_in

pytestmark = pytest.mark.django_db

EMPTY = {
    "warning_signs": [],
    "coping_strategies": [],
    "distraction": [],
    "people_to_ask": [],
    "professionals": [],
    "safe_environment": [],
    "reasons_for_living": [],
}


def put(http, body, query=""):
    return http.put(
        f"/api/v1/safety-plan{query}", data=json.dumps(body), content_type="application/json"
    )


def test_get_without_a_plan_answers_version_0_and_an_empty_plan(client):
    response = logged_in(client.user).get("/api/v1/safety-plan")

    assert response.status_code == 200
    assert response.json() == {
        "version": 0,
        "content": EMPTY,
        "updated_at": None,
        "updated_by": None,
    }


def test_put_stores_version_1_then_get_returns_it(client):
    http = logged_in(client.user)
    content = {
        "warning_signs": ["Not sleeping"],
        "people_to_ask": [{"name": "Sam", "phone": "555 010 2345"}],
    }

    saved = put(http, {"base_version": 0, "content": content})
    got = http.get("/api/v1/safety-plan")

    assert saved.status_code == 200
    body = got.json()
    assert body["version"] == 1
    assert body["updated_by"] == "Jordan Ellis"
    assert body["content"] == {
        **EMPTY,
        "warning_signs": ["Not sleeping"],
        "people_to_ask": [{"name": "Sam", "phone": "555 010 2345"}],
    }
    assert saved.json() == body


def test_put_from_a_stale_version_answers_409_and_stores_nothing(client):
    http = logged_in(client.user)
    put(http, {"base_version": 0, "content": {"warning_signs": ["One"]}})
    put(http, {"base_version": 1, "content": {"warning_signs": ["Two"]}})

    response = put(http, {"base_version": 1, "content": {"warning_signs": ["Late"]}})

    assert response.status_code == 409
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "payload", "base_version"],
                "msg": "The safety plan was changed while you were editing: you started from "
                "version 1, and version 2 is now the newest. Nothing was saved.",
                "type": "conflict",
            }
        ],
        "current_version": 2,
    }
    assert SafetyPlanVersion.objects.filter(client=client).count() == 2
    assert http.get("/api/v1/safety-plan").json()["content"]["warning_signs"] == ["Two"]


def test_put_with_invalid_content_answers_422_naming_each_field_and_stores_nothing(client):
    response = put(
        logged_in(client.user),
        {
            "base_version": 0,
            "content": {
                "warning_signs": ["fine", "x" * 301],
                "people_to_ask": [{"name": "Sam", "phone": "ring ring"}],
            },
        },
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "payload", "content", "warning_signs", 1],
                "msg": "Each line in “My warning signs” can be up to 300 characters.",
                "type": "value_error",
            },
            {
                "loc": ["body", "payload", "content", "people_to_ask", 0, "phone"],
                "msg": "Enter a phone number using digits, like 555 010 2345 or +44 20 7946 0958.",
                "type": "value_error",
            },
        ]
    }
    assert SafetyPlanVersion.objects.count() == 0


def test_put_without_a_base_version_answers_422_naming_it(client):
    response = put(logged_in(client.user), {"content": {"warning_signs": ["x"]}})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "payload", "base_version"]
    assert SafetyPlanVersion.objects.count() == 0


def test_care_team_clinician_reads_and_writes_with_client_id_and_is_audited(client, clinician):
    safety_plan_save(
        client=client, actor=client.user, content={"warning_signs": ["a"]}, base_version=0
    )
    http = logged_in(clinician.user)
    query = f"?client_id={client.public_id}"

    got = http.get(f"/api/v1/safety-plan{query}")
    saved = put(http, {"base_version": 1, "content": {"warning_signs": ["a", "b"]}}, query)
    versions = http.get(f"/api/v1/safety-plan/versions{query}")
    first = http.get(f"/api/v1/safety-plan/versions/1{query}")

    assert got.status_code == 200 and got.json()["version"] == 1
    assert saved.status_code == 200 and saved.json()["version"] == 2
    assert saved.json()["updated_by"] == "Dr. Alex Rivera"
    assert [(v["version"], v["updated_by"], v["change_note"]) for v in versions.json()] == [
        (2, "Dr. Alex Rivera", "Changed my warning signs"),
        (1, "Jordan Ellis", "First version"),
    ]
    assert first.json()["content"]["warning_signs"] == ["a"]
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.CLIENT_RECORD_VIEWED, actor=clinician.user, client=client
        ).count()
        == 4
    )


def test_another_practices_clinician_gets_404_from_the_api(client, other_clinician):
    http = logged_in(other_clinician.user)
    query = f"?client_id={client.public_id}"

    assert http.get(f"/api/v1/safety-plan{query}").status_code == 404
    response = put(http, {"base_version": 0, "content": {"warning_signs": ["x"]}}, query)
    assert response.status_code == 404
    assert SafetyPlanVersion.objects.count() == 0


def test_signed_out_requests_are_refused(db):
    from django.test import Client as HttpClient

    assert HttpClient().get("/api/v1/safety-plan").status_code == 401
