"""Delete client exports nobody downloaded within a day (and clear up runs that died).

`manage.py exports_sweep` runs the sweep once, here, and prints what it did (for cron).
`manage.py exports_sweep --every 300` enqueues the sweep for the task worker every 300 seconds,
alone and without the clock's lock; `manage.py serve` runs it from `manage.py clock` (ADR 0026).
The sweep is idempotent, so an overlap does no harm.
"""

from __future__ import annotations

from interlude.core.periodic import SweepCommand
from interlude.rights.services import exports_sweep
from interlude.rights.tasks import exports_sweep_run


class Command(SweepCommand):
    help = "Delete expired client exports once, or enqueue the sweep every N seconds."

    def sweep(self) -> dict[str, int]:
        return exports_sweep()

    def enqueue(self) -> object:
        return exports_sweep_run.enqueue()

    def done(self, result: dict[str, int]) -> str:
        return (
            f"Deleted {result['expired']} expired, failed {result['stale']} stalled, "
            f"removed {result['strays']} stray files."
        )
