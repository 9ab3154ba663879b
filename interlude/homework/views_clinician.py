"""The clinician's homework page for one client: set homework (every tool kind, recurrence in
plain words), adherence per assignment and overall, each recorded day with its linked record
(shown only when the client shares that record's category, else "Not shared"), and feedback."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from interlude.consents.access import CareAccess, access_client
from interlude.core.clock import client_today, client_zone
from interlude.core.errors import ApplicationError
from interlude.core.http import StaffRequest
from interlude.core.policy import Access, access
from interlude.exercises.models import RelaxationKind
from interlude.homework.forms import AssignForm, FeedbackForm
from interlude.homework.models import Assignment, AssignmentOccurrence, ToolKind, WorksheetType
from interlude.homework.records import linked_records
from interlude.homework.schedule import rrule_parse
from interlude.homework.selectors import (
    adherence_total,
    assignment_get_for_care,
    assignment_reports,
)
from interlude.homework.services import (
    assignment_create,
    assignment_end,
    assignment_feedback_add,
)
from interlude.measures.selectors import instrument_definitions
from interlude.practices.enums import Module, ShareScope

WEEKDAY_WORDS = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}


def schedule_words(a) -> str:
    """The recurrence in plain words ("Every weekday until 30 Apr 2026")."""
    if a.schedule == "once":
        return f"Once, due {a.due_on:%-d %b %Y}"
    if a.schedule == "weekly_count":
        text = f"{a.times_per_week} times a week, any days"
        return text + (f", until {a.until:%-d %b %Y}" if a.until else "")
    parts = dict(p.split("=", 1) for p in a.rrule.split(";") if "=" in p)
    days = parts.get("BYDAY", "")
    if parts.get("FREQ") == "DAILY" and not days:
        text = "Every day"
    elif days == "MO,TU,WE,TH,FR":
        text = "Every weekday"
    else:
        text = "Every " + ", ".join(WEEKDAY_WORDS.get(d, d) for d in days.split(",") if d)
    try:
        parsed = rrule_parse(a.rrule, starts_on=a.starts_on)
    except ApplicationError:
        return text
    if parsed._until is not None:
        text += f" until {parsed._until:%-d %b %Y}"
    return text


# Where the care team reads each kind of linked record: the section of the client's worksheets
# page that lists it (that page shows it only when the client shares its category).
WORKSHEET_SECTIONS = {
    "exercises.thought_record": "thought-records",
    "exercises.activity": "activation",
    "exercises.exposure_practice": "exposure",
    "exercises.sleep_diary": "sleep",
    "exercises.relaxation_session": "relaxation",
    "exercises.journal": "journal",
}


# The assign form's fields that name the tool, one per kind (grouped under "Which one").
TOOL_FIELDS = ("worksheet", "relaxation", "article", "questionnaire", "app_name", "app_url")


def record_href(client_public_id: uuid.UUID, link) -> str:
    """The page where the care team reads a linked record ("" when it is not shown here)."""
    if link is None or not link.shown:
        return ""
    section = WORKSHEET_SECTIONS.get(link.record_type)
    if section is None:
        return ""
    return reverse("client_worksheets", args=[client_public_id]) + "#" + section


def tool_words(a: Assignment) -> str:
    """What kind of tool it is, in words ("Worksheet: Thought record"), never a stored code."""
    kind = str(ToolKind(a.tool_kind).label)
    if a.tool_kind == ToolKind.WORKSHEET and a.tool_ref in WorksheetType.values:
        return f"{kind}: {WorksheetType(a.tool_ref).label}"
    if a.tool_kind == ToolKind.RELAXATION and a.tool_ref in RelaxationKind.values:
        return f"{kind}: {RelaxationKind(a.tool_ref).label}"
    if a.tool_kind == ToolKind.APP and a.tool_ref:
        return f"{kind}: {a.tool_ref}"
    return kind


def _questionnaires(care: CareAccess) -> list[tuple[str, str]]:
    return [
        (code, d.name) for code, d in instrument_definitions(practice=care.client.practice).items()
    ]


def _page(request: StaffRequest, care: CareAccess, form: AssignForm, status: int = 200):
    client = care.client
    today = client_today(client)
    reports = assignment_reports(access=care, today=today)
    pairs = [(o.record_type, o.record_id) for r in reports for o in r.occurrences]
    links = linked_records(access=care, pairs=pairs)
    rows = []
    for r in reports:
        rows.append(
            {
                "report": r,
                "schedule": schedule_words(r.assignment),
                "tool": tool_words(r.assignment),
                "occurrences": [
                    {
                        "occurrence": o,
                        "late": o.status == "done"
                        and o.completed_at.astimezone(client_zone(client)).date() > o.due_on,
                        "link": links.get((o.record_type, o.record_id)),
                        "href": record_href(
                            client.public_id, links.get((o.record_type, o.record_id))
                        ),
                        "feedback_form": FeedbackForm(prefix=f"fb-{o.public_id}"),
                    }
                    for o in r.occurrences[:20]
                ],
            }
        )
    return render(
        request,
        "homework/clinician.html",
        {
            "client": client,
            "care": care,
            "rows": rows,
            "total": adherence_total(reports),
            "form": form,
            "tool_fields": TOOL_FIELDS,
            "module_on": care.module_on(Module.HOMEWORK),
            "read_only": care.break_glass is not None,
            "nav": "caseload",
        },
        status=status,
    )


@access(Access.CLINICIAN)
def client_homework(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    writing = request.method == "POST"
    care = access_client(
        user=request.user, client_id=client_id, scope=ShareScope.HOMEWORK, for_write=writing
    )
    questionnaires = _questionnaires(care)
    if not writing:
        form = AssignForm(
            questionnaires=questionnaires,
            initial={"starts_on": client_today(care.client), "repeat": "daily"},
        )
        return _page(request, care, form)
    form = AssignForm(request.POST, questionnaires=questionnaires)
    if care.membership is None:
        raise Http404
    if form.is_valid():
        try:
            assignment_create(
                client=care.client,
                assigned_by=care.membership,
                actor=request.user,
                values=form.values(),
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Homework set. The client sees it on their Today page.")
            return redirect("client_homework", client_id=care.client.public_id)
    return _page(request, care, form, status=422)


@access(Access.CLINICIAN)
@require_POST
def client_homework_end(
    request: StaffRequest, client_id: uuid.UUID, assignment_id: uuid.UUID
) -> HttpResponse:
    care = access_client(
        user=request.user, client_id=client_id, scope=ShareScope.HOMEWORK, for_write=True
    )
    assignment = assignment_get_for_care(access=care, public_id=assignment_id)
    if assignment is None:
        raise Http404
    assignment_end(assignment=assignment, actor=request.user)
    messages.success(request, "Homework ended. What the client recorded stays.")
    return redirect("client_homework", client_id=care.client.public_id)


@access(Access.CLINICIAN)
@require_POST
def client_homework_feedback(
    request: StaffRequest, client_id: uuid.UUID, occurrence_id: uuid.UUID
) -> HttpResponse:
    care = access_client(
        user=request.user, client_id=client_id, scope=ShareScope.HOMEWORK, for_write=True
    )
    occurrence = (
        care.scope(AssignmentOccurrence.objects.all(), ShareScope.HOMEWORK)
        .select_related("assignment", "client")
        .filter(public_id=occurrence_id)
        .first()
    )
    if occurrence is None or care.membership is None:
        raise Http404
    form = FeedbackForm(request.POST, prefix=f"fb-{occurrence.public_id}")
    if form.is_valid():
        try:
            assignment_feedback_add(
                occurrence=occurrence,
                membership=care.membership,
                actor=request.user,
                text=form.cleaned_data["feedback"],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Feedback sent. The client sees it with their homework.")
    else:
        messages.error(request, "Write your feedback before sending it.")
    return redirect("client_homework", client_id=care.client.public_id)
