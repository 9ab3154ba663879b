"""Two real clock processes (`manage.py clock`) against one database: one leads, one stands by.

The leader enqueues the alert sweep every second (`--every alerts_sweep=1`); nothing works the
queue, so every run stays there as a row (database tasks) or a job (RQ) to count. While both run
only the leader's log says it ran anything; after the leader is killed (SIGKILL: no goodbye, the
lock goes with the process or its connection) the standby takes over, and every queued run is
one of the two processes' logged runs, the standby's all after the leader's last.

SQLite (file lock), PostgreSQL (advisory lock; when DATABASE_URL points at PostgreSQL, like the
other worker tests) and the Redis lock (Redis on 127.0.0.1:6379, database 13).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import test_workers
from tests.test_workers import ROOT, migrated, require_service, shell

# The worker tests' fixtures: a throw-away database (SQLite, or PostgreSQL via DATABASE_URL) and
# the production settings' environment for the processes.
database_url = test_workers.database_url
worker_env = test_workers.worker_env

pytestmark = pytest.mark.worker

REDIS_URL = "redis://127.0.0.1:6379/13"
CLOCK = ["clock", "--only", "alerts_sweep", "--every", "alerts_sweep=1", "--standby-poll", "0.3"]

QUEUED = {
    "db": """
import json
from django_tasks_db.models import DBTaskResult
n = DBTaskResult.objects.filter(task_path__endswith="alerts_sweep_run").count()
print("RESULT=" + json.dumps(n))
""",
    "rq": """
import json
import django_rq
print("RESULT=" + json.dumps(len(django_rq.get_queue("default").job_ids)))
""",
}


class Clock:
    def __init__(self, env: dict[str, str], log: Path, *extra: str) -> None:
        self.log = log
        self.out = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", *CLOCK, *extra],
            cwd=ROOT,
            env=env,
            stdout=self.out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    def text(self) -> str:
        return self.log.read_text()

    def runs(self) -> list[str]:
        """The times of the runs this process logged (JSON log lines)."""
        times = []
        for line in self.text().splitlines():
            if line.startswith("{"):
                record = json.loads(line)
                if record["message"] == "clock ran alerts_sweep":
                    times.append(record["time"])
        return times

    def wait_for(self, what: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if what in self.text():
                return
            assert self.process.poll() is None, f"the clock stopped:\n{self.text()[-3000:]}"
            time.sleep(0.1)
        pytest.fail(f"no {what!r} within {timeout} s:\n{self.text()[-3000:]}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=30)
        self.out.close()


def one_clock_leads(env: dict[str, str], tmp_path: Path, engine: str, *extra: str) -> None:
    migrated(env)
    env = dict(env, LOG_LEVEL="INFO")
    first = Clock(env, tmp_path / "first.log", *extra)
    second = None
    try:
        first.wait_for("leading")
        second = Clock(env, tmp_path / "second.log", *extra)
        second.wait_for("standing by")
        # Both running: the leader keeps running the job, the standby runs nothing.
        before = len(first.runs())
        deadline = time.monotonic() + 30
        while len(first.runs()) < before + 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(first.runs()) >= before + 3, first.text()
        assert second.runs() == []
        assert "leading" not in second.text()

        first.stop(signal.SIGKILL)
        second.wait_for("leading", timeout=30)
        deadline = time.monotonic() + 30
        while len(second.runs()) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        first.stop(signal.SIGKILL)
        if second is not None:
            second.stop()

    first_runs, second_runs = first.runs(), second.runs()
    assert len(second_runs) >= 2, second.text()
    # One at a time: every run of the standby came after the leader's last.
    assert min(second_runs) > max(first_runs)
    # And the queue holds exactly the runs the two logged (none unlogged, none twice).
    assert shell(env, QUEUED[engine]) == len(first_runs) + len(second_runs)
    print(f"{engine}: leader ran {len(first_runs)}, standby then ran {len(second_runs)}")


def test_one_clock_leads_on_the_database_and_the_standby_takes_over(worker_env, tmp_path):
    # SQLite: a file lock beside the database; PostgreSQL (DATABASE_URL): an advisory lock.
    one_clock_leads(worker_env, tmp_path, "db")


def test_one_clock_leads_with_the_redis_lock(worker_env, tmp_path):
    import redis

    try:
        connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        connection.ping()
    except redis.RedisError as exc:
        require_service("Redis on 127.0.0.1:6379", str(exc))
    connection.flushdb()
    env = dict(worker_env, REDIS_URL=REDIS_URL, INTERLUDE_CLOCK_LOCK="redis")
    try:
        # A short expiry: the killed leader's key lapses within 2 s.
        one_clock_leads(env, tmp_path, "rq", "--lock-ttl", "2")
    finally:
        connection.flushdb()
        connection.close()
