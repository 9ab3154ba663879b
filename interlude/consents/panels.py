"""The consents app's panel on the client record (core.panels): the parts of the client's app
that are on, with a switch each, for the care team (an owner under break-glass only reads)."""

from __future__ import annotations

from typing import Any

from interlude.consents.access import CareAccess, Viewer
from interlude.consents.modules_selectors import modules_for_client
from interlude.consents.sharing_text import MODULE_TEXT
from interlude.core.panels import Page, panel_register


def modules_panel_context(*, care: CareAccess) -> dict[str, Any]:
    """The context of `consents/modules_panel.html`."""
    return {
        "client": care.client,
        "modules": [
            {"name": m.value, "label": m.label, "text": MODULE_TEXT[m], "on": on}
            for m, on in modules_for_client(client=care.client)
        ],
    }


@panel_register(
    page=Page.RECORD,
    name="modules",
    title="Parts of the app",
    order=80,
    template="consents/modules_panel.html",
)
def record_modules(access: CareAccess, **ctx: Any) -> dict[str, Any] | None:
    if access.viewer is not Viewer.CARE_TEAM:
        return None
    return modules_panel_context(care=access)
