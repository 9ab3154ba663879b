"""Check-in API: clients write and list their own check-ins. Thin: services do the work."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.db import transaction
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from pydantic import StringConstraints

from interlude.consents.access import access_client, access_own, access_own_client
from interlude.consents.markers import NotShared
from interlude.core.api_errors import error_body
from interlude.core.errors import ApplicationError, IdempotencyConflict
from interlude.core.http import InterludeRequest
from interlude.core.validation import FilterDateTime, PastDateTime
from interlude.practices.enums import Module, ShareScope
from interlude.tracking.models import CheckIn, ObservationSource
from interlude.tracking.selectors import (
    PROGRESS_DAYS,
    PROGRESS_KINDS,
    checkin_list,
    progress_series,
)
from interlude.tracking.services import CheckInValues, checkin_create
from interlude.tracking.vocabulary import EMOTIONS

router = Router(tags=["check-ins"])

EmotionCode = Literal[tuple(code for code, _ in EMOTIONS)]  # type: ignore[valid-type]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]


class EmotionIn(Schema):
    label: EmotionCode  # type: ignore[valid-type]
    intensity: int | None = Field(None, ge=1, le=5)


class CheckInIn(Schema):
    mood: int = Field(..., ge=0, le=10, description="0 (lowest) to 10 (best)")
    anxiety: int | None = Field(None, ge=0, le=10)
    energy: int | None = Field(None, ge=0, le=10)
    sleep_hours: Decimal | None = Field(None, ge=0, le=24, max_digits=4, decimal_places=2)
    sleep_quality: int | None = Field(None, ge=1, le=5)
    emotions: list[EmotionIn] = Field(default_factory=list, max_length=22)
    activities: list[Label] = Field(default_factory=list, max_length=30)
    note: str | None = Field(None, max_length=5000)
    note_shared: bool = False
    recorded_at: PastDateTime | None = Field(
        None, description="ISO 8601 with a UTC offset; from 1900, at most a day ahead"
    )
    idempotency_key: str = Field(..., min_length=1, max_length=100)


class CheckInOut(Schema):
    id: uuid.UUID
    recorded_at: datetime
    time_zone: str
    mood: int
    anxiety: int | None
    energy: int | None
    sleep_hours: float | None
    sleep_quality: int | None
    emotions: list[dict]
    activities: list[str]
    note: str | None
    note_shared: bool
    idempotency_key: str

    @staticmethod
    def resolve_id(obj: CheckIn) -> uuid.UUID:
        return obj.public_id


class ErrorOut(Schema):
    detail: list[dict]


def _own_client(request: InterludeRequest, module: Module | None = None):
    try:
        client = access_own_client(user=request.user)
    except Http404:
        raise Http404("Only clients have check-ins.") from None
    # Check-ins switched off for this client answer 404, like a page that is not there.
    return access_own_client(user=request.user, module=module) if module else client


@router.post(
    "/checkins",
    response={200: CheckInOut, 201: CheckInOut, 409: ErrorOut, 422: ErrorOut},
    summary="Record a check-in (idempotent by idempotency_key)",
    description="201 when stored. The same request again with the same idempotency_key answers "
    "200 with the stored check-in; a different request under a key already used answers 409 and "
    "stores nothing.",
    url_name="checkins",
)
# One transaction from the rate-limit count to the stored check-in: one commit (a WAL flush on
# PostgreSQL) per check-in instead of one per write. It commits before the answer is returned,
# so a 201 still means stored.
@decorate_view(transaction.atomic)
def checkin_post(request: InterludeRequest, payload: CheckInIn):
    client = _own_client(request, Module.CHECKINS)
    values = CheckInValues(
        mood=payload.mood,
        anxiety=payload.anxiety,
        energy=payload.energy,
        sleep_hours=payload.sleep_hours,
        sleep_quality=payload.sleep_quality,
        emotions=[e.model_dump() for e in payload.emotions],
        activities=list(payload.activities),
        note=payload.note,
        note_shared=payload.note_shared,
    )
    try:
        checkin, created = checkin_create(
            client=client,
            actor=request.user,
            values=values,
            idempotency_key=payload.idempotency_key,
            recorded_at=payload.recorded_at,
            source=ObservationSource.API
            if request.headers.get("X-Interlude-Source") == "api"
            else ObservationSource.CHECKIN,
        )
    except IdempotencyConflict as exc:
        return Status(409, error_body("idempotency_key", exc.message, "conflict"))
    except ApplicationError as exc:
        return Status(422, error_body(exc.field or "body", exc.message))
    return Status(201 if created else 200, checkin)


@router.get(
    "/checkins",
    response=list[CheckInOut],
    summary="My check-ins, newest first",
    url_name="checkins_list",
)
def checkin_get(
    request: InterludeRequest,
    since: Annotated[FilterDateTime | None, Query(description="ISO 8601, inclusive")] = None,
    until: Annotated[FilterDateTime | None, Query(description="ISO 8601, exclusive")] = None,
):
    client = _own_client(request, Module.CHECKINS)
    return checkin_list(client=client, since=since, until=until)


# --- progress: the daily series behind the Progress page ----------------------------------------
class DayValue(Schema):
    date: date
    value: float | None = Field(..., description="Mean of that day's values; null: no data")


class ProgressOut(Schema):
    shared: bool = Field(
        True,
        description="false when the client does not share check-in scores with the caller: "
        "then `series` is empty (not shared, which is not the same as no data)",
    )
    days: int
    start: date | None = Field(..., description="null when not shared")
    end: date | None = Field(..., description="null when not shared")
    time_zone: str = Field(..., description="The zone whose calendar days these are")
    series: dict[str, list[DayValue]] = Field(
        ..., description="mood and anxiety (0-10), sleep_hours; one entry per day"
    )


@router.get(
    "/progress",
    response={200: ProgressOut, 422: ErrorOut},
    summary="Daily mood, anxiety and sleep over the last 7, 30 or 90 days",
    description="A care-team clinician passes `client_id`. When that client does not share "
    "check-in scores with them, the answer is still 200, with `shared: false` and no series, "
    "so what the client's Sharing page says matches what the clinician sees.",
    url_name="progress_api",
)
def progress_get(
    request: InterludeRequest,
    days: Annotated[int, Query(description="7, 30 or 90")] = 30,
    client_id: Annotated[
        uuid.UUID | None,
        Query(description="A care-team clinician names the client; a client leaves it out."),
    ] = None,
):
    if days not in PROGRESS_DAYS:
        return Status(
            422,
            {
                "detail": [
                    {"loc": ["query", "days"], "msg": "Choose 7, 30 or 90.", "type": "value_error"}
                ]
            },
        )
    if client_id is None:
        try:
            care = access_own(user=request.user)
        except Http404:
            raise Http404("Only clients have check-ins.") from None
    else:
        care = access_client(user=request.user, client_id=client_id, scope=ShareScope.CHECKINS)
    progress = progress_series(access=care, days=days)
    if isinstance(progress, NotShared):
        return ProgressOut(
            shared=False,
            days=days,
            start=None,
            end=None,
            time_zone=care.client.time_zone,
            series={},
        )
    return ProgressOut(
        shared=True,
        days=progress.days,
        start=progress.start,
        end=progress.end,
        time_zone=progress.time_zone,
        series={
            str(kind): [DayValue(date=d, value=v) for d, v in progress.series[str(kind)]]
            for kind in PROGRESS_KINDS
        },
    )
