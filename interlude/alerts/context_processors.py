"""`alerts_open_count` for the clinician's top bar (the "Alerts" link and its badge).

Only for a clinical member (request.membership with a clinical role). The value is a callable
the template calls once (through `{% with %}`): the COUNT query runs only on pages that show the
top bar, never on htmx fragments or client pages.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest

from interlude.alerts.selectors import alerts_open_count
from interlude.practices.enums import Role


def alerts(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    if membership is None or not Role(membership.role).is_clinical:
        return {}

    @cache
    def count() -> int:
        return alerts_open_count(membership=membership)

    return {"alerts_nav": True, "alerts_open_count": count}
