"""The loops behind the clocks: `run_every` for one command's `--every`, and `run_clock`, the one
clock for every periodic job however many hosts run it (ADR 0026).

Both stop the same way on Ctrl-C or SIGTERM and keep their rhythm by the monotonic clock (a
wall-clock change or a daylight-saving jump neither skips nor doubles a round).

`manage.py clock` (started by `manage.py serve`) runs the jobs of its list on their own intervals,
but only while it holds the clock's lock; a second clock process, on this host or another, waits
as a standby and takes the lock when the leader's process or host goes away. The lock is:

- PostgreSQL: a session advisory lock (`pg_try_advisory_lock`) held by a connection of its own,
  released by the server when that connection ends (a killed process at once; a lost host once
  TCP keepalives give up, which this connection asks for after about a minute);
- Redis (`INTERLUDE_CLOCK_LOCK=redis`, e.g. behind a pgbouncer in transaction pooling, where
  session locks do not hold): a key with an expiry that the leader renews; a leader that cannot
  renew stops running jobs;
- SQLite: an OS file lock next to the database file (SQLite is one host anyway).

Jobs must be safe to run twice: a new leader runs every job at once, so a job may run sooner
than its interval after a failover, and a leader frozen past its Redis expiry may overlap another
for one round. Every job in the clock's list is idempotent (each command's docstring says why).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import secrets
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connections

logger = logging.getLogger("interlude.clock")

# One fixed key per database (advisory locks are local to a database): "Interlude clock".
ADVISORY_KEY = 0x1A7E_C10C
REDIS_KEY = "interlude:clock:leader"


@dataclass(frozen=True)
class Job:
    """A periodic job: `run` is called every `every` seconds by the clock that leads."""

    name: str
    every: float
    run: Callable[[], object]


class ClockLock(Protocol):
    description: str

    def acquire(self) -> bool:
        """Take the lock if it is free; never waits."""

    def held(self) -> bool:
        """Whether this process still holds the lock (renewing it where it expires)."""

    def release(self) -> None: ...


class PostgresLock:
    """A session advisory lock on a connection of its own, so Django's connection (which jobs
    use, and which may be closed and reopened) never takes the lock with it."""

    description = "PostgreSQL advisory lock"

    def __init__(self, alias: str = "default") -> None:
        self.alias = alias
        self.connection: Any = None

    def acquire(self) -> bool:
        self.release()
        wrapper = connections.create_connection(self.alias)
        try:
            wrapper.ensure_connection()
            with wrapper.cursor() as cursor:
                # The server notices a vanished host only through TCP keepalives; ask for them
                # after 30 s idle, then every 10 s, 3 misses (ignored over a Unix socket).
                cursor.execute("SET tcp_keepalives_idle = 30")
                cursor.execute("SET tcp_keepalives_interval = 10")
                cursor.execute("SET tcp_keepalives_count = 3")
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_KEY])
                got = bool(cursor.fetchone()[0])
        except Exception:
            with contextlib.suppress(Exception):
                wrapper.close()
            raise
        if got:
            self.connection = wrapper
        else:
            wrapper.close()
        return got

    def held(self) -> bool:
        # A session lock lasts as long as its connection: if the connection answers, it holds.
        if self.connection is None:
            return False
        try:
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception:
            self.release()
            return False
        return True

    def release(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):
                self.connection.close()  # ending the session releases the lock
            self.connection = None


class RedisLock:
    """A key set only if absent (SET NX PX), holding this process's random token; renewed only
    while it still holds that token, deleted only by its holder."""

    description = "Redis lock"
    _renew = (
        "if redis.call('get', KEYS[1]) == ARGV[1] then "
        "return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end"
    )
    _delete = (
        "if redis.call('get', KEYS[1]) == ARGV[1] then "
        "return redis.call('del', KEYS[1]) else return 0 end"
    )

    def __init__(self, url: str, *, ttl: float) -> None:
        import redis

        self.redis = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.ttl_ms = int(ttl * 1000)
        self.token = secrets.token_hex(16)
        self.mine = False

    def acquire(self) -> bool:
        self.mine = bool(self.redis.set(REDIS_KEY, self.token, nx=True, px=self.ttl_ms))
        return self.mine

    def held(self) -> bool:
        if not self.mine:
            return False
        try:
            self.mine = bool(self.redis.eval(self._renew, 1, REDIS_KEY, self.token, self.ttl_ms))
        except Exception:
            self.mine = False
        return self.mine

    def release(self) -> None:
        if self.mine:
            with contextlib.suppress(Exception):
                self.redis.eval(self._delete, 1, REDIS_KEY, self.token)
        self.mine = False


class FileLock:
    """flock() on a file beside the SQLite database; the kernel drops it when the process ends."""

    description = "file lock"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def acquire(self) -> bool:
        if self.fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self.fd = fd
        return True

    def held(self) -> bool:
        return self.fd is not None

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the descriptor releases the flock
            self.fd = None


def clock_lock(*, kind: str | None = None, redis_ttl: float = 30.0) -> ClockLock:
    """The lock that settings.CLOCK_LOCK names: "auto" (PostgreSQL's advisory lock on
    PostgreSQL, a file lock on SQLite), "postgres", "redis" or "file"."""
    kind = (kind or settings.CLOCK_LOCK or "auto").lower()
    engine = settings.DATABASES["default"]["ENGINE"]
    if kind == "auto":
        kind = "postgres" if "postgresql" in engine else "file"
    if kind == "postgres":
        return PostgresLock()
    if kind == "redis":
        if not settings.REDIS_URL:
            raise ValueError("INTERLUDE_CLOCK_LOCK=redis needs REDIS_URL.")
        return RedisLock(settings.REDIS_URL, ttl=redis_ttl)
    if kind == "file":
        name = str(settings.DATABASES["default"]["NAME"])
        path = (
            Path(name + ".clock-lock") if name != ":memory:" else settings.DATA_DIR / "clock-lock"
        )
        return FileLock(path)
    raise ValueError(f"Unknown clock lock {kind!r}: auto, postgres, redis or file.")


def run_clock(
    *,
    jobs: Sequence[Job],
    lock: ClockLock,
    standby_poll: float = 5.0,
    check_every: float = 5.0,
    tick: float = 0.2,
    on_change: Callable[[str], None] | None = None,
) -> None:
    """Lead or stand by until SIGINT or SIGTERM.

    Standing by, try the lock every `standby_poll` seconds. Leading, run each job when it is due
    (all at once on taking the lead, then every `job.every` seconds by the monotonic clock), and
    make sure of the lock every `check_every` seconds and before each round of due jobs; a job's
    exception is logged and the job runs again at its next time. `on_change` hears "leading",
    "standby" and "lost" (serve prints them)."""
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    def say(state: str) -> None:
        logger.info("clock %s (%s)", state, lock.description)
        if on_change is not None:
            on_change(state)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    leading = False
    due: dict[str, float] = {}
    checked = 0.0
    standing_by = False  # said so once, not on every try
    try:
        next_try = time.monotonic()
        while not stopping:
            now = time.monotonic()
            if not leading:
                if now >= next_try:
                    try:
                        leading = lock.acquire()
                    except Exception:
                        logger.exception("clock could not reach its lock")
                    next_try = now + standby_poll
                    if leading:
                        say("leading")
                        standing_by = False
                        due = {job.name: now for job in jobs}
                        checked = now
                    elif not standing_by:
                        say("standby")
                        standing_by = True
                time.sleep(tick)
                continue
            ready = [job for job in jobs if now >= due[job.name]]
            if (ready or now - checked >= check_every) and not lock.held():
                leading = standing_by = False
                next_try = now + standby_poll
                say("lost")
                standing_by = True
                continue
            if ready or now - checked >= check_every:
                checked = now
            for job in ready:
                if stopping:
                    break
                try:
                    job.run()
                    logger.info("clock ran %s", job.name)
                except Exception:
                    logger.exception("clock job %s failed", job.name)
                due[job.name] = time.monotonic() + job.every
            time.sleep(tick)
    finally:
        lock.release()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_every(*, seconds: float, work: Callable[[], object], poll: float = 0.5) -> None:
    """Call `work` now and then every `seconds`, until SIGINT or SIGTERM. `work` handles its own
    errors: an exception escaping it stops the clock, which the supervising `serve` then reports."""
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        next_run = time.monotonic()
        while not stopping:
            if time.monotonic() >= next_run:
                work()
                next_run = time.monotonic() + seconds
            time.sleep(poll)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class SweepCommand(BaseCommand):
    """A periodic job as a management command: run it once, here, and say what it did (for cron),
    or with `--every N` enqueue its task every N seconds, alone and without the clock's lock
    (`manage.py clock` is the usual way; ADR 0026). Subclasses name the job's two halves."""

    def sweep(self) -> dict[str, int]:
        raise NotImplementedError

    def enqueue(self) -> object:
        raise NotImplementedError

    def done(self, result: dict[str, int]) -> str:
        raise NotImplementedError

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--every", type=int, default=0, help="Seconds between sweeps (0: run once, here)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        every = options["every"]
        if every <= 0:
            self.stdout.write(self.done(self.sweep()))
            return
        run_every(seconds=every, work=self.enqueue)
