"""Tidy imports: queue again the reads whose worker died, and delete the files and staged rows of
imports not added within a day.

`manage.py imports_sweep` runs the sweep once, here, and prints what it did (for cron).
`manage.py imports_sweep --every 300` enqueues the sweep for the task worker every 300 seconds,
alone and without the clock's lock; `manage.py serve` runs it from `manage.py clock` (ADR 0026).
The sweep is idempotent, so an overlap does no harm.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from interlude.core.periodic import run_every
from interlude.interop.services import imports_sweep
from interlude.interop.tasks import imports_sweep_run


class Command(BaseCommand):
    help = "Resume stalled imports and delete old uploads once, or enqueue it every N seconds."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--every", type=int, default=0, help="Seconds between sweeps (0: run once, here)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        every = options["every"]
        if every <= 0:
            result = imports_sweep()
            self.stdout.write(
                f"Queued {result['resumed']} stalled imports again, "
                f"deleted {result['purged']} old uploads."
            )
            return
        run_every(seconds=every, work=imports_sweep_run.enqueue)
