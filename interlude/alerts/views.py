"""Alert pages (to be built out): the clinician's inbox."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from interlude.core.http import StaffRequest
from interlude.core.policy import Access, access
from interlude.practices.access import access_alert_inbox


@access(Access.CLINICIAN)
def alert_inbox(request: StaffRequest) -> HttpResponse:
    alerts = access_alert_inbox(user=request.user, membership=request.membership)
    return render(request, "alerts/inbox.html", {"alerts": alerts})
