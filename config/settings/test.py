"""Test settings: the base settings with an immediate task backend and fast hashing.

DATABASE_URL still chooses the database, so the same suite runs on SQLite and PostgreSQL.
"""

import atexit
import shutil
import tempfile
from pathlib import Path

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES

TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",  # speed only; base uses Argon2 (tested)
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["NAME"] = ":memory:"
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
    DATABASES["default"]["OPTIONS"].pop("init_command", None)
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Never the development server's checkpoint file: its checkpoints describe another database.
# Tests that write checkpoints point this at their own tmp_path.
# The folder goes when the process ends, so test runs leave nothing behind in /tmp.
_CHECKPOINT_DIR = tempfile.mkdtemp(prefix="interlude-tests-")
atexit.register(shutil.rmtree, _CHECKPOINT_DIR, ignore_errors=True)
AUDIT_CHECKPOINT_FILE = Path(_CHECKPOINT_DIR) / "checkpoints.jsonl"
