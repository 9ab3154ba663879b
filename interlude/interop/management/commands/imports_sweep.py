"""Tidy imports: queue again the reads whose worker died, and delete the files and staged rows of
imports not added within a day.

`manage.py imports_sweep` runs the sweep once, here, and prints what it did (for cron).
`manage.py imports_sweep --every 300` enqueues the sweep for the task worker every 300 seconds,
alone and without the clock's lock; `manage.py serve` runs it from `manage.py clock` (ADR 0026).
The sweep is idempotent, so an overlap does no harm.
"""

from __future__ import annotations

from interlude.core.periodic import SweepCommand
from interlude.interop.services import imports_sweep
from interlude.interop.tasks import imports_sweep_run


class Command(SweepCommand):
    help = "Resume stalled imports and delete old uploads once, or enqueue it every N seconds."

    def sweep(self) -> dict[str, int]:
        return imports_sweep()

    def enqueue(self) -> object:
        return imports_sweep_run.enqueue()

    def done(self, result: dict[str, int]) -> str:
        return (
            f"Queued {result['resumed']} stalled imports again, "
            f"deleted {result['purged']} old uploads."
        )
