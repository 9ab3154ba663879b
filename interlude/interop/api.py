"""JSON API of interop: pushed readings from apps and devices, and import jobs."""

from __future__ import annotations

from typing import Any, Literal

from django.conf import settings
from ninja import Field, Router, Schema
from ninja.throttling import BaseThrottle

from interlude.consents.access import access_own_client
from interlude.core.http import InterludeRequest
from interlude.core.throttling import UserWriteThrottle, api_write_throttles
from interlude.interop.auth import request_access_token
from interlude.interop.codes import READING_CODES
from interlude.interop.push_services import MAX_ITEMS, observations_push
from interlude.practices.enums import Module

router = Router(tags=["imports and devices"])

PUSH_RATE_DEFAULT = "60/min"


class PushThrottle(UserWriteThrottle):
    """Pushes per person (all their tokens and their session together): `API_PUSH_RATE`, 60 a
    minute unless set. Answered with 429 and Retry-After like every other limit."""

    def _configured_rate(self) -> str:
        return str(getattr(settings, self.setting, PUSH_RATE_DEFAULT))


def _push_throttles() -> list[BaseThrottle]:
    return [*api_write_throttles(), PushThrottle(scope="api_push", setting="API_PUSH_RATE")]


def _codes_table() -> str:
    rows = "\n".join(
        f"| `{c.code}` | {c.system} | {c.display} | "
        + ", ".join(f"`{u}`" for u in c.units)
        + f" | {c.minimum:g} to {c.maximum:g} {c.stored_unit}"
        + (" (whole numbers)" if c.whole else "")
        + " |"
        for c in READING_CODES.values()
    )
    return "| code | system | meaning | units | values per item |\n|---|---|---|---|---|\n" + rows


ITEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "idempotency_key": {
            "type": "string",
            "minLength": 1,
            "maxLength": 100,
            "description": "Your id for this reading; sending it again changes nothing.",
        },
        "code": {"type": "string", "enum": list(READING_CODES)},
        "value": {"type": "number"},
        "unit": {"type": "string", "minLength": 1, "maxLength": 20},
        "effective": {
            "type": "string",
            "format": "date-time",
            "description": "When it was measured, with a UTC offset; from 1900, at most 5 "
            "minutes ahead.",
        },
    },
    "required": ["idempotency_key", "code", "value", "unit", "effective"],
}


class PushIn(Schema):
    items: list[dict[str, Any]] = Field(
        ...,
        min_length=1,
        max_length=MAX_ITEMS,
        description=f"1 to {MAX_ITEMS} readings, each checked on its own.",
        json_schema_extra={"items": ITEM_SCHEMA},
    )


class PushResultOut(Schema):
    idempotency_key: str
    status: Literal["created", "duplicate", "error"]
    message: str | None = None


class PushOut(Schema):
    results: list[PushResultOut]


class ErrorOut(Schema):
    detail: list[dict]


@router.post(
    "/observations",
    response={200: PushOut, 422: ErrorOut},
    summary="Send readings from an app or device (steps, sleep, mood, ...)",
    description="For a client's own app or device, with a personal access token that has the "
    "`observations:write` scope (`Authorization: Bearer itk_...`; no CSRF token needed), or a "
    "signed-in client's session.\n\n"
    f"Up to {MAX_ITEMS} items a request; more is a 422 naming `items`. Each item is checked on "
    "its own and the answer is 200 with one result per item, in the order sent: `created`, "
    "`duplicate` (the same `idempotency_key` with the same values was sent before: nothing "
    "changes) or `error` with a `message` (a bad value, or `idempotency key reused with "
    "different values`). Readings are stored as data from an app or device, which the client "
    "shares with their care team under 'imported app data'.\n\n"
    "Codes (LOINC where one exists):\n\n" + _codes_table() + "\n\n"
    "A token without `observations:write` gets 403 naming the scope; an invalid, expired or "
    "revoked token gets 401; 404 when bringing in data from other apps is switched off for the "
    "client; 429 with `Retry-After` beyond 60 pushes a minute.",
    url_name="observations_push",
    throttle=_push_throttles(),
)
def observations_post(request: InterludeRequest, payload: PushIn) -> PushOut:
    client = access_own_client(user=request.user, module=Module.IMPORTS)
    outcome = observations_push(
        client=client,
        actor=request.user,
        items=payload.items,
        token=request_access_token(request),
    )
    return PushOut(
        results=[
            PushResultOut(idempotency_key=r.key, status=r.status, message=r.message or None)
            for r in outcome.results
        ]
    )
