"""The clock: every periodic job in one process, run by one clock however many hosts start it.

`manage.py serve` starts it (roles `all` and `clock`). Each job enqueues its work for the task
workers (or, for the audit checkpoint, does it here), on its own interval. Start it on as many
hosts as you like: one leads, holding the clock's lock (PostgreSQL advisory lock, Redis lock or a
file lock, see interlude/core/periodic.py and ADR 0026), the others stand by and take over when
the leader goes away. The jobs' own commands (`manage.py alerts_sweep` ...) still run one round
by hand.

Adding a job is one line in JOBS: its name, its interval in seconds (or the setting that holds
it) and the dotted path of a task to enqueue or a function to call.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from interlude.core.periodic import Job, clock_lock, run_clock

logger = logging.getLogger("interlude.clock")

# (name, seconds or the name of the setting holding them, a task to enqueue or a function to call)
JOBS: list[tuple[str, int | str, str]] = [
    # Time-based alert rules: escalation, overdue questionnaires, no check-ins, mood drops.
    ("alerts_sweep", 60, "interlude.alerts.tasks.alerts_sweep_run"),
    # Plan and send the clients' reminders (each claimed by one conditional UPDATE).
    ("reminders_dispatch", 60, "interlude.reminders.tasks.reminders_dispatch_run"),
    # Delete client data exports nobody downloaded within a day.
    ("exports_sweep", 300, "interlude.rights.tasks.exports_sweep_run"),
    # Imports: reads whose worker died queued again, uploads not added in a day deleted.
    ("imports_sweep", 300, "interlude.interop.tasks.imports_sweep_run"),
    # Progress report PDFs: files a day old deleted, their jobs marked expired.
    ("reports_sweep", 300, "interlude.insights.tasks.reports_sweep_run"),
    # Signed checkpoints of the audit chain head, off the database (SR-32, ADR 0015).
    (
        "audit_checkpoint",
        "AUDIT_CHECKPOINT_EVERY",
        "interlude.core.management.commands.clock.audit_checkpoint_logging_refusals",
    ),
]


def audit_checkpoint_logging_refusals() -> None:
    """Write a checkpoint here, in the clock (the file is this host's, shipped off it); a broken
    chain is logged at ERROR on every round, so the log alert keeps firing, and stops nothing."""
    from interlude.audit.checkpoints import (
        ChainBroken,
        CheckpointError,
        CheckpointShipError,
        checkpoint_write,
    )

    try:
        checkpoint_write()
    except (ChainBroken, CheckpointError, CheckpointShipError, OSError) as exc:
        logging.getLogger("interlude.audit").error("audit checkpoint refused: %s", exc)


def clock_jobs(
    *, every: dict[str, float] | None = None, only: list[str] | None = None
) -> list[Job]:
    """JOBS as Jobs: a task is enqueued, anything else called. `every` overrides intervals by job
    name, `only` keeps the named jobs (tests, and an operator who runs one job elsewhere)."""
    jobs = []
    for name, seconds, target in JOBS:
        if only and name not in only:
            continue
        interval = float(getattr(settings, seconds) if isinstance(seconds, str) else seconds)
        thing = import_string(target)
        run = thing.enqueue if hasattr(thing, "enqueue") else thing
        jobs.append(Job(name=name, every=(every or {}).get(name, interval), run=run))
    return jobs


def _interval(text: str) -> tuple[str, float]:
    name, sep, seconds = text.partition("=")
    if not sep:
        raise CommandError(f"--every takes NAME=SECONDS, not {text!r}.")
    return name, float(seconds)


class Command(BaseCommand):
    help = "Run every periodic job on its interval, while this process holds the clock's lock."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--every",
            action="append",
            default=[],
            metavar="NAME=SECONDS",
            help="Another interval for one job (repeatable), e.g. alerts_sweep=1.",
        )
        parser.add_argument(
            "--only", action="append", default=[], metavar="NAME", help="Run only these jobs."
        )
        parser.add_argument(
            "--standby-poll",
            type=float,
            default=float(os.environ.get("INTERLUDE_CLOCK_STANDBY_POLL", "5")),
            help="Seconds between a standby's tries at the lock (default 5).",
        )
        parser.add_argument(
            "--lock",
            choices=["auto", "postgres", "redis", "file"],
            default=None,
            help="Which lock (default: settings.CLOCK_LOCK, from INTERLUDE_CLOCK_LOCK).",
        )
        parser.add_argument(
            "--lock-ttl",
            type=float,
            default=30.0,
            help="Seconds a Redis lock outlives a leader that stopped renewing it (default 30).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        names = {name for name, _, _ in JOBS}
        every = dict(_interval(text) for text in options["every"])
        unknown = (set(every) | set(options["only"])) - names
        if unknown:
            raise CommandError(f"No such clock job: {', '.join(sorted(unknown))}.")
        jobs = clock_jobs(every=every, only=options["only"])
        lock = clock_lock(kind=options["lock"], redis_ttl=options["lock_ttl"])
        poll = options["standby_poll"]

        def tell(state: str) -> None:
            what = {
                "standby": "standing by",
                "leading": "leading: running "
                + ", ".join(f"{job.name} every {job.every:g} s" for job in jobs),
                "lost": "lost the lock; standing by",
            }[state]
            self.stdout.write(f"Clock ({lock.description}): {what}.")
            self.stdout.flush()

        run_clock(
            jobs=jobs,
            lock=lock,
            standby_poll=poll,
            # Renew (Redis) or check well inside the lock's lifetime.
            check_every=min(5.0, poll, options["lock_ttl"] / 3),
            on_change=tell,
        )
