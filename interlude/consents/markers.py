"""What a selector returns in place of a category the viewer may not see.

A page renders it as "Not shared by <first name>" (`partials/not_shared.html`), an API as
`"shared": false` with no items: never the content, and never an empty state that would suggest
the client recorded nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from interlude.consents import rules
from interlude.consents.access import CareAccess
from interlude.consents.models import ConsentStatus
from interlude.practices.enums import ShareScope


@dataclass(frozen=True)
class NotShared:
    category: ShareScope
    client_name: str  # the client's first (or preferred) name
    reason: str  # one sentence for the care team: why they do not see it

    # Templates test `{% if section.not_shared %}`; content (lists, tables) has no such attribute.
    not_shared: bool = True
    shared: bool = False

    @property
    def text(self) -> str:
        return f"Not shared by {self.client_name}"

    @property
    def label(self) -> str:
        return str(self.category.label)


def not_shared_reason(*, access: CareAccess, category: ShareScope) -> str:
    name = access.client.display_name
    if access.consent_status == ConsentStatus.WITHDRAWN:
        return f"{name} withdrew their consent to sharing."
    if access.consent_status not in rules.CONSENT_FLOWS:
        return f"{name} has not given consent to sharing yet."
    if category in rules.SWITCHABLE:
        return (
            f"{name} chose not to share {str(category.label).lower()} with you. "
            "They can change this on their Sharing page."
        )
    return f"{name} chose not to share this with you."


def not_shared_marker(*, access: CareAccess, category: ShareScope) -> NotShared | None:
    """None when the viewer sees `category`; otherwise the marker a page or API shows."""
    if access.can_see(category):
        return None
    return NotShared(
        category=category,
        client_name=access.client.display_name,
        reason=not_shared_reason(access=access, category=category),
    )
