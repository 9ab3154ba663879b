"""Reads for the FHIR API and the FHIR export, through the gate only.

Every function takes a `CareAccess` (made by `consents.access`, which audits the read) or the
signed-in user and then asks the gate for one. What a viewer sees follows the client's sharing
exactly as the pages do: check-in points with "check-ins", imported and pushed points with
"imported app data", answer sets and their scores with "questionnaires" (paper forms the care
team entered stay), the plan, consent and messages always. Anything out of reach is a 404.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from fhir.resources.R4B.resource import Resource

from interlude.accounts.models import User
from interlude.care.plan_selectors import treatment_plan_get
from interlude.consents.access import (
    CareAccess,
    Category,
    Viewer,
    access_caseload,
    access_client,
    access_own,
)
from interlude.consents.sharing_selectors import consent_record_for_client
from interlude.interop.fhir import resources as r
from interlude.interop.fhir.search import CodeToken, DateBound
from interlude.measures.instruments import InstrumentDefinition
from interlude.measures.models import QuestionnaireResponse
from interlude.measures.selectors import instrument_definitions_unconfigured
from interlude.messaging.models import Message
from interlude.practices.enums import Role
from interlude.practices.models import Client, Membership
from interlude.tracking.models import Observation

# What each kind of read names in its audit event.
OBSERVATION_SCOPES = (Category.CHECKINS, Category.IMPORTS, Category.MEASURES)
RESPONSE_SCOPES = (Category.MEASURES, Category.IMPORTS)
EVERYTHING_SCOPES = (
    Category.PROFILE,
    Category.CHECKINS,
    Category.IMPORTS,
    Category.MEASURES,
    Category.RELAXATION,
    Category.WORKSHEETS,
    Category.CARE_RECORD,
    Category.MESSAGES,
)
# The categories whose points make up the time series; the gate's observation rule sorts them.
SERIES_CATEGORIES = (Category.CHECKINS, Category.IMPORTS, Category.WORKSHEETS, Category.RELAXATION)


def patient_access(
    *, user: User, patient_id: uuid.UUID | str, scope: Category | tuple[Category, ...]
) -> CareAccess:
    """The gate's answer for one patient (404 when out of reach; audited for the care team)."""
    return access_client(user=user, client_id=patient_id, scope=scope)


def patients_visible(*, user: User, membership: Membership | None) -> list[CareAccess]:
    """Everyone the user may see: a client themself; a clinician's (or owner's) care-team
    clients, audited once as a caseload view; nobody for an admin."""
    if getattr(user, "client_profile", None) is not None and membership is None:
        return [access_own(user=user)]
    if membership is None or not Role(membership.role).is_clinical:
        return []
    return access_caseload(user=user, membership=membership)


# --- definitions ---------------------------------------------------------------------------------
def definitions_for(*, user: User, membership: Membership | None) -> dict[str, Any]:
    """The instrument definitions a signed-in person can read: the shipped ones plus their
    practice's own (for a client, their practice's). Definitions hold no client data."""
    practice = membership.practice if membership is not None else None
    if practice is None:
        client = getattr(user, "client_profile", None)
        practice = client.practice if client is not None else None
    if practice is None:
        raise Http404
    return instrument_definitions_unconfigured(practice=practice)


def definitions_of_client(*, client: Client) -> dict[str, InstrumentDefinition]:
    """The definitions a client's answer sets use: shipped plus their practice's own."""
    return instrument_definitions_unconfigured(practice=client.practice)


def questionnaire_list(
    *, definitions: dict[str, InstrumentDefinition], url: str | None = None
) -> list[Any]:
    return [
        r.questionnaire_resource(d)
        for code, d in sorted(definitions.items())
        if url is None or r.questionnaire_url(code) == url.split("|", 1)[0]
    ]


# --- the time series -----------------------------------------------------------------------------
def _series(access: CareAccess) -> QuerySet[Observation]:
    for category in SERIES_CATEGORIES:
        if access.can_see(category):
            return access.scope(Observation.objects.all(), category)
    return Observation.objects.none()


def _responses(access: CareAccess) -> QuerySet[QuestionnaireResponse]:
    return access.scope(QuestionnaireResponse.objects.all(), Category.MEASURES)


def _date_q(field_name: str, bound: DateBound) -> Q:
    start, end = bound.start, bound.end
    inside = Q(**{f"{field_name}__gte": start, f"{field_name}__lt": end})
    return {
        "eq": inside,
        "ne": ~inside,
        "ge": Q(**{f"{field_name}__gte": start}),
        "gt": Q(**{f"{field_name}__gte": end}),
        "le": Q(**{f"{field_name}__lt": end}),
        "lt": Q(**{f"{field_name}__lt": start}),
    }[bound.prefix]


def _kinds_for(codes: tuple[CodeToken, ...]) -> set[str]:
    kinds = set()
    for kind, code in r.KIND_CODES.items():
        for token in codes:
            if token.matches(code.system, code.code):
                kinds.add(kind)
    return kinds


def _instruments_for(
    codes: tuple[CodeToken, ...], definitions: dict[str, InstrumentDefinition]
) -> set[str]:
    found = set()
    for code, definition in definitions.items():
        coding = r.total_coding(definition)
        if any(t.matches(coding["system"], coding["code"]) for t in codes):
            found.add(code)
    return found


@dataclass
class ObservationSearch:
    codes: tuple[CodeToken, ...] = ()
    dates: tuple[DateBound, ...] = field(default_factory=tuple)


def observation_list(
    *,
    access: CareAccess,
    search: ObservationSearch,
    definitions: dict[str, InstrumentDefinition],
) -> list[Any]:
    """The client's observations this viewer may see that match the search, oldest first: the
    time series (two queries whatever its size) and the questionnaire totals (one query)."""
    series = _series(access).select_related("client")
    responses = _responses(access).filter(total__isnull=False).select_related("client")
    if search.codes:
        series = series.filter(kind__in=_kinds_for(search.codes))
        responses = responses.filter(
            instrument_code__in=_instruments_for(search.codes, definitions)
        )
    for bound in search.dates:
        series = series.filter(_date_q("effective_at", bound))
        responses = responses.filter(_date_q("submitted_at", bound))
    found: list[tuple[datetime, str, Any]] = []
    for obs in series.order_by("effective_at", "pk"):
        found.append((obs.effective_at, "a", r.observation_resource(obs)))
    for response in responses.order_by("submitted_at", "pk"):
        definition = definitions.get(response.instrument_code)
        if definition is None:
            continue
        found.append(
            (response.submitted_at, "b", r.score_observation_resource(response, definition))
        )
    found.sort(key=lambda t: (t[0], t[1]))
    return [resource for _, _, resource in found]


def _client_of(lookup: Callable[[], Any]) -> Any:
    row = lookup()
    if row is None:
        raise Http404
    return row


def observation_read(
    *, user: User, fhir_id: str, definitions_of: Callable[[Client], dict[str, Any]]
) -> Any:
    """One observation by its FHIR id, if the user may see it (404 otherwise)."""
    pk = r.observation_pk(fhir_id)
    if pk is not None:
        public_id = _client_of(
            lambda: (
                Observation.objects.filter(pk=pk)
                .values_list("client__public_id", flat=True)
                .first()
            )
        )
        access = patient_access(user=user, patient_id=public_id, scope=OBSERVATION_SCOPES)
        obs = _series(access).select_related("client").filter(pk=pk).first()
        if obs is None:
            raise Http404
        return r.observation_resource(obs)
    response_id = r.score_response_id(fhir_id)
    if response_id is None:
        raise Http404
    response, access = _response_with_access(user=user, response_id=response_id)
    definition = definitions_of(access.client).get(response.instrument_code)
    if response.total is None or definition is None:
        raise Http404
    return r.score_observation_resource(response, definition)


# --- questionnaire responses ---------------------------------------------------------------------
def _response_with_access(
    *, user: User, response_id: uuid.UUID
) -> tuple[QuestionnaireResponse, CareAccess]:
    public_id = _client_of(
        lambda: (
            QuestionnaireResponse.objects.filter(public_id=response_id)
            .values_list("client__public_id", flat=True)
            .first()
        )
    )
    access = patient_access(user=user, patient_id=public_id, scope=RESPONSE_SCOPES)
    response = _responses(access).select_related("client").filter(public_id=response_id).first()
    if response is None:
        raise Http404
    return response, access


def questionnaire_response_read(
    *, user: User, response_id: str, definitions_of: Callable[[Client], dict[str, Any]]
) -> Any:
    try:
        public_id = uuid.UUID(response_id)
    except ValueError:
        raise Http404 from None
    response, access = _response_with_access(user=user, response_id=public_id)
    definition = definitions_of(access.client).get(response.instrument_code)
    if definition is None:
        raise Http404
    return r.questionnaire_response_resource(response, definition)


def questionnaire_response_list(
    *,
    access: CareAccess,
    definitions: dict[str, InstrumentDefinition],
    instrument_code: str | None = None,
) -> list[Any]:
    rows = _responses(access).select_related("client").order_by("submitted_at", "pk")
    if instrument_code is not None:
        rows = rows.filter(instrument_code=instrument_code)
    return [
        r.questionnaire_response_resource(row, definitions[row.instrument_code])
        for row in rows
        if row.instrument_code in definitions
    ]


def instrument_code_for(questionnaire: str, definitions: dict[str, InstrumentDefinition]) -> str:
    """`questionnaire=` as a canonical url (with or without |version), `Questionnaire/<id>` or
    the bare id; an unknown one matches nothing (an empty result, not an error)."""
    value = questionnaire.split("|", 1)[0]
    if value.startswith("Questionnaire/"):
        value = value[len("Questionnaire/") :]
    for code in definitions:
        if value in (code, r.questionnaire_url(code)):
            return code
    return ""


# --- consent, plan, messages ---------------------------------------------------------------------
def consent_get(*, access: CareAccess) -> Any:
    return r.consent_resource(
        client=access.client, record=consent_record_for_client(client=access.client)
    )


def care_plan_resources(
    *, access: CareAccess, definitions: dict[str, InstrumentDefinition]
) -> list[Any]:
    """The CarePlan and its Goals, when the plan has anything in it."""
    plan = treatment_plan_get(access=access)
    if plan.is_empty:
        return []
    for goal in plan.goals:
        goal.client = access.client  # the same client: no query per goal
    problems = [holder.problem for holder in plan.problems]
    out: list[Any] = [
        r.careplan_resource(client=access.client, problems=problems, goals=plan.goals)
    ]
    out += [r.goal_resource(goal, definitions) for goal in plan.goals]
    return out


def communication_list(*, access: CareAccess) -> list[Any]:
    """The message thread. Its words only for the client and the care team (an owner reading
    under break-glass sees that messages were sent, not what they say)."""
    with_text = access.viewer in (Viewer.SELF, Viewer.CARE_TEAM)
    rows = (
        access.scope(Message.objects.all(), Category.MESSAGES)
        .select_related("sender")
        .order_by("sent_at", "pk")
    )
    out = []
    for message in rows:
        message.client = access.client
        out.append(r.communication_resource(message, with_text=with_text))
    return out


def everything(
    *, access: CareAccess, definitions: dict[str, InstrumentDefinition]
) -> list[Resource]:
    """The patient and every resource about them this viewer may see."""
    out: list[Any] = [r.patient_resource(access.client)]
    out += observation_list(access=access, search=ObservationSearch(), definitions=definitions)
    responses = questionnaire_response_list(access=access, definitions=definitions)
    codes = sorted({q.questionnaire.split("|")[0] for q in responses})
    out += [
        r.questionnaire_resource(d)
        for c, d in sorted(definitions.items())
        if r.questionnaire_url(c) in codes
    ]
    out += responses
    out.append(consent_get(access=access))
    out += care_plan_resources(access=access, definitions=definitions)
    out += communication_list(access=access)
    return out
