"""Environment helpers: the encryption key ring, EMAIL_URL, and generated secrets (SR-25, SR-41)."""

from __future__ import annotations

import base64
import os
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings.env import load_or_create_secret, mailers_from_url, parse_key_ring


def _b64(raw: bytes, *, urlsafe: bool = False) -> str:
    return (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(raw).decode()


# --- parse_key_ring -------------------------------------------------------------------------------
def test_parses_one_key():
    key = os.urandom(32)
    assert parse_key_ring(f"1:{_b64(key)}") == {1: key}


def test_parses_several_keys_with_spaces_and_both_base64_alphabets():
    k1, k2, k3 = os.urandom(32), os.urandom(32), os.urandom(32)
    text = f" 1:{_b64(k1)} , 2:{_b64(k2, urlsafe=True)},10:{_b64(k3)},"
    assert parse_key_ring(text) == {1: k1, 2: k2, 10: k3}


def test_standard_base64_with_plus_and_slash_is_read_correctly():
    key = bytes([0xFB, 0xFF, 0xBF] * 10 + [0xFB, 0xFF])  # encodes to '+' and '/' characters
    encoded = _b64(key)
    assert "+" in encoded and "/" in encoded
    assert parse_key_ring(f"1:{encoded}") == {1: key}


@pytest.mark.parametrize("length", [0, 1, 16, 24, 31, 33, 64])
def test_rejects_keys_that_are_not_32_bytes(length):
    with pytest.raises(
        ImproperlyConfigured, match=rf"must be 32 bytes \(AES-256\); it is {length}"
    ):
        parse_key_ring(f"1:{_b64(os.urandom(length))}")


@pytest.mark.parametrize(
    "text",
    [
        "not-a-key-ring",
        "one:" + base64.b64encode(b"k" * 32).decode(),
        "-1:" + base64.b64encode(b"k" * 32).decode(),
        ":" + base64.b64encode(b"k" * 32).decode(),
        base64.b64encode(b"k" * 32).decode(),
    ],
    ids=["no-colon", "word-id", "negative-id", "empty-id", "bare-key"],
)
def test_rejects_malformed_entries_with_the_expected_shape(text):
    with pytest.raises(
        ImproperlyConfigured, match=r"must look like '1:<base64 key>,2:<base64 key>'"
    ):
        parse_key_ring(text)


def test_rejects_broken_base64():
    with pytest.raises(ImproperlyConfigured, match="Encryption key 1 is not valid base64"):
        parse_key_ring("1:abc")


@pytest.mark.parametrize("text", ["", " ", ",", " , ,"])
def test_rejects_an_empty_ring(text):
    with pytest.raises(ImproperlyConfigured, match="holds no key"):
        parse_key_ring(text)


def test_rejects_a_key_id_listed_twice():
    # Otherwise the second silently replaces the first and its data can no longer be read.
    text = f"1:{_b64(os.urandom(32))},1:{_b64(os.urandom(32))}"
    with pytest.raises(ImproperlyConfigured, match="Encryption key 1 is listed twice"):
        parse_key_ring(text)


def test_error_messages_do_not_echo_key_material():
    material = _b64(os.urandom(20))
    with pytest.raises(ImproperlyConfigured) as exc:
        parse_key_ring(f"1:{material}")
    assert material not in str(exc.value)


# --- mailers_from_url -----------------------------------------------------------------------------
def test_no_url_means_console_email():
    assert mailers_from_url("") == {
        "default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    }


def test_smtp_url_with_starttls_by_default():
    mailers = mailers_from_url("smtp://interlude%40example.org:p%40ss%3Aword@smtp.example.org:2525")
    assert mailers == {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": "smtp.example.org",
                "port": 2525,
                "username": "interlude@example.org",
                "password": "p@ss:word",
                "use_ssl": False,
                "use_tls": True,
                "timeout": 20,
            },
        }
    }


def test_smtp_default_port_is_587():
    options = mailers_from_url("smtp://user:pw@mail.example.org")["default"]["OPTIONS"]
    assert options["port"] == 587
    assert options["use_tls"] is True
    assert options["use_ssl"] is False


def test_smtp_without_starttls_for_a_local_relay():
    options = mailers_from_url("smtp://localhost:25?tls=0")["default"]["OPTIONS"]
    assert options["host"] == "localhost"
    assert options["port"] == 25
    assert options["use_tls"] is False
    assert options["use_ssl"] is False
    assert options["username"] == ""
    assert options["password"] == ""


def test_smtps_uses_implicit_tls_on_465():
    options = mailers_from_url("smtps://user:pw@mail.example.org")["default"]["OPTIONS"]
    assert options["port"] == 465
    assert options["use_ssl"] is True
    assert options["use_tls"] is False


@pytest.mark.parametrize(
    "url", ["http://mail.example.org", "mailto:someone@example.org", "smtp+tls://host"]
)
def test_other_schemes_are_refused(url):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL must start with smtp:// or smtps://"):
        mailers_from_url(url)


# --- load_or_create_secret ------------------------------------------------------------------------
def test_secret_is_created_once_private_and_then_reused(tmp_path):
    path = tmp_path / "secret_key"
    first = load_or_create_secret(path)
    assert len(first) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret(path) == first


def test_generated_encryption_key_is_a_valid_ring_entry(tmp_path):
    value = load_or_create_secret(tmp_path / "encryption_key", kind="aes256")
    ring = parse_key_ring(f"1:{value}")
    assert len(ring[1]) == 32
