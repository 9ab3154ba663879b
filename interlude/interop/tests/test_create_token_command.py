"""manage.py create_token: prints the token last; refuses staff, unknown emails, bad scopes."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from interlude.interop.management.commands.create_token import Command
from interlude.interop.models import AccessToken
from interlude.interop.tokens import token_authenticate
from tests.factories import ClientFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
def test_prints_a_working_token_last():
    client = ClientFactory(user=UserFactory(email="sam@example.org"))
    out = io.StringIO()
    call_command(
        "create_token",
        "--email",
        "SAM@example.org",
        "--scopes",
        "read",
        "observations:write",
        "--name",
        "Watch",
        "--days",
        "30",
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    raw = lines[-1]
    token = AccessToken.objects.get(client=client)
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert (token.name, token.scopes) == ("Watch", ["observations:write", "read"])
    assert token.expires_at == NOW + timedelta(days=30)
    assert lines[0] == (
        "Token 'Watch' for sam@example.org: observations:write, read; "
        "expires 2026-04-09 12:00 UTC. Shown only this once:"
    )
    assert token_authenticate(raw=raw) is not None


def test_refuses_staff_and_unknown_emails():
    membership = MembershipFactory(user=UserFactory(email="dr@example.org"))
    with pytest.raises(CommandError, match="staff cannot have access tokens"):
        call_command("create_token", "--email", membership.user.email, "--scopes", "read")
    with pytest.raises(CommandError, match="No client signs in with that email address"):
        call_command("create_token", "--email", "nobody@example.org", "--scopes", "read")
    UserFactory(email="notaclient@example.org")
    with pytest.raises(CommandError, match="No client signs in with that email address"):
        call_command("create_token", "--email", "notaclient@example.org", "--scopes", "read")
    assert AccessToken.objects.count() == 0


def test_unknown_scope_or_days_exit_2(capsys):
    command = Command()
    command._called_from_command_line = True
    parser = command.create_parser("manage.py", "create_token")
    with pytest.raises(SystemExit) as exited:
        parser.parse_args(["--email", "a@example.org", "--scopes", "write"])
    assert exited.value.code == 2
    assert "invalid choice: 'write'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        parser.parse_args(["--email", "a@example.org", "--scopes", "read", "--days", "400"])
    assert exited.value.code == 2
