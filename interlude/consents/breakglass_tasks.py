"""Background work for break-glass. Tasks take ids, run after commit, and are safe to run twice."""

from __future__ import annotations

from django.tasks import task

from interlude.consents import breakglass_services


@task()
def break_glass_notify(*, grant_id: int) -> int:
    return breakglass_services.break_glass_notify_send(grant_id=grant_id)
