"""Per-user rate limits for API writes (django-ninja throttling), answered with 429 and
Retry-After by ninja itself. Rates are settings from the environment (API_WRITE_RATE_BURST,
API_WRITE_RATE_SUSTAINED), read on every request so an operator's change needs no code; they are
generous because the offline app sends a day's queued check-ins and sessions back to back.

Counting is shared by every process and costs one round trip per check, whatever the number of
limits a throttle holds (the two write limits are one check):

- with REDIS_URL: one Lua script call (atomic in Redis);
- otherwise: one `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` on `core_ratecounter`
  (SQLite and PostgreSQL alike), in the caller's transaction when there is one, so the check-in
  endpoint's count commits with the check-in instead of in a transaction of its own.

A limit "N per D seconds" is a window that opens at the first request after the last window ran
out and lasts D seconds: at most N requests are let through in it, and a refused request is told
to come back when it ends. Every request that reaches the check counts, the refused ones included
(as before: a burst refused by the minute limit still uses the hourly allowance).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from interlude.core.models import RateCounter

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


@dataclass(frozen=True)
class Limit:
    key: str  # "<scope>:<ident>", e.g. "api_write_burst:42"
    count: int
    seconds: int


@cache
def parse_rate(rate: str) -> tuple[int, int]:
    """ "120/min" -> (120, 60); "5/10s" -> (5, 10) (ninja's spelling of rates)."""
    count, _, rest = rate.partition("/")
    for unit in sorted(_PERIODS, key=len, reverse=True):
        if rest.endswith(unit):
            multiple = rest[: -len(unit)]
            return int(count), (int(multiple) if multiple else 1) * _PERIODS[unit]
    raise ValueError(f"Invalid rate format: {rate}")


def rate_hits(limits: Sequence[Limit], *, now: float) -> list[tuple[int, float]]:
    """Count one request against each limit. Returns, per limit and in its order, the requests
    counted in its current window (this one included) and when that window ends."""
    if not limits:
        return []
    if len({limit.key for limit in limits}) != len(limits):
        raise ValueError("Each limit needs its own key.")
    if settings.REDIS_URL:
        return _redis_hits(limits, now, settings.REDIS_URL)
    return _db_hits(limits, now)


def _db_hits(limits: Sequence[Limit], now: float) -> list[tuple[int, float]]:
    quote = connection.ops.quote_name
    table = quote(RateCounter._meta.db_table)
    key, started, expires, hits = (quote(c) for c in ("key", "started", "expires", "hits"))
    ended = f"{table}.{expires} <= excluded.{started}"
    # Sorted keys: two requests of one person lock the rows in the same order (no deadlock).
    ordered = sorted(limits, key=lambda limit: limit.key)
    # Names from quote_name, values as parameters: nothing from a request is spliced in.
    sql = (
        f"INSERT INTO {table} ({key}, {started}, {expires}, {hits}) VALUES "  # noqa: S608  # nosec B608
        + ", ".join(["(%s, %s, %s, 1)"] * len(ordered))
        + f" ON CONFLICT ({key}) DO UPDATE SET"  # nosec B608 # quoted names, bound values
        f" {hits} = CASE WHEN {ended} THEN 1 ELSE {table}.{hits} + 1 END,"
        f" {started} = CASE WHEN {ended} THEN excluded.{started} ELSE {table}.{started} END,"
        f" {expires} = CASE WHEN {ended} THEN excluded.{expires} ELSE {table}.{expires} END"
        f" RETURNING {key}, {hits}, {expires}"
    )
    params: list[Any] = []
    for limit in ordered:
        params += [limit.key, now, now + limit.seconds]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = {row[0]: (int(row[1]), float(row[2])) for row in cursor.fetchall()}
    return [rows[limit.key] for limit in limits]


# KEYS: the limits' keys; ARGV[1]: now, ARGV[1 + i]: limit i's seconds. Returns hits, expires
# pairs. Windows are judged by the caller's clock (passed in), so tests can set "now"; Redis'
# own expiry only clears keys nobody uses any more.
_REDIS_SCRIPT = """
local now = tonumber(ARGV[1])
local out = {}
for i, key in ipairs(KEYS) do
  local seconds = tonumber(ARGV[i + 1])
  local expires = tonumber(redis.call('HGET', key, 'expires'))
  local hits
  if expires == nil or expires <= now then
    expires = now + seconds
    hits = 1
    redis.call('HSET', key, 'expires', string.format('%.6f', expires), 'hits', 1)
    redis.call('EXPIRE', key, seconds + 1)
  else
    hits = redis.call('HINCRBY', key, 'hits', 1)
  end
  out[#out + 1] = hits
  out[#out + 1] = string.format('%.6f', expires)
end
return out
"""


@cache
def _redis_script(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url).register_script(_REDIS_SCRIPT)


def _redis_hits(limits: Sequence[Limit], now: float, url: str) -> list[tuple[int, float]]:
    keys = [f"interlude:rate:{limit.key}" for limit in limits]
    args = [repr(now), *(limit.seconds for limit in limits)]
    flat = _redis_script(url)(keys=keys, args=args)
    return [(int(flat[i]), float(flat[i + 1])) for i in range(0, len(flat), 2)]


class RateThrottle(BaseThrottle):
    """Counts state-changing requests against `limits(request)`, all in one round trip.
    Instances are shared by gunicorn's threads, so the answer for `wait()` is kept per thread."""

    def __init__(self) -> None:
        self._last = threading.local()

    def limits(self, request: HttpRequest) -> list[Limit]:
        raise NotImplementedError

    def allow_request(self, request: HttpRequest) -> bool:
        self._last.wait = None
        if request.method in SAFE_METHODS:
            return True
        limits = self.limits(request)
        if not limits:
            return True
        now = time.time()
        counted = rate_hits(limits, now=now)
        refused = [
            expires - now
            for limit, (hits, expires) in zip(limits, counted, strict=True)
            if hits > limit.count
        ]
        if refused:
            self._last.wait = max(refused)
            return False
        return True

    def wait(self) -> float | None:
        return getattr(self._last, "wait", None)


class UserWriteThrottle(RateThrottle):
    """Limits a signed-in user's state-changing API requests: `setting` names the rate of
    `scope`, and `more` adds (scope, setting) pairs counted in the same round trip. Reads are not
    limited here."""

    def __init__(self, *, scope: str, setting: str, more: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__()
        self.scope = scope
        self.setting = setting
        self.more = tuple(more)

    def _configured_rate(self) -> str:
        return str(getattr(settings, self.setting))

    def limits(self, request: HttpRequest) -> list[Limit]:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return []  # SessionAuth has refused these already
        rates = [(self.scope, self._configured_rate())]
        rates += [(scope, str(getattr(settings, setting))) for scope, setting in self.more]
        return [Limit(f"{scope}:{user.pk}", *parse_rate(rate)) for scope, rate in rates]


def api_write_throttles() -> list[BaseThrottle]:
    # One throttle holding both limits: one statement (or one Redis call) per write, not two.
    return [
        UserWriteThrottle(
            scope="api_write_burst",
            setting="API_WRITE_RATE_BURST",
            more=[("api_write_sustained", "API_WRITE_RATE_SUSTAINED")],
        )
    ]
