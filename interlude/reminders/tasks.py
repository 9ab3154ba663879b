"""Background work for reminders. Safe to run twice and in several workers at once: each
reminder is sent only by the worker whose conditional UPDATE claimed it."""

from __future__ import annotations

from django.tasks import task

from interlude.reminders import services


@task()
def reminders_dispatch_run() -> dict[str, int]:
    return services.reminders_dispatch()
