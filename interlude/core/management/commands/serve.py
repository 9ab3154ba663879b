"""Run Interlude's processes: the web server (gunicorn), the task worker and the clock; stop them
all on Ctrl-C or SIGTERM.

`make run` calls this after migrating and seeding. `--role` picks what this host runs:

- `all` (the default): web server, one task worker and the clock;
- `web`: gunicorn only, for hosts behind the proxy;
- `worker`: task workers only (`--task-workers`, default 1);
- `clock`: the clock only (`manage.py clock`).

With REDIS_URL set the worker is an RQ worker, otherwise django-tasks-db's database worker. The
clock runs every periodic job (alert rules, reminders, export and import sweeps, audit
checkpoints) while it holds the clock's lock, so any number of hosts may run `all` or `clock`:
one clock leads, the others stand by (ADR 0026, docs/topology.md).
"""

from __future__ import annotations

import os
import signal
import subprocess  # nosec B404 # starts our own processes with fixed argv, no shell
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

ROLES = ("all", "web", "worker", "clock")


class Command(BaseCommand):
    help = "Serve Interlude: web server, task worker and clock (or one --role), until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument(
            "--web-workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2"))
        )
        parser.add_argument(
            "--role",
            choices=ROLES,
            default="all",
            help="What to run here: all (default), web, worker or clock.",
        )
        parser.add_argument(
            "--task-workers", type=int, default=1, help="Task worker processes (default 1)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        python = sys.executable
        web = [
            python,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"{options['host']}:{options['port']}",
            "--workers",
            str(options["web_workers"]),
            "--threads",
            "4",
            "--timeout",
            "60",
            "--graceful-timeout",
            "10",
            "--access-logfile",
            "-",
            "--access-logformat",
            '%(h)s "%(m)s %(U)s" %(s)s %(M)sms',  # path only, no query
        ]
        if settings.REDIS_URL:
            worker = [
                python,
                "manage.py",
                "rqworker",
                "default",
                "--job-class",
                "django_tasks_rq.Job",
            ]
            worker_name = "RQ worker (Redis)"
        else:
            worker = [python, "manage.py", "db_worker", "--queue-name", "default"]
            worker_name = "database task worker"
        role = options["role"]
        children: dict[str, subprocess.Popen[bytes]] = {}
        if role in ("all", "web"):
            children["web server"] = subprocess.Popen(web)  # noqa: S603  # nosec B603 # fixed argv
        if role in ("all", "worker"):
            count = max(1, options["task_workers"])
            for n in range(1, count + 1):
                name = worker_name if count == 1 else f"{worker_name} {n}"
                children[name] = subprocess.Popen(worker)  # noqa: S603  # nosec B603 # fixed argv
        if role in ("all", "clock"):
            # Every periodic job in one process, led by one clock across hosts (manage.py clock).
            children["clock"] = subprocess.Popen(  # noqa: S603  # nosec B603 # fixed argv
                [python, "manage.py", "clock"]
            )
        url = f"http://{options['host']}:{options['port']}"
        if "web server" in children:
            self.stdout.write(
                self.style.SUCCESS(f"\nInterlude is running at {url}  (Ctrl-C stops it)")
            )
            self.stdout.write(f"Web server: gunicorn, {options['web_workers']} workers.")
        else:
            self.stdout.write(
                self.style.SUCCESS(f"\nInterlude ({role}) is running (Ctrl-C stops it)")
            )
        if role in ("all", "worker"):
            self.stdout.write(f"Tasks: {worker_name} x {max(1, options['task_workers'])}.")
        if "clock" in children:
            self.stdout.write(
                "Clock: alert rules and reminders every minute, expired exports and stalled or "
                "stale imports tidied every 5 minutes, audit checkpoints every "
                f"{settings.AUDIT_CHECKPOINT_EVERY} s, while it holds the clock's lock."
            )
        if settings.DEMO_ENABLED and "web server" in children:
            from interlude.clinic.demo import DEMO_LOGINS

            self.stdout.write(f"Demo logins (password {settings.DEMO_PASSWORD}):")
            for email, what in DEMO_LOGINS:
                self.stdout.write(f"  {email:34} {what}")
        self.stdout.flush()

        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        while not stopping:
            for name, proc in children.items():
                if proc.poll() is not None:
                    self.stderr.write(
                        f"The {name} stopped (exit code {proc.returncode}); stopping."
                    )
                    exit_code = proc.returncode or 1
                    stopping = True
            time.sleep(0.5)
        for proc in children.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in children.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
        self.stdout.write("Interlude stopped.")
        sys.exit(exit_code)
