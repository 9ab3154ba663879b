"""Background work for messaging. Tasks take ids, run after commit, and are safe to run twice."""

from __future__ import annotations

from django.tasks import task

from interlude.messaging import services


@task()
def message_notify(*, message_id: int) -> int:
    return services.message_notify_send(message_id=message_id)
