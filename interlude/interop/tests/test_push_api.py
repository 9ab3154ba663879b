"""POST /api/v1/observations and bearer tokens on the JSON API: scopes, CSRF, per-item results,
idempotent retries, the 1,000-item limit, the audit row, the rate limit and the schema."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from config.api import api
from interlude.audit.models import AuditAction, AuditEvent
from interlude.consents.models import ClientPrivacy
from interlude.interop.auth import WRITE_SCOPES
from interlude.interop.codes import OBSERVATION_CODE_SYSTEM
from interlude.interop.tokens import token_create, token_revoke
from interlude.practices.enums import Module
from interlude.tracking.device_services import device_source_id
from interlude.tracking.models import CheckIn, Observation, ObservationSource
from tests.factories import ClientFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
URL = "/api/v1/observations"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def client_row():
    return ClientFactory(user=UserFactory(), time_zone="Europe/London")


def _token(client, scopes, days=30):
    return token_create(
        user=client.user,
        client=client,
        name="Watch",
        scopes=scopes,
        expires_at=NOW + timedelta(days=days),
    )[1]


def _bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def _http() -> HttpClient:
    # Like a real app: the CSRF check is on, and nothing but the bearer header is sent.
    return HttpClient(enforce_csrf_checks=True)


def _item(key="k1", code="55423-8", value=8000, unit="{steps}", effective="2026-03-09T23:00:00Z"):
    return {
        "idempotency_key": key,
        "code": code,
        "value": value,
        "unit": unit,
        "effective": effective,
    }


def _push(raw, items, http=None):
    return (http or _http()).post(
        URL,
        data=json.dumps({"items": items}),
        content_type="application/json",
        headers=_bearer(raw),
    )


def test_push_creates_device_observations_without_csrf(client_row):
    raw = _token(client_row, ["observations:write"])
    items = [
        _item("a", "55423-8", 8000, "{steps}", "2026-03-09T23:00:00+01:00"),
        _item("b", "93832-4", 450, "min", "2026-03-09T07:00:00Z"),
        _item("c", "93832-4", 7.5, "h", "2026-03-08T07:00:00Z"),
        _item("d", "mood", 7, "{score}", "2026-03-09T20:00:00Z"),
        _item("e", "anxiety", 3, "{score}", "2026-03-09T20:00:00Z"),
        _item("f", "energy", 6, "{score}", "2026-03-09T20:00:00Z"),
        _item("g", "mindful-minutes", 15, "min", "2026-03-09T20:00:00Z"),
    ]
    response = _push(raw, items)
    assert response.status_code == 200, response.content
    assert response.json() == {
        "results": [{"idempotency_key": k, "status": "created", "message": None} for k in "abcdefg"]
    }
    rows = {
        o.original: (o.kind, o.value, o.effective_at)
        for o in Observation.objects.filter(client=client_row)
    }
    assert rows == {
        "8000 {steps}": ("steps", 8000.0, datetime(2026, 3, 9, 22, 0, tzinfo=UTC)),
        "450 min": ("sleep_hours", 7.5, datetime(2026, 3, 9, 7, 0, tzinfo=UTC)),
        "7.5 h": ("sleep_hours", 7.5, datetime(2026, 3, 8, 7, 0, tzinfo=UTC)),
        "7 {score}": ("mood", 7.0, datetime(2026, 3, 9, 20, 0, tzinfo=UTC)),
        "3 {score}": ("anxiety", 3.0, datetime(2026, 3, 9, 20, 0, tzinfo=UTC)),
        "6 {score}": ("energy", 6.0, datetime(2026, 3, 9, 20, 0, tzinfo=UTC)),
        "15 min": ("mindful_minutes", 15.0, datetime(2026, 3, 9, 20, 0, tzinfo=UTC)),
    }
    one = Observation.objects.get(client=client_row, kind="steps")
    assert one.source == ObservationSource.DEVICE
    assert one.source_type == "device"
    assert one.source_id == device_source_id(client=client_row, key="a")
    assert one.time_zone == "Europe/London"
    assert one.created_by == client_row.user
    assert one.practice_id == client_row.practice_id


def test_per_item_results_duplicates_and_key_reuse(client_row):
    raw = _token(client_row, ["observations:write"])
    assert _push(raw, [_item("a"), _item("b", value=9000)]).status_code == 200
    response = _push(
        raw,
        [
            _item("a"),  # the same again
            _item("b", value=9001),  # the same key, another value
            _item("c", value=-1),
            _item("d", value=200_001),
            _item("e", code="loinc-nope"),
            _item("f", unit="km"),
            _item("g", effective="2026-03-10T12:05:01Z"),
            _item("h", effective="1899-12-31T23:59:59Z"),
            _item("i", effective="0001-01-01T00:00:00+01:00"),
            _item("j", effective="2026-03-09T10:00:00"),
            _item("k", value="7"),
            _item("l", value=10.5),
            _item("m", code="93832-4", unit="h", value=24.5),
            _item("n", code="mood", unit="{score}", value=11),
            {"code": "mood"},
            _item("o", effective="2026-03-10T12:05:00Z"),
            _item("o"),  # the same key twice in one push, other values
            _item("p", value=1),
            _item("p", value=1),  # and with the same values
        ],
    )
    assert response.status_code == 200
    results = [
        (r["idempotency_key"], r["status"], r["message"]) for r in response.json()["results"]
    ]
    assert results == [
        ("a", "duplicate", None),
        ("b", "error", "idempotency key reused with different values"),
        ("c", "error", "value: for code '55423-8' it must be between 0 and 200000 {steps}."),
        ("d", "error", "value: for code '55423-8' it must be between 0 and 200000 {steps}."),
        (
            "e",
            "error",
            "code: unknown code 'loinc-nope'; see the table of codes in the API description.",
        ),
        ("f", "error", "unit: for code '55423-8' use '{steps}', 'count'."),
        ("g", "error", "effective: this is in the future."),
        ("h", "error", "effective: enter a date from 1900 onwards."),
        ("i", "error", "effective: enter a date from 1900 onwards."),
        ("j", "error", "effective: Input should have timezone info"),
        ("k", "error", "value: Input should be a valid number"),
        ("l", "error", "value: for code '55423-8' it must be a whole number."),
        ("m", "error", "value: for code '93832-4' it must be between 0 and 24 h."),
        ("n", "error", "value: for code 'mood' it must be between 0 and 10 {score}."),
        ("", "error", "idempotency_key: Field required"),
        ("o", "created", None),
        ("o", "error", "idempotency key reused with different values"),
        ("p", "created", None),
        ("p", "duplicate", None),
    ]
    assert Observation.objects.filter(client=client_row).count() == 4
    steps_b = Observation.objects.get(source_id=device_source_id(client=client_row, key="b"))
    assert steps_b.value == 9000.0
    events = list(AuditEvent.objects.filter(action=AuditAction.OBSERVATIONS_PUSHED).order_by("id"))
    assert [e.detail for e in events] == [
        {"created": 2, "duplicates": 0, "errors": 0},
        {"created": 2, "duplicates": 2, "errors": 15},
    ]
    assert events[0].client_id == client_row.pk
    assert events[0].object_type == "access_token"


def test_the_same_key_from_another_client_is_theirs(client_row):
    other = ClientFactory(user=UserFactory())
    assert _push(_token(client_row, ["observations:write"]), [_item("a")]).status_code == 200
    response = _push(_token(other, ["observations:write"]), [_item("a", value=1)])
    assert response.json()["results"][0]["status"] == "created"
    assert Observation.objects.filter(client=other).get().value == 1.0


def test_one_thousand_items_at_most(client_row):
    raw = _token(client_row, ["observations:write"])
    too_many = [_item(f"k{n}") for n in range(1001)]
    response = _push(raw, too_many)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "payload", "items"]
    assert Observation.objects.count() == 0
    assert not AuditEvent.objects.filter(action=AuditAction.OBSERVATIONS_PUSHED).exists()
    response = _push(raw, [_item(f"k{n}", value=n) for n in range(1000)])
    assert response.status_code == 200
    assert Observation.objects.filter(client=client_row).count() == 1000
    assert _push(raw, []).status_code == 422


def test_queries_do_not_grow_with_the_number_of_items(client_row):
    raw = _token(client_row, ["observations:write"])
    _push(raw, [_item("warm-up")])  # last_used_at is written at most once a minute
    http = _http()
    with CaptureQueriesContext(connection) as ten:
        _push(raw, [_item(f"a{n}") for n in range(10)], http)
    with CaptureQueriesContext(connection) as hundred:
        response = _push(raw, [_item(f"b{n}") for n in range(100)], http)
    assert response.status_code == 200
    assert Observation.objects.filter(client=client_row).count() == 111
    # token, membership, client, modules; existing rows, one insert; the audit row (chain head,
    # insert, update); savepoints; the rate limits 2 (the write limits in one statement, the push
    # limit in another: core/throttling.py). No session: a bearer request never starts one.
    assert len(ten) == len(hundred) == 17, [q["sql"][:60] for q in hundred.captured_queries]
    assert "sessionid" not in response.cookies


def test_scopes_per_endpoint(client_row):
    read_only = _token(client_row, ["read"])
    push_only = _token(client_row, ["observations:write"])
    checkins_only = _token(client_row, ["checkins:write"])
    http = _http()

    refused = _push(read_only, [_item()])
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "This access token does not have the 'observations:write' scope."
    }

    listed = http.get("/api/v1/checkins", headers=_bearer(push_only))
    assert listed.status_code == 403
    assert listed.json() == {"detail": "This access token does not have the 'read' scope."}
    assert http.get("/api/v1/checkins", headers=_bearer(read_only)).status_code == 200

    body = {"mood": 6, "idempotency_key": "c1", "recorded_at": "2026-03-10T08:00:00Z"}
    checkin = http.post(
        "/api/v1/checkins",
        data=json.dumps(body),
        content_type="application/json",
        headers=_bearer(push_only),
    )
    assert checkin.status_code == 403
    assert checkin.json() == {
        "detail": "This access token does not have the 'checkins:write' scope."
    }
    checkin = http.post(
        "/api/v1/checkins",
        data=json.dumps(body),
        content_type="application/json",
        headers=_bearer(checkins_only),
    )
    assert checkin.status_code == 201
    assert CheckIn.objects.get(client=client_row).created_by == client_row.user

    # every other change is refused to every token
    everything = _token(client_row, ["read", "observations:write", "checkins:write"])
    other = http.put(
        "/api/v1/me/reminders",
        data="{}",
        content_type="application/json",
        headers=_bearer(everything),
    )
    assert other.status_code == 403
    assert other.json() == {"detail": "This access token does not have the 'write' scope."}
    assert set(WRITE_SCOPES) == {"observations_push", "checkins"}


def test_bad_expired_revoked_and_staff_tokens_are_401(client_row):
    raw = _token(client_row, ["observations:write"], days=1)
    assert _push("itk_000000000000_nope", [_item()]).status_code == 401
    assert _push(raw + "x", [_item()]).json() == {
        "detail": "The access token is not valid, has expired or was revoked."
    }
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        assert _push(raw, [_item()]).status_code == 401
    MembershipFactory(user=client_row.user)
    assert _push(raw, [_item()]).status_code == 401
    assert Observation.objects.count() == 0


def test_revoked_token_is_401(client_row):
    raw = _token(client_row, ["observations:write"])
    token_revoke(user=client_row.user, token_id=client_row_token_id(client_row))
    assert _push(raw, [_item()]).status_code == 401


def client_row_token_id(client):
    from interlude.interop.models import AccessToken

    return AccessToken.objects.get(client=client).public_id


def test_a_session_still_needs_its_csrf_token(client_row):
    http = _http()
    http.force_login(client_row.user)
    response = http.post(
        URL, data=json.dumps({"items": [_item()]}), content_type="application/json"
    )
    assert response.status_code == 403
    assert Observation.objects.count() == 0
    # with it, a signed-in client may push too (audited without a token)
    http.get("/me/apps/")
    csrf = http.cookies["csrftoken"].value
    response = http.post(
        URL,
        data=json.dumps({"items": [_item()]}),
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.OBSERVATIONS_PUSHED)
    assert (event.object_type, event.object_id) == ("session", "")


def test_imports_switched_off_is_404(client_row):
    raw = _token(client_row, ["observations:write"])
    ClientPrivacy.objects.filter(client=client_row).update(modules_off=[Module.IMPORTS.value])
    assert _push(raw, [_item()]).status_code == 404
    assert Observation.objects.count() == 0


def test_rate_limit_429_with_retry_after(client_row, settings):
    settings.API_PUSH_RATE = "3/min"
    raw = _token(client_row, ["observations:write"])
    statuses = [_push(raw, [_item(f"k{n}")]).status_code for n in range(3)]
    refused = _push(raw, [_item("k3")])
    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert Observation.objects.count() == 3


def test_openapi_documents_the_endpoint_codes_and_errors():
    schema = api.get_openapi_schema()
    operation = schema["paths"]["/api/v1/observations"]["post"]
    codes = {str(code) for code in operation["responses"]}
    assert codes == {"200", "400", "401", "403", "404", "422", "429"}
    assert "scope" in operation["responses"]["403"]["description"]
    assert "bearer" in operation["responses"]["401"]["description"]
    for code in ("55423-8", "93832-4", "`mood`", "`mindful-minutes`", OBSERVATION_CODE_SYSTEM):
        assert code in operation["description"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    assert body["properties"]["items"]["maxItems"] == 1000
    assert body["properties"]["items"]["items"]["required"] == [
        "idempotency_key",
        "code",
        "value",
        "unit",
        "effective",
    ]
    schemes = schema["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= schemes["TokenAuth"].items()


def test_sleep_in_minutes_is_stored_in_hours_up_to_a_day(client_row):
    raw = _token(client_row, ["observations:write"])
    items = [
        _item("full", "93832-4", 1440, "min"),
        _item("over", "93832-4", 1441, "min"),
        _item("third", "93832-4", 20, "min"),
    ]
    results = _push(raw, items).json()["results"]
    assert [(r["status"], r["message"]) for r in results] == [
        ("created", None),
        ("error", "value: for code '93832-4' it must be between 0 and 1440 min."),
        ("created", None),
    ]
    values = sorted(Observation.objects.filter(client=client_row).values_list("value", flat=True))
    assert values == [0.333333333, 24.0]
