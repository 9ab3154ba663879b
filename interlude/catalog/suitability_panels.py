"""The suitability notes' panels (core.panels): on the client record ("Suitability": the notes,
with a form to add one and a button to remove each) and on the pre-session brief (the notes,
compactly, so the clinician has them in mind before the session).

The notes are the care team's own record: these panels show for the care team and (read only)
for an owner under emergency access, never on the client's own pages.
"""

from __future__ import annotations

from typing import Any

from interlude.catalog.suitability_selectors import suitability_notes_current
from interlude.catalog.suitability_services import NOTE_MAX_CHARS
from interlude.consents.access import CareAccess, Viewer
from interlude.core.panels import Page, panel_register

# What the add form suggests: examples in its hint, the first also as the placeholder.
EXAMPLES = ("Prefers paper for worksheets", "Shares a phone with partner: no reminders")


def suitability_panel_context(*, access: CareAccess) -> dict[str, Any]:
    """The context of `catalog/_suitability_panel.html` for this viewer."""
    return {
        "client": access.client,
        "notes": suitability_notes_current(access=access),
        "can_write": access.viewer is Viewer.CARE_TEAM,
        "max_chars": NOTE_MAX_CHARS,
        "placeholder": EXAMPLES[0],
        "examples": EXAMPLES,
    }


@panel_register(
    page=Page.RECORD,
    name="suitability",
    title="Suitability",
    order=82,
    template="catalog/_suitability_panel.html",
)
def record_suitability(access: CareAccess, **ctx: Any) -> dict[str, Any] | None:
    if access.is_self:
        return None
    return suitability_panel_context(access=access)


@panel_register(
    page=Page.BRIEF,
    name="suitability",
    title="Suitability",
    order=45,
    template="catalog/_suitability_brief.html",
    region="right",
)
def brief_suitability(access: CareAccess, **ctx: Any) -> dict[str, Any] | None:
    """The current notes; nothing when there are none (the brief stays short)."""
    if access.is_self:
        return None
    notes = suitability_notes_current(access=access)
    if not notes:
        return None
    return {"client": access.client, "suitability_notes": notes}
