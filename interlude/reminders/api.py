"""The client's reminder settings and devices. Thin: `access_own_client` (404 when the reminders
module is switched off for the client), then one service. Broken rules answer 422 naming the field
in ninja's error shape."""

from __future__ import annotations

from datetime import time
from typing import Any

from django.conf import settings
from ninja import Router, Schema, Status

from interlude.consents.access import access_own_client
from interlude.core.api_errors import error_body
from interlude.core.errors import ApplicationError
from interlude.core.http import InterludeRequest
from interlude.core.validation import TimeOfDay
from interlude.practices.enums import Module
from interlude.reminders.models import ReminderPreferences
from interlude.reminders.services import (
    preferences_for,
    preferences_save,
    push_available,
    push_subscription_save,
)

router = Router(tags=["reminders"])


class RemindersOut(Schema):
    channel: str
    preferred_time: str
    quiet_start: str | None
    quiet_end: str | None
    paused: bool
    push_available: bool
    vapid_public_key: str | None


class RemindersIn(Schema):
    channel: str
    preferred_time: TimeOfDay
    quiet_start: TimeOfDay | None = None
    quiet_end: TimeOfDay | None = None
    paused: bool = False


class PushKeysIn(Schema):
    p256dh: str
    auth: str


class PushSubscriptionIn(Schema):
    endpoint: str
    keys: PushKeysIn


class PushSubscriptionOut(Schema):
    id: str


class ErrorOut(Schema):
    detail: list[dict]


def _hm(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def _out(prefs: ReminderPreferences, *, push: bool) -> RemindersOut:
    return RemindersOut(
        channel=prefs.channel,
        preferred_time=_hm(prefs.preferred_time) or "19:00",
        quiet_start=_hm(prefs.quiet_start),
        quiet_end=_hm(prefs.quiet_end),
        paused=prefs.paused,
        push_available=push,
        vapid_public_key=settings.VAPID_PUBLIC_KEY if push else None,
    )


@router.get(
    "/me/reminders",
    response=RemindersOut,
    summary="Your reminder settings",
    url_name="reminders_api",
)
def reminders_get(request: InterludeRequest) -> RemindersOut:
    client = access_own_client(user=request.user, module=Module.REMINDERS)
    return _out(preferences_for(client=client), push=push_available(practice=client.practice))


@router.put(
    "/me/reminders",
    response={200: RemindersOut, 422: ErrorOut},
    summary="Change your reminder settings",
    description="channel: email, push or none; times as HH:MM in your own time zone; quiet "
    "hours both or neither. Invalid input is refused with 422 naming the field.",
    url_name="reminders_api_put",
)
def reminders_put(request: InterludeRequest, payload: RemindersIn) -> Any:
    client = access_own_client(user=request.user, module=Module.REMINDERS)
    try:
        prefs = preferences_save(
            client=client,
            actor=request.user,
            channel=payload.channel,
            preferred_time=payload.preferred_time,
            quiet_start=payload.quiet_start,
            quiet_end=payload.quiet_end,
            paused=payload.paused,
        )
    except ApplicationError as exc:
        return Status(422, error_body(exc.field or "", exc.message))
    return Status(200, _out(prefs, push=push_available(practice=client.practice)))


@router.post(
    "/me/push-subscriptions",
    response={201: PushSubscriptionOut, 422: ErrorOut},
    summary="Register this device for reminder notifications",
    description="The subscription your browser's PushManager returned. Only when your practice "
    "has turned notifications on; otherwise 422.",
    url_name="push_subscriptions_api",
)
def push_subscription_post(request: InterludeRequest, payload: PushSubscriptionIn) -> Any:
    client = access_own_client(user=request.user, module=Module.REMINDERS)
    try:
        row = push_subscription_save(
            client=client,
            actor=request.user,
            endpoint=payload.endpoint,
            p256dh=payload.keys.p256dh,
            auth=payload.keys.auth,
        )
    except ApplicationError as exc:
        return Status(422, error_body(exc.field or "", exc.message))
    return Status(201, PushSubscriptionOut(id=str(row.public_id)))
