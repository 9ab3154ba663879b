"""Make a personal access token for a client, for an operator setting up a device with them.

`manage.py create_token --email E --scopes read observations:write [--name N] [--days D]`
prints the token as its last line (it is shown only this once). Staff and unknown emails are
refused with exit status 1; an unknown scope is refused by argparse (exit status 2).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from interlude.accounts.models import User
from interlude.core.errors import ApplicationError
from interlude.interop.enums import TokenScope
from interlude.interop.tokens import token_create, token_user_is_staff

MSG_UNKNOWN = "No client signs in with that email address."
MSG_STAFF = "That email belongs to a practice team member; staff cannot have access tokens."


def _days(value: str) -> int:
    import argparse

    try:
        days = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError("a whole number of days from 1 to 365") from None
    if not 1 <= days <= 365:
        raise argparse.ArgumentTypeError("a whole number of days from 1 to 365")
    return days


class Command(BaseCommand):
    help = "Make a personal access token for a client's app or device; prints it last."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--email", required=True, help="The client's sign-in email.")
        parser.add_argument(
            "--scopes",
            required=True,
            nargs="+",
            choices=TokenScope.values,
            help="What the token may do.",
        )
        parser.add_argument("--name", default="Device", help="A name the client will recognise.")
        parser.add_argument(
            "--days", type=_days, default=90, help="How many days it works (1-365; 90)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        client = getattr(user, "client_profile", None) if user is not None else None
        if user is not None and token_user_is_staff(user=user):
            raise CommandError(MSG_STAFF)
        if user is None or client is None or not user.is_active:
            raise CommandError(MSG_UNKNOWN)
        now = timezone.now()
        try:
            token, raw = token_create(
                user=user,
                client=client,
                name=options["name"],
                scopes=options["scopes"],
                expires_at=now + timedelta(days=options["days"]),
                now=now,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"Token {token.name!r} for {user.email}: {', '.join(token.scopes)}; "
            f"expires {token.expires_at:%Y-%m-%d %H:%M} UTC. Shown only this once:"
        )
        self.stdout.write(raw)
