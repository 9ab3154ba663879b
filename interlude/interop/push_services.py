"""Readings pushed by a client's app or device: each item checked on its own, the good ones added
through tracking, one audit row per push with counts (never values).

An item is `{"idempotency_key", "code", "value", "unit", "effective"}`; `code` is one of
interop/codes.py (LOINC for steps and sleep, Interlude's own system for the rest).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictStr, ValidationError

from interlude.accounts.models import User
from interlude.audit.services import event_observations_pushed
from interlude.interop.codes import READING_CODES, ReadingCode
from interlude.interop.models import AccessToken
from interlude.practices.models import Client
from interlude.tracking.device_services import (
    DeviceReading,
    DeviceResult,
    device_observations_add,
)
from interlude.tracking.models import ObservationKind

MAX_ITEMS = 1000
FUTURE_SLACK = timedelta(minutes=5)
EARLIEST_YEAR = 1900

MSG_NOT_OBJECT = "Each item must be a JSON object."
MSG_FUTURE = "effective: this is in the future."
MSG_TOO_EARLY = "effective: enter a date from 1900 onwards."


def _unknown_code(code: str) -> str:
    return f"code: unknown code {code[:40]!r}; see the table of codes in the API description."


def _bad_unit(rc: ReadingCode) -> str:
    units = ", ".join(repr(u) for u in rc.units)
    return f"unit: for code {rc.code!r} use {units}."


def _out_of_range(rc: ReadingCode, unit: str) -> str:
    factor = rc.units[unit]
    low, high = rc.minimum / factor, rc.maximum / factor
    return f"value: for code {rc.code!r} it must be between {low:g} and {high:g} {unit}."


class _Item(BaseModel):
    model_config = ConfigDict(extra="ignore")

    idempotency_key: Annotated[StrictStr, Field(min_length=1, max_length=100)]
    code: Annotated[StrictStr, Field(min_length=1, max_length=100)]
    value: Annotated[float, Field(strict=True, allow_inf_nan=False)]
    unit: Annotated[StrictStr, Field(min_length=1, max_length=20)]
    effective: AwareDatetime


@dataclass(frozen=True)
class PushOutcome:
    results: list[DeviceResult]
    created: int
    duplicates: int
    errors: int


def _key_of(item: Any) -> str:
    key = item.get("idempotency_key") if isinstance(item, dict) else None
    return key[:100] if isinstance(key, str) else ""


def _first_error(exc: ValidationError) -> str:
    error = exc.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(p) for p in error["loc"]) or "item"
    return f"{where}: {error['msg']}"


def _check(item: Any, *, now: datetime) -> DeviceReading | str:
    """The reading an item stands for, or a message saying what is wrong with it."""
    if not isinstance(item, dict):
        return MSG_NOT_OBJECT
    try:
        parsed = _Item.model_validate(item)
    except ValidationError as exc:
        return _first_error(exc)
    rc = READING_CODES.get(parsed.code)
    if rc is None:
        return _unknown_code(parsed.code)
    if parsed.unit not in rc.units:
        return _bad_unit(rc)
    # Years first: comparing instants converts to UTC, which overflows at the calendar's ends.
    effective = parsed.effective
    if effective.year < EARLIEST_YEAR:
        return MSG_TOO_EARLY
    latest = now + FUTURE_SLACK
    if effective.year > latest.year or effective > latest:
        return MSG_FUTURE
    # Rounded so a unit change (450 min -> 7.5 h) gives the plain number, not 7.499999...
    value = round(parsed.value * rc.units[parsed.unit], 9)
    if rc.whole and not float(parsed.value).is_integer():
        return f"value: for code {rc.code!r} it must be a whole number."
    if not (rc.minimum <= value <= rc.maximum) or not math.isfinite(value):
        return _out_of_range(rc, parsed.unit)
    return DeviceReading(
        key=parsed.idempotency_key,
        kind=ObservationKind(rc.kind),
        value=value,
        effective_at=effective.astimezone(UTC),
        original=f"{parsed.value:g} {parsed.unit}",
    )


def observations_push(
    *,
    client: Client,
    actor: User,
    items: list[Any],
    token: AccessToken | None = None,
    now: datetime | None = None,
) -> PushOutcome:
    """Check every item, add the good new ones, audit the push once. Returns one result per item,
    in the order sent."""
    now = now or timezone.now()
    checked = [_check(item, now=now) for item in items]
    readings = [c for c in checked if isinstance(c, DeviceReading)]
    for attempt in range(2):
        try:
            with transaction.atomic():
                added = device_observations_add(
                    client=client, actor=actor, readings=readings, now=now
                )
                results: list[DeviceResult] = []
                pending = iter(added)
                for item, c in zip(items, checked, strict=True):
                    if isinstance(c, DeviceReading):
                        results.append(next(pending))
                    else:
                        results.append(DeviceResult(_key_of(item), "error", c))
                counts = {
                    s: sum(1 for r in results if r.status == s)
                    for s in ("created", "duplicate", "error")
                }
                event_observations_pushed(
                    actor=actor,
                    client=client,
                    token_id=str(token.public_id) if token is not None else None,
                    created=counts["created"],
                    duplicates=counts["duplicate"],
                    errors=counts["error"],
                )
        except IntegrityError:
            # The same key sent twice at once by two requests: the second sees the first's rows.
            if attempt == 0:
                continue
            raise
        return PushOutcome(
            results=results,
            created=counts["created"],
            duplicates=counts["duplicate"],
            errors=counts["error"],
        )
    raise AssertionError("unreachable")  # pragma: no cover
