"""Start and stop gunicorn for the HTTP benchmarks, with `manage.py serve`'s settings.

The argv is the one interlude/core/management/commands/serve.py builds (gthread, 4 threads per
worker, the same timeouts, an access log in serve's format), with the WSGI module swapped for
bench.floor.wsgi (the real app plus the floor at /bench-floor/) and the worker count a
parameter. The access log goes to a file in the run's directory instead of the terminal.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Gunicorn:
    def __init__(self, *, env: dict[str, str], workers: int, log_dir: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"gunicorn-{self.port}.log"
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "bench.floor.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--threads",
            "4",
            "--timeout",
            "60",
            "--graceful-timeout",
            "10",
            "--access-logfile",
            str(log_dir / f"access-{self.port}.log"),
            "--access-logformat",
            '%(h)s "%(m)s %(U)s" %(s)s %(M)sms',
        ]
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "bench.floor_settings"},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def __enter__(self) -> Gunicorn:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"gunicorn stopped at start (see {self.log_path}):\n"
                    + self.log_path.read_text()[-2000:]
                )
            try:
                with urllib.request.urlopen(f"{self.base}/accounts/login/", timeout=10) as answer:  # noqa: S310
                    if answer.status == 200:
                        return self
            except OSError:
                time.sleep(0.5)
        raise SystemExit(f"gunicorn did not answer within 120 s (see {self.log_path})")

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()
