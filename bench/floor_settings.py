"""Settings for the benchmarks: config.settings.base plus the floor app and its URL.

Everything the real app does stays (middleware, authentication, audit, encryption, throttles
read from the environment). Two differences, both outside the measured paths: the floor app
and `/bench-floor/` are added, and static files use the plain storage so a throwaway data
directory needs no collectstatic (pages then link /static/x.css instead of a hashed name).
"""

from config.settings.base import *  # noqa: F403
from config.settings.base import INSTALLED_APPS, STORAGES

INSTALLED_APPS = [*INSTALLED_APPS, "bench.floor"]
ROOT_URLCONF = "bench.floor_urls"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
