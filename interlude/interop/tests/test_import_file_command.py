"""`manage.py import_file`: reads and adds a file without a preview, prints the summary as its
last line, exits 1 with a message on stderr having added nothing (a bad file, an unknown client,
moods without a level, a missing profile) and 2 for wrong arguments."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from interlude.interop.enums import ImportStatus
from interlude.interop.management.commands.import_file import Command
from interlude.interop.models import ImportJob, ImportProfile
from interlude.interop.tests.import_helpers import (
    NOW,
    SMALL,
    daylio_days,
    daylio_file,
    daylio_line,
    point_imports_dir,
)
from interlude.tracking.models import CheckIn, Observation
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def imports_dir(settings, tmp_path):
    return point_imports_dir(settings, tmp_path)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def client_row():
    return clinician_with_client()[1]


def _file(tmp_path: Path, data: bytes, name: str = "daylio_export.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _run(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("import_file", *args, stdout=out)
    return out.getvalue().splitlines()


def _exit_code(*args: str) -> tuple[int, str]:
    """Run the command as manage.py would (in this process, on the test database)."""
    err = io.StringIO()
    command = Command(stdout=io.StringIO(), stderr=err)
    # run_from_argv closes every connection when it ends; the test's own transaction on
    # PostgreSQL must outlive it (SQLite's in-memory database ignores the close).
    with (
        mock.patch("django.core.management.base.connections.close_all"),
        pytest.raises(SystemExit) as exited,
    ):
        command.run_from_argv(["manage.py", "import_file", *args])
    return int(exited.value.code), err.getvalue()


def test_the_last_line_is_the_summary(client_row, tmp_path):
    path = _file(tmp_path, SMALL)
    lines = _run(
        "--client-email", client_row.email, "--source", "daylio", str(path), "--mood-map",
        '{"wired": 4}',
    )  # fmt: skip
    assert json.loads(lines[-1]) == {
        "source": "daylio",
        "added": {"checkins": 4, "sleep": 0, "mindful": 0, "steps": 0, "responses": 0},
        "duplicates": 0,
        "unreadable": 1,
    }
    assert lines[-1] == (
        '{"source": "daylio", "added": {"checkins": 4, "sleep": 0, "mindful": 0, "steps": 0, '
        '"responses": 0}, "duplicates": 0, "unreadable": 1}'
    )
    assert CheckIn.objects.filter(client=client_row).count() == 4
    job = ImportJob.objects.get()
    assert (job.status, job.created_by_id, job.stored_name) == (
        ImportStatus.COMMITTED,
        client_row.user.pk,
        "",
    )
    # Again: everything is already there.
    again = json.loads(
        _run(
            "--client-email", client_row.email.upper(), "--source", "daylio", str(path),
            "--mood-map", '{"wired": 4}',
        )[-1]
    )  # fmt: skip
    assert (again["added"]["checkins"], again["duplicates"], again["unreadable"]) == (0, 4, 1)
    assert CheckIn.objects.count() == 4


def test_unmapped_moods_exit_1_naming_them_and_add_nothing(client_row, tmp_path):
    path = _file(tmp_path, SMALL)
    code, err = _exit_code("--client-email", client_row.email, "--source", "daylio", str(path))
    assert code == 1
    assert "These moods have no level: wired." in err
    assert CheckIn.objects.count() == 0 and Observation.objects.count() == 0
    assert ImportJob.objects.get().status == ImportStatus.DISCARDED


def test_a_bad_file_exits_1_with_the_parsers_message(client_row, tmp_path):
    path = _file(tmp_path, b"\x00\x01binary")
    code, err = _exit_code("--client-email", client_row.email, "--source", "daylio", str(path))
    assert code == 1
    assert err.startswith("CommandError: ")
    assert CheckIn.objects.count() == 0
    assert ImportJob.objects.get().status == ImportStatus.FAILED


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--client-email", "nobody@example.org"), "No client has the email address"),
        (("--profile", "Mine"), "--profile is for --source csv only."),
    ],
)
def test_other_problems_exit_1(client_row, tmp_path, args, message):
    path = _file(tmp_path, daylio_days(2))
    base = {"--client-email": client_row.email}
    argv = ["--source", "daylio", str(path)]
    if args[0] == "--client-email":
        argv = [*args, *argv]
    else:
        argv = ["--client-email", base["--client-email"], *args, *argv]
    code, err = _exit_code(*argv)
    assert code == 1
    assert message in err
    assert CheckIn.objects.count() == 0


def test_a_spreadsheet_uses_a_saved_profile(client_row, tmp_path):
    path = _file(tmp_path, b"Day,Mood\r\n2025-03-02,7\r\n2025-03-03,4\r\n", "moods.csv")
    code, err = _exit_code(
        "--client-email", client_row.email, "--source", "csv", str(path), "--profile", "Mine"
    )
    assert code == 1 and "no saved profile called 'Mine'" in err
    code, err = _exit_code("--client-email", client_row.email, "--source", "csv", str(path))
    assert code == 1 and "give --profile NAME" in err
    ImportProfile.objects.create(
        practice=client_row.practice,
        client=client_row,
        name="Mine",
        mapping={
            "date": "Day",
            "date_format": "%Y-%m-%d",
            "value": "Mood",
            "value_kind": "mood",
            "scale_min": 1,
            "scale_max": 10,
        },
        created_by=client_row.user,
        updated_by=client_row.user,
    )
    summary = json.loads(
        _run("--client-email", client_row.email, "--source", "csv", str(path), "--profile", "Mine")[
            -1
        ]
    )
    assert summary["added"]["checkins"] == 2
    assert sorted(CheckIn.objects.values_list("mood", flat=True)) == [3, 7]


def test_a_default_mood_needs_no_map(client_row, tmp_path):
    path = _file(tmp_path, daylio_file([daylio_line(date(2025, 1, 1), "10:00", "rad")]))
    summary = json.loads(
        _run("--client-email", client_row.email, "--source", "daylio", str(path))[-1]
    )
    assert summary["added"]["checkins"] == 1
    assert CheckIn.objects.get().mood == 10


def test_a_missing_file_exits_1(client_row, tmp_path):
    code, err = _exit_code(
        "--client-email", client_row.email, "--source", "daylio", str(tmp_path / "none.csv")
    )
    assert code == 1 and "There is no file at that path." in err


# Wrong arguments are refused before anything is read: a real process, exit 2.
GOOD = ["--client-email", "a@example.org", "--source", "daylio", "x.csv"]


@pytest.mark.parametrize(
    "args",
    [
        ["--client-email", "a@example.org", "--source", "emoods", "x.csv"],
        ["--client-email", "a@example.org", "--source", "daylio"],
        ["--source", "daylio", "x.csv"],
        [*GOOD, "--mood-map", "{"],
        [*GOOD, "--mood-map", "[1]"],
        [*GOOD, "--mood-map", '{"a": 6}'],
        [*GOOD, "--mood-map", '{"a": "3"}'],
    ],
)
def test_wrong_arguments_exit_2(args):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test")
    proc = subprocess.run(
        [sys.executable, "manage.py", "import_file", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "error:" in proc.stderr


def test_wrong_arguments_exit_2_in_process():
    with pytest.raises(CommandError):
        call_command("import_file", "--client-email", "a@example.org", "--source", "emoods", "x")
