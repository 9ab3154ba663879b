"""Production mode refuses unsafe configuration and passes the deploy checks (SR-41, SR-27, SR-9).

Each case starts a fresh interpreter with `INTERLUDE_ENV=production`, because the settings module
decides at import time.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PASS_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


def _key_ring() -> str:
    return "1:" + base64.b64encode(secrets.token_bytes(32)).decode()


def _strong_secret() -> str:
    return secrets.token_urlsafe(64)


@pytest.fixture
def prod_env(tmp_path):
    """A clean environment for production mode: nothing inherited that settings would read."""

    def build(**overrides: str | None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k in PASS_THROUGH}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings.base",
                "INTERLUDE_DATA_DIR": str(tmp_path / "data"),
                "INTERLUDE_ENV": "production",
                "PYTHONDONTWRITEBYTECODE": "1",
                "SECRET_KEY": _strong_secret(),
                "INTERLUDE_ENCRYPTION_KEYS": _key_ring(),
                "AUDIT_HMAC_KEYS": _key_ring(),
                "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
                "ALLOWED_HOSTS": "interlude.example.org",
                "EMAIL_URL": "smtp://interlude%40example.org:mail-password@smtp.example.org:587",
            }
        )
        for key, value in overrides.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    return build


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return _run(env, "manage.py", *args)


def _settings_in(env: dict[str, str], names: list[str]) -> dict:
    code = textwrap.dedent(
        f"""
        import json, django
        django.setup()
        from django.conf import settings
        print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}, default=str))
        """
    )
    result = _run(env, "-c", code)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- refusals -------------------------------------------------------------------------------------
def test_refuses_to_start_without_secret_key(prod_env):
    result = _manage(prod_env(SECRET_KEY=None), "check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "ImproperlyConfigured" in result.stderr


@pytest.mark.parametrize(
    "weak",
    ["short-secret", "a" * 80, "django-insecure-" + secrets.token_urlsafe(50)],
    ids=["short", "repetitive", "startproject-placeholder"],
)
def test_refuses_a_weak_secret_key(prod_env, weak):
    result = _manage(prod_env(SECRET_KEY=weak), "check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_refuses_to_start_without_encryption_keys(prod_env):
    result = _manage(prod_env(INTERLUDE_ENCRYPTION_KEYS=None), "check")
    assert result.returncode != 0
    assert "INTERLUDE_ENCRYPTION_KEYS" in result.stderr


def test_refuses_to_start_without_audit_hmac_keys(prod_env):
    result = _manage(prod_env(AUDIT_HMAC_KEYS=None), "check")
    assert result.returncode != 0
    assert "INTERLUDE_ENV=production needs AUDIT_HMAC_KEYS" in result.stderr


def test_refuses_an_audit_hmac_key_shared_with_the_encryption_keys(prod_env):
    ring = _key_ring()
    result = _manage(prod_env(INTERLUDE_ENCRYPTION_KEYS=ring, AUDIT_HMAC_KEYS=ring), "check")
    assert result.returncode != 0
    assert "AUDIT_HMAC_KEYS must differ from SECRET_KEY and from INTERLUDE_ENCRYPTION_KEYS" in (
        result.stderr
    )


def test_refuses_a_malformed_encryption_key(prod_env):
    short = "1:" + base64.b64encode(secrets.token_bytes(16)).decode()
    result = _manage(prod_env(INTERLUDE_ENCRYPTION_KEYS=short), "check")
    assert result.returncode != 0
    assert "32 bytes" in result.stderr


@pytest.mark.parametrize(
    "database_url", [None, "", "sqlite:///tmp/interlude.sqlite3"], ids=["unset", "empty", "sqlite"]
)
def test_refuses_anything_but_postgresql(prod_env, database_url):
    result = _manage(prod_env(DATABASE_URL=database_url), "check")
    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr


def test_refuses_to_start_without_allowed_hosts(prod_env):
    result = _manage(prod_env(ALLOWED_HOSTS=None), "check")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_debug_cannot_be_switched_on_in_production(prod_env):
    values = _settings_in(prod_env(DJANGO_DEBUG="1"), ["DEBUG", "DEMO_ENABLED"])
    assert values == {"DEBUG": False, "DEMO_ENABLED": False}


def test_deploy_check_fails_while_email_would_go_to_the_log(prod_env):
    # Email printed to the console would put reset links in the log (docs/deployment.md §8).
    # Settings refuse it outright now; the mail.E001 check remains for an EMAIL_URL set elsewhere.
    result = _manage(prod_env(EMAIL_URL=None), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "INTERLUDE_ENV=production needs EMAIL_URL" in result.stderr


# --- a complete configuration ---------------------------------------------------------------------
def test_deploy_check_is_clean_with_a_complete_configuration(prod_env, tmp_path):
    result = _manage(prod_env(), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in output
    assert "WARNING" not in output.upper().replace("--FAIL-LEVEL WARNING", "")
    # Production writes nothing into the data directory on its own.
    assert not (tmp_path / "data" / "secret_key").exists()


def test_production_cookies_and_transport_settings(prod_env):
    values = _settings_in(
        prod_env(),
        [
            "SESSION_COOKIE_NAME",
            "CSRF_COOKIE_NAME",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
            "SESSION_COOKIE_HTTPONLY",
            "SESSION_COOKIE_SAMESITE",
            "CSRF_COOKIE_SAMESITE",
            "SESSION_COOKIE_DOMAIN",
            "CSRF_COOKIE_DOMAIN",
            "SESSION_COOKIE_PATH",
            "CSRF_COOKIE_PATH",
            "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS",
            "DEBUG",
            "PASSWORD_HASHERS",
        ],
    )
    assert values["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert values["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert values["CSRF_COOKIE_SAMESITE"] == "Lax"
    # __Host- cookies must have no Domain and Path=/, or browsers drop them.
    assert values["SESSION_COOKIE_DOMAIN"] is None
    assert values["CSRF_COOKIE_DOMAIN"] is None
    assert values["SESSION_COOKIE_PATH"] == "/"
    assert values["CSRF_COOKIE_PATH"] == "/"
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["DEBUG"] is False
    assert values["PASSWORD_HASHERS"][0].endswith("Argon2PasswordHasher")


def test_production_response_sets_host_prefixed_secure_cookies(prod_env):
    """Render the login page in production mode and read the Set-Cookie header itself."""
    code = textwrap.dedent(
        """
        import json, django
        django.setup()
        from django.test import Client, override_settings
        # Production serves hashed files from collectstatic's manifest; none is built here.
        override_settings(STORAGES={
            "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
            "staticfiles": {
                "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
            },
        }).enable()
        response = Client().get(
            "/accounts/login/", secure=True, headers={"host": "interlude.example.org"}
        )
        morsel = response.cookies["__Host-csrftoken"]
        plain = Client().get("/accounts/login/", headers={"host": "interlude.example.org"})
        print(json.dumps({
            "status": response.status_code,
            "secure": bool(morsel["secure"]),
            "path": morsel["path"],
            "domain": morsel["domain"],
            "samesite": morsel["samesite"],
            "hsts": response.headers.get("Strict-Transport-Security"),
            "plain_status": plain.status_code,
            "plain_location": plain.headers.get("Location"),
        }))
        """
    )
    result = _run(prod_env(), "-c", code)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["status"] == 200
    assert values["secure"] is True
    assert values["path"] == "/"
    assert values["domain"] == ""
    assert values["samesite"] == "Lax"
    assert values["hsts"] == "max-age=31536000; includeSubDomains; preload"
    # Plain HTTP is redirected to HTTPS.
    assert values["plain_status"] == 301
    assert values["plain_location"] == "https://interlude.example.org/accounts/login/"
