"""Delete progress report PDFs a day old (and fail builds that died, and remove stray files).

`manage.py reports_sweep` runs the sweep once, here, and prints what it did (for cron). The clock
(`manage.py clock`) enqueues `interlude.insights.tasks.reports_sweep_run` for the task worker;
`--every N` does the same on its own, every N seconds. The sweep is idempotent, so an overlap
does no harm.
"""

from __future__ import annotations

from interlude.core.periodic import SweepCommand
from interlude.insights.services import reports_sweep
from interlude.insights.tasks import reports_sweep_run


class Command(SweepCommand):
    help = "Delete progress report PDFs a day old once, or enqueue the sweep every N seconds."

    def sweep(self) -> dict[str, int]:
        return reports_sweep()

    def enqueue(self) -> object:
        return reports_sweep_run.enqueue()

    def done(self, result: dict[str, int]) -> str:
        return (
            f"Deleted {result['expired']} expired, failed {result['stale']} stalled, "
            f"removed {result['strays']} stray files."
        )
