"""API writes are rate-limited per user, answered with 429 and Retry-After (core/throttling.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client as HttpClient

from config.api import api
from interlude.tracking.models import CheckIn
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db
URL = "/api/v1/checkins"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _checkin(http: HttpClient, n: int):
    body = {"mood": 5, "recorded_at": "2026-03-02T08:00:00+00:00", "idempotency_key": f"k-{n}"}
    return http.post(URL, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def small_limits(settings):
    settings.API_WRITE_RATE_BURST = "3/min"
    settings.API_WRITE_RATE_SUSTAINED = "5/hour"


def test_defaults_allow_an_offline_sync_burst():
    # A week offline with a few check-ins and sessions a day is well under one minute's allowance.
    assert settings.API_WRITE_RATE_BURST == "120/min"
    assert settings.API_WRITE_RATE_SUSTAINED == "1500/hour"


def test_a_burst_of_writes_gets_429_with_retry_after_and_nothing_is_stored(small_limits):
    _, client = clinician_with_client()
    http = _as(client.user)
    with time_machine.travel(START, tick=False):
        statuses = [_checkin(http, n).status_code for n in range(3)]
        refused = _checkin(http, 3)

    assert statuses == [201, 201, 201]
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "detail" in refused.json()
    assert CheckIn.objects.filter(client=client).count() == 3


def test_the_limit_is_per_user_and_reads_are_not_counted(small_limits):
    _, first = clinician_with_client()
    _, second = clinician_with_client()
    busy, other = _as(first.user), _as(second.user)
    with time_machine.travel(START, tick=False):
        for n in range(3):
            _checkin(busy, n)
        assert _checkin(busy, 3).status_code == 429
        assert busy.get(URL).status_code == 200  # reading is still fine
        assert _checkin(other, 0).status_code == 201


def test_writes_are_allowed_again_after_the_window(small_limits):
    _, client = clinician_with_client()
    http = _as(client.user)
    with time_machine.travel(START, tick=False) as traveller:
        for n in range(3):
            _checkin(http, n)
        assert _checkin(http, 3).status_code == 429
        traveller.shift(timedelta(seconds=61))
        assert _checkin(http, 4).status_code == 201
        # ...until the hourly allowance (5, the refused attempt included) runs out.
        traveller.shift(timedelta(seconds=61))
        assert _checkin(http, 5).status_code == 429
        later = _checkin(http, 6)
        assert later.status_code == 429
        assert 0 < int(later["Retry-After"]) <= 3600


def test_the_schema_declares_429_for_writes_only():
    paths = api.get_openapi_schema()["paths"]
    operations = [(m, op) for item in paths.values() for m, op in item.items()]
    assert any(m == "post" for m, _ in operations)
    for method, operation in operations:
        assert ("429" in operation["responses"]) == (method != "get"), (method, operation)
