"""The JSON API (django-ninja) under /api/v1/. Each app adds its router in its own api.py."""

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser
from ninja.security import SessionAuth

from interlude.alerts.api import router as alerts_router
from interlude.care.api import router as care_router
from interlude.catalog.api import router as catalog_router
from interlude.catalog.api_recommend import router as recommend_router
from interlude.clinic.api import router as practices_router
from interlude.consents.api_consent import router as consent_router
from interlude.consents.api_sharing import router as sharing_router
from interlude.core.throttling import SAFE_METHODS, api_write_throttles
from interlude.core.validation import MSG_BAD_TEXT, text_problem
from interlude.exercises.api_relaxation import router as relaxation_router
from interlude.exercises.api_worksheets import router as worksheets_router
from interlude.homework.api import router as homework_router
from interlude.interop.api import router as interop_router
from interlude.interop.auth import TokenAuth
from interlude.measures.api import router as measures_router
from interlude.messaging.api import router as messaging_router
from interlude.reminders.api import router as reminders_router
from interlude.rights.api import router as rights_router
from interlude.tracking.api import router as tracking_router

_ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"anyOf": [{"type": "string"}, {"type": "array"}]}},
    "required": ["detail"],
}
# The answers every operation can give besides its own, and why (each operation may declare more,
# such as 409 for an idempotency key reused with a different body).
_COMMON_ERRORS = {
    "401": "Not signed in, or a bearer access token that is not valid, has expired or was revoked.",
    "403": "A state-changing request without a valid CSRF token (a signed-in session; bearer "
    "requests need none), a clinician who has not set up two-step verification yet, or an access "
    "token without the scope the operation needs (`detail` names it).",
    "404": "Not found, or out of your reach (the same answer, so nothing leaks).",
}
_WRITE_ERRORS = {
    "429": "Too many changes in a short time; try again after the `Retry-After` seconds.",
}
_BODY_ERRORS = {"400": "The request body is not valid JSON."}
_INPUT_ERRORS = {"422": "A value is missing or invalid; `detail[].loc` names the field."}


class _UnstorableText(Exception):
    def __init__(self, loc: list[str | int]) -> None:
        super().__init__("unstorable text")
        self.loc = loc


class TextCheckingParser(Parser):
    """JSON as usual, but text that cannot be stored (NUL, lone surrogates) is refused before any
    schema or service sees it, naming where it was (PostgreSQL would otherwise fail with a 500)."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = json.loads(request.body)
        path = text_problem(data)
        if path is not None:
            # ninja wraps anything raised here in a 400; the handler below turns this one into 422.
            raise _UnstorableText(["body", "payload", *path])
        return data

    def parse_querydict(self, data: Any, list_fields: list[str], request: HttpRequest) -> Any:
        result = super().parse_querydict(data, list_fields, request)
        path = text_problem(result)
        if path is not None:
            raise ValidationError(
                [{"loc": ["query", *path], "msg": MSG_BAD_TEXT, "type": "value_error"}]
            )
        return result


class InterludeAPI(NinjaAPI):
    """Declares in the schema the error answers that every endpoint can give, so clients (and the
    Schemathesis tests) know every status code an operation may answer."""

    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema.get("paths", {}).values():
            for method, operation in operations.items():
                errors = dict(_COMMON_ERRORS)
                if operation.get("requestBody"):
                    errors |= _BODY_ERRORS
                if method.upper() not in SAFE_METHODS:
                    errors |= _WRITE_ERRORS
                if operation.get("requestBody") or operation.get("parameters"):
                    errors |= _INPUT_ERRORS
                responses = operation.setdefault("responses", {})
                for code, description in errors.items():
                    responses.setdefault(
                        code,
                        {
                            "description": description,
                            "content": {"application/json": {"schema": _ERROR_SCHEMA}},
                        },
                    )
        return schema


api = InterludeAPI(
    title="Interlude API",
    version="1",
    description="Between-session data for clients and their care teams. Every read of client "
    "data passes the access gate and is audited.",
    # A bearer token first: a request that carries one is judged by it alone (no CSRF), and a
    # session without one keeps its CSRF check (interop/auth.py).
    auth=[TokenAuth(), SessionAuth()],
    throttle=api_write_throttles(),
    urls_namespace="api",
    parser=TextCheckingParser(),
)


def _http_error(request: HttpRequest, exc: Any) -> HttpResponse:
    if isinstance(exc.__cause__, _UnstorableText):
        body = {"detail": [{"loc": exc.__cause__.loc, "msg": MSG_BAD_TEXT, "type": "value_error"}]}
        return api.create_response(request, body, status=422)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


api.add_exception_handler(HttpError, _http_error)
api.add_router("", practices_router)
api.add_router("", tracking_router)
api.add_router("", worksheets_router)
api.add_router("", relaxation_router)
api.add_router("", care_router)
api.add_router("", measures_router)
api.add_router("", alerts_router)
api.add_router("", rights_router)
api.add_router("", consent_router)
api.add_router("", sharing_router)
api.add_router("", homework_router)
api.add_router("", messaging_router)
api.add_router("", reminders_router)
api.add_router("", interop_router)
api.add_router("", catalog_router)
api.add_router("", recommend_router)
