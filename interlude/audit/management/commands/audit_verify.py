from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max

from interlude.audit.chain import ChainBreak, verify_chain
from interlude.audit.models import AuditChainHead, AuditEvent


class Command(BaseCommand):
    help = "Check the audit trail's hash chain; exit non-zero naming the first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        head = AuditChainHead.objects.filter(pk=1).first()
        head_seq = head.seq if head else None
        # Check the chain up to the head read above: events appended while we read are checked
        # next time, so a busy system gives no false alarm.
        events = AuditEvent.objects.all()
        if head_seq is not None:
            events = events.filter(seq__lte=head_seq)
        rows = (
            events.order_by("seq")
            .values(
                "seq",
                "occurred_at",
                "actor_id",
                "actor_label",
                "action",
                "outcome",
                "practice_id",
                "client_id",
                "object_type",
                "object_id",
                "request_id",
                "ip",
                "detail",
                "prev_hash",
                "hash",
            )
            .iterator(chunk_size=5000)
        )
        checked, broken = verify_chain(
            rows,
            head_seq=head_seq,
            head_hash=head.hash if head else None,
        )
        if broken is None and head_seq is not None:
            broken = _rows_past_head()
        if broken is not None:
            raise CommandError(
                f"Audit chain broken at event {broken.seq}: {broken.reason}. "
                f"{checked} events before it are intact."
            )
        self.stdout.write(
            f"Audit chain intact: {checked} event{'s' if checked != 1 else ''} verified."
        )


def _rows_past_head() -> ChainBreak | None:
    """Rows beyond the head are fine if the head has moved past them since (concurrent appends);
    rows beyond the current head were written outside the audit service."""
    newest = AuditEvent.objects.aggregate(newest=Max("seq"))["newest"] or 0
    head_now = AuditChainHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
    if newest > head_now:
        return ChainBreak(
            head_now + 1,
            f"the chain head records {head_now} events but {newest} are stored "
            f"(event {head_now + 1} and later were added outside the audit service)",
        )
    return None
