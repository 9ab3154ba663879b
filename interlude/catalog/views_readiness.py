"""The digital readiness check's pages.

Client: `/readiness/`, one phone-first form (the questions, then the optional eHEALS part), a
thank-you page, and, once answered, the answers (a new check only when the care team asks again).
Clinician: the "Digital readiness" panel of the record on a page of its own (and as an htmx
fragment), asking for the check, withdrawing the request, and switching modules with the
suggestions beside them. Thin: the rules are in `readiness`, `readiness_services` and
`readiness_selectors`.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from interlude.catalog.readiness import (
    EHEALS,
    QUESTIONS,
    Kind,
    ReadinessError,
    answers_summary,
    answers_validate,
    eheals_definition,
    eheals_score,
)
from interlude.catalog.readiness_panels import readiness_panel_context
from interlude.catalog.readiness_selectors import readiness_state
from interlude.catalog.readiness_services import (
    MSG_ALREADY_ANSWERED,
    readiness_cancel,
    readiness_modules_apply,
    readiness_request,
    readiness_submit,
)
from interlude.consents.access import CareAccess, Viewer, access_client, access_own
from interlude.core.errors import ApplicationError
from interlude.core.http import InterludeRequest, StaffRequest
from interlude.core.policy import Access, access
from interlude.practices.enums import Module, ShareScope

SKIP_EHEALS = "skip"


# --- the client's form ----------------------------------------------------------------------------
def _raw_answers(post: QueryDict) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for q in QUESTIONS:
        raw[q.code] = post.getlist(q.code) if q.kind is Kind.MULTI else post.get(q.code)
        if q.note:
            raw[q.note_code] = post.get(q.note_code, "")
    return raw


def _raw_eheals(post: QueryDict) -> list[str | None]:
    return [post.get(f"eheals_{n}") for n in range(1, eheals_definition().item_count + 1)]


def _form_context(
    *, raw: dict[str, Any], eheals: list[str | None], errors: dict[str, str]
) -> dict[str, Any]:
    """The questions with what was chosen and each one's error, ready for the template."""
    questions = []
    for q in QUESTIONS:
        value = raw.get(q.code)
        chosen = set(value or []) if q.kind is Kind.MULTI else {str(value or "")}
        questions.append(
            {
                "q": q,
                "value": value or "",
                "options": [
                    {"value": v, "label": label, "checked": v in chosen, "id": f"q-{q.code}-{i}"}
                    for i, (v, label) in enumerate(q.choices)
                ],
                "note": raw.get(q.note_code, ""),
                "error": errors.get(q.code, ""),
                # Beside the question, the message without the question it repeats.
                "inline_error": errors.get(q.code, "").removeprefix(
                    q.text.removesuffix(" (optional)") + " "
                ),
                "first_id": f"q-{q.code}-0" if q.choices else f"q-{q.code}",
            }
        )
    definition = eheals_definition()
    items = [
        {
            "number": item.number,
            "text": item.text,
            "options": [
                {
                    "value": o.value,
                    "label": o.label,
                    "checked": eheals[item.number - 1] == str(o.value),
                    "id": f"eheals-{item.number}-{o.value}",
                }
                for o in item.options
            ],
        }
        for item in definition.items
    ]
    summary = [(e["first_id"], e["error"]) for e in questions if e["error"]]
    if errors.get(EHEALS):
        summary.append(("eheals-part", errors[EHEALS]))
    return {
        "questions": questions,
        "eheals_items": items,
        "eheals_error": errors.get(EHEALS, ""),
        "eheals_attribution": definition.attribution,
        "errors": summary,
    }


@access(Access.CLIENT)
def readiness(request: InterludeRequest) -> HttpResponse:
    """GET: the form (or, once answered and not asked again, the answers). POST: send them."""
    care = access_own(user=request.user)
    state = readiness_state(access=care)
    if not state.can_answer:
        latest = state.latest
        assert latest is not None
        return render(
            request,
            "catalog/readiness_answered.html",
            {
                "client": care.client,
                "check": latest,
                "summary": answers_summary(latest.answers),
                "eheals_answered": latest.eheals_total is not None,
                "already": request.method == "POST",
                "message": MSG_ALREADY_ANSWERED,
                "nav": "me",
            },
            status=409 if request.method == "POST" else 200,
        )
    raw: dict[str, Any] = {}
    eheals: list[str | None] = [None] * eheals_definition().item_count
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        raw = _raw_answers(request.POST)
        eheals = _raw_eheals(request.POST)
        skipped = request.POST.get("send") == SKIP_EHEALS
        # Every problem at once: the questions, then the eHEALS part.
        for check in (
            lambda: answers_validate(raw),
            lambda: None if skipped else eheals_score(eheals),
        ):
            try:
                check()
            except ReadinessError as exc:
                errors |= exc.errors
        if not errors:
            try:
                readiness_submit(
                    client=care.client,
                    actor=request.user,
                    answers=raw,
                    eheals_answers=None if skipped else eheals,
                )
            except ApplicationError as exc:
                errors = {exc.field or "answers": exc.message}
            else:
                return redirect("readiness_thanks")
        status = 400
    context = _form_context(raw=raw, eheals=eheals, errors=errors)
    context |= {"client": care.client, "state": state, "nav": "me"}
    return render(request, "catalog/readiness_form.html", context, status=status)


@access(Access.CLIENT)
def readiness_thanks(request: InterludeRequest) -> HttpResponse:
    care = access_own(user=request.user)
    return render(request, "catalog/readiness_thanks.html", {"client": care.client, "nav": "me"})


# --- the clinician's panel ------------------------------------------------------------------------
def _care(request: StaffRequest, client_id: uuid.UUID, *, for_write: bool) -> CareAccess:
    """The care team (to read and write), or an owner under emergency access (to read only: the
    gate refuses them any write)."""
    care = access_client(
        user=request.user, client_id=client_id, scope=ShareScope.READINESS, for_write=for_write
    )
    readers = (Viewer.CARE_TEAM,) if for_write else (Viewer.CARE_TEAM, Viewer.BREAK_GLASS)
    if care.viewer not in readers or care.membership is None:
        raise Http404
    return care


def _panel(
    request: StaffRequest, care: CareAccess, *, status: int = 200, **extra: Any
) -> HttpResponse:
    switched_off = extra.pop("switched_off", None)
    context = readiness_panel_context(
        care=care, switched_off=switched_off, fill=bool(extra.pop("fill", False))
    )
    context |= extra
    template = (
        "catalog/_readiness_panel.html" if request.htmx else "catalog/readiness_clinician.html"
    )
    return render(request, template, context, status=status)


def _back(care: CareAccess) -> HttpResponse:
    return redirect(reverse("client_record", args=[care.client.public_id]) + "#readiness")


@access(Access.CLINICIAN)
@require_safe
def client_readiness(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    """The panel on a page of its own (or the fragment for htmx); `?fill=suggestions` ticks the
    switches as suggested, without saving."""
    care = _care(request, client_id, for_write=False)
    return _panel(request, care, fill=request.GET.get("fill") == "suggestions")


@access(Access.CLINICIAN)
@require_POST
def client_readiness_request(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    care = _care(request, client_id, for_write=True)
    assert care.membership is not None
    readiness_request(care=care, membership=care.membership)
    if not request.htmx:
        messages.success(request, "Asked. The client sees the questions on their Today page.")
        return _back(care)
    return _panel(request, care, asked=True)


@access(Access.CLINICIAN)
@require_POST
def client_readiness_cancel(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    care = _care(request, client_id, for_write=True)
    assert care.membership is not None
    readiness_cancel(care=care, membership=care.membership)
    if not request.htmx:
        messages.success(request, "The request is withdrawn. The client no longer sees it.")
        return _back(care)
    return _panel(request, care, withdrawn=True)


@access(Access.CLINICIAN)
@require_POST
def client_readiness_modules(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    """Save the switches: every module ticked is on, every other one off."""
    care = _care(request, client_id, for_write=True)
    assert care.membership is not None
    on = set(request.POST.getlist("module_on"))
    unknown = sorted(on - set(Module.values))
    try:
        if unknown:
            raise ApplicationError(f"'{unknown[0]}' is not a part of the app.")
        switched_off = [m.value for m in Module if m.value not in on]
        readiness_modules_apply(care=care, membership=care.membership, switched_off=switched_off)
    except ApplicationError as exc:
        if not request.htmx:
            messages.error(request, exc.message)
            return _back(care)
        return _panel(request, care, status=400, error=exc.message)
    if not request.htmx:
        messages.success(request, "Saved. The client's app shows only what is on.")
        return _back(care)
    return _panel(request, care, switched_off=switched_off, saved=True)
