"""Plan and send the reminders that are due.

`manage.py reminders_dispatch` plans and sends once, here, and prints what it did (for cron).
`manage.py reminders_dispatch --every 60` enqueues the dispatch for the task worker every 60
seconds, alone and without the clock's lock; `manage.py serve` runs it from `manage.py clock`
(ADR 0026). Several workers may run it at once: each reminder is claimed by one conditional
UPDATE, so it is sent once.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from interlude.core.periodic import run_every
from interlude.reminders.services import reminders_dispatch
from interlude.reminders.tasks import reminders_dispatch_run


class Command(BaseCommand):
    help = "Plan and send due reminders once, or enqueue that every N seconds."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--every", type=int, default=0, help="Seconds between rounds (0: run once, here)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        every = options["every"]
        if every <= 0:
            r = reminders_dispatch()
            self.stdout.write(
                f"Planned {r['planned']}, sent {r['sent']}, to retry {r['retry']}, "
                f"failed {r['failed']}, skipped {r['skipped']}."
            )
            return
        run_every(seconds=every, work=reminders_dispatch_run.enqueue)
