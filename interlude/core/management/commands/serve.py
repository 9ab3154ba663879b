"""Run the web server (gunicorn) and the task worker together; stop both on Ctrl-C or SIGTERM.

`make run` calls this after migrating and seeding. With REDIS_URL set the worker is an RQ worker,
otherwise django-tasks-db's database worker.
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


class Command(BaseCommand):
    help = "Serve Interlude: web server and task worker, until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument(
            "--web-workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2"))
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
        children = {
            "web server": subprocess.Popen(web),  # noqa: S603 - fixed argv, no shell  # nosec B603
            worker_name: subprocess.Popen(worker),  # noqa: S603  # nosec B603 # fixed argv
            # The clock: enqueues the time-based alert rules every minute (alerts_sweep).
            "alert clock": subprocess.Popen(  # noqa: S603  # nosec B603 # fixed argv
                [python, "manage.py", "alerts_sweep", "--every", "60"]
            ),
            # Plans and sends the clients' reminders every minute (reminders_dispatch).
            "reminder clock": subprocess.Popen(  # noqa: S603  # nosec B603 # fixed argv
                [python, "manage.py", "reminders_dispatch", "--every", "60"]
            ),
            # Deletes client data exports nobody downloaded within a day (every 5 minutes).
            "export clock": subprocess.Popen(  # noqa: S603  # nosec B603 # fixed argv
                [python, "manage.py", "exports_sweep", "--every", "300"]
            ),
            # Imports: reads whose worker died queued again, uploads not added in a day deleted.
            "import clock": subprocess.Popen(  # noqa: S603  # nosec B603 # fixed argv
                [python, "manage.py", "imports_sweep", "--every", "300"]
            ),
            # Signed checkpoints of the audit chain head, off the database (SR-32, ADR 0015).
            "audit checkpoint clock": subprocess.Popen(  # noqa: S603  # nosec B603 # fixed argv
                [
                    python,
                    "manage.py",
                    "audit_checkpoint",
                    "--every",
                    str(settings.AUDIT_CHECKPOINT_EVERY),
                ]
            ),
        }
        url = f"http://{options['host']}:{options['port']}"
        self.stdout.write(self.style.SUCCESS(f"\nInterlude is running at {url}  (Ctrl-C stops it)"))
        self.stdout.write(
            f"Web server: gunicorn, {options['web_workers']} workers. Tasks: {worker_name}, "
            "alert rules and reminders every minute, expired exports and stalled or stale imports "
            "tidied every 5 minutes, "
            "audit checkpoints every "
            f"{settings.AUDIT_CHECKPOINT_EVERY} s."
        )
        if settings.DEMO_ENABLED:
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
