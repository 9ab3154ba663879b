"""The treatment plan pages of the care team: problems, goals (with a linked questionnaire's
progress) and Goal Attainment Scaling reviews with their chart.

Thin: the gate loads the client (`ShareScope.CARE_RECORD`; `for_write=True` on every POST, so
emergency access reads and never writes), plan_selectors read, plan_services write. How far a
linked goal has come is read here, in the screens, from the client's questionnaires through the
measures selectors and the same `CareAccess`: a questionnaire the client does not share shows as
"Not shared", except scores the care team entered from paper (the gate's rule).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from interlude.care.charts import GAS_WORDS, GasPoint, gas_chart_svg, gas_description, gas_signed
from interlude.care.models import GasScore, Goal, GoalStatus, Problem, ProblemStatus
from interlude.care.plan_selectors import (
    TreatmentPlan,
    goal_get,
    latest_review,
    problem_get,
    target_met,
    target_words,
    treatment_plan_get,
)
from interlude.care.plan_services import (
    GAS_RANGE_MESSAGE,
    MAX_TEXT_CHARS,
    MAX_TITLE_CHARS,
    goal_create,
    goal_review_add,
    goal_set_status,
    goal_update,
    problem_create,
    problem_set_status,
    problem_update,
)
from interlude.consents.access import CareAccess, Category, Viewer, access_client
from interlude.consents.markers import NotShared, not_shared_marker
from interlude.core.clock import client_date, client_today
from interlude.core.errors import ApplicationError
from interlude.core.http import StaffRequest
from interlude.core.policy import Access, access
from interlude.measures.instruments import InstrumentDefinition
from interlude.measures.selectors import instrument_definitions, responses_for_clinician
from interlude.practices.enums import ShareScope


# --- a linked goal's progress (read in the screens: care never imports measures) -----------------
@dataclass(frozen=True)
class GoalProgress:
    """Where a goal linked to a questionnaire stands: the latest score this viewer may see, its
    day (the client's), and whether the target is met."""

    target_text: str  # "PHQ-9 below 10"
    instrument_name: str
    not_shared: NotShared | None  # questionnaires not shared with this viewer
    total: float | None = None
    day: date | None = None
    met: bool | None = None
    from_paper: bool = False  # entered by the care team from a paper form
    unknown_instrument: bool = False

    @property
    def total_text(self) -> str:
        if self.total is None:
            return ""
        return str(int(self.total)) if float(self.total).is_integer() else f"{self.total:g}"


def goal_progress_for(
    *, care: CareAccess, goals: list[Goal], definitions: dict[str, InstrumentDefinition]
) -> dict[int, GoalProgress]:
    """Progress of each linked goal, by goal pk: one query per distinct questionnaire linked
    (a plan links a handful), whatever the number of goals."""
    codes = sorted({g.instrument_code for g in goals if g.instrument_code})
    latest = {}
    for code in codes:
        rows = responses_for_clinician(access=care, instrument_code=code, limit=20).items
        latest[code] = next((r for r in rows if r.total is not None), None)
    marker = not_shared_marker(access=care, category=Category.MEASURES)
    result: dict[int, GoalProgress] = {}
    for goal in goals:
        if not goal.instrument_code or goal.target_value is None:
            continue
        definition = definitions.get(goal.instrument_code)
        name = definition.short_name if definition else goal.instrument_code
        words = target_words(
            instrument_name=name, direction=goal.target_direction, target=goal.target_value
        )
        response = latest.get(goal.instrument_code)
        if response is None or response.total is None:
            result[goal.pk] = GoalProgress(
                target_text=words,
                instrument_name=name,
                not_shared=marker,
                unknown_instrument=definition is None,
            )
            continue
        result[goal.pk] = GoalProgress(
            target_text=words,
            instrument_name=name,
            not_shared=marker,
            total=response.total,
            day=client_date(response.submitted_at, care.client),
            met=target_met(
                direction=goal.target_direction, target=goal.target_value, value=response.total
            ),
            from_paper=response.entered_by == "clinician",
            unknown_instrument=definition is None,
        )
    return result


@dataclass(frozen=True)
class GoalRow:
    goal: Goal
    progress: GoalProgress | None
    reviews: list[Any]
    latest_review: Any
    chart_svg: SafeString
    chart_description: str
    review_form: GasReviewForm | None

    @property
    def latest_gas(self) -> str:
        r = self.latest_review
        return f"{gas_signed(r.score)} ({GAS_WORDS[r.score]})" if r else ""


def goal_rows(
    *,
    care: CareAccess,
    plan: TreatmentPlan,
    definitions: dict[str, InstrumentDefinition],
    with_charts: bool,
    with_forms: bool = False,
) -> dict[int, GoalRow]:
    progress = goal_progress_for(care=care, goals=plan.goals, definitions=definitions)
    today = client_today(care.client)
    rows: dict[int, GoalRow] = {}
    for goal in plan.goals:
        reviews = list(goal.reviews.all())
        points = [GasPoint(day=r.reviewed_on, score=r.score) for r in reviews]
        rows[goal.pk] = GoalRow(
            goal=goal,
            progress=progress.get(goal.pk),
            reviews=[
                {"review": r, "signed": gas_signed(r.score), "words": GAS_WORDS[r.score]}
                for r in reviews
            ],
            latest_review=latest_review(goal),
            chart_svg=mark_safe(  # noqa: S308 - gas_chart_svg escapes all text it writes  # nosec B308, B703
                gas_chart_svg(
                    points,
                    chart_id=f"gas-{goal.public_id}",
                    title="Goal attainment reviews over time",
                )
                if with_charts and points
                else ""
            ),
            chart_description=gas_description(points),
            review_form=(
                GasReviewForm(initial={"reviewed_on": today}, prefix=f"g{goal.public_id.hex}")
                if with_forms and goal.status == GoalStatus.ACTIVE
                else None
            ),
        )
    return rows


# --- forms (GOV.UK style: label above, hint under it, error beside the field) ---------------------
def _order_field() -> forms.IntegerField:
    return forms.IntegerField(
        label="Position in the list",
        help_text="Lower numbers come first. Leave it empty to add it at the top.",
        required=False,
        min_value=0,
        max_value=999,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-short"}),
        error_messages={
            "invalid": "Enter the position as a whole number, like 2.",
            "min_value": "Enter a position from 0 to 999.",
            "max_value": "Enter a position from 0 to 999.",
        },
    )


class ProblemForm(forms.Form):
    title = forms.CharField(
        label="Problem",
        help_text="A short name, like \u201cLow mood since the bereavement\u201d.",
        max_length=MAX_TITLE_CHARS,
        error_messages={
            "required": "Enter the problem.",
            "max_length": f"The problem must be {MAX_TITLE_CHARS} characters or fewer.",
        },
    )
    description = forms.CharField(
        label="Description (optional)",
        required=False,
        max_length=MAX_TEXT_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": f"The description must be {MAX_TEXT_CHARS} characters or fewer."
        },
    )
    order = _order_field()


class GoalForm(forms.Form):
    problem = forms.ChoiceField(
        label="Problem it addresses",
        required=False,
        error_messages={"invalid_choice": "Choose one of the problems in the list, or none."},
    )
    description = forms.CharField(
        label="Goal",
        help_text="What the client wants to be different, in their words where you can.",
        max_length=MAX_TEXT_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter the goal.",
            "max_length": f"The goal must be {MAX_TEXT_CHARS} characters or fewer.",
        },
    )
    instrument_code = forms.ChoiceField(
        label="Questionnaire that shows progress (optional)",
        help_text="Link a questionnaire and a target, like PHQ-9 below 10, to see progress "
        "from the client's scores.",
        required=False,
        error_messages={"invalid_choice": "Choose a questionnaire from the list."},
    )
    target_direction = forms.ChoiceField(
        label="Target: the score should be",
        required=False,
        choices=[("below", "Below the target score"), ("above", "Above the target score")],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose below or above."},
    )
    target_value = forms.FloatField(
        label="Target score",
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "class": "input-short"}),
        error_messages={"invalid": "Enter the target score as a number, like 10."},
    )
    target_date = forms.DateField(
        label="Target date (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date, like 2026-06-30."},
    )
    order = _order_field()

    def __init__(
        self,
        *args: Any,
        problems: list[Problem],
        definitions: dict[str, InstrumentDefinition],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.problems = {str(p.public_id): p for p in problems}
        self.definitions = definitions
        cast(forms.ChoiceField, self.fields["problem"]).choices = [
            ("", "None (a goal of its own)")
        ] + [(str(p.public_id), p.title) for p in problems]
        cast(forms.ChoiceField, self.fields["instrument_code"]).choices = [("", "None")] + [
            (code, f"{d.short_name} ({d.name})")
            for code, d in sorted(definitions.items(), key=lambda kv: kv[1].short_name)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code = data.get("instrument_code") or ""
        direction = data.get("target_direction") or ""
        value = data.get("target_value")
        if not code:
            if direction or value is not None:
                self.add_error(
                    "instrument_code",
                    "Choose the questionnaire the target is for, or clear the target.",
                )
            return data
        if not direction and "target_direction" not in self.errors:
            self.add_error("target_direction", "Choose whether the score should be below or above.")
        if value is None and "target_value" not in self.errors:
            self.add_error("target_value", "Enter the target score, like 10.")
        definition = self.definitions.get(code)
        if definition is not None and value is not None:
            low, high = definition.total_min, definition.total_max
            if not low <= value <= high:
                self.add_error(
                    "target_value",
                    f"Enter a {definition.short_name} score from {low:g} to {high:g}.",
                )
        return data

    @property
    def chosen_problem(self) -> Problem | None:
        return self.problems.get(self.cleaned_data.get("problem") or "")


class GasReviewForm(forms.Form):
    reviewed_on = forms.DateField(
        label="Date of the review",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the date of the review.",
            "invalid": "Enter a real date, like 2026-03-02.",
        },
    )
    score = forms.TypedChoiceField(
        label="Goal attainment (GAS score)",
        help_text="Against the outcome you expected for this goal.",
        choices=[(str(s.value), f"{gas_signed(s.value)}: {s.label}") for s in reversed(GasScore)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": GAS_RANGE_MESSAGE, "invalid_choice": GAS_RANGE_MESSAGE},
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=MAX_TEXT_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": f"The note must be {MAX_TEXT_CHARS} characters or fewer."},
    )


# --- the pages ------------------------------------------------------------------------------------
def _care(request: StaffRequest, client_id: uuid.UUID) -> CareAccess:
    return access_client(
        user=request.user,
        client_id=client_id,
        scope=(ShareScope.CARE_RECORD, ShareScope.MEASURES),
        for_write=request.method not in ("GET", "HEAD"),
    )


def _plan_url(care: CareAccess, anchor: str = "") -> str:
    url = reverse("treatment_plan", args=[care.client.public_id])
    return f"{url}#{anchor}" if anchor else url


def _add_error(form: forms.Form, exc: ApplicationError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _base(care: CareAccess) -> dict[str, Any]:
    return {
        "client": care.client,
        "nav": "caseload",
        "read_only": care.viewer is Viewer.BREAK_GLASS,
    }


@access(Access.CLINICIAN)
def treatment_plan(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    care = _care(request, client_id)
    plan = treatment_plan_get(access=care)
    definitions = instrument_definitions(practice=care.client.practice)
    read_only = care.viewer is Viewer.BREAK_GLASS
    rows = goal_rows(
        care=care, plan=plan, definitions=definitions, with_charts=True, with_forms=not read_only
    )
    context = _base(care)
    context.update(
        {
            "plan": plan,
            "problem_sections": [
                {"problem": p.problem, "goals": [rows[g.pk] for g in p.goals]}
                for p in plan.problems
            ],
            "loose_goals": [rows[g.pk] for g in plan.loose_goals],
            "measures_not_shared": not_shared_marker(access=care, category=Category.MEASURES),
        }
    )
    return render(request, "care/plan_page.html", context)


def _form_page(
    request: StaffRequest,
    care: CareAccess,
    *,
    form: forms.Form,
    heading: str,
    submit: str,
    kind: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    context = _base(care)
    context.update(
        {
            "form": form,
            "heading": heading,
            "submit": submit,
            "kind": kind,
            "plan_url": _plan_url(care),
        }
    )
    context.update(extra or {})
    status = 422 if request.method == "POST" and form.errors else 200
    return render(request, "care/plan_form.html", context, status=status)


@access(Access.CLINICIAN)
def problem_add(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    care = _care(request, client_id)
    form = ProblemForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            problem = problem_create(
                care=care,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                order=form.cleaned_data["order"] or 0,
            )
        except ApplicationError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, "Problem added to the treatment plan.")
            return redirect(_plan_url(care, f"problem-{problem.public_id}"))
    return _form_page(
        request, care, form=form, heading="Add a problem", submit="Add problem", kind="problem"
    )


@access(Access.CLINICIAN)
def problem_edit(
    request: StaffRequest, client_id: uuid.UUID, problem_id: uuid.UUID
) -> HttpResponse:
    care = _care(request, client_id)
    problem = problem_get(access=care, problem_id=problem_id)
    if request.method == "POST":
        form = ProblemForm(request.POST)
        if form.is_valid():
            try:
                problem_update(
                    care=care,
                    problem=problem,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    order=form.cleaned_data["order"] or 0,
                )
            except ApplicationError as exc:
                _add_error(form, exc)
            else:
                messages.success(request, "Problem saved.")
                return redirect(_plan_url(care, f"problem-{problem.public_id}"))
    else:
        form = ProblemForm(
            initial={
                "title": problem.title,
                "description": problem.description,
                "order": problem.order,
            }
        )
    return _form_page(
        request, care, form=form, heading="Change a problem", submit="Save problem", kind="problem"
    )


@access(Access.CLINICIAN)
@require_POST
def problem_status(
    request: StaffRequest, client_id: uuid.UUID, problem_id: uuid.UUID
) -> HttpResponse:
    care = _care(request, client_id)
    problem = problem_get(access=care, problem_id=problem_id)
    try:
        problem_set_status(
            care=care, problem=problem, status=ProblemStatus(request.POST.get("status", ""))
        )
    except (ValueError, ApplicationError):
        messages.error(request, "Choose resolved or active.")
    else:
        messages.success(request, "Problem updated.")
    return redirect(_plan_url(care, f"problem-{problem.public_id}"))


def _goal_form(request: StaffRequest, care: CareAccess, **kwargs: Any) -> GoalForm:
    plan = treatment_plan_get(access=care)
    return GoalForm(
        request.POST if request.method == "POST" else None,
        problems=[p.problem for p in plan.problems if p.problem.status == ProblemStatus.ACTIVE]
        + [
            p.problem
            for p in plan.problems
            if p.problem.status != ProblemStatus.ACTIVE and kwargs.get("keep") == p.problem.pk
        ],
        definitions=instrument_definitions(practice=care.client.practice),
        initial=kwargs.get("initial"),
    )


def _goal_fields(form: GoalForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "description": data["description"],
        "problem": form.chosen_problem,
        "instrument_code": data.get("instrument_code") or "",
        "target_direction": data.get("target_direction") or "",
        "target_value": data.get("target_value"),
        "target_date": data.get("target_date"),
        "order": data.get("order") or 0,
    }


@access(Access.CLINICIAN)
def goal_add(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    care = _care(request, client_id)
    chosen = request.GET.get("problem", "")
    form = _goal_form(request, care, initial={"problem": chosen})
    if request.method == "POST" and form.is_valid():
        try:
            goal = goal_create(care=care, **_goal_fields(form))
        except ApplicationError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, "Goal added to the treatment plan.")
            return redirect(_plan_url(care, f"goal-{goal.public_id}"))
    return _form_page(
        request, care, form=form, heading="Add a goal", submit="Add goal", kind="goal"
    )


@access(Access.CLINICIAN)
def goal_edit(request: StaffRequest, client_id: uuid.UUID, goal_id: uuid.UUID) -> HttpResponse:
    care = _care(request, client_id)
    goal = goal_get(access=care, goal_id=goal_id)
    form = _goal_form(
        request,
        care,
        keep=goal.problem_id,
        initial={
            "problem": str(goal.problem.public_id) if goal.problem else "",
            "description": goal.description,
            "instrument_code": goal.instrument_code,
            "target_direction": goal.target_direction,
            "target_value": goal.target_value,
            "target_date": goal.target_date,
            "order": goal.order,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            goal_update(care=care, goal=goal, **_goal_fields(form))
        except ApplicationError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, "Goal saved.")
            return redirect(_plan_url(care, f"goal-{goal.public_id}"))
    return _form_page(
        request, care, form=form, heading="Change a goal", submit="Save goal", kind="goal"
    )


STATUS_DONE = {
    GoalStatus.ACTIVE: "Goal made active again.",
    GoalStatus.ACHIEVED: "Goal closed as achieved.",
    GoalStatus.DISCONTINUED: "Goal closed as discontinued.",
}


@access(Access.CLINICIAN)
@require_POST
def goal_status(request: StaffRequest, client_id: uuid.UUID, goal_id: uuid.UUID) -> HttpResponse:
    care = _care(request, client_id)
    goal = goal_get(access=care, goal_id=goal_id)
    try:
        status = GoalStatus(request.POST.get("status", ""))
        goal_set_status(care=care, goal=goal, status=status)
    except (ValueError, ApplicationError):
        messages.error(request, "Choose achieved, discontinued or active.")
    else:
        messages.success(request, STATUS_DONE[status])
    return redirect(_plan_url(care, f"goal-{goal.public_id}"))


@access(Access.CLINICIAN)
def goal_review(request: StaffRequest, client_id: uuid.UUID, goal_id: uuid.UUID) -> HttpResponse:
    """GET: the review form on its own page. POST (from there or the plan page): add a review.
    The plan page's inline forms carry a prefix; this page reads either."""
    care = _care(request, client_id)
    goal = goal_get(access=care, goal_id=goal_id)
    prefix = request.POST.get("form_prefix") or None if request.method == "POST" else None
    if prefix is not None and prefix != f"g{goal.public_id.hex}":
        raise Http404
    form = GasReviewForm(
        request.POST if request.method == "POST" else None,
        prefix=prefix,
        initial={"reviewed_on": client_today(care.client)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            goal_review_add(
                care=care,
                goal=goal,
                reviewed_on=form.cleaned_data["reviewed_on"],
                score=form.cleaned_data["score"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, "Review saved.")
            return redirect(_plan_url(care, f"goal-{goal.public_id}"))
    return _form_page(
        request,
        care,
        form=form,
        heading="Review a goal (Goal Attainment Scaling)",
        submit="Save review",
        kind="review",
        extra={"goal": goal},
    )


# --- panels (registered in care/panels.py) --------------------------------------------------------
def plan_panel_context(
    *, access: CareAccess, definitions: dict[str, InstrumentDefinition] | None = None
) -> dict[str, Any]:
    """The record's and the brief's "Treatment plan": active goals, each with its linked
    questionnaire's progress and its latest GAS review (no charts)."""
    plan = treatment_plan_get(access=access, active_only=True)
    if definitions is None:
        definitions = instrument_definitions(practice=access.client.practice)
    rows = goal_rows(care=access, plan=plan, definitions=definitions, with_charts=False)
    return {
        "plan_goals": [rows[g.pk] for g in plan.goals],
        "plan_url": _plan_url(access),
        "plan_problem_count": len(plan.problems),
    }
