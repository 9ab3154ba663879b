"""Background work for alerts. Tasks take ids, run after commit, and are safe to run twice."""

from __future__ import annotations

from django.tasks import task

from interlude.alerts import services


@task()
def alert_notify(*, alert_id: int) -> bool:
    return services.alert_notify_send(alert_id=alert_id)


@task()
def alerts_sweep_run() -> dict[str, int]:
    return services.alerts_sweep()
