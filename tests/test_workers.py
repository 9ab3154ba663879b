"""Real task workers in their own processes: django-tasks-db's `db_worker` and RQ's `rqworker`.

Unit tests run tasks in-process (ImmediateBackend). Here the production settings
(config.settings.base) enqueue an invitation email through the services, and a real worker process
picks it up, sends it (console email backend, so it lands on the worker's stdout) and marks the
invitation as sent. Running the task again sends nothing.

The data lives in a temporary INTERLUDE_DATA_DIR (SQLite) or, when DATABASE_URL points at
PostgreSQL, in a throw-away database on that server. The RQ test needs Redis on 127.0.0.1:6379
(database 15, flushed first); without it the test skips, unless INTERLUDE_REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import atexit
import json
import os
import quopri
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.worker

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/15"
CLIENT_NAME = "Quentin Zebedee-Marlowe"
PRACTICE = "Worker Test Practice"
SUBJECT = f"Subject: Your invitation to Interlude from {PRACTICE}"
BASE_URL = "http://127.0.0.1:8000/"
TIMEOUT = 180

CREATE_INVITATION = f"""
import json
from interlude.accounts.models import User
from interlude.clinic.services import (
    client_create, invitation_create_for_client, practice_create,
)
owner = User.objects.create_user(
    email="owner@example.org", password="a-long-owner-passphrase-7", full_name="Dr. Robin Vale"
)
practice = practice_create(
    name={PRACTICE!r}, country="US", time_zone="America/New_York", owner=owner
)
membership = practice.memberships.get(user=owner)
client = client_create(
    actor=owner, membership=membership, full_name={CLIENT_NAME!r},
    email="invitee@example.org", time_zone="America/New_York",
)
invitation, _ = invitation_create_for_client(
    actor=owner, membership=membership, client=client, email=client.email, base_url={BASE_URL!r},
)
print("RESULT=" + json.dumps({{"invitation": invitation.pk}}))
"""

# Ids of the task results waiting in the queue, per engine.
QUEUED_IDS = {
    "db": """
from django_tasks_db.models import DBTaskResult
ids = [str(pk) for pk in DBTaskResult.objects.order_by("enqueued_at").values_list("id", flat=True)]
""",
    "rq": """
import django_rq
ids = list(django_rq.get_queue("default").job_ids)
""",
}
LIST_QUEUED = """
import json
{queued}
print("RESULT=" + json.dumps(ids))
"""

ENQUEUE_AGAIN = f"""
import json
from interlude.clinic.tasks import invitation_send_email
result = invitation_send_email.enqueue(invitation_id={{invitation}}, base_url={BASE_URL!r})
print("RESULT=" + json.dumps(str(result.id)))
"""

STATE = """
import json
from django.tasks import default_task_backend
from interlude.practices.models import Invitation
invitation = Invitation.objects.get(pk={invitation})
results = []
for result_id in {ids!r}:
    result = default_task_backend.get_result(result_id)
    results.append({{
        "status": str(result.status),
        "return_value": result.return_value if result.is_finished else None,
        "errors": [e.traceback for e in result.errors],
    }})
print("RESULT=" + json.dumps({{
    "email_sent_at": invitation.email_sent_at.isoformat() if invitation.email_sent_at else None,
    "results": results,
}}))
"""


# --- running manage.py ---------------------------------------------------------------------------
def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert proc.returncode == 0, (
        f"manage.py {' '.join(args)[:80]} exited {proc.returncode}\n"
        f"--- stdout\n{proc.stdout[-3000:]}\n--- stderr\n{proc.stderr[-3000:]}"
    )
    return proc


def shell(env: dict[str, str], code: str) -> Any:
    """Run code in `manage.py shell` and return what it printed after RESULT=, parsed as JSON."""
    out = manage(env, "shell", "--no-imports", "-c", code).stdout
    lines = [line for line in out.splitlines() if line.startswith("RESULT=")]
    assert len(lines) == 1, out
    return json.loads(lines[0].removeprefix("RESULT="))


def require_service(name: str, problem: str) -> None:
    message = f"{name} is not reachable: {problem}"
    if os.environ.get("INTERLUDE_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message} (INTERLUDE_REQUIRE_SERVICES=1 forbids skipping)")
    pytest.skip(message)


# --- a migrated database, once per test process ---------------------------------------------------
# Migrating takes 15 s on a quiet machine (over a minute on a busy one), and every worker test
# needs a fresh database: the first migrates a template, the others copy it (the data folder with
# its keys, and the SQLite file or a PostgreSQL database made from the template).
_TEMPLATES: dict[str, tuple[Path, str]] = {}


def _pg_admin(url: str) -> Any:
    import psycopg

    base, _, _ = url.rpartition("/")
    return psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=5)


def _template(env: dict[str, str]) -> tuple[Path, str]:
    url = env.get("DATABASE_URL", "")
    kind = "postgresql" if url else "sqlite"
    if kind in _TEMPLATES:
        return _TEMPLATES[kind]
    data = Path(tempfile.mkdtemp(prefix="interlude-worker-template-"))
    atexit.register(shutil.rmtree, data, ignore_errors=True)
    name = ""
    template_env = dict(env, INTERLUDE_DATA_DIR=str(data))
    if url:
        from psycopg import sql

        name = f"interlude_workers_template_{uuid.uuid4().hex[:12]}"
        with _pg_admin(url) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        template_env["DATABASE_URL"] = f"{url.rpartition('/')[0]}/{name}"

        def drop() -> None:
            with _pg_admin(url) as admin:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )

        atexit.register(drop)
    manage(template_env, "migrate", "--noinput", "-v", "0")
    _TEMPLATES[kind] = (data, name)
    return data, name


def migrated(env: dict[str, str]) -> None:
    """Give this test's processes a freshly migrated database (what `migrate` would make)."""
    data, template = _template(env)
    shutil.copytree(data, env["INTERLUDE_DATA_DIR"], dirs_exist_ok=True)
    url = env.get("DATABASE_URL", "")
    if url:
        from psycopg import sql

        name = url.rpartition("/")[2]
        with _pg_admin(url) as admin:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            admin.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            )


# --- fixtures ------------------------------------------------------------------------------------
@pytest.fixture
def database_url() -> Iterator[str]:
    """A database of its own for the worker processes: '' (SQLite in the data dir), or a fresh
    PostgreSQL database beside DATABASE_URL's, dropped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield ""
        return
    import psycopg
    from psycopg import sql

    base, _, _ = url.rpartition("/")
    name = f"interlude_workers_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        require_service("PostgreSQL", str(exc))
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield f"{base}/{name}"
        finally:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def worker_env(tmp_path: Path, database_url: str) -> dict[str, str]:
    env = os.environ.copy()
    for name in (
        "REDIS_URL",
        "EMAIL_URL",
        "INTERLUDE_ENV",
        "SITE_URL",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    ):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        INTERLUDE_DATA_DIR=str(tmp_path / "data"),
        DATABASE_URL=database_url,
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="WARNING",
    )
    if not database_url:
        env.pop("DATABASE_URL")
    return env


@pytest.fixture
def redis_env(worker_env: dict[str, str]) -> dict[str, str]:
    import redis

    try:
        connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        connection.ping()
    except redis.RedisError as exc:
        require_service("Redis on 127.0.0.1:6379", str(exc))
    connection.flushdb()
    env = dict(worker_env, REDIS_URL=REDIS_URL)
    yield env
    connection.flushdb()
    connection.close()


# --- the shared scenario -------------------------------------------------------------------------
def run_invitation_scenario(env: dict[str, str], engine: str, worker: list[str]) -> None:
    migrated(env)
    invitation = shell(env, CREATE_INVITATION)["invitation"]
    queued = shell(env, LIST_QUEUED.format(queued=QUEUED_IDS[engine]))
    assert len(queued) == 1, f"expected the invitation email on the queue, found {queued}"
    before = shell(env, STATE.format(invitation=invitation, ids=queued))
    assert before["email_sent_at"] is None
    assert before["results"][0]["status"] == "READY"

    started = time.monotonic()
    first = manage(env, *worker)
    print(f"{engine} worker ran the first task in {time.monotonic() - started:.1f}s")
    after = shell(env, STATE.format(invitation=invitation, ids=queued))
    assert after["results"] == [{"status": "SUCCESSFUL", "return_value": True, "errors": []}]
    assert after["email_sent_at"] is not None

    # The same task again (a retry, a duplicate enqueue): it must not send a second email.
    again = shell(env, ENQUEUE_AGAIN.format(invitation=invitation))
    second = manage(env, *worker)
    final = shell(env, STATE.format(invitation=invitation, ids=[*queued, again]))
    assert final["results"][1] == {"status": "SUCCESSFUL", "return_value": False, "errors": []}
    assert final["email_sent_at"] == after["email_sent_at"]

    # The console backend prints the body quoted-printable, which may wrap a word anywhere.
    output = quopri.decodestring(first.stdout + second.stdout).decode()
    assert output.count(SUBJECT) == 1, output
    assert "To: invitee@example.org" in first.stdout
    assert "/invite/" in first.stdout
    for part in CLIENT_NAME.replace("-", " ").split():
        assert part not in output, f"the invitation email contains the client's name ({part})"


# --- tests ---------------------------------------------------------------------------------------
def test_db_worker_sends_invitation_email_once(worker_env):
    run_invitation_scenario(
        worker_env,
        "db",
        ["db_worker", "--batch", "--no-startup-delay", "--queue-name", "default"],
    )


def test_rq_worker_sends_invitation_email_once(redis_env):
    run_invitation_scenario(
        redis_env,
        "rq",
        ["rqworker", "default", "--job-class", "django_tasks_rq.Job", "--burst"],
    )


# --- alerts: a risk answer's notification goes through the real worker ---------------------------
RISK_ANSWER = f"""
import json
from interlude.accounts.models import User
from interlude.measures.models import EnteredBy
from interlude.measures.services import response_submit
from interlude.clinic.services import client_create, practice_create
owner = User.objects.create_user(
    email="owner@example.org", password="a-long-owner-passphrase-7", full_name="Dr. Robin Vale"
)
practice = practice_create(
    name={PRACTICE!r}, country="US", time_zone="America/New_York", owner=owner
)
membership = practice.memberships.get(user=owner)
client = client_create(
    actor=owner, membership=membership, full_name={CLIENT_NAME!r},
    email="", time_zone="America/New_York",
)
response, _ = response_submit(
    client=client, actor=owner, instrument_code="phq9", answers=[1, 1, 1, 1, 1, 1, 1, 1, 3],
    idempotency_key="paper-1", entered_by=EnteredBy.CLINICIAN,
)
from interlude.alerts.models import Alert
print("RESULT=" + json.dumps({{"alerts": list(Alert.objects.values_list("kind", flat=True))}}))
"""

ALERT_STATE = """
import json
from interlude.alerts.models import Alert
from interlude.audit.models import AuditEvent
alert = Alert.objects.get()
print("RESULT=" + json.dumps({
    "notified": alert.notified_at is not None,
    "actions": list(AuditEvent.objects.filter(client=alert.client).order_by("seq")
                    .values_list("action", flat=True)),
}))
"""


def test_db_worker_sends_the_risk_alert_email_once_without_clinical_content(worker_env):
    env = worker_env
    migrated(env)
    assert shell(env, RISK_ANSWER) == {"alerts": ["critical_item"]}
    worker = ["db_worker", "--batch", "--no-startup-delay", "--queue-name", "default"]
    first = manage(env, *worker)
    state = shell(env, ALERT_STATE)
    assert state["notified"] is True
    assert state["actions"] == [
        "client.created",
        "measures.submitted",
        "alert.raised",
        "alert.notified",
    ]
    output = quopri.decodestring(first.stdout).decode()
    assert output.count("Subject: Interlude: something needs your attention") == 1, output
    assert "To: owner@example.org" in output
    assert "/clinic/alerts/" in output
    for secret in [*CLIENT_NAME.replace("-", " ").split(), "PHQ", "item 9", "self-harm", "dead"]:
        assert secret not in output, f"the alert email contains clinical content ({secret})"
    # The sweep from the command line (what cron or the serve clock runs) is safe to repeat.
    swept = manage(env, "alerts_sweep").stdout
    assert swept.strip() == "Escalated 0, overdue 0, check-in alerts 0."


# --- insights: the progress report PDF is built by the real worker --------------------------------
ASK_FOR_REPORT = f"""
import json
from interlude.accounts.models import User
from interlude.clinic.services import client_create, practice_create
from interlude.consents.access import Viewer, care_access_for
from interlude.core.clock import client_today
from interlude.insights.report import DateRange
from interlude.insights.services import report_job_request
from interlude.measures.models import EnteredBy
from interlude.measures.services import response_submit
owner = User.objects.create_user(
    email="owner@example.org", password="a-long-owner-passphrase-7", full_name="Dr. Robin Vale"
)
practice = practice_create(
    name={PRACTICE!r}, country="US", time_zone="America/New_York", owner=owner
)
membership = practice.memberships.get(user=owner)
client = client_create(
    actor=owner, membership=membership, full_name={CLIENT_NAME!r},
    email="", time_zone="America/New_York",
)
response_submit(
    client=client, actor=owner, instrument_code="phq9", answers=[1, 1, 1, 1, 1, 1, 1, 1, 0],
    idempotency_key="paper-1", entered_by=EnteredBy.CLINICIAN,
)
care = care_access_for(client=client, user=owner, viewer=Viewer.CARE_TEAM, membership=membership)
today = client_today(client)
job, created = report_job_request(care=care, date_range=DateRange(today.replace(day=1), today))
print("RESULT=" + json.dumps({{"job": job.pk, "created": created, "status": job.status}}))
"""

REPORT_STATE = """
import json
from django.conf import settings
from interlude.insights.models import ReportJob
from interlude.insights.services import report_job_build
job = ReportJob.objects.get(pk={job})
path = settings.REPORTS_DIR / job.file_name
pdf = path.read_bytes() if job.file_name and path.is_file() else b""
print("RESULT=" + json.dumps({{
    "status": job.status, "steps": [job.steps_done, job.steps_total], "pdf": pdf[:5].decode(),
    "again": report_job_build(job_id=job.pk),
}}))
"""


def test_db_worker_builds_the_progress_report_pdf(worker_env):
    env = worker_env
    migrated(env)
    manage(env, "collectstatic", "--noinput", "-v", "0")  # the PDF's stylesheet, as `make run`
    asked = shell(env, ASK_FOR_REPORT)
    assert (asked["created"], asked["status"]) == (True, "queued")
    worker = manage(env, "db_worker", "--batch", "--no-startup-delay", "--queue-name", "default")
    state = shell(env, REPORT_STATE.format(job=asked["job"]))
    assert state["status"] == "ready", worker.stdout[-3000:] + worker.stderr[-3000:]
    # One instrument charted, laid out, written; a second run finds nothing to do.
    assert state == {"status": "ready", "steps": [3, 3], "pdf": "%PDF-", "again": False}
