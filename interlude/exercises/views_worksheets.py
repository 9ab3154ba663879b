"""Pages for the CBT worksheets and the journal: the client's own (phone first, under /tools/)
and the care team's read-only view (/clinic/clients/<public id>/worksheets/).

Thin: a form parses, the pydantic models of schemas.py carry the values, a service writes, a
selector reads. Clients load themselves with access_own_client; the care team's page loads the
client through the gate (access_client), which authorises and audits once per page view.

The forms live here because each one belongs to exactly one page.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from pydantic import BaseModel, ValidationError

from interlude.consents.access import access_client, access_own_client
from interlude.core.errors import ApplicationError
from interlude.core.http import InterludeRequest, StaffRequest
from interlude.core.policy import Access, access
from interlude.core.validation import check_past_date, check_planned_date, django_validator
from interlude.exercises.distortions import DISTORTION_CODES, DISTORTIONS
from interlude.exercises.models import LifeArea, ThoughtRecord
from interlude.exercises.relaxation_selectors import relaxation_sessions_for_clinician
from interlude.exercises.schemas import (
    MAX_EMOTIONS,
    MAX_THOUGHTS,
    SLEEP_QUALITY_CHOICES,
    THOUGHT_RECORD_EMOTIONS,
    ActivityLogIn,
    ActivityPlanIn,
    ExposurePracticeIn,
    ExposureStepIn,
    JournalEntryIn,
    SleepDiaryIn,
    ThoughtRecordContent,
)
from interlude.exercises.sleep import night_name
from interlude.exercises.worksheets_selectors import (
    activity_get,
    activity_week,
    client_local_today,
    exposure_step_get,
    exposure_steps,
    journal_entries,
    journal_entry_get,
    sleep_diary_table,
    sleep_entry_get,
    thought_record_get,
    thought_record_rows,
    thought_record_view,
    worksheets_for_clinician,
)
from interlude.exercises.worksheets_services import (
    activity_plan_create,
    activity_plan_delete,
    activity_plan_log,
    exposure_practice_create,
    exposure_step_create,
    journal_entry_create,
    journal_entry_share,
    journal_entry_update,
    sleep_diary_save,
    thought_record_complete,
    thought_record_delete,
    thought_record_draft_save,
    thought_record_start,
)
from interlude.practices.enums import Module, ShareScope
from interlude.practices.models import Client

QUICK_PICKS_100 = "10 30 50 70 90"


# --- form helpers --------------------------------------------------------------------------------
class RadioSelect(forms.RadioSelect):
    """Radios whose error-summary link goes to the first option (GOV.UK pattern): Django's own
    answers no id for a group, so the summary link would lead nowhere."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        if index is None and id_:
            return f"{id_}_0"
        return super().id_for_label(id_, index)


class CheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    def id_for_label(self, id_: str, index: str | None = None) -> str:
        if index is None and id_:
            return f"{id_}_0"
        return super().id_for_label(id_, index)


def rating_field(
    label: str,
    *,
    required_message: str,
    high: int = 100,
    help_text: str = "",
    required: bool = True,
) -> forms.IntegerField:
    """A 0-high rating: a number input (step 5 for 0-100) with quick picks added by
    worksheets.js. Never a slider alone (WCAG 2.5.7)."""
    range_message = f"Enter a whole number from 0 to {high}."
    attrs = {"inputmode": "numeric", "class": "rating-input", "step": 5 if high == 100 else 1}
    if high == 100:
        attrs["data-quick-picks"] = QUICK_PICKS_100
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        min_value=0,
        max_value=high,
        required=required,
        widget=forms.NumberInput(attrs=attrs),
        error_messages={
            "required": required_message,
            "invalid": range_message,
            "min_value": range_message,
            "max_value": range_message,
        },
    )


def count_field(label: str, *, help_text: str, high: int, required_message: str) -> forms.Field:
    message = f"Enter a whole number from 0 to {high}."
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        min_value=0,
        max_value=high,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-short"}),
        error_messages={
            "required": required_message,
            "invalid": message,
            "min_value": message,
            "max_value": message,
        },
    )


def date_field(
    label: str, *, help_text: str = "", required_message: str, planned: bool = False
) -> forms.DateField:
    """A day that has happened (or, with `planned`, one being planned), within the same bounds
    the API applies (core/validation.py)."""
    return forms.DateField(
        label=label,
        help_text=help_text,
        validators=[django_validator(check_planned_date if planned else check_past_date)],
        widget=forms.DateInput(attrs={"type": "date", "class": "input-date"}, format="%Y-%m-%d"),
        error_messages={
            "required": required_message,
            "invalid": "Enter a real date, like 2026-03-14.",
        },
    )


def time_field(
    label: str, *, help_text: str = "", required_message: str = "", required: bool = True
) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        help_text=help_text,
        required=required,
        widget=forms.TimeInput(attrs={"type": "time", "class": "input-time"}, format="%H:%M"),
        error_messages={
            "required": required_message,
            "invalid": "Enter a time like 23:30 or 07:15.",
        },
    )


def text_field(
    label: str,
    *,
    max_length: int,
    required_message: str = "",
    help_text: str = "",
    required: bool = True,
    rows: int = 4,
) -> forms.CharField:
    widget: forms.Widget = forms.Textarea(attrs={"rows": rows}) if rows > 1 else forms.TextInput()
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=max_length,
        required=required,
        widget=widget,
        error_messages={
            "required": required_message,
            "max_length": f"Keep this to {max_length:,} characters or fewer.",
        },
    )


def values_or_errors[M: BaseModel](
    form: forms.Form, model: type[M], data: dict[str, Any]
) -> M | None:
    """Build the schema a service takes; put any pydantic error beside its form field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = error.get("loc") or ()
            name = str(loc[0]) if loc and str(loc[0]) in form.fields else None
            form.add_error(name, str(error.get("msg", "")).removeprefix("Value error, "))
        return None


def add_application_error(form: forms.Form, exc: ApplicationError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def local_datetime(client: Client, day: date, at: time | None) -> datetime:
    """The day and time in the client's zone. Without a time: midday, or for today the current
    time if that is earlier (so a morning entry is not refused as being in the future)."""
    zone = ZoneInfo(client.time_zone)
    when = datetime.combine(day, at or time(12, 0), tzinfo=zone)
    now = timezone.localtime(timezone=zone).replace(second=0, microsecond=0)
    if at is None and day == now.date():
        when = min(when, now)
    return when


def week_param(request: InterludeRequest, *, default: date) -> date:
    try:
        return date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        return default


# --- thought records: the step-by-step flow ------------------------------------------------------
class SituationForm(forms.Form):
    situation = text_field(
        "What happened?",
        max_length=2000,
        required_message="Describe what happened, in a few words.",
        help_text="Where were you, who was there, what was going on? A few words is enough.",
        rows=4,
    )
    happened_on = date_field("What day was it?", required_message="Enter the day it happened.")
    happened_at = time_field(
        "About what time? (optional)", required=False, help_text="For example 14:30."
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)


class ThoughtsForm(forms.Form):
    thought_1 = text_field(
        "A thought that went through your mind",
        max_length=1000,
        required_message="Write down at least one thought.",
        help_text="Write it as it came to you, in your own words.",
        rows=2,
    )
    thought_2 = text_field("Another thought (optional)", max_length=1000, required=False, rows=2)
    thought_3 = text_field("Another thought (optional)", max_length=1000, required=False, rows=2)

    def texts(self) -> list[str]:
        values = [self.cleaned_data.get(f"thought_{i}", "").strip() for i in (1, 2, 3)]
        return [v for v in values if v][:MAX_THOUGHTS]


class BeliefForm(forms.Form):
    def __init__(self, *args: Any, thoughts: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i, text in enumerate(thoughts):
            self.fields[f"belief_{i}"] = rating_field(
                f"“{text}”",
                help_text="0 means not at all, 100 means completely.",
                required_message="Rate how much you believed this thought, from 0 to 100.",
            )
        if len(thoughts) > 1:
            self.fields["hot"] = forms.TypedChoiceField(
                label="Which thought upset you most?",
                help_text="This is your 'hot thought'. The next steps look at it closely.",
                choices=[(str(i), text) for i, text in enumerate(thoughts)],
                coerce=int,
                widget=RadioSelect,
                error_messages={"required": "Choose the thought that upset you most."},
            )
        self.count = len(thoughts)

    def beliefs(self) -> list[int]:
        return [self.cleaned_data[f"belief_{i}"] for i in range(self.count)]

    def hot_index(self) -> int:
        return int(self.cleaned_data.get("hot") or 0)


class FeelingsForm(forms.Form):
    feelings = forms.MultipleChoiceField(
        label="What did you feel?",
        choices=[(label, label) for label in THOUGHT_RECORD_EMOTIONS],
        required=False,
        widget=CheckboxSelectMultiple,
    )
    other_feeling = text_field(
        "Another feeling, in your own words (optional)",
        max_length=60,
        required=False,
        rows=1,
    )

    def labels(self) -> list[str]:
        labels = list(self.cleaned_data.get("feelings") or [])
        other = " ".join((self.cleaned_data.get("other_feeling") or "").split())
        if other and other.casefold() not in {label.casefold() for label in labels}:
            labels.append(other[:1].upper() + other[1:])
        return labels

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        labels = self.labels()
        if not labels:
            self.add_error("feelings", "Choose at least one feeling, or write one in your words.")
        elif len(labels) > MAX_EMOTIONS:
            self.add_error("feelings", f"Choose up to {MAX_EMOTIONS} feelings.")
        return cleaned


class EmotionRatingsForm(forms.Form):
    def __init__(
        self, *args: Any, labels: list[str], before: list[int | None] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for i, label in enumerate(labels):
            was = before[i] if before else None
            self.fields[f"emotion_{i}"] = rating_field(
                label,
                help_text=(
                    f"Before, you rated it {was}."
                    if was is not None
                    else "0 is none, 100 is the most."
                ),
                required_message=f"Rate how strong “{label}” is, from 0 to 100.",
            )
        self.count = len(labels)

    def values(self) -> list[int]:
        return [self.cleaned_data[f"emotion_{i}"] for i in range(self.count)]


class EvidenceForForm(forms.Form):
    evidence_for = text_field(
        "What makes this thought seem true?",
        max_length=4000,
        required_message="Write what supports the thought, even if it is only a little.",
        help_text="Facts you could point to, rather than feelings or guesses.",
        rows=6,
    )


class EvidenceAgainstForm(forms.Form):
    evidence_against = text_field(
        "What doesn't fit with this thought?",
        max_length=4000,
        required_message="Write anything that doesn't fit with the thought.",
        help_text="Anything that shows it isn't completely true. What would you say to a friend "
        "who had this thought?",
        rows=6,
    )


class TrapsForm(forms.Form):
    distortions = forms.MultipleChoiceField(
        label="Do you notice any thinking traps?",
        choices=[(d.code, d.name) for d in DISTORTIONS],
        required=False,
        widget=CheckboxSelectMultiple,
    )


class BalancedForm(forms.Form):
    balanced_thought = text_field(
        "What is a more balanced way to see it?",
        max_length=2000,
        required_message="Write a more balanced thought. It doesn't have to be positive, "
        "just fair.",
        help_text="Take the evidence on both sides into account. It doesn't have to be "
        "positive, just fair.",
        rows=4,
    )
    balanced_belief = rating_field(
        "How much do you believe this balanced thought?",
        help_text="0 means not at all, 100 means completely.",
        required_message="Rate how much you believe the balanced thought, from 0 to 100.",
    )


class RerateForm(EmotionRatingsForm):
    def __init__(self, *args: Any, hot_thought: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hot_belief_after"] = rating_field(
            f"How much do you believe “{hot_thought}” now?",
            help_text="0 means not at all, 100 means completely.",
            required_message="Rate how much you believe the hot thought now, from 0 to 100.",
        )


class ActionForm(forms.Form):
    action_plan = text_field(
        "Is there anything you will do next? (optional)",
        max_length=2000,
        required=False,
        help_text="A small step, something to try, or something to talk about in your next "
        "session.",
        rows=4,
    )


@dataclass(frozen=True)
class Step:
    slug: str
    title: str  # also the page's h1
    template: str
    # Whether the draft already holds what this step asks (optional steps always do).
    done: Callable[[ThoughtRecordContent], bool]


def _beliefs_done(c: ThoughtRecordContent) -> bool:
    return (
        bool(c.automatic_thoughts)
        and all(t.belief is not None for t in c.automatic_thoughts)
        and (c.hot_thought is not None)
    )


STEPS: tuple[Step, ...] = (
    Step("situation", "What happened?", "situation", lambda c: bool(c.situation)),
    Step(
        "thoughts", "What went through your mind?", "thoughts", lambda c: bool(c.automatic_thoughts)
    ),
    Step("belief", "How much did you believe each thought?", "belief", _beliefs_done),
    Step("feelings", "What did you feel?", "feelings", lambda c: bool(c.emotions)),
    Step(
        "strength",
        "How strong was each feeling?",
        "strength",
        lambda c: bool(c.emotions) and all(e.intensity is not None for e in c.emotions),
    ),
    Step(
        "evidence-for",
        "What makes the thought seem true?",
        "evidence_for",
        lambda c: bool(c.evidence_for),
    ),
    Step(
        "evidence-against",
        "What doesn't fit with the thought?",
        "evidence_against",
        lambda c: bool(c.evidence_against),
    ),
    Step("traps", "Any thinking traps?", "traps", lambda c: True),
    Step(
        "balanced",
        "A more balanced thought",
        "balanced",
        lambda c: bool(c.balanced_thought.text) and c.balanced_thought.belief is not None,
    ),
    Step(
        "now",
        "How do you feel now?",
        "now",
        lambda c: (
            c.hot_thought_belief_after is not None
            and all(c.rerated(e.label) is not None for e in c.emotions)
        ),
    ),
    Step("action", "What next?", "action", lambda c: True),
)
STEP_INDEX = {s.slug: i for i, s in enumerate(STEPS)}


def first_open_step(content: ThoughtRecordContent) -> int:
    """Index of the first step still to do (the last step when everything is there)."""
    for i, step in enumerate(STEPS):
        if not step.done(content):
            return i
    return len(STEPS) - 1


def _step_form(
    slug: str, record: ThoughtRecord, content: ThoughtRecordContent, data: Any
) -> forms.Form:
    """The form of one step, filled from the draft (GET) or from the request (POST)."""
    thoughts = [t.text for t in content.automatic_thoughts]
    labels = [e.label for e in content.emotions]
    initial: dict[str, Any]
    if slug == "situation":
        local = timezone.localtime(record.occurred_at)
        return SituationForm(
            data,
            initial={
                "situation": content.situation,
                "happened_on": local.date(),
                "happened_at": local.time().replace(second=0, microsecond=0),
            },
        )
    if slug == "thoughts":
        initial = {f"thought_{i + 1}": t for i, t in enumerate(thoughts)}
        return ThoughtsForm(data, initial=initial)
    if slug == "belief":
        initial = {f"belief_{i}": t.belief for i, t in enumerate(content.automatic_thoughts)}
        hot_index = next((i for i, t in enumerate(content.automatic_thoughts) if t.hot), None)
        if hot_index is not None:
            initial["hot"] = str(hot_index)
        return BeliefForm(data, thoughts=thoughts, initial=initial)
    if slug == "feelings":
        listed = [label for label in labels if label in THOUGHT_RECORD_EMOTIONS]
        other = next((label for label in labels if label not in THOUGHT_RECORD_EMOTIONS), "")
        return FeelingsForm(data, initial={"feelings": listed, "other_feeling": other})
    if slug == "strength":
        initial = {f"emotion_{i}": e.intensity for i, e in enumerate(content.emotions)}
        return EmotionRatingsForm(data, labels=labels, initial=initial)
    if slug == "evidence-for":
        return EvidenceForForm(data, initial={"evidence_for": content.evidence_for})
    if slug == "evidence-against":
        return EvidenceAgainstForm(data, initial={"evidence_against": content.evidence_against})
    if slug == "traps":
        return TrapsForm(data, initial={"distortions": list(record.distortions or [])})
    if slug == "balanced":
        return BalancedForm(
            data,
            initial={
                "balanced_thought": content.balanced_thought.text,
                "balanced_belief": content.balanced_thought.belief,
            },
        )
    if slug == "now":
        hot_thought = content.hot_thought
        initial = {f"emotion_{i}": content.rerated(e.label) for i, e in enumerate(content.emotions)}
        initial["hot_belief_after"] = content.hot_thought_belief_after
        return RerateForm(
            data,
            labels=labels,
            before=[e.intensity for e in content.emotions],
            hot_thought=hot_thought.text if hot_thought else "",
            initial=initial,
        )
    if slug == "action":
        return ActionForm(data, initial={"action_plan": content.action_plan})
    raise Http404


def _apply_step(
    slug: str, form: forms.Form, content: ThoughtRecordContent, client: Client
) -> tuple[ThoughtRecordContent, dict[str, Any]]:
    """The draft after this step, and any clear fields the step changes."""
    data = form.cleaned_data
    if slug == "situation":
        occurred = local_datetime(client, data["happened_on"], data.get("happened_at"))
        return content.with_situation(data["situation"].strip()), {"occurred_at": occurred}
    if slug == "thoughts":
        assert isinstance(form, ThoughtsForm)
        return content.with_thoughts(form.texts()), {}
    if slug == "belief":
        assert isinstance(form, BeliefForm)
        return content.with_beliefs(form.beliefs(), form.hot_index()), {}
    if slug == "feelings":
        assert isinstance(form, FeelingsForm)
        return content.with_emotions(form.labels()), {}
    if slug == "strength":
        assert isinstance(form, EmotionRatingsForm)
        return content.with_intensities(form.values()), {}
    if slug == "evidence-for":
        return content.model_copy(update={"evidence_for": data["evidence_for"].strip()}), {}
    if slug == "evidence-against":
        return content.model_copy(update={"evidence_against": data["evidence_against"].strip()}), {}
    if slug == "traps":
        codes = [c for c in data.get("distortions", []) if c in DISTORTION_CODES]
        return content, {"distortions": codes}
    if slug == "balanced":
        balanced = content.balanced_thought.model_copy(
            update={"text": data["balanced_thought"].strip(), "belief": data["balanced_belief"]}
        )
        return content.model_copy(update={"balanced_thought": balanced}), {}
    if slug == "now":
        assert isinstance(form, RerateForm)
        return content.with_rerating(form.values(), data["hot_belief_after"]), {}
    if slug == "action":
        return content.model_copy(update={"action_plan": data.get("action_plan", "").strip()}), {}
    raise Http404


def _step_url(record: ThoughtRecord, index: int) -> str:
    return reverse("thought_record_step", args=[record.public_id, STEPS[index].slug])


def _step_context(
    *, index: int, form: forms.Form, content: ThoughtRecordContent, record: ThoughtRecord | None
) -> dict[str, Any]:
    step = STEPS[index]
    if index == 0:
        back = reverse("thought_record_list")
    else:
        assert record is not None
        back = _step_url(record, index - 1)
    return {
        "step": step,
        "number": index + 1,
        "total": len(STEPS),
        "is_last": index == len(STEPS) - 1,
        "form": form,
        "content": content,
        "record": record,
        "back_url": back,
        "distortions": DISTORTIONS,
        "emotions": THOUGHT_RECORD_EMOTIONS,
        "step_template": f"exercises/thought_records/steps/{step.template}.html",
        "nav": "tools",
    }


@access(Access.CLIENT)
def thought_record_list(request: InterludeRequest) -> HttpResponse:
    client = access_own_client(user=request.user, module=Module.WORKSHEETS)
    rows = thought_record_rows(client=client)
    return render(
        request,
        "exercises/thought_records/list.html",
        {
            "drafts": [r for r in rows if not r.record.is_complete],
            "finished": [r for r in rows if r.record.is_complete],
            "nav": "tools",
        },
    )


@access(Access.CLIENT)
def thought_record_new(request: InterludeRequest) -> HttpResponse:
    """Step 1. Submitting it creates the draft, so nothing after this is lost."""
    client = access_own_client(user=request.user, module=Module.WORKSHEETS)
    now = timezone.localtime()
    form = SituationForm(
        request.POST or None,
        initial={
            "happened_on": now.date(),
            "happened_at": now.time().replace(second=0, microsecond=0),
            "idempotency_key": f"web-{uuid.uuid4()}",
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record, _ = thought_record_start(
                client=client,
                actor=request.user,
                situation=data["situation"],
                occurred_at=local_datetime(client, data["happened_on"], data.get("happened_at")),
                idempotency_key=data.get("idempotency_key") or f"web-{uuid.uuid4()}",
            )
        except ApplicationError as exc:
            if exc.field == "occurred_at":
                form.add_error("happened_on", exc.message)
            else:
                add_application_error(form, exc)
        else:
            if "stop" in request.POST:
                messages.success(request, "Saved. You can carry on with it any time.")
                return redirect("thought_record_list")
            return redirect(_step_url(record, 1))
    context = _step_context(index=0, form=form, content=ThoughtRecordContent(), record=None)
    context["form_action"] = reverse("thought_record_new")
    return render(request, "exercises/thought_records/step.html", context)


@access(Access.CLIENT)
def thought_record_step(request: InterludeRequest, record_id: uuid.UUID, step: str) -> HttpResponse:
    client = access_own_client(user=request.user, module=Module.WORKSHEETS)
    record = thought_record_get(client=client, record_id=record_id)
    if record.is_complete:
        return redirect("thought_record_detail", record_id=record.public_id)
    if step not in STEP_INDEX:
        raise Http404
    index = STEP_INDEX[step]
    content = ThoughtRecordContent.from_stored(record.content)
    open_index = first_open_step(content)
    if index > open_index:
        # A step needs the ones before it (you rate thoughts after writing them).
        return redirect(_step_url(record, open_index))
    form = _step_form(step, record, content, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        new_content, extra = _apply_step(step, form, content, client)
        try:
            thought_record_draft_save(
                record=record, actor=request.user, content=new_content, **extra
            )
            if STEPS[index].slug == "action" and "stop" not in request.POST:
                thought_record_complete(record=record, actor=request.user)
        except ApplicationError as exc:
            if exc.field == "occurred_at":
                form.add_error("happened_on", exc.message)
            elif exc.field in form.fields or exc.field is None:
                add_application_error(form, exc)
            else:
                # Something from an earlier step is missing: go there and say what.
                messages.error(request, exc.message)
                return redirect(_step_url(record, first_open_step(new_content)))
        else:
            if "stop" in request.POST:
                messages.success(request, "Saved. You can carry on with it any time.")
                return redirect("thought_record_list")
            if record.is_complete:
                messages.success(request, "Thought record finished and saved.")
                return redirect("thought_record_detail", record_id=record.public_id)
            return redirect(_step_url(record, index + 1))
    context = _step_context(index=index, form=form, content=content, record=record)
    context["form_action"] = _step_url(record, index)
    return render(request, "exercises/thought_records/step.html", context)


@access(Access.CLIENT)
def thought_record_detail(request: InterludeRequest, record_id: uuid.UUID) -> HttpResponse:
    client = access_own_client(user=request.user, module=Module.WORKSHEETS)
    record = thought_record_get(client=client, record_id=record_id)
    view = thought_record_view(record)
    continue_url = None if record.is_complete else _step_url(record, first_open_step(view.content))
    return render(
        request,
        "exercises/thought_records/detail.html",
        {"tr": view, "continue_url": continue_url, "nav": "tools"},
    )


@access(Access.CLIENT)
def thought_record_discard(request: InterludeRequest, record_id: uuid.UUID) -> HttpResponse:
    client = access_own_client(user=request.user, module=Module.WORKSHEETS)
    record = thought_record_get(client=client, record_id=record_id)
    if record.is_complete:
        return redirect("thought_record_detail", record_id=record.public_id)
    if request.method == "POST":
        thought_record_delete(record=record, actor=request.user)
        messages.success(request, "The unfinished thought record was deleted.")
        return redirect("thought_record_list")
    return render(
        request,
        "exercises/thought_records/discard.html",
        {"tr": thought_record_view(record), "nav": "tools"},
    )


# --- behavioural activation ----------------------------------------------------------------------
DIFFICULTY_CHOICES = [
    ("", "Not sure"),
    ("1", "1 - very easy"),
    ("2", "2 - easy"),
    ("3", "3 - some effort"),
    ("4", "4 - hard"),
    ("5", "5 - very hard"),
]


class ActivityPlanForm(forms.Form):
    title = text_field(
        "What will you do?",
        max_length=200,
        required_message="Say what you plan to do, like 'walk to the park'.",
        help_text="Something small and specific, like 'call Sam' or 'walk to the park'.",
        rows=1,
    )
    life_area = forms.ChoiceField(
        label="Which part of your life is it for?",
        choices=LifeArea.choices,
        widget=RadioSelect,
        error_messages={"required": "Choose the part of your life it is for."},
    )
    planned_for = date_field(
        "Which day?", required_message="Choose the day you plan to do it.", planned=True
    )
    planned_time = time_field("What time? (optional)", required=False)
    difficulty = forms.TypedChoiceField(
        label="How hard do you expect it to be? (optional)",
        choices=DIFFICULTY_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=RadioSelect,
    )


class ActivityLogForm(forms.Form):
    done = forms.TypedChoiceField(
        label="Did you do it?",
        choices=[("yes", "Yes"), ("no", "No, not this time")],
        coerce=lambda v: v == "yes",
        widget=RadioSelect,
        error_messages={"required": "Say whether you did it."},
    )
    mastery = rating_field(
        "How much of an achievement did it feel? (0 to 10)",
        high=10,
        required=False,
        help_text="Only if you did it. 0 is none at all, 10 is a real achievement.",
        required_message="Rate how much of an achievement it felt, from 0 to 10.",
    )
    pleasure = rating_field(
        "How much did you enjoy it? (0 to 10)",
        high=10,
        required=False,
        help_text="Only if you did it. 0 is not at all, 10 is very much.",
        required_message="Rate how much you enjoyed it, from 0 to 10.",
    )


@access(Access.CLIENT)
def activation_week(request: InterludeRequest) -> HttpResponse:
    client = access_own_client(user=request.user, module=Module.WORKSHEETS)
    today = client_local_today(client=client)
    week = activity_week(client=client, start=week_param(request, default=today), today=today)
    return render(
        request,
        "exercises/activities/week.html",
        {"week": week, "today": today, "nav": "tools"},
    )


@access(Access.CLIENT)
def activity_new(request: InterludeRequest) -> HttpResponse:
    client = access_own_client(user=request.user, module=Module.WORKSHEETS)
    today = client_local_today(client=client)
    try:
        day = date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = today
    form = ActivityPlanForm(request.POST or None, initial={"planned_for": day})
    if request.method == "POST" and form.is_valid():
        values = values_or_errors(form, ActivityPlanIn, form.cleaned_data)
        if values is not None:
            try:
                activity = activity_plan_create(client=client, actor=request.user, values=values)
            except ApplicationError as exc:
                add_application_error(form, exc)
            else:
                messages.success(request, f"Added to {activity.planned_for:%A}.")
                url = reverse("activation_week")
                return redirect(f"{url}?week={activity.planned_for.isoformat()}")
    return render(request, "exercises/activities/plan.html", {"form": form, "nav": "tools"})


@access(Access.CLIENT)
def activity_log(request: InterludeRequest, activity_id: uuid.UUID) -> HttpResponse:
    client = access_own_client(user=request.user, module=Module.WORKSHEETS)
    activity = activity_get(client=client, activity_id=activity_id)
    initial: dict[str, Any] = {"mastery": activity.mastery, "pleasure": activity.pleasure}
    if activity.done is not None:
        initial["done"] = "yes" if activity.done else "no"
    form = ActivityLogForm(request.POST or None, initial=initial)
    if request.method == "POST" and "remove" in request.POST:
        try:
            activity_plan_delete(activity=activity, actor=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Taken off your plan.")
            url = reverse("activation_week")
            return redirect(f"{url}?week={activity.planned_for.isoformat()}")
    elif request.method == "POST" and form.is_valid():
        values = values_or_errors(form, ActivityLogIn, form.cleaned_data)
        if values is not None:
            try:
                activity_plan_log(activity=activity, actor=request.user, values=values)
            except ApplicationError as exc:
                add_application_error(form, exc)
            else:
                messages.success(request, "Logged. Well done for keeping track.")
                url = reverse("activation_week")
                return redirect(f"{url}?week={activity.planned_for.isoformat()}")
    return render(
        request,
        "exercises/activities/log.html",
        {"form": form, "activity": activity, "nav": "tools"},
    )


# --- exposure ------------------------------------------------------------------------------------
class ExposureStepForm(forms.Form):
    description = text_field(
        "What is the situation?",
        max_length=500,
        required_message="Describe the situation for this step.",
        help_text="Something you could practise, like 'take the bus two stops at a quiet time'.",
        rows=3,
    )
    suds_anticipated = rating_field(
        "How distressing do you expect it to be? (0 to 100)",
        help_text="0 is calm, 100 is the most distress you can imagine.",
        required_message="Rate how distressing you expect it to be, from 0 to 100.",
    )


class ExposurePracticeForm(forms.Form):
    practiced_on = date_field("What day did you practise?", required_message="Enter the day.")
    practiced_time = time_field("About what time? (optional)", required=False)
    duration_minutes = forms.IntegerField(
        label="How many minutes did you stay in the situation?",
        min_value=1,
        max_value=600,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-short"}),
        error_messages={
            "required": "Enter how many minutes you practised, like 20.",
            "invalid": "Enter a whole number of minutes from 1 to 600.",
            "min_value": "Enter a whole number of minutes from 1 to 600.",
            "max_value": "Enter a whole number of minutes from 1 to 600.",
        },
    )
    suds_pre = rating_field(
        "Distress just before you started (0 to 100)",
        required_message="Rate your distress just before you started, from 0 to 100.",
    )
    suds_peak = rating_field(
        "Highest distress during the practice (0 to 100)",
        required_message="Rate your highest distress during the practice, from 0 to 100.",
    )
    suds_post = rating_field(
        "Distress at the end (0 to 100)",
        required_message="Rate your distress at the end, from 0 to 100.",
    )
    safety_behaviours = text_field(
        "Did you use any safety behaviours? (optional)",
        max_length=2000,
        required=False,
        help_text="Things you did to feel safer, like holding your phone or avoiding eye contact.",
        rows=3,
    )
    notes = text_field(
        "Notes (optional)",
        max_length=4000,
        required=False,
        help_text="What did you learn? Did what you feared happen?",
        rows=3,
    )


@access(Access.CLIENT)
def exposure_hierarchy(request: InterludeRequest) -> HttpResponse:
    client = access_own_client(user=request.user, module=Module.WORKSHEETS)
    return render(
        request,
        "exercises/exposure/hierarchy.html",
        {"steps": exposure_steps(client=client), "nav": "tools"},
    )


@access(Access.CLIENT)
def exposure_step_new(request: InterludeRequest) -> HttpResponse:
    client = access_own_client(user=request.user, module=Module.WORKSHEETS)
    form = ExposureStepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = values_or_errors(form, ExposureStepIn, form.cleaned_data)
        if values is not None:
            try:
                exposure_step_create(client=client, actor=request.user, values=values)
            except ApplicationError as exc:
                add_application_error(form, exc)
            else:
                messages.success(request, "Step added to your ladder.")
                return redirect("exposure_hierarchy")
    return render(request, "exercises/exposure/step_new.html", {"form": form, "nav": "tools"})


@access(Access.CLIENT)
def exposure_step_detail(request: InterludeRequest, step_id: uuid.UUID) -> HttpResponse:
    client = access_own_client(user=request.user, module=Module.WORKSHEETS)
    step = exposure_step_get(client=client, step_id=step_id)
    return render(request, "exercises/exposure/step.html", {"step": step, "nav": "tools"})


@access(Access.CLIENT)
def exposure_practice_new(request: InterludeRequest, step_id: uuid.UUID) -> HttpResponse:
    client = access_own_client(user=request.user, module=Module.WORKSHEETS)
    step = exposure_step_get(client=client, step_id=step_id)
    now = timezone.localtime()
    form = ExposurePracticeForm(
        request.POST or None,
        initial={
            "practiced_on": now.date(),
            "practiced_time": now.time().replace(second=0, microsecond=0),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["practiced_at"] = local_datetime(
            client, data.pop("practiced_on"), data.pop("practiced_time")
        )
        values = values_or_errors(form, ExposurePracticeIn, data)
        if values is not None:
            try:
                exposure_practice_create(
                    client=client, step=step, actor=request.user, values=values
                )
            except ApplicationError as exc:
                if exc.field == "practiced_at":
                    form.add_error("practiced_on", exc.message)
                else:
                    add_application_error(form, exc)
            else:
                messages.success(request, "Practice logged. Every practice counts.")
                return redirect("exposure_step_detail", step_id=step.public_id)
    return render(
        request,
        "exercises/exposure/practice_new.html",
        {"form": form, "step": step, "nav": "tools"},
    )


# --- sleep diary ---------------------------------------------------------------------------------
class SleepDiaryForm(forms.Form):
    night_of = date_field(
        "Which night is this about?",
        help_text="The date you went to bed. For last night, that is yesterday's date.",
        required_message="Enter the date you went to bed.",
    )
    into_bed = time_field(
        "What time did you get into bed?", required_message="Enter the time you got into bed."
    )
    tried_to_sleep = time_field(
        "What time did you try to go to sleep?",
        required_message="Enter the time you tried to go to sleep.",
    )
    minutes_to_fall_asleep = count_field(
        "How long did it take you to fall asleep? (minutes)",
        help_text="Your best guess is fine.",
        high=720,
        required_message="Enter how many minutes it took to fall asleep, like 20.",
    )
    awakenings = count_field(
        "How many times did you wake up, not counting your final awakening?",
        help_text="Enter 0 if you slept through.",
        high=50,
        required_message="Enter how many times you woke up. Enter 0 if none.",
    )
    minutes_awake_after_onset = count_field(
        "In total, how long did these awakenings last? (minutes)",
        help_text="Enter 0 if you didn't wake up.",
        high=720,
        required_message="Enter how many minutes you were awake in the night. Enter 0 if none.",
    )
    final_awakening = time_field(
        "What time was your final awakening?",
        required_message="Enter the time you woke up for the last time.",
    )
    out_of_bed = time_field(
        "What time did you get out of bed for the day?",
        required_message="Enter the time you got out of bed.",
    )
    quality = forms.TypedChoiceField(
        label="How would you rate the quality of your sleep?",
        choices=[(str(v), label) for v, label in SLEEP_QUALITY_CHOICES],
        coerce=int,
        widget=RadioSelect,
        error_messages={"required": "Choose how well you slept."},
    )
    comments = text_field(
        "Anything else about last night? (optional)",
        max_length=2000,
        required=False,
        help_text="For example a nap, caffeine late in the day, or a noisy night.",
        rows=3,
    )


def _sleep_form_view(
    request: InterludeRequest, client: Client, *, entry: Any = None
) -> HttpResponse:
    today = client_local_today(client=client)
    if entry is not None:
        initial = {name: getattr(entry, name) for name in SleepDiaryForm.base_fields}
        initial["quality"] = str(entry.quality)
        initial["comments"] = entry.comments or ""
    else:
        initial = {"night_of": today - timedelta(days=1)}
    form = SleepDiaryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = values_or_errors(form, SleepDiaryIn, form.cleaned_data)
        if values is not None:
            try:
                saved, _ = sleep_diary_save(
                    client=client, actor=request.user, values=values, entry=entry
                )
            except ApplicationError as exc:
                add_application_error(form, exc)
            else:
                messages.success(request, f"Saved the night of {night_name(saved.night_of)}.")
                return redirect("sleep_diary")
    return render(
        request,
        "exercises/sleep/entry_form.html",
        {"form": form, "entry": entry, "nav": "tools"},
    )


@access(Access.CLIENT)
def sleep_diary(request: InterludeRequest) -> HttpResponse:
    client = access_own_client(user=request.user, module=Module.WORKSHEETS)
    today = client_local_today(client=client)
    return render(
        request,
        "exercises/sleep/diary.html",
        {"table": sleep_diary_table(client=client, today=today), "nav": "tools"},
    )


@access(Access.CLIENT)
def sleep_entry_new(request: InterludeRequest) -> HttpResponse:
    client = access_own_client(user=request.user, module=Module.WORKSHEETS)
    return _sleep_form_view(request, client)


@access(Access.CLIENT)
def sleep_entry_edit(request: InterludeRequest, entry_id: uuid.UUID) -> HttpResponse:
    client = access_own_client(user=request.user, module=Module.WORKSHEETS)
    entry = sleep_entry_get(client=client, entry_id=entry_id)
    return _sleep_form_view(request, client, entry=entry)


# --- journal -------------------------------------------------------------------------------------
class JournalForm(forms.Form):
    title = text_field("Title (optional)", max_length=200, required=False, rows=1)
    body = text_field(
        "What's on your mind?",
        max_length=20000,
        required_message="Write something before you save.",
        rows=12,
    )


class JournalNewForm(JournalForm):
    shared = forms.BooleanField(label="Share this entry with my therapist", required=False)


@access(Access.CLIENT)
def journal_list(request: InterludeRequest) -> HttpResponse:
    client = access_own_client(user=request.user, module=Module.JOURNAL)
    return render(
        request,
        "exercises/journal/list.html",
        {"entries": journal_entries(client=client), "nav": "tools"},
    )


@access(Access.CLIENT)
def journal_new(request: InterludeRequest) -> HttpResponse:
    client = access_own_client(user=request.user, module=Module.JOURNAL)
    form = JournalNewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = values_or_errors(form, JournalEntryIn, form.cleaned_data)
        if values is not None:
            try:
                entry = journal_entry_create(client=client, actor=request.user, values=values)
            except ApplicationError as exc:
                add_application_error(form, exc)
            else:
                messages.success(
                    request,
                    "Saved and shared with your therapist."
                    if entry.shared_at
                    else "Saved. Only you can see this entry.",
                )
                return redirect("journal_detail", entry_id=entry.public_id)
    return render(
        request, "exercises/journal/form.html", {"form": form, "entry": None, "nav": "tools"}
    )


@access(Access.CLIENT)
def journal_detail(request: InterludeRequest, entry_id: uuid.UUID) -> HttpResponse:
    client = access_own_client(user=request.user, module=Module.JOURNAL)
    entry = journal_entry_get(client=client, entry_id=entry_id)
    return render(request, "exercises/journal/detail.html", {"entry": entry, "nav": "tools"})


@access(Access.CLIENT)
def journal_edit(request: InterludeRequest, entry_id: uuid.UUID) -> HttpResponse:
    client = access_own_client(user=request.user, module=Module.JOURNAL)
    entry = journal_entry_get(client=client, entry_id=entry_id)
    form = JournalForm(request.POST or None, initial={"title": entry.title, "body": entry.body})
    if request.method == "POST" and form.is_valid():
        try:
            journal_entry_update(
                entry=entry,
                actor=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, "Changes saved.")
            return redirect("journal_detail", entry_id=entry.public_id)
    return render(
        request, "exercises/journal/form.html", {"form": form, "entry": entry, "nav": "tools"}
    )


@access(Access.CLIENT)
@require_POST
def journal_share(request: InterludeRequest, entry_id: uuid.UUID) -> HttpResponse:
    client = access_own_client(user=request.user, module=Module.JOURNAL)
    entry = journal_entry_get(client=client, entry_id=entry_id)
    shared = request.POST.get("shared") == "1"
    journal_entry_share(entry=entry, actor=request.user, shared=shared)
    messages.success(
        request,
        "This entry is now shared with your therapist."
        if shared
        else "This entry is private again. Only you can see it.",
    )
    return redirect("journal_detail", entry_id=entry.public_id)


# --- the care team's view ------------------------------------------------------------------------
WORKSHEETS_PAGE_SCOPES = (ShareScope.WORKSHEETS, ShareScope.RELAXATION, ShareScope.JOURNAL)


@access(Access.CLINICIAN)
def client_worksheets(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    """Read-only: thought records, activation week, exposure, sleep, relaxation practice and
    shared journal entries; "not shared" for each category the client does not share.

    The gate loads the client (one audit event) and says what this viewer may see.
    """
    care = access_client(user=request.user, client_id=client_id, scope=WORKSHEETS_PAGE_SCOPES)
    client = care.client
    today = client_local_today(client=client)
    context = worksheets_for_clinician(access=care, week_start=week_param(request, default=today))
    context.update(
        {
            "client": client,
            "nav": "caseload",
            "relaxation_sessions": relaxation_sessions_for_clinician(access=care),
        }
    )
    return render(request, "exercises/clinician/worksheets.html", context)
