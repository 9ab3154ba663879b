"""Messaging's panel on the client record: unread messages from the client, the last message and
a link to the thread. The thread is addressed to the care team: never hidden by sharing."""

from __future__ import annotations

from typing import Any

from interlude.consents.access import CareAccess
from interlude.core.panels import Page, panel_register
from interlude.messaging.selectors import thread_summaries
from interlude.practices.enums import Module


@panel_register(
    page=Page.RECORD,
    name="messages",
    title="Messages",
    order=25,
    template="messaging/_record_panel.html",
)
def record_messages(access: CareAccess, **ctx: Any) -> dict[str, Any] | None:
    if not access.module_on(Module.MESSAGING):
        return None
    summary = thread_summaries(client_ids=[access.client.pk]).get(access.client.pk)
    return {"client": access.client, "summary": summary}
