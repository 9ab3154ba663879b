"""Configuration hardening: owner-only data directory, database and secrets; production needs
EMAIL_URL. Each case starts a fresh interpreter, because settings decide at import time."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from interlude.core.tests.test_production_settings import _manage, _run, prod_env  # noqa: F401

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")

SECRETS = ("secret_key", "encryption_key", "audit_hmac_key")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _dev_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "INTERLUDE_DATA_DIR": str(data_dir),
            "INTERLUDE_ENV": "development",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    return env


def _import_settings(env: dict[str, str]) -> None:
    result = _run(env, "-c", "import django; django.setup()")
    assert result.returncode == 0, result.stderr


def test_a_new_data_directory_database_and_secrets_are_owner_only(tmp_path):
    data = tmp_path / "data"
    old_umask = os.umask(0o022)  # the usual umask, which would give 0755 and 0644
    try:
        _import_settings(_dev_env(data))
    finally:
        os.umask(old_umask)

    assert _mode(data) == 0o700
    assert _mode(data / "interlude.sqlite3") == 0o600
    for name in SECRETS:
        if (data / name).exists():
            assert _mode(data / name) == 0o600, name
    assert _mode(data / "secret_key") == 0o600


def test_an_existing_open_data_directory_is_tightened(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)  # noqa: S103 - the open directory the settings must tighten
    for name in ("interlude.sqlite3", "interlude.sqlite3-wal", "secret_key"):
        (data / name).write_text("")
        os.chmod(data / name, 0o644)
    (data / "secret_key").write_text("x" * 80 + "\n")

    _import_settings(_dev_env(data))

    assert _mode(data) == 0o700
    assert _mode(data / "interlude.sqlite3") == 0o600
    assert _mode(data / "interlude.sqlite3-wal") == 0o600
    assert _mode(data / "secret_key") == 0o600
    assert (data / "secret_key").read_text() == "x" * 80 + "\n"  # kept, only tightened


def test_the_database_made_by_migrate_stays_owner_only(tmp_path):
    data = tmp_path / "data"
    env = _dev_env(data)
    env["PATH"] = os.environ.get("PATH", "")
    result = _run(env, "manage.py", "migrate", "--noinput", "accounts")
    assert result.returncode == 0, result.stderr
    for name in ("interlude.sqlite3", "interlude.sqlite3-wal", "interlude.sqlite3-shm"):
        if (data / name).exists():
            assert _mode(data / name) == 0o600, name


def test_production_refuses_to_start_without_email_url(prod_env):  # noqa: F811
    result = _manage(prod_env(EMAIL_URL=None), "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "INTERLUDE_ENV=production needs EMAIL_URL" in result.stderr


def test_production_refuses_a_blank_email_url(prod_env):  # noqa: F811
    result = _manage(prod_env(EMAIL_URL="  "), "check")
    assert result.returncode != 0
    assert "INTERLUDE_ENV=production needs EMAIL_URL" in result.stderr
