"""`{% messaging_tab_shown as shown %}`: whether the client's Messages tab shows (hidden when a
clinician switched messaging off for this client). Uses the page's `modules_on` when the view
passed it, else what the gate read for this request's client, else one query."""

from __future__ import annotations

from typing import Any

from django import template

from interlude.consents.access import modules_off_read_this_request
from interlude.consents.modules_selectors import module_on
from interlude.practices.enums import Module

register = template.Library()


@register.simple_tag(takes_context=True)
def messaging_tab_shown(context: Any) -> bool:
    modules_on = context.get("modules_on")
    if modules_on is not None:
        return Module.MESSAGING.value in modules_on
    request = context.get("request")
    client = getattr(getattr(request, "user", None), "client_profile", None)
    if client is None:
        return True
    known = modules_off_read_this_request(client)
    if known is not None:
        return Module.MESSAGING.value not in known
    return module_on(client=client, module=Module.MESSAGING)
