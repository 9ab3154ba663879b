"""Safety plan pages, for the client and for their care team. Thin: the gate loads the client,
the selectors read, safety_plan_save writes.

The client's pages live under /safety-plan/; the care team's under
/clinic/clients/<public id>/safety-plan/. Both show the same plan, the same versions and the same
form, so a clinician and a client can build and revise the plan together.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from interlude.accounts.models import User
from interlude.care.forms import SafetyPlanForm
from interlude.care.models import SafetyPlanVersion
from interlude.care.schemas import SECTIONS
from interlude.care.selectors import (
    crisis_resources_for_client,
    safety_plan_content,
    safety_plan_current,
    safety_plan_suggested_services,
    safety_plan_version_get,
    safety_plan_versions,
)
from interlude.care.services import StaleVersionError, safety_plan_save
from interlude.consents.access import CareAccess, Viewer, access_client, access_own
from interlude.core.errors import ApplicationError
from interlude.core.http import InterludeRequest, StaffRequest
from interlude.core.policy import Access, access
from interlude.practices.enums import ShareScope
from interlude.practices.models import Client, CrisisResource


@dataclass(frozen=True)
class Audience:
    """Whose pages these are: the client's own, or their care team's (one client), with what the
    gate lets this viewer see (`access`)."""

    access: CareAccess
    viewer: User
    is_client: bool

    @property
    def client(self) -> Client:
        return self.access.client

    @property
    def layout(self) -> str:
        return "client/base.html" if self.is_client else "clinician/base.html"

    @property
    def time_zone(self) -> str:
        return self.client.time_zone if self.is_client else self.client.practice.time_zone

    def url(self, name: str, *args: Any) -> str:
        if self.is_client:
            return reverse(f"safety_plan{name}", args=args)
        return reverse(f"clinician_safety_plan{name}", args=(self.client.public_id, *args))

    def version_url(self, version: int) -> str:
        return f"{self.url('_versions')}?version={version}"

    def author(self, version: SafetyPlanVersion) -> str:
        """Who saved a version, as the reader would say it."""
        if version.created_by_id == self.viewer.pk:
            return "you"
        name = version.created_by.get_full_name()
        if version.created_by_id == self.client.user_id and not self.is_client:
            return f"{name} (client)"
        return name


def _client_audience(request: InterludeRequest) -> Audience:
    return Audience(access_own(user=request.user), request.user, is_client=True)


def _care_team_audience(request: StaffRequest, client_id: uuid.UUID) -> Audience:
    # The safety plan is safety-critical: never hidden from the care team (the gate's rule).
    # Saving changes it: emergency (break-glass) access only reads, so the gate refuses a POST.
    care = access_client(
        user=request.user,
        client_id=client_id,
        scope=ShareScope.SAFETY_PLAN,
        for_write=request.method not in ("GET", "HEAD"),
    )
    return Audience(care, request.user, is_client=False)


def _base_context(
    audience: Audience, resources: list[CrisisResource] | None = None
) -> dict[str, Any]:
    if resources is None:
        resources = crisis_resources_for_client(client=audience.client)
    return {
        "client": audience.client,
        "layout": audience.layout,
        "is_client": audience.is_client,
        "tz": audience.time_zone,
        "emergency": next((r for r in resources if r.is_emergency), None),
        "resources": [r for r in resources if not r.is_emergency],
        "nav": "tools" if audience.is_client else "caseload",
        # Emergency (break-glass) access reads the plan; the page offers no edit it would refuse.
        "read_only": audience.access.viewer is Viewer.BREAK_GLASS,
        "urls": {
            "plan": audience.url(""),
            "edit": audience.url("_edit"),
            "versions": audience.url("_versions"),
            "print": audience.url("_print"),
        },
    }


def _plan_context(audience: Audience, version: SafetyPlanVersion | None) -> dict[str, Any]:
    content = safety_plan_content(version)
    return {
        "version": version,
        "author": audience.author(version) if version else "",
        "plan": content,
        "sections": [(s, getattr(content, s.key)) for s in SECTIONS],
        "is_empty": content.is_empty(),
    }


# --- the pages, shared by both audiences ----------------------------------------------------------
def _plan_page(request: InterludeRequest, audience: Audience) -> HttpResponse:
    context = _base_context(audience)
    context.update(_plan_context(audience, safety_plan_current(access=audience.access)))
    return render(request, "care/safety_plan.html", context)


def _print_page(request: InterludeRequest, audience: Audience) -> HttpResponse:
    context = _base_context(audience)
    context.update(_plan_context(audience, safety_plan_current(access=audience.access)))
    return render(request, "care/safety_plan_print.html", context)


def _versions_page(request: InterludeRequest, audience: Audience) -> HttpResponse:
    """Every version of the plan; with ?version=N, that version, read-only."""
    if "version" in request.GET:
        number = request.GET["version"]
        if not number.isdigit() or len(number) > 9:
            raise Http404
        return _version_page(request, audience, int(number))
    context = _base_context(audience)
    versions = safety_plan_versions(access=audience.access)
    context["rows"] = [
        {
            "version": v,
            "author": audience.author(v),
            "url": audience.version_url(v.version),
            "is_current": i == 0,
        }
        for i, v in enumerate(versions)
    ]
    return render(request, "care/safety_plan_versions.html", context)


def _version_page(request: InterludeRequest, audience: Audience, version: int) -> HttpResponse:
    found = safety_plan_version_get(access=audience.access, version=version)
    current = safety_plan_current(access=audience.access)
    context = _base_context(audience)
    context.update(_plan_context(audience, found))
    context["is_current"] = current is not None and current.version == found.version
    context["current"] = current
    return render(request, "care/safety_plan_version.html", context)


def _edit_page(request: InterludeRequest, audience: Audience) -> HttpResponse:
    client = audience.client
    current = safety_plan_current(access=audience.access)
    base = current.version if current else 0
    content = safety_plan_content(current)
    suggested = False
    resources = crisis_resources_for_client(client=client)
    if current is None and resources:
        content = content.model_copy(
            update={"professionals": safety_plan_suggested_services(resources=resources)}
        )
        suggested = True
    if request.method == "POST":
        form = SafetyPlanForm(request.POST, base_version=base)
        if form.is_valid() and form.content is not None:
            try:
                saved = safety_plan_save(
                    client=client,
                    actor=request.user,
                    content=form.content,
                    base_version=form.cleaned_data["base_version"],
                )
            except StaleVersionError as exc:
                form = _stale_form(request, audience, exc)
            except ApplicationError as exc:
                form.add_content_error(exc.field or "", exc.message)
            else:
                # No name in the flash text: the page it lands on says whose plan it is.
                whose = "Your" if audience.is_client else "The"
                messages.success(
                    request, f"{whose} safety plan is saved. This is version {saved.version}."
                )
                return redirect(audience.url(""))
    else:
        form = SafetyPlanForm(content=content, base_version=base)
    context = _base_context(audience, resources)
    context.update(
        {"form": form, "current": current, "suggested": suggested and request.method != "POST"}
    )
    return render(request, "care/safety_plan_edit.html", context)


def _stale_form(
    request: InterludeRequest, audience: Audience, exc: StaleVersionError
) -> SafetyPlanForm:
    """Someone saved while this person was editing: keep what they typed, move the base to the
    newest version, and say who saved it, so saving again is a deliberate choice."""
    newest = safety_plan_current(access=audience.access)
    data = request.POST.copy()
    data["base_version"] = str(exc.current_version)
    form = SafetyPlanForm(data, base_version=exc.current_version)
    form.is_valid()
    by = f" by {audience.author(newest)}" if newest else ""
    form.add_error(
        None,
        f"Version {exc.current_version} was saved{by} while you were editing, so your changes "
        "are not saved yet. They are still below: compare them with the current plan, then "
        "save again to make yours the newest version.",
    )
    form.stale = True
    return form


# --- the client's own pages -----------------------------------------------------------------------
@access(Access.CLIENT)
def safety_plan(request: InterludeRequest) -> HttpResponse:
    return _plan_page(request, _client_audience(request))


@access(Access.CLIENT)
def safety_plan_edit(request: InterludeRequest) -> HttpResponse:
    return _edit_page(request, _client_audience(request))


@access(Access.CLIENT)
def safety_plan_versions_view(request: InterludeRequest) -> HttpResponse:
    return _versions_page(request, _client_audience(request))


@access(Access.CLIENT)
def safety_plan_print(request: InterludeRequest) -> HttpResponse:
    return _print_page(request, _client_audience(request))


# --- the care team's pages ------------------------------------------------------------------------
@access(Access.CLINICIAN)
def clinician_safety_plan(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    return _plan_page(request, _care_team_audience(request, client_id))


@access(Access.CLINICIAN)
def clinician_safety_plan_edit(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    return _edit_page(request, _care_team_audience(request, client_id))


@access(Access.CLINICIAN)
def clinician_safety_plan_versions(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    return _versions_page(request, _care_team_audience(request, client_id))


@access(Access.CLINICIAN)
def clinician_safety_plan_print(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    return _print_page(request, _care_team_audience(request, client_id))
