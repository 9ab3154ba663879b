from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render

from interlude.core.http import InterludeRequest
from interlude.core.policy import Access, access
from interlude.practices.enums import Role


@access(Access.AUTHENTICATED)
def home(request: InterludeRequest) -> HttpResponse:
    """Send each person to their own start page."""
    if getattr(request.user, "client_profile", None) is not None:
        return redirect("client_today")
    membership = request.membership
    if membership is not None:
        role = Role(membership.role)
        return redirect("caseload" if role.is_clinical else "practice_settings")
    return render(request, "practices/no_practice.html")
