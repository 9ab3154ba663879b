from typing import Any

from django.core.management.base import BaseCommand, CommandError

from interlude.clinic.demo import demo_seed
from interlude.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Create the demo practices and accounts (never in production). Safe to run twice."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created = demo_seed()
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        summary = ", ".join(f"{n} {what}" for what, n in created.items())
        self.stdout.write(f"Demo data ready (created now: {summary}).")
