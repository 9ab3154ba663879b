from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from interlude.audit.chain import verify_chain
from interlude.audit.models import AuditChainHead, AuditEvent


class Command(BaseCommand):
    help = "Check the audit trail's hash chain; exit non-zero naming the first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        head = AuditChainHead.objects.filter(pk=1).first()
        rows = (
            AuditEvent.objects.order_by("seq")
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
            head_seq=head.seq if head else None,
            head_hash=head.hash if head else None,
        )
        if broken is not None:
            raise CommandError(
                f"Audit chain broken at event {broken.seq}: {broken.reason}. "
                f"{checked} events before it are intact."
            )
        self.stdout.write(f"Audit chain intact: {checked} events verified.")
