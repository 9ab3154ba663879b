"""EncryptedTextField: falsy values survive, ciphertexts are bound to their row (SR-24)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from interlude.core.crypto import DecryptionError
from interlude.exercises.models import JournalEntry
from tests.factories import ClientFactory, UserFactory


def _entry(client, body, title="") -> JournalEntry:
    return JournalEntry.objects.create(
        practice=client.practice,
        client=client,
        title=title,
        body=body,
        created_by=client.user,
        updated_by=client.user,
    )


def _raw(pk: int, column: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM exercises_journalentry WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


class RoundTrip(TestCase):
    @settings(max_examples=60, deadline=None)
    @given(text=st.text(max_size=2000))
    def test_any_text_including_empty_round_trips(self, text):
        client = ClientFactory(user=UserFactory())
        entry = _entry(client, body=text, title="")
        fresh = JournalEntry.objects.get(pk=entry.pk)
        assert fresh.body == text
        assert fresh.title == ""


@pytest.mark.django_db
def test_the_database_holds_only_ciphertext():
    client = ClientFactory(user=UserFactory())
    entry = _entry(client, body="CANARY-7f3a felt the panic rise on the bus")

    stored = _raw(entry.pk, "body")

    assert stored.startswith("v2:")  # the client's data key (ADR 0017)
    assert "CANARY-7f3a" not in stored


@pytest.mark.django_db
def test_zero_and_empty_string_are_not_lost():
    client = ClientFactory(user=UserFactory())
    entry = _entry(client, body="0", title="")
    fresh = JournalEntry.objects.get(pk=entry.pk)
    assert (fresh.body, fresh.title) == ("0", "")
    assert _raw(entry.pk, "title").startswith("v2:")


@pytest.mark.django_db
def test_a_ciphertext_copied_to_another_clients_row_does_not_decrypt():
    a = ClientFactory(user=UserFactory())
    b = ClientFactory(user=UserFactory())
    entry_a = _entry(a, body="Private to A")
    entry_b = _entry(b, body="Private to B")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE exercises_journalentry SET body = %s WHERE id = %s",
            [_raw(entry_a.pk, "body"), entry_b.pk],
        )

    with pytest.raises(DecryptionError):
        _ = JournalEntry.objects.get(pk=entry_b.pk).body


@pytest.mark.django_db
def test_a_ciphertext_moved_to_another_field_of_the_same_row_does_not_decrypt():
    client = ClientFactory(user=UserFactory())
    entry = _entry(client, body="the body", title="the title")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE exercises_journalentry SET title = %s WHERE id = %s",
            [_raw(entry.pk, "body"), entry.pk],
        )

    with pytest.raises(DecryptionError):
        _ = JournalEntry.objects.get(pk=entry.pk).title


@pytest.mark.django_db
def test_a_plaintext_queryset_update_is_refused():
    client = ClientFactory(user=UserFactory())
    entry = _entry(client, body="before")

    with pytest.raises(ValueError, match=r"JournalEntry\.body is encrypted"), transaction.atomic():
        JournalEntry.objects.filter(pk=entry.pk).update(body="written in the clear")

    assert JournalEntry.objects.get(pk=entry.pk).body == "before"


@pytest.mark.django_db
def test_none_is_stored_as_null():
    from interlude.tracking.models import CheckIn

    client = ClientFactory(user=UserFactory())
    checkin = CheckIn.objects.create(
        practice=client.practice,
        client=client,
        time_zone="UTC",
        mood=5,
        note=None,
        idempotency_key="k1",
        created_by=client.user,
        updated_by=client.user,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM tracking_checkin WHERE id = %s", [checkin.pk])
        assert cursor.fetchone()[0] is None
    assert CheckIn.objects.get(pk=checkin.pk).note is None
