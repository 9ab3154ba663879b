"""The client's homework page: what is due today and overdue, then what comes next; "Mark as
done" for things with no record of their own (articles, custom tasks, apps) and "I couldn't do
it" with a reason for anything. Doing a tool itself completes its homework (core.hooks)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from interlude.consents.access import access_own
from interlude.core.clock import client_today
from interlude.core.errors import ApplicationError
from interlude.core.http import InterludeRequest
from interlude.core.policy import Access, access
from interlude.homework.forms import DoneForm, NotPossibleForm
from interlude.homework.models import Assignment, OccurrenceStatus, ScheduleKind, ToolKind
from interlude.homework.selectors import (
    DueEntry,
    assignment_get_own,
    assignment_list_for_client,
    feedback_recent,
)
from interlude.homework.services import assignment_complete
from interlude.practices.enums import Module
from interlude.practices.models import Client

FEEDBACK_NEW_DAYS = 14
# Tools with no record of their own: the client says they did it.
MARK_DONE_KINDS = (ToolKind.ARTICLE, ToolKind.CUSTOM, ToolKind.APP)
BREATHING = ("box", "478", "paced")
WORKSHEET_URLS = {
    "thought_record": "thought_record_new",
    "activity": "activity_new",
    "exposure": "exposure_hierarchy",
    "sleep_diary": "sleep_entry_new",
    "journal": "journal_new",
}


def tool_url(a: Assignment) -> str:
    """Where "Start" goes for this homework ("" when there is nothing to open)."""
    ref = a.tool_ref
    if a.tool_kind == ToolKind.CHECKIN:
        return reverse("checkin_new")
    if a.tool_kind == ToolKind.WORKSHEET and ref in WORKSHEET_URLS:
        return reverse(WORKSHEET_URLS[ref])
    if a.tool_kind == ToolKind.RELAXATION:
        if ref in BREATHING:
            return reverse("breathing", args=[ref])
        return reverse("pmr") if ref == "pmr" else reverse("grounding")
    if a.tool_kind == ToolKind.ARTICLE:
        return reverse("article_detail", args=[ref])
    if a.tool_kind == ToolKind.QUESTIONNAIRE:
        return reverse("questionnaire_start", args=[ref])
    if a.tool_kind == ToolKind.APP:
        return a.app_url
    return ""


def _day(d: date) -> str:
    return f"{d:%A} {d.day} {d:%B}"  # "Friday 4 December", as the client reads a date


def is_open_one_off(e: DueEntry, today: date) -> bool:
    """A one-off is open from its start to its due day: the client can do it now, so it is listed
    with what is due (as "Due tomorrow" or "Due by ..."), not only once the day comes."""
    return e.status == "due" and e.assignment.schedule == ScheduleKind.ONCE and e.due_on > today


def when_words(e: DueEntry, today: date) -> str:
    """When the item is due, in the client's words, for its badge."""
    a = e.assignment
    if e.status == "overdue":
        return f"Was due {_day(e.due_on)}"
    if is_open_one_off(e, today):
        if e.due_on == today + timedelta(days=1):
            return "Due tomorrow"
        return f"Due by {_day(e.due_on)}"
    if e.status == "due" and a.schedule == ScheduleKind.WEEKLY_COUNT:
        return f"This week: {e.done_this_week} of {e.needed} done"
    if e.status == "due":
        return "Due today"
    if e.status == "upcoming" and a.schedule == ScheduleKind.ONCE:
        return f"Starts {_day(a.starts_on)}, due by {_day(e.due_on)}"
    if e.status == "upcoming":
        return f"Next: {_day(e.due_on)}"
    if e.status == "done":
        return "Done"
    return ""


def item(e: DueEntry, today: date) -> dict:
    return {
        "entry": e,
        "assignment": e.assignment,
        "when": when_words(e, today),
        "actionable": e.status in ("overdue", "due"),
        "start_url": tool_url(e.assignment),
        "can_mark_done": e.assignment.tool_kind in MARK_DONE_KINDS,
        "occurrence": e.due_on if e.assignment.schedule != ScheduleKind.WEEKLY_COUNT else None,
    }


def homework_items(*, client: Client, today: date) -> dict:
    """What to do now in order (overdue, due today, then one-offs open until a later due day),
    then what comes next, then what is done for now (two queries)."""
    entries = assignment_list_for_client(client=client, today=today)
    now = [e for e in entries if e.status in ("overdue", "due")]
    return {
        "due": [item(e, today) for e in now],
        "upcoming": [item(e, today) for e in entries if e.status == "upcoming"],
        "done": [item(e, today) for e in entries if e.status == "done"],
        "today": today,
    }


@access(Access.CLIENT)
def homework(request: InterludeRequest) -> HttpResponse:
    care = access_own(user=request.user, module=Module.HOMEWORK)
    client = care.client
    today = client_today(client)
    context = homework_items(client=client, today=today)
    context.update(
        {
            "client": client,
            "feedback": feedback_recent(
                client=client, since=timezone.now() - timedelta(days=FEEDBACK_NEW_DAYS)
            ),
            "nav": "today",
        }
    )
    return render(request, "homework/client.html", context)


def _occurrence_day(assignment: Assignment, raw, today):
    # "N times a week": the day the client did it is today.
    return today if assignment.schedule == "weekly_count" else raw


@access(Access.CLIENT)
@require_POST
def homework_done(request: InterludeRequest, assignment_id: uuid.UUID) -> HttpResponse:
    care = access_own(user=request.user, module=Module.HOMEWORK)
    assignment = assignment_get_own(client=care.client, public_id=assignment_id)
    if assignment is None or assignment.tool_kind not in MARK_DONE_KINDS:
        raise Http404
    today = client_today(care.client)
    form = DoneForm(request.POST)
    day = form.cleaned_data["occurrence"] if form.is_valid() else today
    try:
        assignment_complete(
            assignment=assignment,
            occurrence=_occurrence_day(assignment, day, today),
            status=OccurrenceStatus.DONE,
            actor=request.user,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Marked as done. Well done for making the time.")
    return redirect("homework")


@access(Access.CLIENT)
def homework_not_possible(request: InterludeRequest, assignment_id: uuid.UUID) -> HttpResponse:
    care = access_own(user=request.user, module=Module.HOMEWORK)
    assignment = assignment_get_own(client=care.client, public_id=assignment_id)
    if assignment is None:
        raise Http404
    today = client_today(care.client)
    if request.method == "POST":
        form = NotPossibleForm(request.POST)
        if form.is_valid():
            try:
                assignment_complete(
                    assignment=assignment,
                    occurrence=_occurrence_day(assignment, form.cleaned_data["occurrence"], today),
                    status=OccurrenceStatus.NOT_POSSIBLE,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except ApplicationError as exc:
                form.add_error("reason" if exc.field == "reason" else None, exc.message)
            else:
                messages.success(
                    request, "Thanks for letting us know. That's useful to talk about."
                )
                return redirect("homework")
    else:
        form = NotPossibleForm(initial={"occurrence": request.GET.get("occurrence") or today})
    return render(
        request,
        "homework/not_possible.html",
        {"assignment": assignment, "form": form, "nav": "today"},
        status=422 if form.is_bound and form.errors else 200,
    )
