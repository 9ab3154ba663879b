"""Background work for practices. Tasks take ids, are enqueued after commit and are safe to
run twice."""

from __future__ import annotations

from django.tasks import task

from interlude.clinic import emails


@task()
def invitation_send_email(*, invitation_id: int, base_url: str) -> bool:
    return emails.invitation_email_send(invitation_id=invitation_id, base_url=base_url)
