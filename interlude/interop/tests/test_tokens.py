"""Personal access tokens: hashed storage, expiry, revocation, staff refused, the page."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.http import Http404

from interlude.audit.models import AuditAction, AuditEvent
from interlude.core.errors import ApplicationError
from interlude.interop.enums import TokenScope
from interlude.interop.models import AccessToken
from interlude.interop.tokens import (
    token_authenticate,
    token_create,
    token_revoke,
    tokens_for_user,
)
from tests.factories import ClientFactory, MembershipFactory, UserFactory, clinician_with_client

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def _client():
    return ClientFactory(user=UserFactory())


def _token(client, *, scopes=(TokenScope.READ,), days=30, now=NOW):
    return token_create(
        user=client.user,
        client=client,
        name="My watch",
        scopes=list(scopes),
        expires_at=now + timedelta(days=days),
        now=now,
    )


@time_machine.travel(NOW, tick=False)
def test_create_stores_only_the_hash_and_audits():
    client = _client()
    token, raw = _token(client, scopes=["read", TokenScope.OBSERVATIONS_WRITE, "read"])
    assert raw.startswith(f"itk_{token.prefix}_")
    assert len(token.prefix) == 12
    row = AccessToken.objects.get(pk=token.pk)
    assert row.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert row.scopes == ["observations:write", "read"]
    assert row.expires_at == NOW + timedelta(days=30)
    secret = raw.split("_", 2)[2]
    for value in AccessToken.objects.values_list(
        "name", "prefix", "key_hash", "scopes", flat=False
    ).get(pk=token.pk):
        assert secret not in str(value)
        assert raw not in str(value)
    event = AuditEvent.objects.get(action=AuditAction.TOKEN_CREATED)
    assert event.object_id == str(token.public_id)
    assert event.detail == {"scopes": ["observations:write", "read"]}


@time_machine.travel(NOW, tick=False)
def test_create_refuses_staff_non_clients_bad_scopes_and_expiry():
    membership, client = clinician_with_client()
    with pytest.raises(ApplicationError, match="Practice team members"):
        token_create(
            user=membership.user,
            client=client,
            name="x",
            scopes=["read"],
            expires_at=NOW + timedelta(days=1),
        )
    other = _client()
    with pytest.raises(ApplicationError, match="Only clients"):
        token_create(
            user=other.user, client=client, name="x", scopes=["read"], expires_at=NOW + timedelta(1)
        )
    with pytest.raises(ApplicationError, match="Unknown scope 'write'"):
        _token(client, scopes=["write"])
    with pytest.raises(ApplicationError, match="at least one"):
        _token(client, scopes=[])
    with pytest.raises(ApplicationError, match="in the future"):
        _token(client, days=0)
    with pytest.raises(ApplicationError, match="at most one year"):
        _token(client, days=367)
    assert _token(client, days=365)[0].expires_at == NOW + timedelta(days=365)
    assert AccessToken.objects.count() == 1


def test_authenticate_expiry_and_last_used():
    client = _client()
    token, raw = _token(client)
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        user, found = token_authenticate(raw=raw)
        assert user == client.user and found.pk == token.pk
    token.refresh_from_db()
    assert token.last_used_at == NOW + timedelta(minutes=5)
    # within a minute: not written again
    token_authenticate(raw=raw, now=NOW + timedelta(minutes=5, seconds=30))
    token.refresh_from_db()
    assert token.last_used_at == NOW + timedelta(minutes=5)
    token_authenticate(raw=raw, now=NOW + timedelta(minutes=6))
    token.refresh_from_db()
    assert token.last_used_at == NOW + timedelta(minutes=6)
    assert token_authenticate(raw=raw, now=NOW + timedelta(days=30)) is None
    assert token_authenticate(raw=raw, now=NOW + timedelta(days=30, seconds=-1)) is not None


@pytest.mark.parametrize(
    "mangle",
    [
        lambda raw: raw[:-1] + ("A" if raw[-1] != "A" else "B"),
        lambda raw: raw.replace("itk_", "xtk_"),
        lambda raw: "itk_" + "0" * 12 + "_" + raw.split("_", 2)[2],
        lambda raw: raw.split("_", 2)[0] + "_" + raw.split("_", 2)[1],
        lambda raw: "",
        lambda raw: "itk_ZZZZZZZZZZZZ_abc",
    ],
)
def test_authenticate_refuses_malformed_and_unknown(mangle):
    client = _client()
    _token_row, raw = _token(client)
    assert token_authenticate(raw=mangle(raw), now=NOW) is None


def test_authenticate_refuses_revoked_inactive_and_staff():
    client = _client()
    token, raw = _token(client)
    assert token_authenticate(raw=raw, now=NOW) is not None
    client.user.is_active = False
    client.user.save()
    assert token_authenticate(raw=raw, now=NOW) is None
    client.user.is_active = True
    client.user.save()
    membership = MembershipFactory(user=client.user)
    assert token_authenticate(raw=raw, now=NOW) is None
    membership.delete()
    token_revoke(user=client.user, token_id=token.public_id, now=NOW)
    assert token_authenticate(raw=raw, now=NOW) is None


def test_revoke_own_only_and_audited_once():
    client, other = _client(), _client()
    token, _raw = _token(client)
    with pytest.raises(Http404):
        token_revoke(user=other.user, token_id=token.public_id, now=NOW)
    with pytest.raises(Http404):
        token_revoke(user=client.user, token_id=uuid.uuid4(), now=NOW)
    revoked = token_revoke(user=client.user, token_id=token.public_id, now=NOW)
    assert revoked.revoked_at == NOW
    token_revoke(user=client.user, token_id=token.public_id, now=NOW + timedelta(hours=1))
    token.refresh_from_db()
    assert token.revoked_at == NOW
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKED).count() == 1


def test_tokens_for_user_newest_first_and_own_only():
    client, other = _client(), _client()
    first, _ = _token(client, now=NOW)
    second, _ = _token(client, now=NOW + timedelta(hours=1))
    _token(other)
    assert [t.pk for t in tokens_for_user(user=client.user)] == [second.pk, first.pk]
