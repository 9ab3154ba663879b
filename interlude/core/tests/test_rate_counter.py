"""The counting under the API's rate limits (core/throttling.py): exact counts and windows, one
statement per check, shared across connections (the database) and clients (Redis)."""

from __future__ import annotations

import os
import threading
import uuid

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from interlude.core import throttling
from interlude.core.models import RateCounter
from interlude.core.throttling import Limit, parse_rate, rate_hits

NOW = 1_772_442_000.0  # 2026-03-02 09:00 UTC
REDIS_URL = "redis://127.0.0.1:6379/6"


def test_rates_are_read_as_ninja_spells_them():
    assert parse_rate("120/min") == (120, 60)
    assert parse_rate("1500/hour") == (1500, 3600)
    assert parse_rate("5/10s") == (5, 10)
    assert parse_rate("2/day") == (2, 86400)
    with pytest.raises(ValueError, match="Invalid rate"):
        parse_rate("3/fortnight")


@pytest.mark.django_db
def test_a_window_counts_every_request_until_it_ends(settings):
    settings.REDIS_URL = ""
    burst, hourly = Limit("burst:1", 3, 60), Limit("hourly:1", 5, 3600)

    counted = [rate_hits([burst, hourly], now=NOW + i) for i in range(4)]
    assert counted == [[(n, NOW + 60), (n, NOW + 3600)] for n in (1, 2, 3, 4)]
    # The burst window ends at exactly 60 s; the hourly one goes on counting.
    assert rate_hits([burst, hourly], now=NOW + 60) == [(1, NOW + 120), (5, NOW + 3600)]
    assert rate_hits([hourly], now=NOW + 3599.5) == [(6, NOW + 3600)]
    assert rate_hits([hourly], now=NOW + 3600) == [(1, NOW + 7200)]
    assert RateCounter.objects.count() == 2  # one row per limit and person, reused


@pytest.mark.django_db
def test_one_statement_for_all_the_limits_of_a_check(settings):
    settings.REDIS_URL = ""
    limits = [Limit(f"scope{i}:7", 10, 60) for i in range(3)]
    with CaptureQueriesContext(connection) as first:
        rate_hits(limits, now=NOW)
    with CaptureQueriesContext(connection) as again:
        assert rate_hits(limits, now=NOW + 1) == [(2, NOW + 60)] * 3
    assert len(first) == len(again) == 1


def test_limits_of_one_check_need_their_own_keys():
    with pytest.raises(ValueError, match="own key"):
        rate_hits([Limit("a:1", 1, 60), Limit("a:1", 2, 60)], now=NOW)


@pytest.mark.django_db(transaction=True)
def test_two_connections_share_one_count(settings):
    """What two worker processes do: each its own database connection, one count."""
    settings.REDIS_URL = ""
    limit = Limit("burst:shared", 3, 60)
    answers: list[int] = []

    def other_worker() -> None:
        try:  # a thread gets its own connection, as another process would
            answers.extend(rate_hits([limit], now=NOW + i)[0][0] for i in range(2))
        finally:
            connections.close_all()

    worker = threading.Thread(target=other_worker)
    worker.start()
    worker.join()
    answers.extend(rate_hits([limit], now=NOW + i)[0][0] for i in (2, 3))
    assert answers == [1, 2, 3, 4]


# --- Redis (REDIS_URL set) ----------------------------------------------------------------------
@pytest.fixture
def redis_url(settings):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("INTERLUDE_REQUIRE_SERVICES") == "1":
            pytest.fail(f"Redis on 127.0.0.1:6379: {exc} (INTERLUDE_REQUIRE_SERVICES=1)")
        pytest.skip(f"Redis on 127.0.0.1:6379: {exc}")
    settings.REDIS_URL = REDIS_URL
    throttling._redis_script.cache_clear()
    yield REDIS_URL
    throttling._redis_script.cache_clear()


def test_redis_counts_the_same_windows_without_the_database(redis_url):
    who = uuid.uuid4().hex  # the test databases' ids repeat across pytest workers; this does not
    burst, hourly = Limit(f"burst:{who}", 3, 60), Limit(f"hourly:{who}", 5, 3600)

    counted = [rate_hits([burst, hourly], now=NOW + i) for i in range(4)]
    assert counted == [[(n, NOW + 60), (n, NOW + 3600)] for n in (1, 2, 3, 4)]
    assert rate_hits([burst, hourly], now=NOW + 60) == [(1, NOW + 120), (5, NOW + 3600)]
    assert rate_hits([hourly], now=NOW + 3600) == [(1, NOW + 7200)]


def test_two_redis_clients_share_one_count(redis_url):
    limit = Limit(f"burst:{uuid.uuid4().hex}", 3, 60)
    first = rate_hits([limit], now=NOW)[0][0]
    throttling._redis_script.cache_clear()  # a new client and connection: another process
    rest = [rate_hits([limit], now=NOW + i)[0][0] for i in (1, 2, 3)]
    assert [first, *rest] == [1, 2, 3, 4]
