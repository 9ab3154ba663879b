"""Write a signed checkpoint of the audit chain head (SR-32, ADR 0015).

`manage.py audit_checkpoint` verifies the events added since the last checkpoint and appends one
signed line to AUDIT_CHECKPOINT_FILE (and syslog, if AUDIT_SYSLOG_ADDRESS is set); it exits
non-zero, writing nothing, if the chain does not verify.
`manage.py audit_checkpoint --every 300` writes one every 300 seconds, alone and without the
clock's lock; `manage.py serve` runs it from `manage.py clock` (ADR 0026). A broken chain is
logged at ERROR on every round (so the log alert keeps firing) without stopping the server.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from interlude.audit.checkpoints import (
    ChainBroken,
    CheckpointError,
    CheckpointShipError,
    checkpoint_write,
)
from interlude.core.periodic import run_every

logger = logging.getLogger("interlude.audit")


class Command(BaseCommand):
    help = "Append a signed checkpoint of the audit chain head, once or every N seconds."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--every", type=int, default=0, help="Seconds between checkpoints (0: once)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        every = options["every"]
        if every <= 0:
            try:
                checkpoint = checkpoint_write()
            except (ChainBroken, CheckpointError, CheckpointShipError) as exc:
                raise CommandError(f"No checkpoint written: {exc}") from exc
            self.stdout.write(f"Checkpoint written at event {checkpoint.seq}.")
            return

        def write_logging_refusals() -> None:
            try:
                checkpoint_write()
            except (ChainBroken, CheckpointError, CheckpointShipError, OSError) as exc:
                logger.error("audit checkpoint refused: %s", exc)

        run_every(seconds=every, work=write_logging_refusals)
