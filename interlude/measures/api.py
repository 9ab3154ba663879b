"""Questionnaire API: the instruments a caller may use, and a client's own answer sets.

Thin: `instrument_definitions` says what exists for the practice, `response_submit` scores and
stores (with any alert, in one transaction). Errors have ninja's validation shape
(`core/api_errors.py`): an answer out of range is a 422 whose `loc` ends with the item's index.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from interlude.consents.access import access_client, access_own_client
from interlude.core.api_errors import error_body
from interlude.core.errors import ApplicationError, IdempotencyConflict
from interlude.core.http import InterludeRequest
from interlude.measures.change import Classification, TrackStatus
from interlude.measures.instruments import InstrumentDefinition
from interlude.measures.models import QuestionnaireResponse
from interlude.measures.selectors import (
    instrument_definitions,
    response_list,
    responses_for_clinician,
)
from interlude.measures.services import response_submit
from interlude.practices.enums import Module, ShareScope
from interlude.practices.models import Client, Practice
from interlude.practices.selectors import crisis_resources_for_request, membership_active_for

router = Router(tags=["questionnaires"])

NOT_MONITORED = (
    "Interlude is not an emergency service and is not watched around the clock. Your care team "
    "reads your answers during their working hours. If you are in danger now, call one of these "
    "numbers or your local emergency number."
)


# --- instruments ---------------------------------------------------------------------------------
class OptionOut(Schema):
    value: int
    label: str


class ItemOut(Schema):
    number: int
    text: str
    options: list[OptionOut]


class BandOut(Schema):
    min: float
    max: float
    code: str
    label: str
    clinical: bool


class ClinicalRangeOut(Schema):
    at_or_above: float | None
    at_or_below: float | None


class InstrumentOut(Schema):
    code: str
    version: str
    name: str
    short_name: str
    item_count: int
    answer_min: int
    answer_max: int
    total_min: float
    total_max: float
    direction: str = Field(..., description="higher_is_worse or higher_is_better")
    licence: str
    text_shipped: bool = Field(
        ..., description="false: score-only; the item text is licensed and not shipped"
    )
    recall: str
    attribution: str
    bands: list[BandOut]
    reliable_change: float | None = Field(
        ..., description="Points on the total; null when no threshold is set"
    )
    clinical_range: ClinicalRangeOut | None
    items: list[ItemOut] | None = Field(
        ..., description="Item text and answer options; null for score-only instruments"
    )


def _instrument_out(d: InstrumentDefinition) -> InstrumentOut:
    return InstrumentOut(
        code=d.code,
        version=d.version,
        name=d.name,
        short_name=d.short_name,
        item_count=d.item_count,
        answer_min=d.answer_min,
        answer_max=d.answer_max,
        total_min=d.total_min,
        total_max=d.total_max,
        direction=str(d.direction),
        licence=str(d.licence),
        text_shipped=d.text_shipped,
        recall=d.recall,
        attribution=d.attribution,
        bands=[
            BandOut(min=b.min, max=b.max, code=b.code, label=b.label, clinical=b.clinical)
            for b in d.bands
        ],
        reliable_change=d.reliable_change,
        clinical_range=(
            ClinicalRangeOut(
                at_or_above=d.clinical_range.at_or_above,
                at_or_below=d.clinical_range.at_or_below,
            )
            if d.clinical_range
            else None
        ),
        items=(
            [
                ItemOut(
                    number=i.number,
                    text=i.text,
                    options=[OptionOut(value=o.value, label=o.label) for o in i.options],
                )
                for i in d.items
            ]
            if d.text_shipped
            else None
        ),
    )


def _caller_practice(request: InterludeRequest) -> Practice:
    """A client's own practice, or the practice a staff member works in; 404 for anyone else."""
    client = getattr(request.user, "client_profile", None)
    if client is not None:
        return client.practice
    membership = getattr(request, "membership", None) or membership_active_for(user=request.user)
    if membership is None:
        raise Http404
    return membership.practice


@router.get(
    "/instruments",
    response=list[InstrumentOut],
    summary="The questionnaires available to you (your practice's, with its settings applied)",
    url_name="instruments",
)
def instrument_list(request: InterludeRequest) -> list[InstrumentOut]:
    practice = _caller_practice(request)
    return [_instrument_out(d) for d in instrument_definitions(practice=practice).values()]


# --- responses -----------------------------------------------------------------------------------
class ResponseIn(Schema):
    instrument: str = Field(..., min_length=1, max_length=40, description="e.g. phq9")
    answers: list[int | None] = Field(
        ...,
        max_length=200,
        description="One answer value per item, in item order; null for an item left out",
    )
    idempotency_key: str = Field(..., min_length=1, max_length=100)


class CodeLabel(Schema):
    code: str
    label: str


class CodeLabelReason(Schema):
    code: str
    label: str
    reason: str


class CrisisLine(Schema):
    name: str
    phone: str


class CrisisOut(Schema):
    resources: list[CrisisLine]
    message: str


class ResponseOut(Schema):
    id: uuid.UUID
    instrument: str
    version: str
    submitted_at: datetime
    entered_by: str
    total: float | None = Field(..., description="null when answers are missing and no rule")
    band: CodeLabel | None
    complete: bool = Field(..., description="every item answered")
    prorated: bool
    flags: list[str] = Field(..., description="e.g. critical_item")
    classification: CodeLabelReason = Field(
        ..., description="Jacobson-Truax, against the first scored answer (the baseline)"
    )
    change_from_baseline: float | None
    change_from_previous: float | None
    track_status: CodeLabelReason | None = Field(..., description="null when not scored")
    crisis: CrisisOut | None = Field(
        ..., description="Crisis lines for your country, when an answer signals risk"
    )


def _crisis(request: InterludeRequest, client: Client) -> CrisisOut:
    """The client's crisis lines: their practice's for their country, else the shipped ones."""
    found = crisis_resources_for_request(user=request.user, practice=client.practice, country="")
    return CrisisOut(
        resources=[CrisisLine(name=r.name, phone=r.phone) for r in found["resources"] if r.phone],
        message=NOT_MONITORED,
    )


def _response_out(r: QuestionnaireResponse, *, crisis: CrisisOut | None = None) -> ResponseOut:
    scored = r.total is not None
    return ResponseOut(
        id=r.public_id,
        instrument=r.instrument_code,
        version=r.instrument_version,
        submitted_at=r.submitted_at,
        entered_by=r.entered_by,
        total=r.total,
        band=CodeLabel(code=r.band_code, label=r.band_label) if r.band_code else None,
        complete=r.complete,
        prorated=r.prorated,
        flags=sorted({f["flag"] for f in r.flags}),
        classification=CodeLabelReason(
            code=r.classification,
            label=Classification(r.classification).label,
            reason=r.classification_reason,
        ),
        change_from_baseline=r.change_from_baseline,
        change_from_previous=r.change_from_previous,
        track_status=(
            CodeLabelReason(
                code=r.track_status,
                label=TrackStatus(r.track_status).label,
                reason=r.track_reason,
            )
            if scored
            else None
        ),
        crisis=crisis,
    )


class ErrorOut(Schema):
    detail: list[dict]


def _own_client(request: InterludeRequest, module: Module | None = None) -> Client:
    try:
        client = access_own_client(user=request.user)
    except Http404:
        raise Http404("Only clients answer questionnaires here.") from None
    # A part of the app switched off for this client answers 404, like a page that is not there.
    return access_own_client(user=request.user, module=module) if module else client


def _error_field(field: str | None) -> str:
    """'answers[2]' (the service's name for item 3) -> 'answers.2' (a path in the body)."""
    return (field or "body").replace("[", ".").replace("]", "")


@router.post(
    "/responses",
    response={200: ResponseOut, 201: ResponseOut, 409: ErrorOut, 422: ErrorOut},
    summary="Answer a questionnaire (scored on the server; idempotent by idempotency_key)",
    description="The same answers again under the same idempotency_key answer 200 with the stored "
    "response; different answers under a key already used answer 409 and store nothing.",
    url_name="responses",
)
def response_post(request: InterludeRequest, payload: ResponseIn):
    client = _own_client(request, Module.QUESTIONNAIRES)
    try:
        response, created = response_submit(
            client=client,
            actor=request.user,
            instrument_code=payload.instrument,
            answers=list(payload.answers),
            idempotency_key=payload.idempotency_key,
        )
    except IdempotencyConflict as exc:
        return Status(409, error_body("idempotency_key", exc.message, "conflict"))
    except ApplicationError as exc:
        return Status(422, error_body(_error_field(exc.field), exc.message))
    crisis = _crisis(request, client) if response.is_critical else None
    return Status(201 if created else 200, _response_out(response, crisis=crisis))


@router.get(
    "/responses",
    response=list[ResponseOut],
    summary="My answered questionnaires, newest first",
    url_name="responses_list",
)
def response_get_list(
    request: InterludeRequest,
    instrument: Annotated[str | None, Query(description="Only this instrument, e.g. phq9")] = None,
) -> list[ResponseOut]:
    client = _own_client(request, Module.QUESTIONNAIRES)
    return [_response_out(r) for r in response_list(client=client, instrument_code=instrument)]


# --- the care team's view ------------------------------------------------------------------------
class ClientResponsesOut(Schema):
    shared: bool = Field(
        ...,
        description="false when the client does not share questionnaires with the caller. The "
        "answer is still 200 (the client exists and is on the caller's care team); `items` then "
        'holds only the forms the care team entered from paper (`entered_by` "clinician"), '
        "which the consent keeps visible.",
    )
    not_shared: str | None = Field(
        ..., description='"Not shared by <first name>" when `shared` is false, else null'
    )
    items: list[ResponseOut]


@router.get(
    "/clients/{client_id}/responses",
    response=ClientResponsesOut,
    summary="A client's answered questionnaires, newest first (their care team)",
    description="Read through the gate (audited, questionnaires scope). A client's sharing "
    "choice takes effect on the next request: with questionnaires not shared the answer is "
    '`{"shared": false, "items": [<paper forms only>]}`, never a 404, so what the client\'s '
    "Sharing page says matches what the clinician sees.",
    url_name="client_responses_list",
)
def client_responses_get(
    request: InterludeRequest,
    client_id: uuid.UUID,
    instrument: Annotated[str | None, Query(description="Only this instrument, e.g. phq9")] = None,
) -> ClientResponsesOut:
    care = access_client(user=request.user, client_id=client_id, scope=ShareScope.MEASURES)
    found = responses_for_clinician(access=care, instrument_code=instrument)
    return ClientResponsesOut(
        shared=found.shared,
        not_shared=found.not_shared.text if found.not_shared else None,
        items=[_response_out(r) for r in found.items],
    )
