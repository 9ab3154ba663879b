"""`manage.py serve --role`: which processes each role starts (ADR 0026). The processes are not
started: Popen is replaced by a stand-in that has already exited, so serve stops at once."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from interlude.core.management.commands import serve


class Exited:
    started: list[list[str]] = []

    def __init__(self, argv: list[str]) -> None:
        Exited.started.append(argv)
        self.returncode = 0

    def poll(self) -> int:
        return 0

    def wait(self, timeout: float | None = None) -> int:
        return 0


def started_by(monkeypatch, *args: str) -> list[str]:
    Exited.started = []
    monkeypatch.setattr(serve.subprocess, "Popen", Exited)
    with pytest.raises(SystemExit):
        call_command("serve", *args)
    # What each process is: gunicorn, or the manage.py command it runs.
    return [argv[2] for argv in Exited.started]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), ["gunicorn", "db_worker", "clock"]),
        (("--role", "all"), ["gunicorn", "db_worker", "clock"]),
        (("--role", "web"), ["gunicorn"]),
        (("--role", "worker"), ["db_worker"]),
        (("--role", "worker", "--task-workers", "2"), ["db_worker", "db_worker"]),
        (("--role", "clock"), ["clock"]),
    ],
)
def test_each_role_starts_its_processes(monkeypatch, settings, args, expected):
    settings.REDIS_URL = ""
    assert started_by(monkeypatch, *args) == expected


def test_the_worker_is_rq_when_redis_is_configured(monkeypatch, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/9"
    assert started_by(monkeypatch, "--role", "worker") == ["rqworker"]
