"""AES-256-GCM field encryption (SR-24, SR-25): round trips, key ids, row binding, rotation."""

from __future__ import annotations

import base64
import os

import pytest
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from interlude.core.crypto import (
    PREFIX,
    DecryptionError,
    current_key_id,
    decrypt_text,
    encrypt_text,
    key_id_of,
)

AAD = "practices.Note:body:42:practice-7"
KEY_1 = os.urandom(32)
KEY_2 = os.urandom(32)


def _ring(*keys: tuple[int, bytes]):
    return override_settings(ENCRYPTION_KEYS=dict(keys))


def _body(token: str) -> bytes:
    return base64.b64decode(token.split(":", 2)[2])


def _with_body(token: str, raw: bytes) -> str:
    prefix, key_id, _ = token.split(":", 2)
    return f"{prefix}:{key_id}:{base64.b64encode(raw).decode()}"


# --- round trips ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "plaintext",
    [
        "",
        "0",
        "False",
        " ",
        "\x00",
        "Ünïcødé ✓ — 日本語 — 🙂",
        "line one\r\nline two",
        "x" * 1_000_000,
    ],
    ids=["empty", "zero", "false", "space", "nul", "unicode", "crlf", "one-megabyte"],
)
def test_round_trip_keeps_every_value_including_falsy_ones(plaintext):
    token = encrypt_text(plaintext, aad=AAD)
    assert token != plaintext
    assert token.startswith(f"{PREFIX}:")
    assert decrypt_text(token, aad=AAD) == plaintext


@settings(max_examples=300, deadline=None)
@given(plaintext=st.text(max_size=5_000), aad=st.text(min_size=1, max_size=200))
def test_round_trip_for_any_text_and_aad(plaintext, aad):
    assert decrypt_text(encrypt_text(plaintext, aad=aad), aad=aad) == plaintext


@settings(max_examples=50, deadline=None)
@given(chunk=st.text(min_size=1, max_size=500), times=st.integers(min_value=40, max_value=400))
def test_round_trip_for_long_text(chunk, times):
    plaintext = chunk * times  # Hypothesis caps generated sizes; repetition makes long notes
    assert decrypt_text(encrypt_text(plaintext, aad=AAD), aad=AAD) == plaintext


def test_the_plaintext_does_not_appear_in_the_ciphertext():
    canary = "CANARY-process-note-7f3a9c"
    token = encrypt_text(canary, aad=AAD)
    assert canary not in token
    assert canary.encode() not in _body(token)


def test_same_plaintext_encrypts_differently_each_time():
    tokens = {encrypt_text("same words", aad=AAD) for _ in range(50)}
    assert len(tokens) == 50
    nonces = {_body(t)[:12] for t in tokens}
    assert len(nonces) == 50


# --- key ids and rotation -------------------------------------------------------------------------
def test_ciphertext_names_its_key_id():
    with _ring((7, KEY_1)):
        token = encrypt_text("hello", aad=AAD)
    assert token.split(":")[:2] == ["v1", "7"]
    assert key_id_of(token) == 7


def test_two_key_ring_encrypts_with_the_newest_and_decrypts_both():
    with _ring((1, KEY_1)):
        old = encrypt_text("written under key one", aad=AAD)
    with _ring((1, KEY_1), (2, KEY_2)):
        assert current_key_id() == 2
        new = encrypt_text("written under key two", aad=AAD)
        assert key_id_of(old) == 1
        assert key_id_of(new) == 2
        assert decrypt_text(old, aad=AAD) == "written under key one"
        assert decrypt_text(new, aad=AAD) == "written under key two"


def test_newest_key_is_the_highest_id_whatever_the_order():
    with override_settings(ENCRYPTION_KEYS={3: KEY_1, 1: KEY_2}):
        assert key_id_of(encrypt_text("x", aad=AAD)) == 3


def test_retired_key_makes_its_ciphertexts_undecryptable():
    with _ring((1, KEY_1)):
        old = encrypt_text("old", aad=AAD)
    with _ring((2, KEY_2)), pytest.raises(DecryptionError):
        decrypt_text(old, aad=AAD)


def test_ciphertext_does_not_decrypt_under_another_key_with_the_same_id():
    with _ring((1, KEY_1)):
        token = encrypt_text("secret", aad=AAD)
    with _ring((1, KEY_2)), pytest.raises(DecryptionError):
        decrypt_text(token, aad=AAD)


# --- binding to the row (associated data) ---------------------------------------------------------
def test_ciphertext_moved_to_another_row_does_not_decrypt():
    token = encrypt_text("Client A's note", aad="practices.Note:body:1:practice-1")
    with pytest.raises(DecryptionError):
        decrypt_text(token, aad="practices.Note:body:2:practice-1")


@pytest.mark.parametrize(
    "other_aad",
    [
        "practices.Note:body:42:practice-8",  # other practice
        "practices.Note:title:42:practice-7",  # other field
        "practices.Message:body:42:practice-7",  # other model
        "",
    ],
)
def test_any_change_of_associated_data_is_refused(other_aad):
    token = encrypt_text("bound", aad=AAD)
    with pytest.raises(DecryptionError):
        decrypt_text(token, aad=other_aad)


# --- tampering ------------------------------------------------------------------------------------
def test_flipping_any_byte_of_the_ciphertext_is_detected():
    token = encrypt_text("do not change me", aad=AAD)
    raw = _body(token)
    for i in range(len(raw)):
        tampered = bytearray(raw)
        tampered[i] ^= 0x01
        with pytest.raises(DecryptionError):
            decrypt_text(_with_body(token, bytes(tampered)), aad=AAD)


def test_truncated_and_extended_ciphertexts_are_detected():
    token = encrypt_text("length matters", aad=AAD)
    raw = _body(token)
    for damaged in (raw[:-1], raw[:12], raw[:5], b"", raw + b"\x00"):
        with pytest.raises(DecryptionError):
            decrypt_text(_with_body(token, damaged), aad=AAD)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t.replace("v1:", "v2:", 1),
        lambda t: t.replace("v1:1:", "v1:99:", 1),
        lambda t: t.replace("v1:1:", "v1:x:", 1),
        lambda t: t + "!",
        lambda t: t.split(":", 2)[2],
        lambda t: "",
        lambda t: "v1:1:",
        lambda t: "plaintext that was never encrypted",
    ],
    ids=[
        "other-version",
        "unknown-key",
        "non-numeric-key",
        "bad-base64",
        "no-header",
        "empty",
        "empty-body",
        "plaintext",
    ],
)
def test_malformed_tokens_raise_decryption_error(mutate):
    with _ring((1, KEY_1)):
        token = encrypt_text("hello", aad=AAD)
        with pytest.raises(DecryptionError):
            decrypt_text(mutate(token), aad=AAD)


def test_decryption_error_message_reveals_nothing():
    token = encrypt_text("the plaintext", aad=AAD)
    with pytest.raises(DecryptionError) as exc:
        decrypt_text(token, aad="other")
    assert "the plaintext" not in str(exc.value)
    assert token not in str(exc.value)


def test_ciphertexts_use_aes_256():
    with _ring((1, KEY_1)):
        token = encrypt_text("abc", aad=AAD)
    # 12-byte nonce + ciphertext (same length as plaintext) + 16-byte tag.
    assert len(_body(token)) == 12 + 3 + 16
    assert len(KEY_1) == 32
