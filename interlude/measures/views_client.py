"""The client answers questionnaires on a phone: an intro, one question per screen, a review, and
their own result explained kindly.

Answers in progress are kept in a `QuestionnaireDraft` (encrypted, on the server, never in the
session or in URLs: only the step number is), together with an idempotency key made when the client
starts, so sending the same answers twice stores them once, and the client can sign out and finish
on another device. Works without JavaScript: every step is a plain form.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from interlude.consents.access import access_own_client
from interlude.core.errors import ApplicationError
from interlude.core.http import InterludeRequest
from interlude.core.policy import Access, access
from interlude.insights.charts import NARROW, ChartBand, ChartPoint, instrument_chart_svg
from interlude.measures.change import Classification
from interlude.measures.forms import AnswerForm
from interlude.measures.instruments import InstrumentDefinition
from interlude.measures.models import QuestionnaireDue, QuestionnaireResponse
from interlude.measures.selectors import (
    due_get_open,
    due_list_open,
    instrument_definitions,
    questionnaire_draft_get,
    response_for_due,
    response_get,
    response_list,
)
from interlude.measures.services import (
    draft_usable,
    questionnaire_draft_answer,
    questionnaire_draft_start,
    response_submit,
)
from interlude.practices.enums import Module
from interlude.practices.models import Client
from interlude.practices.selectors import crisis_resources_for_request

# Where earlier versions kept answers in progress in the session: removed on the next visit.
LEGACY_SESSION_KEY = "questionnaires"
SECONDS_PER_ITEM = 12


# --- wording for the client (plain, warm, never alarming) ---------------------------------------
TOPICS = {
    "phq9": "low mood",
    "phq2": "low mood",
    "gad7": "worry and anxiety",
    "gad2": "worry and anxiety",
    "k10": "stress and distress",
    "core10": "stress and distress",
    "pcl5": "stress after a very difficult experience",
    "isi": "sleep problems",
    "auditc": "drinking",
}
LOW = "Your answers suggest {topic} has not been troubling you much lately."
SOME = "Your answers suggest some {topic}, at a milder level."
MODERATE = (
    "Your answers suggest a moderate amount of {topic}. Many people who start therapy answer "
    "around here, and it is something you can work on together."
)
QUITE_A_LOT = (
    "Your answers suggest {topic} has been weighing on you quite a lot lately. That is helpful "
    "for your therapist to know, so they can support you well."
)
A_LOT = (
    "Your answers suggest {topic} has been really hard for you lately. Thank you for being "
    "honest: it helps your therapist know how best to support you."
)
WORTH_TALKING = "Your answers suggest this is worth talking through with your therapist."
BAND_MEANINGS = {
    "minimal": LOW,
    "none": LOW,
    "negative": LOW,
    "healthy": LOW,
    "below_threshold": LOW,
    "mild": SOME,
    "subthreshold": SOME,
    "moderate": MODERATE,
    "moderately_severe": QUITE_A_LOT,
    "high": QUITE_A_LOT,
    "severe": A_LOT,
    "very_high": A_LOT,
    "positive": WORTH_TALKING,
    "probable_ptsd": WORTH_TALKING,
    "likely_depression": (
        "Your answers suggest your wellbeing has been low lately. That is worth talking through "
        "with your therapist."
    ),
    "poor_wellbeing": (
        "Your answers suggest your wellbeing has been lower than usual lately. That is worth "
        "talking through with your therapist."
    ),
    "not_poor": "Your answers suggest your wellbeing has been fairly good lately.",
}
# Band names a client sees in their list of results; the usual severity words stay as they are.
CLIENT_BAND_LABELS = {
    "negative": "Below the screening line",
    "below_threshold": "Below the screening line",
    "positive": "Worth talking through",
    "probable_ptsd": "Worth talking through",
    "likely_depression": "Low wellbeing",
    "poor_wellbeing": "Lower wellbeing",
    "not_poor": "Good wellbeing",
    "none": "Few problems",
    "subthreshold": "Some problems",
    "no_cutoff": "",
}
PLAIN_BAND_CODES = {
    "minimal",
    "mild",
    "moderate",
    "moderately_severe",
    "severe",
    "low",
    "high",
    "very_high",
    "healthy",
}


def minutes_to_answer(definition: InstrumentDefinition) -> int:
    """About how long the questionnaire takes on a phone, in whole minutes (at least 1)."""
    return max(1, math.ceil(definition.item_count * SECONDS_PER_ITEM / 60))


def client_band_label(code: str, label: str) -> str:
    if code in PLAIN_BAND_CODES:
        return code.replace("_", " ").capitalize()
    return CLIENT_BAND_LABELS.get(code, label)


def _topic(definition: InstrumentDefinition) -> str:
    return TOPICS.get(definition.code, definition.construct.lower() or "how you have been")


def band_meaning(definition: InstrumentDefinition, code: str) -> str:
    """What the band means in everyday words ('' when the instrument has no bands to explain)."""
    if code == "low":
        # Lowest band of K10; the second band of CORE-10 (after "healthy").
        first = definition.bands[0].code if definition.bands else ""
        template = LOW if first == "low" else SOME
    else:
        template = BAND_MEANINGS.get(code, "")
    return template.format(topic=_topic(definition))


def _points(n: float) -> str:
    value = f"{n:g}"
    return f"{value} point" if n == 1 else f"{value} points"


def change_in_words(
    definition: InstrumentDefinition,
    response: QuestionnaireResponse,
    previous: QuestionnaireResponse | None,
) -> list[str]:
    """Change since last time, in plain sentences (kind, never alarming)."""
    if response.total is None:
        return []
    if previous is None or previous.total is None:
        return [
            "This is the first time you have answered this questionnaire here. Next time, you "
            "will be able to see how things have changed."
        ]
    when = timezone.localtime(previous.submitted_at).strftime("%-d %B")
    change = response.total - previous.total
    if change == 0:
        sentences = [f"That is the same as last time, on {when}."]
    else:
        direction = "higher" if change > 0 else "lower"
        better = (change > 0) == definition.higher_is_better
        sentence = f"That is {_points(abs(change))} {direction} than last time, on {when}"
        if better:
            sentences = [f"{sentence}: a step in a good direction."]
        else:
            sentences = [
                f"{sentence}. Ups and downs are a normal part of getting better, and it helps "
                "to talk about what has been going on."
            ]
    if response.classification in (Classification.IMPROVED, Classification.RECOVERED):
        sentences.append(
            "Since your first answers, this is a real improvement: bigger than the everyday ups "
            "and downs."
        )
    return sentences


def score_in_words(definition: InstrumentDefinition, total: float) -> str:
    low, high = f"{definition.total_min:g}", f"{definition.total_max:g}"
    if definition.higher_is_better:
        return f"Scores go from {low} to {high}; a higher score means you have been feeling better."
    return f"Scores go from {low} to {high}; a lower score means fewer difficulties."


# --- the answer set in progress, kept in a draft on the server ---------------------------------
def _forget_legacy_answers(request: InterludeRequest) -> None:
    if LEGACY_SESSION_KEY in request.session:
        del request.session[LEGACY_SESSION_KEY]


# --- loading ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Due:
    """A due questionnaire with its definition, as the client's pages show it."""

    due: QuestionnaireDue
    definition: InstrumentDefinition

    @property
    def answerable(self) -> bool:
        return self.definition.text_shipped

    @property
    def minutes(self) -> int:
        return minutes_to_answer(self.definition)


def _definition(client: Client, code: str) -> InstrumentDefinition:
    definition = instrument_definitions(practice=client.practice).get(code)
    if definition is None:
        raise Http404
    return definition


def _open_due(client: Client, due_id: uuid.UUID) -> QuestionnaireDue | None:
    due = due_get_open(client=client, due_id=str(due_id))
    if due is None or due.opens_at > timezone.now():
        return None
    return due


def _finished(client: Client, due_id: uuid.UUID) -> HttpResponse | None:
    """A due no longer open that the client answered (on any device): go to its result instead
    of a 404."""
    response = response_for_due(client=client, due_id=str(due_id))
    if response is not None:
        return redirect("questionnaire_result", response_id=response.public_id)
    return None


def _load(
    request: InterludeRequest, due_id: uuid.UUID
) -> tuple[Client, QuestionnaireDue, InstrumentDefinition] | HttpResponse:
    _forget_legacy_answers(request)
    client = access_own_client(user=request.user, module=Module.QUESTIONNAIRES)
    due = _open_due(client, due_id)
    if due is None:
        done = _finished(client, due_id)
        if done is not None:
            return done
        raise Http404
    return client, due, _definition(client, due.instrument_code)


def _crisis_help(
    request: InterludeRequest,
    definition: InstrumentDefinition,
    answers: list[int | None],
    step: int | None = None,
) -> dict[str, Any]:
    """Crisis help while answering, before anything is sent: shown from the moment a risk item is
    answered above its threshold, on that item's screen and every screen after it (the review
    too), with the client's country's crisis lines. `crisis_item_above` is this screen's item's
    threshold when it is a risk item (the card is then on the page, hidden until chosen)."""
    shown = any(
        c.item <= len(answers)
        and answers[c.item - 1] is not None
        and int(answers[c.item - 1] or 0) > c.above
        for c in definition.critical_items
    )
    here = next((c.above for c in definition.critical_items if c.item == step), None)
    context: dict[str, Any] = {"crisis_shown": shown, "crisis_item_above": here}
    if shown or here is not None:
        crisis = crisis_resources_for_request(user=request.user, practice=None, country="")
        context["emergency"] = crisis["emergency"]
        context["resources"] = [r for r in crisis["resources"] if not r.is_emergency]
    return context


# --- pages --------------------------------------------------------------------------------------
@access(Access.CLIENT)
def questionnaire_list(request: InterludeRequest) -> HttpResponse:
    """The client's questionnaires: those to answer now, and their past results."""
    client = access_own_client(user=request.user, module=Module.QUESTIONNAIRES)
    definitions = instrument_definitions(practice=client.practice)
    dues = [
        Due(due=d, definition=definitions[d.instrument_code])
        for d in due_list_open(client=client)
        if d.instrument_code in definitions
    ]
    responses = list(response_list(client=client)[:100])
    results = []
    for r in responses:
        definition = definitions.get(r.instrument_code)
        results.append(
            {
                "response": r,
                "name": definition.name if definition else r.instrument_code,
                "band": client_band_label(r.band_code, r.band_label),
            }
        )
    return render(
        request,
        "measures/client/list.html",
        {
            "client": client,
            "dues": dues,
            "results": results,
            "trends": _client_trends(client, definitions, responses),
            "nav": "today",
        },
    )


@dataclass(frozen=True)
class ClientTrend:
    """One instrument's scores over time, as the client sees them: a chart and one sentence."""

    definition: InstrumentDefinition
    svg: SafeString
    sentence: str
    count: int


def _client_trends(
    client: Client,
    definitions: dict[str, InstrumentDefinition],
    responses: list[QuestionnaireResponse],
) -> list[ClientTrend]:
    """A chart per questionnaire answered at least twice (from rows already loaded: no query).

    The same chart as the care team's, without reliable-change markers: the client gets the words
    ("a real improvement") on each result page instead of clinical labels."""
    by_code: dict[str, list[QuestionnaireResponse]] = {}
    for r in sorted(responses, key=lambda r: r.submitted_at):
        if r.total is not None and r.instrument_code in definitions:
            by_code.setdefault(r.instrument_code, []).append(r)
    zone = _zone_for(client)
    trends = []
    for code, rows in sorted(by_code.items()):
        if len(rows) < 2:
            continue
        definition = definitions[code]
        first, last = rows[0], rows[-1]
        assert first.total is not None and last.total is not None
        day = "%-d %B"
        sentence = (
            f"From {first.total:g} on {first.submitted_at.astimezone(zone).strftime(day)} to "
            f"{last.total:g} on {last.submitted_at.astimezone(zone).strftime(day)}, over "
            f"{len(rows)} answers. {score_in_words(definition, last.total)}"
        )
        svg = instrument_chart_svg(
            [
                ChartPoint(
                    at=r.submitted_at,
                    value=r.total or 0,
                    label=f"{r.submitted_at.astimezone(zone).strftime(day)}: {r.total:g}",
                )
                for r in rows
            ],
            chart_id=f"my-{code.replace('_', '-').lower()}",
            title=f"Your {definition.short_name} scores over time",
            description=sentence,
            low=definition.total_min,
            high=definition.total_max,
            zone=zone,
            layout=NARROW,  # the client's pages are read on phones first
            # The client's own words for the bands (the care team's labels are clinical).
            bands=[
                ChartBand(b.min, b.max, client_band_label(b.code, b.label), b.clinical)
                for b in definition.bands
            ],
        )
        trends.append(
            ClientTrend(
                definition=definition,
                svg=mark_safe(svg),  # noqa: S308 - instrument_chart_svg escapes all its text  # nosec B308, B703
                sentence=sentence,
                count=len(rows),
            )
        )
    return trends


def _zone_for(client: Client) -> ZoneInfo:
    try:
        return ZoneInfo(client.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@access(Access.CLIENT)
def questionnaire_start(request: InterludeRequest, code: str) -> HttpResponse:
    """A short link by instrument code: only for a questionnaire the client has due now."""
    client = access_own_client(user=request.user, module=Module.QUESTIONNAIRES)
    for due in due_list_open(client=client):
        if due.instrument_code == code:
            return redirect("questionnaire_intro", due_id=due.public_id)
    raise Http404


@access(Access.CLIENT)
def questionnaire_intro(request: InterludeRequest, due_id: uuid.UUID) -> HttpResponse:
    loaded = _load(request, due_id)
    if isinstance(loaded, HttpResponse):
        return loaded
    client, due, definition = loaded
    if request.method == "POST" and definition.text_shipped:
        draft = questionnaire_draft_start(
            actor=request.user, client=client, due=due, definition=definition
        )
        answers = draft.answers
        first_open = next((i for i, a in enumerate(answers, start=1) if a is None), None)
        if first_open is None:
            return redirect("questionnaire_review", due_id=due.public_id)
        return redirect("questionnaire_step", due_id=due.public_id, step=first_open)
    saved = questionnaire_draft_get(client=client, due=due)
    resuming = bool(
        saved is not None
        and draft_usable(saved, definition)
        and any(a is not None for a in saved.answers)
    )
    return render(
        request,
        "measures/client/intro.html",
        {
            "due": Due(due=due, definition=definition),
            "definition": definition,
            "resuming": resuming,
            "nav": "today",
        },
    )


@access(Access.CLIENT)
def questionnaire_step(request: InterludeRequest, due_id: uuid.UUID, step: int) -> HttpResponse:
    loaded = _load(request, due_id)
    if isinstance(loaded, HttpResponse):
        return loaded
    client, due, definition = loaded
    if not definition.text_shipped:
        return redirect("questionnaire_intro", due_id=due.public_id)
    if not 1 <= step <= definition.item_count:
        raise Http404
    draft = questionnaire_draft_get(client=client, due=due)
    if draft is None or not draft_usable(draft, definition):
        return redirect("questionnaire_intro", due_id=due.public_id)
    item = definition.items[step - 1]
    answers: list[int | None] = draft.answers
    from_review = request.GET.get("change") == "1"
    if request.method == "POST":
        form = AnswerForm(request.POST, item=item)
        going_back = request.POST.get("action") == "back"
        valid = form.is_valid()
        if valid:
            questionnaire_draft_answer(
                actor=request.user,
                draft=draft,
                definition=definition,
                item=step,
                value=form.cleaned_data["answer"],
            )
        if going_back:
            if step == 1:
                return redirect("questionnaire_intro", due_id=due.public_id)
            return redirect("questionnaire_step", due_id=due.public_id, step=step - 1)
        if valid:
            to_review = form.cleaned_data["return_to_review"] or step == definition.item_count
            if to_review:
                return redirect("questionnaire_review", due_id=due.public_id)
            return redirect("questionnaire_step", due_id=due.public_id, step=step + 1)
        from_review = request.POST.get("return_to_review") == "True"
    else:
        current = answers[step - 1]
        form = AnswerForm(
            initial={
                "answer": "" if current is None else str(current),
                "return_to_review": from_review,
            },
            item=item,
        )
    return render(
        request,
        "measures/client/step.html",
        {
            "definition": definition,
            "due": due,
            "item": item,
            "step": step,
            "form": form,
            "from_review": from_review,
            "nav": "today",
            **_crisis_help(request, definition, answers, step),
        },
    )


@access(Access.CLIENT)
def questionnaire_review(request: InterludeRequest, due_id: uuid.UUID) -> HttpResponse:
    _forget_legacy_answers(request)
    client = access_own_client(user=request.user, module=Module.QUESTIONNAIRES)
    due = _open_due(client, due_id)
    if due is None:
        # Already sent (a second tap, or from another device): show what was stored.
        done = _finished(client, due_id)
        if done is not None:
            return done
        raise Http404
    definition = _definition(client, due.instrument_code)
    if not definition.text_shipped:
        return redirect("questionnaire_intro", due_id=due_id)
    draft = questionnaire_draft_get(client=client, due=due)
    if draft is None or not draft_usable(draft, definition):
        return redirect("questionnaire_intro", due_id=due_id)
    answers: list[int | None] = draft.answers
    missing = next((i for i, a in enumerate(answers, start=1) if a is None), None)
    if missing is not None:
        return redirect("questionnaire_step", due_id=due_id, step=missing)
    error = ""
    if request.method == "POST":
        try:
            response, _created = response_submit(
                client=client,
                actor=request.user,
                instrument_code=definition.code,
                answers=answers,
                idempotency_key=draft.idempotency_key,
                due=due,
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            return redirect("questionnaire_result", response_id=response.public_id)
    rows = [
        {
            "item": item,
            "answer": item.label_for(int(answers[item.number - 1] or 0)),
            "change_url": reverse(
                "questionnaire_step", kwargs={"due_id": due_id, "step": item.number}
            )
            + "?change=1",
        }
        for item in definition.items
    ]
    return render(
        request,
        "measures/client/review.html",
        {
            "definition": definition,
            "due_id": due_id,
            "rows": rows,
            "error": error,
            "nav": "today",
            **_crisis_help(request, definition, answers),
        },
    )


@access(Access.CLIENT)
def questionnaire_result(request: InterludeRequest, response_id: uuid.UUID) -> HttpResponse:
    client = access_own_client(user=request.user, module=Module.QUESTIONNAIRES)
    response = response_get(client=client, response_id=str(response_id))
    if response is None:
        raise Http404
    definition = _definition(client, response.instrument_code)
    previous = (
        response_list(client=client, instrument_code=response.instrument_code)
        .filter(submitted_at__lt=response.submitted_at, total__isnull=False)
        .first()
    )
    context: dict[str, Any] = {
        "client": client,
        "response": response,
        "definition": definition,
        "band_meaning": band_meaning(definition, response.band_code),
        "score_scale": score_in_words(definition, response.total or 0),
        "change": change_in_words(definition, response, previous),
        "critical": response.is_critical,
        "nav": "today",
    }
    if response.is_critical:
        crisis = crisis_resources_for_request(user=request.user, practice=None, country="")
        context["emergency"] = crisis["emergency"]
        context["resources"] = [r for r in crisis["resources"] if not r.is_emergency]
    return render(request, "measures/client/result.html", context)
