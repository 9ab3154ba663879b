"""Guided relaxation pages for clients: breathing pacer, muscle relaxation, grounding.

Each page works without JavaScript: written instructions and a plain form that logs a session
(server-side POST). With JavaScript, breathing.js runs the pacer and saves through the API, and
relaxation.js shows the muscle relaxation and grounding steps one screen at a time.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from interlude.consents.access import access_own_client
from interlude.core.errors import ApplicationError
from interlude.core.http import InterludeRequest
from interlude.core.policy import Access, access
from interlude.exercises.library import script
from interlude.exercises.models import RelaxationKind
from interlude.exercises.relaxation_selectors import (
    PHASE_MAX_SECONDS,
    PHASE_MIN_SECONDS,
    SESSION_MINUTE_CHOICES,
    breathing_pattern,
    breathing_test_seconds,
)
from interlude.exercises.relaxation_services import relaxation_session_create
from interlude.practices.enums import Module
from interlude.practices.models import Client

MAX_LOG_MINUTES = 180
DISTRESS_HINT = "0 means calm. 10 means the most distressed you can imagine."
DISTRESS_CHOICES = [(str(i), str(i)) for i in range(11)] + [("", "Skip")]


def practice_duration(seconds: int) -> str:
    """'45 seconds', '1 minute', '3 minutes', '2 minutes 30 seconds'."""

    def unit(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    minutes, rest = divmod(seconds, 60)
    if minutes == 0:
        return unit(rest, "second")
    if rest == 0:
        return unit(minutes, "minute")
    return f"{unit(minutes, 'minute')} {unit(rest, 'second')}"


def _distress_field(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=DISTRESS_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=DISTRESS_HINT,
        widget=forms.RadioSelect,
    )


class DistressForm(forms.Form):
    """The two optional ratings, for the pacer (read by breathing.js, never posted)."""

    distress_before = _distress_field("Before you start: how distressed do you feel? (optional)")
    distress_after = _distress_field("How distressed do you feel now? (optional)")


class RelaxationLogForm(forms.Form):
    minutes = forms.IntegerField(
        label="How many minutes did you practise?",
        help_text=f"Whole minutes, from 1 to {MAX_LOG_MINUTES}.",
        min_value=1,
        max_value=MAX_LOG_MINUTES,
        error_messages={
            "required": "Enter how many minutes you practised, like 5.",
            "invalid": "Enter the minutes as a whole number, like 5.",
            "min_value": "Enter at least 1 minute.",
            "max_value": f"Enter {MAX_LOG_MINUTES} minutes or fewer.",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    distress_before = _distress_field("Before you started: how distressed did you feel? (optional)")
    distress_after = _distress_field("How distressed do you feel now? (optional)")
    idempotency_key = forms.CharField(max_length=100, widget=forms.HiddenInput)


def _new_log_form() -> RelaxationLogForm:
    # A fresh key per page view: submitting the same page twice stores one session.
    return RelaxationLogForm(initial={"idempotency_key": str(uuid.uuid4())})


def _log_session(
    request: InterludeRequest, *, client: Client, kind: RelaxationKind, form: RelaxationLogForm
) -> HttpResponse | None:
    """Store the logged session and redirect, or put the problem on the form and return None."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    seconds = data["minutes"] * 60
    try:
        session, _ = relaxation_session_create(
            client=client,
            actor=request.user,
            kind=kind,
            started_at=timezone.now() - timedelta(seconds=seconds),
            seconds_practised=seconds,
            distress_before=data["distress_before"],
            distress_after=data["distress_after"],
            idempotency_key=data["idempotency_key"],
        )
    except ApplicationError as exc:
        field = "minutes" if exc.field == "seconds_practised" else exc.field
        form.add_error(field if field in form.fields else None, exc.message)
        return None
    messages.success(request, f"Saved: {practice_duration(session.seconds_practised)} of practice.")
    return redirect(request.path)


@access(Access.CLIENT)
@require_http_methods(["GET", "POST"])
def breathing(request: InterludeRequest, kind: str) -> HttpResponse:
    pattern = breathing_pattern(kind=kind)
    if pattern is None:
        raise Http404
    client = access_own_client(user=request.user, module=Module.RELAXATION)
    form = RelaxationLogForm(request.POST) if request.method == "POST" else _new_log_form()
    if request.method == "POST":
        response = _log_session(request, client=client, kind=pattern.kind, form=form)
        if response is not None:
            return response
    return render(
        request,
        "exercises/breathing.html",
        {
            "nav": "tools",
            "pattern": pattern,
            "owner": client.public_id,
            "form": form,
            "pacer_form": DistressForm(prefix="pacer"),
            "minute_choices": SESSION_MINUTE_CHOICES,
            "phase_min": PHASE_MIN_SECONDS,
            "phase_max": PHASE_MAX_SECONDS,
            "test_seconds": breathing_test_seconds(request.GET.get("seconds")),
        },
        status=400 if form.is_bound else 200,
    )


def _scripted(request: InterludeRequest, *, kind: RelaxationKind, template: str) -> HttpResponse:
    client = access_own_client(user=request.user, module=Module.RELAXATION)
    form = RelaxationLogForm(request.POST) if request.method == "POST" else _new_log_form()
    if request.method == "POST":
        response = _log_session(request, client=client, kind=kind, form=form)
        if response is not None:
            return response
    return render(
        request,
        template,
        {
            "nav": "tools",
            "script": script(str(kind)),
            "form": form,
            "private_notes": kind == RelaxationKind.GROUNDING,
        },
        status=400 if form.is_bound else 200,
    )


@access(Access.CLIENT)
@require_http_methods(["GET", "POST"])
def pmr(request: InterludeRequest) -> HttpResponse:
    return _scripted(request, kind=RelaxationKind.PMR, template="exercises/pmr.html")


@access(Access.CLIENT)
@require_http_methods(["GET", "POST"])
def grounding(request: InterludeRequest) -> HttpResponse:
    return _scripted(request, kind=RelaxationKind.GROUNDING, template="exercises/grounding.html")
