"""Accepting an invitation: a single-use, expiring link that ends on the invitee's home page."""

from __future__ import annotations

from django.contrib.auth import login
from django.http import HttpResponse
from django.shortcuts import redirect, render

from interlude.clinic.forms import InvitationAcceptForm
from interlude.clinic.services import invitation_accept, invitation_find
from interlude.core.errors import ApplicationError
from interlude.core.http import InterludeRequest
from interlude.core.policy import Access, access

AUTH_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


@access(Access.PUBLIC)
def invitation_accept_view(request: InterludeRequest, token: str) -> HttpResponse:
    invitation = invitation_find(token=token)
    if invitation is None or not invitation.is_pending:
        reason = "unknown"
        if invitation is not None:
            reason = (
                "used"
                if invitation.accepted_at
                else "revoked"
                if invitation.revoked_at
                else "expired"
            )
        return render(
            request,
            "practices/invitation_invalid.html",
            {"reason": reason, "invitation": invitation},
            status=410 if invitation is not None else 404,
        )
    user = request.user
    if user.is_authenticated and user.email.lower() != invitation.email:
        return render(
            request, "practices/invitation_wrong_account.html", {"invitation": invitation}
        )
    initial_name = invitation.client.full_name if invitation.client else ""
    form = InvitationAcceptForm(
        request.POST or None, email=invitation.email, initial={"full_name": initial_name}
    )
    if request.method == "POST":
        existing = user if user.is_authenticated else None
        if existing is not None or form.is_valid():
            try:
                accepted = invitation_accept(
                    invitation_id=invitation.pk,
                    full_name=form.cleaned_data.get("full_name", "") if existing is None else "",
                    password=form.cleaned_data.get("password1", "") if existing is None else "",
                    existing_user=existing,
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                if existing is None:
                    login(request, accepted, backend=AUTH_BACKEND)
                return redirect("home")
    return render(
        request, "practices/invitation_accept.html", {"form": form, "invitation": invitation}
    )
