"""Run the time-based alert rules: escalation, overdue questionnaires, no check-ins, mood drops.

`manage.py alerts_sweep` runs them once, here, and prints what it did (for cron).
`manage.py alerts_sweep --every 60` enqueues the sweep for the task worker every 60 seconds, alone
and without the clock's lock; `manage.py serve` runs it from `manage.py clock` instead (one clock
however many hosts, ADR 0026). The sweep is idempotent, so an overlap or a restart never raises an
alert twice.
"""

from __future__ import annotations

from interlude.alerts.services import alerts_sweep
from interlude.alerts.tasks import alerts_sweep_run
from interlude.core.periodic import SweepCommand


class Command(SweepCommand):
    help = "Run the time-based alert rules once, or enqueue them every N seconds."

    def sweep(self) -> dict[str, int]:
        return alerts_sweep()

    def enqueue(self) -> object:
        return alerts_sweep_run.enqueue()

    def done(self, result: dict[str, int]) -> str:
        return (
            f"Escalated {result['escalated']}, overdue {result['overdue']}, "
            f"check-in alerts {result['checkins']}."
        )
