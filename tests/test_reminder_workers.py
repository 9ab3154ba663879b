"""Reminders with real task workers (django-tasks-db's `db_worker`) in their own processes.

1. Once, with two workers: a reminder due in the next few seconds, and twenty dispatch tasks
   queued around that moment, taken by two `db_worker` processes at the same time. The reminder
   is claimed and sent exactly once (one email on the console backend, across both workers'
   output; one delivery logged), and both workers did take dispatch tasks.
2. Across a daylight-saving change: the planner schedules 20:00 Europe/Berlin on the Saturday
   before summer time starts and on the Sunday it starts; a worker run under `faketime` at each
   instant sends each at 20:00 local time (19:00 UTC, then 18:00 UTC), and a worker run at
   19:00 UTC on the Sunday (21:00 local, where a fixed UTC schedule would fire) sends nothing new.

As in tests/test_workers.py, the data lives in a temporary SQLite data dir or, when DATABASE_URL
points at PostgreSQL, in a throw-away database on that server (the acceptance run uses PostgreSQL).
"""

from __future__ import annotations

import quopri
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

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

SUBJECT = "Subject: You have something to do in Interlude today"
CLIENT_NAME = "Quentin Zebedee-Marlowe"

CREATE_CLIENT = f"""
import json
from datetime import time
from interlude.reminders.models import ReminderPreferences
from tests.factories import clinician_with_client
_, client = clinician_with_client()
client.full_name = {CLIENT_NAME!r}
client.time_zone = "Europe/Berlin"
client.save(update_fields=["full_name", "time_zone"])
ReminderPreferences.objects.create(client=client, channel="email", preferred_time=time(20, 0))
print("RESULT=" + json.dumps({{"client": client.pk, "email": client.user.email}}))
"""

# A reminder due in a few seconds, and dispatch tasks queued to run around that moment.
DUE_SOON = """
import json
from datetime import timedelta
from django.utils import timezone
from interlude.reminders.models import Reminder
from interlude.reminders.tasks import reminders_dispatch_run
from interlude.practices.models import Client
client = Client.objects.get(pk={client})
now = timezone.now()
due = now + timedelta(seconds={lead})
wall = due.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin"))
reminder = Reminder.objects.create(
    practice=client.practice, client=client, local_date=wall.date(),
    wall_time=wall.time().replace(microsecond=0), time_zone="Europe/Berlin",
    due_at=due, next_attempt_at=due,
)
ids = []
for i in range({tasks}):
    run_after = due + timedelta(milliseconds=250 * i)
    ids.append(str(reminders_dispatch_run.using(run_after=run_after).enqueue().id))
print("RESULT=" + json.dumps({{"reminder": reminder.pk, "tasks": ids}}))
"""

TASKS_DONE = """
import json
from django_tasks_db.models import DBTaskResult
rows = DBTaskResult.objects.filter(pk__in={ids!r})
print("RESULT=" + json.dumps({{
    "finished": rows.filter(status__in=["SUCCESSFUL", "FAILED"]).count(),
    "failed": rows.filter(status="FAILED").count(),
    "workers": sorted({{w for r in rows for w in r.worker_ids}}),
}}))
"""

REMINDER_STATE = """
import json
from interlude.reminders.models import Reminder
rows = []
for r in Reminder.objects.filter(client_id={client}).order_by("local_date"):
    rows.append({{
        "local_date": r.local_date.isoformat(), "wall_time": r.wall_time.isoformat(),
        "due_at": r.due_at.isoformat(), "status": r.status, "attempts": r.attempts,
        "finished_at": r.finished_at.isoformat() if r.finished_at else None,
        "local_finished": (
            r.finished_at.astimezone(__import__("zoneinfo").ZoneInfo(r.time_zone)).strftime("%H:%M")
            if r.finished_at else None
        ),
        "log": list(r.deliveries.values_list("channel", "outcome")),
    }})
print("RESULT=" + json.dumps(rows))
"""

# The planner, in-process at a chosen instant with a provider saying something is due on the
# Saturday and the Sunday of the change (apps above register theirs the same way).
PLAN_AROUND_DST = """
import json
from datetime import date, datetime, timezone as tz
from interlude.reminders import providers
from interlude.reminders.providers import DueItem
from interlude.reminders.services import reminders_plan
def due(client_ids, first, last):
    days = (date(2026, 3, 28), date(2026, 3, 29))
    return [DueItem(client_id={client}, local_date=d) for d in days
            if first <= d <= last and {client} in client_ids]
providers.due_provider_register(due)
planned = reminders_plan(now=datetime(2026, 3, 28, 9, 0, tzinfo=tz.utc))
print("RESULT=" + json.dumps(planned))
"""

ENQUEUE_DISPATCH = """
import json
from interlude.reminders.tasks import reminders_dispatch_run
print("RESULT=" + json.dumps(str(reminders_dispatch_run.enqueue().id)))
"""


def _start_worker(env: dict[str, str], name: str, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--queue-name",
            "default",
            "--interval",
            "0.1",
            "--no-startup-delay",
            "--worker-id",
            name,
        ],
        cwd=ROOT,
        env=env,
        stdout=out.open("wb"),
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_two_db_workers_send_a_due_reminder_exactly_once(worker_env, tmp_path):  # noqa: F811
    env = worker_env
    migrated(env)
    made = shell(env, CREATE_CLIENT)
    outputs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    workers = [_start_worker(env, f"w{i + 1}", out) for i, out in enumerate(outputs)]
    try:
        queued = shell(env, DUE_SOON.format(client=made["client"], lead=12, tasks=20))
        deadline = time.monotonic() + 150
        while True:
            done = shell(env, TASKS_DONE.format(ids=queued["tasks"]))
            if done["finished"] == len(queued["tasks"]) or time.monotonic() > deadline:
                break
            time.sleep(1)
    finally:
        for proc in workers:
            _stop(proc)
    logs = [out.read_bytes() for out in outputs]
    assert done == {"finished": 20, "failed": 0, "workers": ["w1", "w2"]}, (
        done,
        [log[-2000:] for log in logs],
    )
    state = shell(env, REMINDER_STATE.format(client=made["client"]))
    assert [(r["status"], r["attempts"], r["log"]) for r in state] == [
        ("sent", 1, [["email", "sent"]])
    ]
    output = quopri.decodestring(b"".join(logs)).decode(errors="replace")
    assert output.count(SUBJECT) == 1, output[-3000:]
    assert f"To: {made['email']}" in output
    assert "/today/" in output
    for part in CLIENT_NAME.replace("-", " ").split():
        assert part not in output, f"the reminder email names the client ({part})"


def _worker_at(env: dict[str, str], instant: str) -> str:
    """Enqueue a dispatch and run one batch of the real worker, both with the clock at `instant`
    (UTC) by libfaketime."""
    faked = dict(env, TZ="UTC", FAKETIME_DONT_FAKE_MONOTONIC="1")
    prefix = ["faketime", "-f", f"@{instant}"]
    enqueue = subprocess.run(
        [*prefix, sys.executable, "manage.py", "shell", "--no-imports", "-c", ENQUEUE_DISPATCH],
        cwd=ROOT,
        env=faked,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert enqueue.returncode == 0, enqueue.stderr[-3000:]
    run = subprocess.run(
        [
            *prefix,
            sys.executable,
            "manage.py",
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--queue-name",
            "default",
        ],
        cwd=ROOT,
        env=faked,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout


def test_a_reminder_across_the_spring_change_fires_at_the_same_wall_clock_time(
    worker_env,  # noqa: F811
):
    if shutil.which("faketime") is None:
        pytest.skip("faketime (libfaketime) is not installed")
    env = worker_env
    migrated(env)
    made = shell(env, CREATE_CLIENT)
    assert shell(env, PLAN_AROUND_DST.format(client=made["client"])) == 2

    saturday = _worker_at(env, "2026-03-28 19:00:05")  # 20:00:05 CET
    sunday_early = _worker_at(env, "2026-03-29 17:59:00")  # 19:59 CEST: not yet
    sunday = _worker_at(env, "2026-03-29 18:00:05")  # 20:00:05 CEST
    sunday_late = _worker_at(env, "2026-03-29 19:00:05")  # where a fixed UTC time would fire

    state = shell(env, REMINDER_STATE.format(client=made["client"]))
    assert [
        (r["local_date"], r["wall_time"], r["due_at"], r["status"], r["local_finished"])
        for r in state
    ] == [
        ("2026-03-28", "20:00:00", "2026-03-28T19:00:00+00:00", "sent", "20:00"),
        ("2026-03-29", "20:00:00", "2026-03-29T18:00:00+00:00", "sent", "20:00"),
    ]
    counts = [
        quopri.decodestring(out.encode()).decode().count(SUBJECT)
        for out in (saturday, sunday_early, sunday, sunday_late)
    ]
    assert counts == [1, 0, 1, 0]
