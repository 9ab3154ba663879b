"""Recompute the caseload summaries from the records: all clients, or one (--client public id).

Run once after deploying the summaries, and whenever data was written behind the services'
back (a restore, a hand-made fix). Safe to run at any time: each batch is one transaction."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from interlude.insights.summary import summaries_rebuild
from interlude.practices.models import Client


class Command(BaseCommand):
    help = "Recompute the caseload's per-client summaries from the records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--client", help="one client's public id (default: every client)")

    def handle(self, *args: Any, **options: Any) -> None:
        ids = None
        if options["client"]:
            try:
                public_id = uuid.UUID(options["client"])
            except ValueError:
                raise CommandError("--client takes a client's public id (a UUID).") from None
            ids = list(Client.objects.filter(public_id=public_id).values_list("pk", flat=True))
            if not ids:
                raise CommandError("No client has that public id.")
        written = summaries_rebuild(client_ids=ids)
        self.stdout.write(f"Rebuilt {written} summar{'y' if written == 1 else 'ies'}.")
