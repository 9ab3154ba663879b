"""Pages for sharing: the client's Sharing page (Me > What I share), the practice's defaults for
new clients, and the clinician's panel that switches parts of the app on or off for one client.

Thin: the services change things, the selectors read them; what the care team "sees" comes from
the gate (`sharing_selectors`), so the page says exactly what the clinician's pages show.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from interlude.consents import rules
from interlude.consents.access import Viewer, access_client, access_own_client
from interlude.consents.modules_services import client_modules_set
from interlude.consents.panels import modules_panel_context
from interlude.consents.sharing_selectors import (
    SharingState,
    export_policy_for_practice,
    sharing_defaults_for_practice,
    sharing_for_client,
)
from interlude.consents.sharing_services import (
    export_policy_update,
    sharing_defaults_update,
    sharing_update,
)
from interlude.consents.sharing_text import CATEGORY_TEXT
from interlude.core.errors import ApplicationError
from interlude.core.http import InterludeRequest, StaffRequest
from interlude.core.policy import Access, access
from interlude.measures.services import dues_resume
from interlude.practices.enums import Module, Role, ShareScope
from interlude.practices.models import Client


def _labels(categories: tuple[ShareScope, ...]) -> list[str]:
    return [CATEGORY_TEXT[c][0] for c in categories]


def _sharing_context(client: Client, state: SharingState) -> dict[str, Any]:
    switches = [
        {
            "name": cat.value,
            "label": CATEGORY_TEXT[cat][0],
            "on_text": CATEGORY_TEXT[cat][1],
            "off_text": CATEGORY_TEXT[cat][2],
            "on": on,
        }
        for cat, on in state.categories.items()
    ]
    # One clinician (or several who see the same): one list. Several who see different things
    # (the client hides from some): a list each.
    sees = state.clinicians[0].sees if state.clinicians and not state.sees_differ else state.sees
    return {
        "client": client,
        "state": state,
        "switches": switches,
        "sees": _labels(sees),
        "clinician_sees": [{"clinician": c, "sees": _labels(c.sees)} for c in state.clinicians],
        "nav": "me",
    }


@access(Access.CLIENT)
def sharing_page(request: InterludeRequest) -> HttpResponse:
    """What I share: a switch per category (and per clinician when the care team has several).
    Saved with the button, or on each change with htmx (the summary below updates)."""
    client = access_own_client(user=request.user)
    status = 200
    if request.method == "POST":
        state = sharing_for_client(client=client)
        chosen = set(request.POST.getlist("share"))
        categories: dict[str, object] = {name: True for name in chosen}
        categories |= {c.value: False for c in rules.SWITCHABLE if c.value not in chosen}
        hidden_from: list[int] | None = None
        if state.per_clinician:
            shared_with = set(request.POST.getlist("share_with"))
            hidden_from = [
                c.membership_id for c in state.clinicians if str(c.membership_id) not in shared_with
            ]
        try:
            sharing_update(
                client=client, actor=request.user, categories=categories, hidden_from=hidden_from
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            status = 400
        else:
            if not request.htmx:
                messages.success(request, "Saved. Your care team sees this from now on.")
                return redirect("client_sharing")
    state = sharing_for_client(client=client)
    context = _sharing_context(client, state)
    if request.htmx and request.method == "POST":
        context |= {"saved": status == 200, "htmx_post": True}
        return render(request, "consents/sharing.html#summary", context, status=status)
    return render(request, "consents/sharing.html", context, status=status)


@access(Access.PRACTICE_ADMIN)
def sharing_defaults(request: StaffRequest) -> HttpResponse:
    """The owner sets what new clients share until they choose (shown pre-set in onboarding), and
    whether a client's data download includes the clinicians' session notes (a second form,
    posted with `section=downloads`)."""
    if request.membership.role != Role.OWNER:
        raise Http404
    practice = request.practice
    status = 200
    policy = export_policy_for_practice(practice=practice)
    includes, exemption, exemption_error = policy.includes_session_notes, policy.exemption, ""
    if request.method == "POST" and request.POST.get("section") == "downloads":
        includes = request.POST.get("include_session_notes") == "on"
        exemption = request.POST.get("exemption", "")
        try:
            export_policy_update(
                practice=practice,
                actor=request.user,
                includes_session_notes=includes,
                exemption=exemption,
            )
        except ApplicationError as exc:
            exemption_error = exc.message
            status = 422
        else:
            messages.success(
                request, "Saved. Clients' downloads follow this from the next one they make."
            )
            return redirect("sharing_defaults")
    elif request.method == "POST":
        chosen = set(request.POST.getlist("share"))
        categories: dict[str, object] = {name: True for name in chosen}
        categories |= {c.value: False for c in rules.SWITCHABLE if c.value not in chosen}
        try:
            sharing_defaults_update(practice=practice, actor=request.user, categories=categories)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            status = 400
        else:
            messages.success(
                request,
                "Saved. New clients start with these choices; clients who already answered keep "
                "theirs.",
            )
            return redirect("sharing_defaults")
    defaults = sharing_defaults_for_practice(practice=practice)
    switches = [
        {
            "name": cat.value,
            "label": CATEGORY_TEXT[cat][0],
            "on_text": CATEGORY_TEXT[cat][1],
            "on": on,
        }
        for cat, on in defaults.items()
    ]
    return render(
        request,
        "consents/sharing_defaults.html",
        {
            "switches": switches,
            "includes_session_notes": includes,
            "exemption": exemption,
            "exemption_error": exemption_error,
            "nav": "practice",
        },
        status=status,
    )


# --- the clinician's module panel ---------------------------------------------------------------
@access(Access.CLINICIAN)
def client_modules(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    """GET: the panel alone (for the record page to load). POST: switch modules for this client."""
    care = access_client(
        user=request.user, client_id=client_id, for_write=request.method not in ("GET", "HEAD")
    )
    if care.viewer is not Viewer.CARE_TEAM:
        raise Http404
    status = 200
    error = ""
    if request.method == "POST":
        on = set(request.POST.getlist("module_on"))
        unknown = sorted(on - set(Module.values))
        try:
            if unknown:
                raise ApplicationError(f"'{unknown[0]}' is not a part of the app.")
            with transaction.atomic():
                client_modules_set(
                    client=care.client,
                    actor=request.user,
                    modules_off=[m for m in Module if m.value not in on],
                )
                if (
                    Module.QUESTIONNAIRES.value in care.modules_off
                    and Module.QUESTIONNAIRES.value in on
                ):
                    # Back on: a window that closed while off is withdrawn, never overdue.
                    dues_resume(client=care.client, actor=request.user)
        except ApplicationError as exc:
            error = exc.message
            status = 400
        if not request.htmx:
            if error:
                messages.error(request, error)
            else:
                messages.success(request, "Saved. The client's app shows only what is on.")
            return redirect(reverse("client_record", args=[care.client.public_id]) + "#modules")
    context = modules_panel_context(care=care)
    context |= {"saved": request.method == "POST" and status == 200, "error": error}
    template = "consents/modules_panel.html" if request.htmx else "consents/modules.html"
    return render(request, template, context, status=status)
