"""The export through a real `db_worker` process, with the production settings: asked for in one
process, built by the worker (the zip lands owner-only in the data directory), and a second run of
the same task does nothing. Uses the helpers and fixtures of tests/test_workers.py."""

from __future__ import annotations

import json
import stat
import zipfile
from pathlib import Path

import pytest

from tests.test_workers import database_url, manage, migrated, shell, worker_env  # noqa: F401

pytestmark = pytest.mark.worker

ASK = """
import json
from decimal import Decimal
from interlude.accounts.models import User
from interlude.clinic.services import client_create, practice_create
from interlude.consents.access import access_own
from interlude.practices.models import Client
from interlude.rights.services import export_request
from interlude.tracking.services import CheckInValues, checkin_create
owner = User.objects.create_user(
    email="owner@example.org", password="a-long-owner-passphrase-7", full_name="Dr. Robin Vale"
)
practice = practice_create(
    name="Worker Export Practice", country="US", time_zone="America/New_York", owner=owner
)
membership = practice.memberships.get(user=owner)
client = client_create(
    actor=owner, membership=membership, full_name="Quentin Zebedee-Marlowe",
    email="", time_zone="America/New_York",
)
user = User.objects.create_user(
    email="quentin@example.org", password="a-long-client-passphrase-7", full_name="Quentin"
)
Client.objects.filter(pk=client.pk).update(user=user)
checkin_create(
    client=Client.objects.get(pk=client.pk), actor=user,
    values=CheckInValues(mood=4, note="WORKERCANARY note"), idempotency_key="w-1",
)
job, created = export_request(care=access_own(user=user))
again, created_again = export_request(care=access_own(user=user))
print("RESULT=" + json.dumps({
    "job": job.pk, "created": created, "same": again.pk == job.pk, "again": created_again,
    "status": job.status,
}))
"""

STATE = """
import json
from interlude.rights.models import ExportJob
job = ExportJob.objects.get(pk={job})
print("RESULT=" + json.dumps({{
    "status": job.status, "progress": job.progress, "step": job.step,
    "file_name": job.file_name, "size": job.size,
}}))
"""

RUN_AGAIN = """
import json
from interlude.rights.tasks import export_build_task
result = export_build_task.enqueue(job_id={job})
print("RESULT=" + json.dumps(str(result.id)))
"""

RESULT = """
import json
from django.tasks import default_task_backend
result = default_task_backend.get_result({result_id!r})
print("RESULT=" + json.dumps([str(result.status), result.return_value]))
"""


def test_db_worker_builds_the_export_once(worker_env):  # noqa: F811 - the fixture above
    env = worker_env
    worker = ["db_worker", "--batch", "--no-startup-delay", "--queue-name", "default"]
    migrated(env)
    asked = shell(env, ASK)
    assert {k: asked[k] for k in ("created", "same", "again", "status")} == {
        "created": True,
        "same": True,
        "again": False,
        "status": "queued",
    }
    manage(env, *worker)
    state = shell(env, STATE.format(job=asked["job"]))
    assert (state["status"], state["progress"], state["step"]) == ("ready", 100, "Ready")
    exports = Path(env["INTERLUDE_DATA_DIR"]) / "exports"
    path = exports / state["file_name"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(exports.stat().st_mode) == 0o700
    assert path.stat().st_size == state["size"]
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert names[0].startswith("Interlude export - Quentin Zebedee-Marlowe - ")
        assert len(names) == 24
        data = json.loads(archive.read("data.json"))
    assert data["records"]["checkins"][0]["note"] == "WORKERCANARY note"

    # The same task again (a retry, a duplicate enqueue) builds nothing and changes nothing.
    before = path.read_bytes()
    result_id = shell(env, RUN_AGAIN.format(job=asked["job"]))
    manage(env, *worker)
    assert shell(env, RESULT.format(result_id=result_id)) == ["SUCCESSFUL", False]
    assert path.read_bytes() == before
    assert sorted(p.name for p in exports.iterdir()) == [state["file_name"]]
    # The sweep from the command line is safe to run now: nothing has expired.
    swept = manage(env, "exports_sweep").stdout
    assert swept.strip() == "Deleted 0 expired, failed 0 stalled, removed 0 stray files."
