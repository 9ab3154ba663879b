"""Import a file for a client without the preview step.

    python manage.py import_file --client-email E --source daylio PATH [--profile NAME]
        [--mood-map '{"wired": 4}']

The file is read and added exactly as an upload would be (the same reading, loader and
transaction), under the client's own account. The last line printed is the summary as JSON:
{"source": ..., "added": {"checkins": n, "sleep": n, "mindful": n, "steps": n, "responses": n},
"duplicates": n, "unreadable": n}. A file that cannot be read, an unknown client, moods with no
level or a missing profile exit 1 with a message on stderr, having added nothing; wrong arguments
(an unknown source, no PATH, a --mood-map that is not a JSON object of names to levels 1-5)
exit 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from interlude.core.errors import ApplicationError
from interlude.interop.enums import ImportSource
from interlude.interop.selectors import import_profile_get
from interlude.interop.services import import_file_now
from interlude.practices.models import Client


def _mood_map(text: str) -> dict[str, int]:
    """argparse type: a JSON object of mood names to levels 1-5 (else exit 2)."""
    import argparse

    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        raise argparse.ArgumentTypeError("not JSON; give an object like '{\"wired\": 4}'") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("give an object like '{\"wired\": 4}'")
    for name, level in value.items():
        if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 5:
            raise argparse.ArgumentTypeError(f"the level of {name!r} must be a whole number 1-5")
    return {str(name): int(level) for name, level in value.items()}


class Command(BaseCommand):
    # Importing needs the models, not the URL, template and security checks: skipping them keeps
    # the command's own memory and start-up small (bench/apple_health.py measures it).
    requires_system_checks: list[str] = []
    help = "Import a file from another app for a client, without a preview."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--client-email", required=True, help="The client's email address.")
        parser.add_argument(
            "--source", required=True, choices=ImportSource.values, help="The app it comes from."
        )
        parser.add_argument("path", metavar="PATH", help="The exported file.")
        parser.add_argument("--profile", help="A spreadsheet's saved column mapping (csv).")
        parser.add_argument(
            "--mood-map",
            type=_mood_map,
            default={},
            help="Levels 1-5 for mood names, as JSON: '{\"wired\": 4}'.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["client_email"].strip()
        found = list(
            Client.objects.select_related("practice", "user").filter(email__iexact=email)[:2]
        )
        if not found:
            raise CommandError(f"No client has the email address {email}.")
        if len(found) > 1:
            raise CommandError(f"More than one client has the email address {email}.")
        client = found[0]
        if client.user is None:
            raise CommandError(
                "This client has no account yet; imports are added under the client's own "
                "account. Ask them to accept their invitation first."
            )
        source = ImportSource(options["source"])
        import_options: dict[str, Any] = {}
        if options["mood_map"]:
            import_options["moods"] = options["mood_map"]
        if options["profile"]:
            if source != ImportSource.CSV:
                raise CommandError("--profile is for --source csv only.")
            profile = import_profile_get(client=client, name=options["profile"])
            if profile is None:
                raise CommandError(
                    f"The client has no saved profile called {options['profile']!r}."
                )
            import_options["mapping"] = profile.mapping
        elif source == ImportSource.CSV:
            raise CommandError(
                "A spreadsheet needs its columns matched: give --profile NAME (a mapping the "
                "client saved when importing one on the website)."
            )
        try:
            summary = import_file_now(
                user=client.user,
                client=client,
                source=source,
                path=Path(options["path"]),
                options=import_options,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(json.dumps(summary))
