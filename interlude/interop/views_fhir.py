"""The FHIR R4 read API under /fhir/R4/ (application/fhir+json). Thin: authenticate, parse the
search, call one selector, answer. Errors are OperationOutcomes; anything out of reach is a 404,
never a 403 that would confirm it exists.

Who may call: a signed-in clinician (with their second factor; without it, 403 as in the JSON API)
or a client, by session or with `Authorization: Bearer <token>` carrying the `read` scope.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.resource import Resource
from ninja.throttling import SimpleRateThrottle

from interlude.accounts.models import User
from interlude.core.errors import SecondFactorRequired
from interlude.core.middleware import client_ip
from interlude.core.policy import Access, access
from interlude.interop.auth import request_token_user
from interlude.interop.enums import TokenScope
from interlude.interop.fhir import bundle, search, selectors
from interlude.interop.fhir import resources as r
from interlude.practices.enums import ShareScope
from interlude.practices.models import Membership

FHIR_JSON = r.FHIR_JSON
EVERYTHING_RATE_DEFAULT = "30/hour"


# --- answers -------------------------------------------------------------------------------------
def _answer(resource: Resource, *, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        resource.model_dump_json(exclude_none=True),
        status=status,
        content_type=f"{FHIR_JSON}; charset=utf-8",
    )
    response["Cache-Control"] = "no-store, private"
    return response


def outcome(status: int, code: str, message: str, *, expression: str | None = None) -> HttpResponse:
    issue: dict[str, Any] = {"severity": "error", "code": code, "diagnostics": message}
    if expression:
        issue["expression"] = [expression]
    return _answer(OperationOutcome.model_validate({"issue": [issue]}), status=status)


NOT_FOUND = "Not found, or not within your reach."


class _Unauthenticated(Exception):
    pass


class _Throttled(Exception):
    def __init__(self, wait: float | None) -> None:
        super().__init__("throttled")
        self.wait = wait


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/fhir/R4").rstrip("/")


def _self_url(request: HttpRequest) -> str:
    return request.build_absolute_uri()


def _caller(request: HttpRequest) -> User:
    """The token's user (a bearer request needs the `read` scope) or the signed-in person."""
    if request.headers.get("Authorization"):
        user = request_token_user(request, scope=TokenScope.READ)
        if user is None:
            raise _Unauthenticated
        request.membership = None  # type: ignore[attr-defined]  # tokens: clients only
        return user
    if not request.user.is_authenticated or not request.user.is_active:
        raise _Unauthenticated
    return request.user


def _membership(request: HttpRequest) -> Membership | None:
    return getattr(request, "membership", None)


def fhir_view(func: Callable[..., HttpResponse] | None = None, *, public: bool = False) -> Any:
    """GET only; authentication; every error as an OperationOutcome."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in ("GET", "HEAD"):
                return outcome(405, "not-supported", "This server only reads: use GET.")
            try:
                if not public:
                    request.fhir_user = _caller(request)  # type: ignore[attr-defined]
                return view(request, *args, **kwargs)
            except _Unauthenticated:
                answer = outcome(
                    401,
                    "login",
                    "Sign in, or send Authorization: Bearer <token> with the 'read' scope.",
                )
                answer["WWW-Authenticate"] = 'Bearer realm="fhir"'
                return answer
            except SecondFactorRequired:
                return outcome(
                    403,
                    "security",
                    "Two-step verification must be set up before reading client data.",
                )
            except search.SearchError as exc:
                return outcome(400, "invalid", exc.message, expression=exc.parameter)
            except _Throttled as exc:
                answer = outcome(429, "throttled", "Too many requests; try again later.")
                if exc.wait is not None:
                    answer["Retry-After"] = str(max(1, int(exc.wait)))
                return answer
            except Http404:
                return outcome(404, "not-found", NOT_FOUND)

        return access(Access.API)(wrapper)

    return decorate(func) if func is not None else decorate


def _user(request: HttpRequest) -> User:
    return request.fhir_user  # type: ignore[attr-defined]


def _definitions(request: HttpRequest) -> dict[str, Any]:
    return selectors.definitions_for(user=_user(request), membership=_membership(request))


# --- rate limit for $everything (SR-39) ----------------------------------------------------------
class EverythingThrottle(SimpleRateThrottle):
    """Per user, and per address, in the shared cache. The rate is the FHIR_EVERYTHING_RATE
    setting (default 30 an hour), read on every request."""

    def __init__(self, *, ident: str) -> None:
        self.scope = "fhir_everything"
        self.ident = ident
        super().__init__(
            rate=str(getattr(settings, "FHIR_EVERYTHING_RATE", EVERYTHING_RATE_DEFAULT))
        )

    def get_cache_key(self, request: HttpRequest) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.ident}


def _throttle_everything(request: HttpRequest) -> None:
    idents = [f"user-{_user(request).pk}"]
    ip = client_ip(request)
    if ip:
        idents.append(f"ip-{ip}")
    for ident in idents:
        throttle = EverythingThrottle(ident=ident)
        if not throttle.allow_request(request):
            raise _Throttled(throttle.wait())


# --- metadata ------------------------------------------------------------------------------------
SEARCH_PARAMS: dict[str, list[tuple[str, str, str]]] = {
    "Patient": [("_id", "token", "The patient's id")],
    "Observation": [
        ("patient", "reference", "The patient (required for the care team)"),
        ("subject", "reference", "The same as patient"),
        ("code", "token", "system|code, code, or system|; commas for several"),
        ("date", "date", "Prefixes eq, ne, ge, gt, le, lt; dates are UTC days"),
    ],
    "Questionnaire": [("url", "uri", "The canonical url (|version allowed)")],
    "QuestionnaireResponse": [
        ("patient", "reference", "The patient (required for the care team)"),
        ("subject", "reference", "The same as patient"),
        ("questionnaire", "reference", "Canonical url, Questionnaire/<id> or the id"),
    ],
}


def capability_statement(*, base: str, now: datetime) -> CapabilityStatement:
    resources = []
    for resource_type in ("Patient", "Observation", "Questionnaire", "QuestionnaireResponse"):
        entry: dict[str, Any] = {
            "type": resource_type,
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [
                {"name": name, "type": kind, "documentation": doc}
                for name, kind, doc in SEARCH_PARAMS[resource_type]
            ],
        }
        if resource_type == "Patient":
            entry["operation"] = [
                {
                    "name": "everything",
                    "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
                }
            ]
        resources.append(entry)
    return CapabilityStatement.model_validate(
        {
            "status": "active",
            "date": now,
            "kind": "instance",
            "publisher": "Interlude",
            "software": {"name": "Interlude"},
            "implementation": {"description": "Interlude FHIR R4 read API", "url": base},
            "fhirVersion": r.FHIR_VERSION,
            "format": ["json", FHIR_JSON],
            "rest": [
                {
                    "mode": "server",
                    "documentation": (
                        "Read-only. Authenticate with a clinician's browser session (two-step "
                        "verification set up) or Authorization: Bearer <token> with the 'read' "
                        "scope. "
                        "Each viewer sees what the client shares with them; anything else is 404."
                    ),
                    "security": {
                        "service": [
                            {
                                "coding": [
                                    {
                                        "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                        "code": "OAuth",
                                    }
                                ],
                                "text": "Bearer personal access token (scope 'read') or session",
                            }
                        ]
                    },
                    "resource": resources,
                }
            ],
        }
    )


@fhir_view(public=True)
def metadata(request: HttpRequest) -> HttpResponse:
    return _answer(capability_statement(base=_base(request), now=datetime.now(UTC)))


# --- Patient -------------------------------------------------------------------------------------
@fhir_view
def patient_read(request: HttpRequest, patient_id: str) -> HttpResponse:
    care = selectors.patient_access(
        user=_user(request), patient_id=patient_id, scope=ShareScope.PROFILE
    )
    return _answer(r.patient_resource(care.client))


@fhir_view
def patient_search(request: HttpRequest) -> HttpResponse:
    search.only(request.GET, {"_id"})
    wanted = search.single(request.GET, "_id")
    found = [
        r.patient_resource(care.client)
        for care in selectors.patients_visible(user=_user(request), membership=_membership(request))
        if wanted is None or str(care.client.public_id) == wanted
    ]
    return _answer(bundle.searchset(found, base=_base(request), self_url=_self_url(request)))


@fhir_view
def patient_everything(request: HttpRequest, patient_id: str) -> HttpResponse:
    search.only(request.GET, set())
    _throttle_everything(request)
    care = selectors.patient_access(
        user=_user(request), patient_id=patient_id, scope=selectors.EVERYTHING_SCOPES
    )
    return _answer(
        bundle.everything_bundle(access=care, base=_base(request), self_url=_self_url(request))
    )


def _patient_for_search(request: HttpRequest, scope: tuple[Any, ...]) -> Any:
    """The gate's access for `patient=` (or `subject=`); a client may leave it out."""
    patient = search.reference_id(request.GET, "patient", "Patient")
    subject = search.reference_id(request.GET, "subject", "Patient")
    if patient is not None and subject is not None and patient != subject:
        raise search.SearchError("subject", "patient and subject name different patients.")
    chosen = patient or subject
    user = _user(request)
    if chosen is None:
        own = getattr(user, "client_profile", None)
        if own is None or _membership(request) is not None:
            raise search.SearchError("patient", "patient is required.")
        chosen = own.public_id
    return selectors.patient_access(user=user, patient_id=chosen, scope=scope)


# --- Observation ---------------------------------------------------------------------------------
@fhir_view
def observation_search(request: HttpRequest) -> HttpResponse:
    search.only(request.GET, {"patient", "subject", "code", "date"})
    wanted = selectors.ObservationSearch(
        codes=search.codes(request.GET), dates=search.dates(request.GET)
    )
    care = _patient_for_search(request, selectors.OBSERVATION_SCOPES)
    definitions = selectors.definitions_of_client(client=care.client)
    found = selectors.observation_list(access=care, search=wanted, definitions=definitions)
    return _answer(bundle.searchset(found, base=_base(request), self_url=_self_url(request)))


@fhir_view
def observation_read(request: HttpRequest, resource_id: str) -> HttpResponse:
    found = selectors.observation_read(
        user=_user(request),
        fhir_id=resource_id,
        definitions_of=lambda client: selectors.definitions_of_client(client=client),
    )
    return _answer(found)


# --- Questionnaire -------------------------------------------------------------------------------
@fhir_view
def questionnaire_search(request: HttpRequest) -> HttpResponse:
    search.only(request.GET, {"url", "_id"})
    url = search.single(request.GET, "url")
    wanted = search.single(request.GET, "_id")
    found = [
        q
        for q in selectors.questionnaire_list(definitions=_definitions(request), url=url)
        if wanted is None or q.id == wanted
    ]
    return _answer(bundle.searchset(found, base=_base(request), self_url=_self_url(request)))


@fhir_view
def questionnaire_read(request: HttpRequest, resource_id: str) -> HttpResponse:
    definition = _definitions(request).get(resource_id)
    if definition is None:
        raise Http404
    return _answer(r.questionnaire_resource(definition))


# --- QuestionnaireResponse -----------------------------------------------------------------------
@fhir_view
def questionnaire_response_search(request: HttpRequest) -> HttpResponse:
    search.only(request.GET, {"patient", "subject", "questionnaire"})
    questionnaire = search.single(request.GET, "questionnaire")
    care = _patient_for_search(request, selectors.RESPONSE_SCOPES)
    definitions = selectors.definitions_of_client(client=care.client)
    code = (
        selectors.instrument_code_for(questionnaire, definitions)
        if questionnaire is not None
        else None
    )
    found = selectors.questionnaire_response_list(
        access=care, definitions=definitions, instrument_code=code
    )
    return _answer(bundle.searchset(found, base=_base(request), self_url=_self_url(request)))


@fhir_view
def questionnaire_response_read(request: HttpRequest, resource_id: str) -> HttpResponse:
    found = selectors.questionnaire_response_read(
        user=_user(request),
        response_id=resource_id,
        definitions_of=lambda client: selectors.definitions_of_client(client=client),
    )
    return _answer(found)


@fhir_view
def not_supported(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other resource type or path under /fhir/R4/."""
    raise Http404
