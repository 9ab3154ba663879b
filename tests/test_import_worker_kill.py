"""An import killed mid-way leaves nothing partial and can be run again (SR-35, SR-36).

A real `db_worker` process (production settings, as in tests/test_workers.py) reads a generated
Daylio export big enough that reading takes several seconds. Once it has staged some rows, the
worker is killed with SIGKILL. Nothing is in the client's record (no check-in, no observation),
the job is not added, only staged rows of the dead attempt remain. The read then runs again (the
sweep's way: the stalled job is queued again; here called directly), the rows of the dead attempt
are replaced, the import is added by a worker, and every entry is in the record exactly once.

As in tests/test_workers.py, the data lives in a temporary SQLite data dir or, when DATABASE_URL
points at PostgreSQL, in a throw-away database on that server. The job is watched straight from the
database (sqlite3 or psycopg) so the moment of the kill does not wait on a Django start-up.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.test_workers import (  # noqa: F401
    ROOT,
    database_url,
    manage,
    migrated,
    shell,
    worker_env,
)

pytestmark = pytest.mark.worker

ENTRIES = 12_000
WAIT = 300  # seconds, at most, for the worker to start reading

CREATE = """
import json
from datetime import date, timedelta
from pathlib import Path
from interlude.interop.services import import_upload
from tests.factories import clinician_with_client
_, client = clinician_with_client()
path = Path({path!r})
start = date(1950, 1, 1)
with path.open("w", encoding="utf-8") as out:
    out.write("\\ufefffull_date,date,weekday,time,mood,activities,scales,note_title,note\\r\\n")
    for i in range({entries}):
        day = start + timedelta(days=i // 3)
        out.write(
            f'{{day.isoformat()}},{{day:%B}} {{day.day}},{{day:%A}},{{8 + i % 3}}:15 pm,'
            f'{{("rad", "good", "meh", "bad", "awful")[i % 5]}},"work | walk","","",'
            f'"entry {{i}}"\\r\\n'
        )
with path.open("rb") as handle:
    job = import_upload(
        user=client.user, client=client, source="daylio", file=handle, file_name=path.name
    )
print("RESULT=" + json.dumps({{"job": job.pk, "client": client.pk}}))
"""

STATE = """
import json
from interlude.interop.models import ImportJob, StagedRecord
from interlude.tracking.models import CheckIn, Observation
job = ImportJob.objects.get(pk={job})
mine = CheckIn.objects.filter(client_id=job.client_id)
keys = list(mine.values_list("idempotency_key", flat=True))
staged = StagedRecord.objects.filter(job=job)
print("RESULT=" + json.dumps({{
    "status": job.status,
    "attempt": job.attempt,
    "checkins": len(keys),
    "distinct": len(set(keys)),
    "observations": Observation.objects.filter(client_id=job.client_id).count(),
    "staged": staged.count(),
    "staged_attempts": sorted(set(staged.values_list("attempt", flat=True))),
    "to_add": job.summary.get("to_add"),
    "added": job.summary.get("added"),
}}))
"""

READ_AGAIN_AND_ADD = """
import json
from interlude.interop.models import ImportJob
from interlude.interop.services import import_commit, import_read
job = ImportJob.objects.get(pk={job})
done = import_read(job_id=job.pk)
job.refresh_from_db()
job = import_commit(user=job.client.user, job=job)
print("RESULT=" + json.dumps({{"read": done, "status": job.status}}))
"""


Query = Callable[[str, int], list[tuple[Any, ...]]]
STATUS = "SELECT status FROM interop_importjob WHERE id = %s"
STAGED = "SELECT COUNT(*) FROM interop_stagedrecord WHERE job_id = %s"


def _watcher(env: dict[str, str], data_dir: Path) -> Query:
    """Run one SQL query (one %s parameter) on the workers' database from here (no Django
    start-up)."""
    url = env.get("DATABASE_URL", "")
    if url:
        import psycopg

        def pg(sql: str, value: int) -> list[tuple[Any, ...]]:
            with psycopg.connect(url, autocommit=True) as conn:
                return list(conn.execute(sql, (value,)).fetchall())  # type: ignore[arg-type]

        return pg
    path = data_dir / "interlude.sqlite3"

    def lite(sql: str, value: int) -> list[tuple[Any, ...]]:
        conn = sqlite3.connect(path, timeout=30)
        try:
            return list(conn.execute(sql.replace("%s", "?"), (value,)).fetchall())
        finally:
            conn.close()

    return lite


def _start_worker(env: dict[str, str], out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # fixed argv, no shell
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--queue-name",
            "default",
            "--interval",
            "0.1",
            "--no-startup-delay",
        ],
        cwd=ROOT,
        env=env,
        stdout=out.open("wb"),
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


def test_an_import_killed_while_reading_leaves_nothing_and_can_be_run_again(
    worker_env,  # noqa: F811
    tmp_path,
):
    env = worker_env
    data_dir = Path(env["INTERLUDE_DATA_DIR"])
    migrated(env)
    made = shell(env, CREATE.format(path=str(tmp_path / "daylio_export.csv"), entries=ENTRIES))
    job = made["job"]
    query = _watcher(env, data_dir)
    assert query(STATUS, job) == [("queued",)]

    log = tmp_path / "worker.log"
    worker = _start_worker(env, log)
    try:
        deadline = time.monotonic() + WAIT
        staged = 0
        while time.monotonic() < deadline:
            [(status,)] = query(STATUS, job)
            [(staged,)] = query(STAGED, job)
            assert status in ("queued", "reading"), (status, log.read_text()[-3000:])
            if status == "reading" and staged >= 1000:
                break
            assert worker.poll() is None, log.read_text()[-3000:]
            time.sleep(0.05)
        else:
            pytest.fail(f"the worker did not start reading in {WAIT}s\n{log.read_text()[-3000:]}")
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
    print(f"killed the worker with {staged} of {ENTRIES} entries staged")

    after_kill = shell(env, STATE.format(job=job))
    assert after_kill["status"] == "reading", after_kill  # not added, not "ready"
    assert after_kill["checkins"] == 0
    assert after_kill["observations"] == 0
    assert 0 < after_kill["staged"] < ENTRIES
    assert after_kill["staged_attempts"] == [1]

    # Run the read again (what the sweep queues for a stalled job), then add it: too many rows
    # to add in a request, so adding is queued for the worker.
    again = shell(env, READ_AGAIN_AND_ADD.format(job=job))
    assert again == {"read": True, "status": "committing"}
    read = shell(env, STATE.format(job=job))
    assert read["attempt"] == 2
    assert read["staged_attempts"] == [2]
    assert read["to_add"] == {"checkins": ENTRIES}
    assert read["checkins"] == 0

    batch = manage(
        env, "db_worker", "--batch", "--no-startup-delay", "--queue-name", "default"
    ).stdout
    final = shell(env, STATE.format(job=job))
    assert final["status"] == "committed", (final, batch[-3000:])
    assert final["checkins"] == ENTRIES
    assert final["distinct"] == ENTRIES  # every entry exactly once
    assert final["observations"] == ENTRIES  # one mood point each
    assert final["staged"] == 0
    assert final["added"]["checkins"] == ENTRIES
