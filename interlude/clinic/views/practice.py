"""Practice settings for owners and admins: the team, invitations, crisis resources."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from interlude.clinic.forms import CrisisResourceForm, StaffInviteForm
from interlude.clinic.services import (
    crisis_resource_update,
    invitation_create_for_staff,
    membership_deactivate,
)
from interlude.core.errors import ApplicationError
from interlude.core.http import StaffRequest
from interlude.core.policy import Access, access
from interlude.practices.enums import Role
from interlude.practices.selectors import (
    crisis_resource_get,
    crisis_resource_list,
    invitation_pending_staff_list,
    membership_get,
    membership_list,
)


def _settings_context(request: StaffRequest, invite_form: StaffInviteForm | None = None) -> dict:
    practice = request.practice
    return {
        "members": membership_list(practice=practice),
        "invitations": invitation_pending_staff_list(practice=practice),
        "invite_form": invite_form or StaffInviteForm(),
        "resources": crisis_resource_list(practice=practice),
    }


@access(Access.PRACTICE_ADMIN)
def practice_settings(request: StaffRequest) -> HttpResponse:
    return render(request, "practices/practice_settings.html", _settings_context(request))


@access(Access.PRACTICE_ADMIN)
@require_POST
def staff_invite(request: StaffRequest) -> HttpResponse:
    form = StaffInviteForm(request.POST)
    if form.is_valid():
        try:
            invitation_create_for_staff(
                actor=request.user,
                membership=request.membership,
                email=form.cleaned_data["email"],
                role=Role(form.cleaned_data["role"]),
                base_url=request.build_absolute_uri("/"),
            )
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            return redirect("practice_settings")
        except ApplicationError as exc:
            form.add_error(exc.field, exc.message)
    return render(
        request, "practices/practice_settings.html", _settings_context(request, form), status=400
    )


@access(Access.PRACTICE_ADMIN)
@require_POST
def membership_remove(request: StaffRequest, membership_id: int) -> HttpResponse:
    target = membership_get(practice=request.practice, membership_id=membership_id)
    try:
        membership_deactivate(
            actor=request.user,
            actor_membership=request.membership,
            membership=target,
        )
        messages.success(
            request, f"{target.user} no longer has access, and their open sessions have ended."
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("practice_settings")


@access(Access.PRACTICE_ADMIN)
def crisis_resource_edit(request: StaffRequest, resource_id: int) -> HttpResponse:
    resource = crisis_resource_get(practice=request.practice, resource_id=resource_id)
    initial = {
        f: getattr(resource, f) for f in ("name", "phone", "sms", "url", "description", "hours")
    }
    form = CrisisResourceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        crisis_resource_update(actor=request.user, resource=resource, **form.cleaned_data)
        messages.success(request, f"Saved {resource.name}.")
        return redirect("practice_settings")
    return render(
        request, "practices/crisis_resource_edit.html", {"form": form, "resource": resource}
    )
