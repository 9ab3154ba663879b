"""`manage.py audit_verify`: check the audit chain against its keys and signed checkpoints.

Exits non-zero naming the first bad event (its seq and row id) for an edited, deleted, inserted
or rehashed event, a truncated table or tail, and a moved chain head (SR-32, ADR 0015).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max

from interlude.audit.chain import ChainBreak, CheckpointError, verify_chain
from interlude.audit.checkpoints import ROW_FIELDS, checkpoints_load
from interlude.audit.models import AuditChainHead, AuditEvent


class Command(BaseCommand):
    help = "Check the audit chain and its checkpoints; exit non-zero naming the first bad event."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--checkpoints",
            type=Path,
            default=None,
            help="Checkpoint file to check against (default AUDIT_CHECKPOINT_FILE); a copy "
            "shipped off the server, or a syslog file holding the checkpoint lines.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        keys = settings.AUDIT_HMAC_KEYS
        path = options["checkpoints"] or Path(settings.AUDIT_CHECKPOINT_FILE)
        # Checkpoints before the head: a checkpoint is never ahead of the head it signed, so one
        # written while we read cannot raise a false alarm.
        try:
            checkpoints = checkpoints_load(path, keys=keys)
        except CheckpointError as exc:
            raise CommandError(f"Audit checkpoints at {path} cannot be trusted: {exc}.") from exc
        head = AuditChainHead.objects.filter(pk=1).first()
        head_seq = head.seq if head else None
        # Check the chain up to the head read above: events appended while we read are checked
        # next time, so a busy system gives no false alarm.
        events = AuditEvent.objects.all()
        if head_seq is not None:
            events = events.filter(seq__lte=head_seq)
        rows = events.order_by("seq").values(*ROW_FIELDS).iterator(chunk_size=5000)
        try:
            checked, broken = verify_chain(
                rows,
                keys=keys,
                head_seq=head_seq,
                head_hash=head.hash if head else None,
                checkpoints=checkpoints,
            )
        finally:
            rows.close()  # the server-side cursor, where it stopped (see audit/checkpoints.py)
        if broken is None and head_seq is not None:
            broken = _rows_past_head()
        if broken is not None:
            where = f"event {broken.seq}" + (
                f" (row id {broken.row_id})" if broken.row_id is not None else ""
            )
            raise CommandError(
                f"Audit chain broken at {where}: {broken.reason}. "
                f"{checked} events before it are intact."
            )
        plural = "s" if checked != 1 else ""
        if checkpoints:
            latest = max(reversed(checkpoints), key=lambda c: c.seq)  # the newest of equals
            self.stdout.write(
                f"Audit chain intact: {checked} event{plural} verified; the latest of "
                f"{len(checkpoints)} signed checkpoints (event {latest.seq}, {latest.time}) "
                "matches."
            )
        else:
            self.stdout.write(f"Audit chain intact: {checked} event{plural} verified.")
            self.stderr.write(
                f"No signed checkpoint at {path}: events removed from the end, or the whole "
                "trail, cannot be detected without one. Run `manage.py audit_checkpoint`."
            )


def _rows_past_head() -> ChainBreak | None:
    """Rows beyond the head are fine if the head has moved past them since (concurrent appends);
    rows beyond the current head were written outside the audit service."""
    newest = AuditEvent.objects.aggregate(newest=Max("seq"))["newest"] or 0
    head_now = AuditChainHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
    if newest > head_now:
        row_id = AuditEvent.objects.filter(seq=head_now + 1).values_list("id", flat=True).first()
        return ChainBreak(
            head_now + 1,
            f"the chain head records {head_now} events but {newest} are stored "
            f"(event {head_now + 1} and later were added outside the audit service)",
            row_id,
        )
    return None
