"""Per-client data keys: envelope encryption, the key cache, crypto-shredding, and rotate_keys
moving old ciphertext to the clients' keys resumably (ADR 0017, SR-47, SR-25)."""

from __future__ import annotations

import io
import os

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from interlude.core import crypto, data_keys
from interlude.core.crypto import DataKeyDestroyed, DecryptionError
from interlude.core.data_keys import KeyCache, cache_clear, data_key_destroy
from interlude.core.fields import row_aad
from interlude.core.models import ClientDataKey, KeyRotationProgress
from interlude.exercises.models import JournalEntry
from tests.factories import ClientFactory, UserFactory

KEY_1 = os.urandom(32)
KEY_2 = os.urandom(32)


def _entry(client, body: str, title: str = "") -> JournalEntry:
    return JournalEntry.objects.create(
        practice=client.practice,
        client=client,
        title=title,
        body=body,
        created_by=client.user,
        updated_by=client.user,
    )


def _raw(pk: int, column: str = "body") -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM exercises_journalentry WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def _make_legacy(entry: JournalEntry) -> str:
    """Store the entry's text as the version before data keys wrote it: v1, under the ring."""
    body = crypto.encrypt_text(entry.body, aad=row_aad(entry, "body"))
    title = crypto.encrypt_text(entry.title, aad=row_aad(entry, "title"))
    JournalEntry.objects.filter(pk=entry.pk).update(body=body, title=title)
    return body


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("rotate_keys", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _empty_cache():
    cache_clear()
    yield
    cache_clear()


@pytest.mark.django_db
def test_each_client_gets_a_data_key_of_their_own_named_in_their_ciphertexts():
    a = ClientFactory(user=UserFactory())
    b = ClientFactory(user=UserFactory())
    entry_a = _entry(a, body="A's words")
    entry_b = _entry(b, body="B's words")

    key_a = ClientDataKey.objects.get(client=a)
    key_b = ClientDataKey.objects.get(client=b)
    assert key_a.key_id != key_b.key_id
    assert len(key_a.key_id) == 32
    assert _raw(entry_a.pk).startswith(f"v2:{key_a.key_id}:")
    assert _raw(entry_b.pk).startswith(f"v2:{key_b.key_id}:")
    # Stored only wrapped by the ring, never in the clear.
    assert key_a.wrapped.startswith("v1:")
    unwrapped_a = data_keys._key_by_id(key_a.key_id)
    unwrapped_b = data_keys._key_by_id(key_b.key_id)
    assert unwrapped_a != unwrapped_b
    assert len(unwrapped_a) == 32
    assert unwrapped_a.hex() not in key_a.wrapped
    # A second row of the same client uses the same key.
    assert _raw(_entry(a, body="more").pk).startswith(f"v2:{key_a.key_id}:")
    assert ClientDataKey.objects.count() == 2


@pytest.mark.django_db
def test_a_fresh_process_reads_back_through_the_wrapped_key():
    client = ClientFactory(user=UserFactory())
    entry = _entry(client, body="read me after a restart", title="0")
    cache_clear()

    fresh = JournalEntry.objects.get(pk=entry.pk)

    assert (fresh.body, fresh.title) == ("read me after a restart", "0")


@pytest.mark.django_db
def test_old_ring_ciphertext_still_decrypts():
    client = ClientFactory(user=UserFactory())
    entry = _entry(client, body="written before data keys", title="")
    legacy = _make_legacy(entry)
    assert legacy.startswith("v1:")

    fresh = JournalEntry.objects.get(pk=entry.pk)

    assert (fresh.body, fresh.title) == ("written before data keys", "")


@pytest.mark.django_db
def test_a_data_key_ciphertext_moved_to_another_clients_row_does_not_decrypt():
    a = ClientFactory(user=UserFactory())
    b = ClientFactory(user=UserFactory())
    entry_a = _entry(a, body="Private to A")
    entry_b = _entry(b, body="Private to B")
    JournalEntry.objects.filter(pk=entry_b.pk).update(body=_raw(entry_a.pk))

    with pytest.raises(DecryptionError):
        _ = JournalEntry.objects.get(pk=entry_b.pk).body


@pytest.mark.django_db
def test_destroying_the_key_makes_the_text_unreadable_even_for_a_warm_cache():
    client = ClientFactory(user=UserFactory())
    entry = _entry(client, body="CANARY-dek-1 shred me")
    key_id = ClientDataKey.objects.get(client=client).key_id
    assert JournalEntry.objects.get(pk=entry.pk).body == "CANARY-dek-1 shred me"
    assert data_keys._keys.get(key_id) is not None  # warm

    assert data_key_destroy(client_id=client.pk) == key_id

    assert data_keys._keys.get(key_id) is None
    with pytest.raises(DataKeyDestroyed):
        _ = JournalEntry.objects.get(pk=entry.pk).body
    row = ClientDataKey.objects.get(client=client)
    assert (row.wrapped, row.destroyed_at is not None) == ("", True)
    # Nothing left to destroy the second time.
    assert data_key_destroy(client_id=client.pk) is None


@pytest.mark.django_db
def test_after_destruction_new_writes_for_the_client_use_the_key_ring():
    client = ClientFactory(user=UserFactory())
    _entry(client, body="before")
    data_key_destroy(client_id=client.pk)

    entry = _entry(client, body="kept after closure")

    assert _raw(entry.pk).startswith("v1:")
    assert JournalEntry.objects.get(pk=entry.pk).body == "kept after closure"
    assert ClientDataKey.objects.filter(client=client).count() == 1


@pytest.mark.django_db
def test_an_unknown_data_key_id_is_a_decryption_error():
    with pytest.raises(DecryptionError, match="does not exist"):
        data_keys.decrypt_any("v2:" + "0" * 32 + ":AAAA", aad="x")
    with pytest.raises(DecryptionError):
        data_keys.decrypt_any("v9:1:AAAA", aad="x")


def test_the_key_cache_is_bounded_and_forgets_after_its_time_limit():
    now = [0.0]
    cache: KeyCache[str, bytes] = KeyCache(max_size=2, ttl_seconds=10, clock=lambda: now[0])
    cache.put("a", b"1")
    cache.put("b", b"2")
    assert cache.get("a") == b"1"  # a is now the most recent
    cache.put("c", b"3")
    assert (cache.get("b"), len(cache)) == (None, 2)  # the least recently used went
    now[0] = 10.5
    assert cache.get("a") is None
    assert cache.get("c") is None
    cache.put("d", b"4")
    cache.discard("d")
    assert cache.get("d") is None


@pytest.mark.django_db
def test_a_rolled_back_key_is_never_used_for_a_later_write():
    from django.db import transaction

    client = ClientFactory(user=UserFactory())
    with pytest.raises(RuntimeError), transaction.atomic():
        _entry(client, body="lost with the transaction")
        raise RuntimeError
    assert not ClientDataKey.objects.filter(client=client).exists()

    entry = _entry(client, body="after the rollback")

    stored_key = ClientDataKey.objects.get(client=client).key_id
    assert _raw(entry.pk).startswith(f"v2:{stored_key}:")
    cache_clear()
    assert JournalEntry.objects.get(pk=entry.pk).body == "after the rollback"


@pytest.mark.django_db
def test_rotate_keys_moves_old_ciphertext_to_client_keys_and_resumes_after_a_stop(monkeypatch):
    a = ClientFactory(user=UserFactory())
    b = ClientFactory(user=UserFactory())
    texts = {}
    entries = []
    for n in range(5):
        entry = _entry(a if n % 2 == 0 else b, body=f"entry {n}", title=str(n))
        texts[entry.pk] = (f"entry {n}", str(n))
        entries.append(entry)
    for entry in entries:
        _make_legacy(entry)
    ClientDataKey.objects.all().delete()  # as before data keys existed
    cache_clear()
    assert "10 values of clients are not yet under their data keys" in _run("--check")

    # First run: stopped after one batch of two rows.
    out = _run("--batch-size", "2", "--max-batches", "1")
    assert "clinical text: re-encrypted 2 under key" in out
    assert "6 values of clients are not yet under their data keys" in out
    first_two = [_raw(e.pk) for e in entries[:2]]
    assert all(v.startswith("v2:") for v in first_two)
    assert all(_raw(e.pk).startswith("v1:") for e in entries[2:])
    progress = KeyRotationProgress.objects.get(task="clinical text:exercises.journalentry")
    assert (progress.last_pk, progress.rows_changed, progress.finished_at) == (
        entries[1].pk,
        2,
        None,
    )

    # Second run: killed in the middle of its first batch; that batch rolls back.
    real = crypto.encrypt_with_data_key
    calls = {"n": 0}

    def dies_on_the_third_value(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(crypto, "encrypt_with_data_key", dies_on_the_third_value)
    with pytest.raises(KeyboardInterrupt):
        _run("--batch-size", "2")
    monkeypatch.setattr(crypto, "encrypt_with_data_key", real)
    progress.refresh_from_db()
    assert progress.last_pk == entries[1].pk
    assert _raw(entries[2].pk).startswith("v1:")

    # Third run finishes from where the first stopped; the first two rows are not touched again.
    out = _run("--batch-size", "2")
    assert "clinical text: re-encrypted 3 under key" in out
    assert "not yet under their data keys" not in out
    assert [_raw(e.pk) for e in entries[:2]] == first_two
    progress.refresh_from_db()
    assert (progress.rows_changed, progress.finished_at is not None) == (5, True)
    keys = dict(ClientDataKey.objects.values_list("client_id", "key_id"))
    for entry in entries:
        assert _raw(entry.pk).startswith(f"v2:{keys[entry.client_id]}:")
        assert _raw(entry.pk, "title").startswith(f"v2:{keys[entry.client_id]}:")
    cache_clear()
    for entry in JournalEntry.objects.all():
        assert (entry.body, entry.title) == texts[entry.pk]
    # A finished pass is not walked again.
    assert "clinical text: re-encrypted 0 under key" in _run("--batch-size", "2")


@pytest.mark.django_db
def test_a_new_ring_key_rewraps_the_data_keys_without_touching_the_rows():
    client = ClientFactory(user=UserFactory())
    with override_settings(ENCRYPTION_KEYS={1: KEY_1}):
        entry = _entry(client, body="under my own key")
        before = _raw(entry.pk)
    with override_settings(ENCRYPTION_KEYS={1: KEY_1, 2: KEY_2}):
        assert "1 ciphertexts still use older keys" in _run("--check")
        out = _run()
        assert "client data keys: re-encrypted 1 under key 2" in out
        assert "Every ciphertext uses key 2; older keys can be retired." in out
    with override_settings(ENCRYPTION_KEYS={2: KEY_2}):
        cache_clear()
        assert _raw(entry.pk) == before
        assert ClientDataKey.objects.get(client=client).wrapped.startswith("v1:2:")
        assert JournalEntry.objects.get(pk=entry.pk).body == "under my own key"
