"""Recommending an app: the clinician's form (on the catalog entry's page, or on a page of its
own), withdrawing from the client record, and the client's "Apps your therapist suggested".

Thin: the gate loads the client (`access_client(..., for_write=True)` for every change),
recommend_services writes, recommend_selectors reads. Only public ids appear in the paths.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from interlude.catalog.enums import Cost, Goal, Platform
from interlude.catalog.models import CatalogApp, Recommendation
from interlude.catalog.privacy import privacy_summary
from interlude.catalog.recommend_selectors import (
    CATEGORY,
    catalog_app_for_practice,
    recommendation_get_for_care,
    recommendations_open,
)
from interlude.catalog.recommend_services import (
    HomeworkChoice,
    recommendation_create,
    recommendation_seen,
    recommendation_withdraw,
)
from interlude.consents.access import CareAccess, Viewer, access_caseload, access_client, access_own
from interlude.core.clock import client_today
from interlude.core.errors import ApplicationError
from interlude.core.http import InterludeRequest, StaffRequest
from interlude.core.policy import Access, access
from interlude.practices.enums import ClientStatus, Module

# A "times a week" homework runs this long unless the clinician picks another last day.
DEFAULT_TRIAL = timedelta(weeks=4)
HOW_OFTEN = [("weekly", "A number of times a week"), ("once", "Once, by a date")]
DATE = forms.DateInput(attrs={"type": "date"})


class RecommendForm(forms.Form):
    client = forms.ChoiceField(label="Client")
    reason = forms.CharField(
        label="Why you recommend it",
        help_text="In your words, up to 1,000 characters. The client reads this.",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
        required=False,  # the service says what is missing, in one message for form and API
    )
    as_homework = forms.BooleanField(label="Also set it as homework", required=False)
    how_often = forms.ChoiceField(
        label="How often", choices=HOW_OFTEN, widget=forms.RadioSelect, required=False
    )
    times_per_week = forms.TypedChoiceField(
        label="Times a week",
        choices=[(str(n), str(n)) for n in range(1, 8)],
        coerce=int,
        required=False,
        empty_value=None,
    )
    until = forms.DateField(label="Last day (times a week)", required=False, widget=DATE)
    due_on = forms.DateField(label="Due by (once)", required=False, widget=DATE)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    # Where a service error goes: the API's field name -> this form's field.
    SERVICE_FIELDS = {
        "reason": "reason",
        "homework": "as_homework",
        "homework.schedule": "how_often",
        "homework.times_per_week": "times_per_week",
        "homework.until": "until",
        "homework.due_on": "due_on",
    }

    def __init__(self, *args: Any, clients: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["client"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose a client"), *clients]
        field.error_messages["required"] = "Choose the client to recommend it to."
        field.error_messages["invalid_choice"] = "Choose one of your clients."

    def homework(self) -> HomeworkChoice | None:
        data = self.cleaned_data
        if not data.get("as_homework"):
            return None
        return HomeworkChoice(
            schedule=data.get("how_often") or "",
            times_per_week=data.get("times_per_week"),
            until=data.get("until"),
            due_on=data.get("due_on"),
        )

    def add_service_error(self, exc: ApplicationError) -> None:
        self.add_error(self.SERVICE_FIELDS.get(exc.field or ""), exc.message)


def _caseload(request: StaffRequest) -> list[CareAccess]:
    if request.membership is None:
        raise Http404
    return [
        c
        for c in access_caseload(user=request.user, membership=request.membership)
        if c.client.status != ClientStatus.DISCHARGED
    ]


def _client_choices(cares: list[CareAccess]) -> list[tuple[str, str]]:
    return [(str(c.client.public_id), c.client.full_name) for c in cares]


def _app_or_404(request: StaffRequest, app_id: uuid.UUID | str) -> CatalogApp:
    if request.practice is None:
        raise Http404
    app = catalog_app_for_practice(practice_id=request.practice.pk, public_id=app_id)
    if app is None:
        raise Http404
    return app


def _next_url(request: InterludeRequest, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def _path_of(url: str) -> str:
    """The path and query of an absolute URL on this site (htmx's current URL)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def recommend_form_context(*, request: StaffRequest, app: CatalogApp) -> dict[str, Any]:
    """What `catalog/_recommend_form.html` needs on the catalog entry's page: the clinician's
    clients (their caseload only), the one named by `?client=<uuid>` chosen."""
    cares = _caseload(request)
    chosen = request.GET.get("client", "")
    ids = {str(c.client.public_id) for c in cares}
    form = RecommendForm(
        clients=_client_choices(cares),
        initial={
            "client": chosen if chosen in ids else "",
            "how_often": "weekly",
            "times_per_week": "3",
            "next": request.get_full_path(),
        },
    )
    return {"recommend": {"form": form, "app": app, "has_clients": bool(cares)}}


@access(Access.CLINICIAN)
@require_http_methods(["GET", "POST"])
def catalog_recommend(request: StaffRequest, app_id: uuid.UUID) -> HttpResponse:
    """GET: the form on a page of its own. POST: recommend (from here or the entry's page);
    on success back to where the form was, with a confirmation; on an error, this page with the
    errors beside their fields."""
    app = _app_or_404(request, app_id)
    if request.method == "GET":
        context = recommend_form_context(request=request, app=app)
        # Loaded into the entry's page (htmx): back there after recommending; on its own page:
        # on to the client's record.
        back = _next_url(request, _path_of(request.htmx.current_url or "")) if request.htmx else ""
        context["recommend"]["form"].initial["next"] = back
        context["app"] = app
        if request.htmx:
            return render(request, "catalog/_recommend_form.html", context)
        return render(request, "catalog/recommend_page.html", context)
    cares = _caseload(request)
    form = RecommendForm(request.POST, clients=_client_choices(cares))
    if form.is_valid():
        care = access_client(
            user=request.user,
            client_id=form.cleaned_data["client"],
            scope=CATEGORY,
            for_write=True,
        )
        if care.viewer is not Viewer.CARE_TEAM or care.membership is None:
            raise Http404
        try:
            recommendation_create(
                care=care,
                membership=care.membership,
                app=app,
                reason=form.cleaned_data["reason"],
                homework=form.homework(),
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            homework = " and set it as homework" if form.cleaned_data["as_homework"] else ""
            messages.success(
                request,
                f"You recommended {app.name} to {care.client.full_name}{homework}. "
                "They see it in their app under Tools, Apps your therapist suggested.",
            )
            target = _next_url(request, form.cleaned_data.get("next") or "")
            return redirect(
                target
                or reverse("client_record", args=[care.client.public_id]) + "#recommendations"
            )
    context = {"recommend": {"form": form, "app": app, "has_clients": bool(cares)}, "app": app}
    return render(request, "catalog/recommend_page.html", context, status=422)


@access(Access.CLINICIAN)
@require_POST
def client_recommendation_withdraw(
    request: StaffRequest, client_id: uuid.UUID, recommendation_id: uuid.UUID
) -> HttpResponse:
    care = access_client(user=request.user, client_id=client_id, scope=CATEGORY, for_write=True)
    if care.viewer is not Viewer.CARE_TEAM:
        raise Http404
    recommendation = recommendation_get_for_care(access=care, public_id=recommendation_id)
    if recommendation is None:
        raise Http404
    recommendation_withdraw(care=care, recommendation=recommendation)
    ended = " Its homework has ended too." if recommendation.assignment_id else ""
    messages.success(
        request,
        f"Recommendation of {recommendation.app.name} withdrawn. The client no longer sees it."
        + ended,
    )
    return redirect(reverse("client_record", args=[care.client.public_id]) + "#recommendations")


# --- the client's page ----------------------------------------------------------------------------
def recommendation_card(rec: Recommendation, *, today: Any, imports_on: bool) -> dict[str, Any]:
    """One recommendation as the client reads it."""
    app = rec.app
    return {
        "rec": rec,
        "app": app,
        "by": rec.recommended_by.user.get_full_name(),
        "goals": [str(Goal(g).label) for g in app.goals if g in Goal.values],
        "platforms": [str(Platform(p).label) for p in app.platforms if p in Platform.values],
        "cost": str(Cost(app.cost).label) if app.cost in Cost.values else "",
        "cost_known": app.cost != Cost.UNKNOWN,
        "privacy": privacy_summary(app, today=today),
        "import_link": bool(app.importer) and imports_on,
        "new": rec.seen_at is None,
    }


@access(Access.CLIENT)
def client_apps(request: InterludeRequest) -> HttpResponse:
    """Apps your therapist suggested. Opening it notes that the client has seen them."""
    care = access_own(user=request.user)
    today = client_today(care.client)
    recommendations = recommendations_open(access=care)
    imports_on = care.module_on(Module.IMPORTS)
    cards = [recommendation_card(r, today=today, imports_on=imports_on) for r in recommendations]
    recommendation_seen(care=care, recommendations=recommendations)
    return render(
        request,
        "catalog/client_apps.html",
        {
            "client": care.client,
            "cards": cards,
            "homework_on": care.module_on(Module.HOMEWORK),
            "nav": "tools",
        },
    )
