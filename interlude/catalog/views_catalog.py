"""The clinician's app catalog: filter the practice's catalog (one view and one template serve the
page and, through a partial, the htmx results), read an entry's evaluation step by step, review
it, add an app, copy a starter entry, archive, and compare two entries side by side.

Nothing here is client data: the pages read and write through catalog_selectors and
catalog_services, and the practice comes from the request's membership.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from interlude.catalog.catalog_selectors import (
    CatalogFilters,
    catalog_app_get,
    catalog_apps,
    catalog_copy_of,
    evaluation_by_step,
    review_due,
)
from interlude.catalog.catalog_services import (
    IMPORTERS,
    EvaluationErrors,
    catalog_app_archive,
    catalog_app_copy,
    catalog_app_create,
    evaluation_save,
)
from interlude.catalog.enums import Goal, Platform
from interlude.catalog.forms import CatalogAppForm, CatalogFilterForm, review_inputs, review_steps
from interlude.catalog.models import CatalogApp
from interlude.core.clock import client_today
from interlude.core.errors import ApplicationError
from interlude.core.http import StaffRequest
from interlude.core.policy import Access, access

LIST = "catalog/catalog_list.html"
APA_MODEL_URL = (
    "https://www.psychiatry.org/psychiatrists/practice/mental-health-apps/the-app-evaluation-model"
)
MAX_COMPARE = 2


def _get(request: StaffRequest, app_id: uuid.UUID) -> CatalogApp:
    app = catalog_app_get(practice=request.practice, public_id=app_id)
    if app is None:
        raise Http404("No such app in your catalog.")
    return app


def _row(app: CatalogApp, today) -> dict:
    return {
        "app": app,
        "goals": [str(label) for value, label in _labels("goals", app.goals)],
        "platforms": [str(label) for value, label in _labels("platforms", app.platforms)],
        "review_due": review_due(app, today),
        "importer": IMPORTERS.get(app.importer, ""),
    }


def _labels(facet: str, values: list[str]) -> list[tuple[str, str]]:
    choices = dict((Goal if facet == "goals" else Platform).choices)
    return [(v, str(choices.get(v, v))) for v in values or []]


@access(Access.STAFF)
def catalog_list(request: StaffRequest) -> HttpResponse:
    today = client_today(request.practice)
    problem: ApplicationError | None = None
    try:
        filters = CatalogFilters.parse(request.GET)
    except ApplicationError as exc:
        problem, filters = exc, CatalogFilters()
    apps = [] if problem else catalog_apps(practice=request.practice, filters=filters)
    context = {
        "form": CatalogFilterForm(request.GET or None),
        "filters": filters,
        "problem": problem,
        "rows": [_row(a, today) for a in apps],
        "apa_url": APA_MODEL_URL,
        "nav": "apps",
    }
    template = LIST + "#results" if request.htmx else LIST
    return render(request, template, context, status=422 if problem else 200)


@access(Access.STAFF)
def catalog_detail(request: StaffRequest, app_id: uuid.UUID) -> HttpResponse:
    app = _get(request, app_id)
    today = client_today(request.practice)
    return render(
        request,
        "catalog/catalog_detail.html",
        {
            "app": app,
            "row": _row(app, today),
            "steps": evaluation_by_step(app),
            "starter": app.practice_id is None,
            "own_copy": catalog_copy_of(practice=request.practice, app=app),
            "apa_url": APA_MODEL_URL,
            "nav": "apps",
        },
    )


@access(Access.STAFF)
def catalog_review(request: StaffRequest, app_id: uuid.UUID) -> HttpResponse:
    app = _get(request, app_id)
    if app.practice_id is None:
        messages.info(
            request,
            "Starter entries are shared by every practice. Make your practice's own copy to "
            "review it.",
        )
        return redirect("catalog_detail", app_id=app.public_id)
    answers = list(app.answers.all())
    if request.method != "POST":
        steps = review_steps(answers=answers)
        return _review_page(request, app, steps)
    posted = review_inputs(request.POST)
    try:
        written = evaluation_save(
            app=app,
            actor=request.user,
            answers=posted,
            confirm_unchanged=request.POST.get("confirm_unchanged") == "1",
        )
    except EvaluationErrors as exc:
        steps = review_steps(answers=answers, posted=posted, errors=exc.errors)
        return _review_page(request, app, steps, errors=exc.errors, status=422)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("catalog_detail", app_id=app.public_id)
    if written:
        n = len(written)
        messages.success(request, f"Review saved: {n} answer{'s' if n != 1 else ''} updated.")
    else:
        messages.info(request, "Nothing had changed, so nothing was saved.")
    return redirect("catalog_detail", app_id=app.public_id)


def _review_page(request, app, steps, *, errors=None, status=200) -> HttpResponse:
    return render(
        request,
        "catalog/catalog_review.html",
        {
            "app": app,
            "steps": steps,
            "errors": errors or {},
            "apa_url": APA_MODEL_URL,
            "nav": "apps",
        },
        status=status,
    )


@access(Access.STAFF)
def catalog_new(request: StaffRequest) -> HttpResponse:
    form = CatalogAppForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            app = catalog_app_create(
                practice=request.practice, actor=request.user, **form.cleaned_data
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"{app.name} added. Now answer what you know about it.")
            return redirect("catalog_review", app_id=app.public_id)
    status = 422 if request.method == "POST" else 200
    return render(request, "catalog/catalog_new.html", {"form": form, "nav": "apps"}, status=status)


@access(Access.STAFF)
@require_POST
def catalog_copy(request: StaffRequest, app_id: uuid.UUID) -> HttpResponse:
    app = _get(request, app_id)
    try:
        copy = catalog_app_copy(practice=request.practice, actor=request.user, app=app)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("catalog_detail", app_id=app.public_id)
    messages.success(request, f"Your practice now has its own copy of {copy.name}: review it here.")
    return redirect("catalog_review", app_id=copy.public_id)


@access(Access.STAFF)
@require_POST
def catalog_archive(request: StaffRequest, app_id: uuid.UUID) -> HttpResponse:
    app = _get(request, app_id)
    try:
        catalog_app_archive(practice=request.practice, actor=request.user, app=app)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("catalog_detail", app_id=app.public_id)
    messages.success(request, f"{app.name} is archived: it no longer shows in your catalog.")
    return redirect("catalog")


def _compare_ids(request: StaffRequest) -> tuple[list[uuid.UUID], str]:
    picked = request.GET.getlist("app") or [request.GET.get("a", ""), request.GET.get("b", "")]
    raw = [v for v in picked if v]
    if len(raw) != MAX_COMPARE:
        return [], (
            f"Choose two apps to compare (you chose {len(raw)}). Tick the box beside two apps "
            "in the list, then press Compare."
        )
    try:
        ids = [uuid.UUID(v) for v in raw]
    except ValueError:
        return [], "One of the apps to compare could not be found. Choose them again."
    if ids[0] == ids[1]:
        return [], "Choose two different apps to compare."
    return ids, ""


@access(Access.STAFF)
def catalog_compare(request: StaffRequest) -> HttpResponse:
    ids, problem = _compare_ids(request)
    if request.GET.getlist("app") and not problem:
        # From the list's checkboxes: one address per pair (?a=&b=), to bookmark or share.
        return redirect(f"{reverse('catalog_compare')}?a={ids[0]}&b={ids[1]}")
    apps = [_get(request, i) for i in ids] if not problem else []
    today = client_today(request.practice)
    rows = []
    if apps:
        a_steps, b_steps = evaluation_by_step(apps[0]), evaluation_by_step(apps[1])
        for a_step, b_step in zip(a_steps, b_steps, strict=True):
            pairs = []
            for a_ans, b_ans in zip(a_step.answers, b_step.answers, strict=True):
                pairs.append(
                    {
                        "question": a_ans.question,
                        "a": a_ans,
                        "b": b_ans,
                        "differs": (a_ans.unknown, a_ans.value_label)
                        != (b_ans.unknown, b_ans.value_label),
                    }
                )
            rows.append({"step": a_step, "pairs": pairs})
    return render(
        request,
        "catalog/catalog_compare.html",
        {
            "apps": apps,
            "facts": [_row(a, today) for a in apps],
            "steps": rows,
            "problem": problem,
            "nav": "apps",
        },
        status=422 if problem else 200,
    )
