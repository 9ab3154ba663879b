"""Delete progress report PDFs a day old (and fail builds that died, and remove stray files).

`manage.py reports_sweep` runs the sweep once, here, and prints what it did (for cron). The clock
(`manage.py clock`) enqueues `interlude.insights.tasks.reports_sweep_run` for the task worker;
`--every N` does the same on its own, every N seconds. The sweep is idempotent, so an overlap
does no harm.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from interlude.core.periodic import run_every
from interlude.insights.services import reports_sweep
from interlude.insights.tasks import reports_sweep_run


class Command(BaseCommand):
    help = "Delete progress report PDFs a day old once, or enqueue the sweep every N seconds."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--every", type=int, default=0, help="Seconds between sweeps (0: run once, here)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        every = options["every"]
        if every <= 0:
            result = reports_sweep()
            self.stdout.write(
                f"Deleted {result['expired']} expired, failed {result['stale']} stalled, "
                f"removed {result['strays']} stray files."
            )
            return
        run_every(seconds=every, work=reports_sweep_run.enqueue)
