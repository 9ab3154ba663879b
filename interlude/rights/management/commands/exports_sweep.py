"""Delete client exports nobody downloaded within a day (and clear up runs that died).

`manage.py exports_sweep` runs the sweep once, here, and prints what it did (for cron).
`manage.py exports_sweep --every 300` enqueues the sweep for the task worker every 300 seconds,
alone and without the clock's lock; `manage.py serve` runs it from `manage.py clock` (ADR 0026).
The sweep is idempotent, so an overlap does no harm.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from interlude.core.periodic import run_every
from interlude.rights.services import exports_sweep
from interlude.rights.tasks import exports_sweep_run


class Command(BaseCommand):
    help = "Delete expired client exports once, or enqueue the sweep every N seconds."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--every", type=int, default=0, help="Seconds between sweeps (0: run once, here)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        every = options["every"]
        if every <= 0:
            result = exports_sweep()
            self.stdout.write(
                f"Deleted {result['expired']} expired, failed {result['stale']} stalled, "
                f"removed {result['strays']} stray files."
            )
            return
        run_every(seconds=every, work=exports_sweep_run.enqueue)
