"""Web push through the browser maker's push service (pywebpush, VAPID), and what its answer means.

The payload is as bland as the email: a title and a link to Today, nothing about the client.
An answer is one of three things (`PushResult.kind`):
- "sent": the push service accepted the message (201);
- "gone": 404 or 410, the device unsubscribed: delete the subscription, never retry;
- "later": 429, a 5xx or no answer (network): not accepted now, retry with back-off;
- "failed": any other refusal (400, 403, 413...): final.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings

PAYLOAD = json.dumps(
    {"title": "Interlude", "body": "You have something to do in Interlude today", "url": "/today/"}
)
TTL_SECONDS = 6 * 3600  # after that the push service may drop it: a stale nudge is no use
TIMEOUT_SECONDS = 10


def push_configured() -> bool:
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY)


@dataclass(frozen=True)
class PushResult:
    kind: str  # "sent" | "gone" | "later" | "failed"
    reason: str


def classify_status(status: int | None) -> str:
    if status is None:
        return "later"
    if 200 <= status < 300:
        return "sent"
    if status in (404, 410):
        return "gone"
    if status == 429 or status >= 500:
        return "later"
    return "failed"


def push_send(*, subscription: dict[str, Any]) -> PushResult:
    """Send the reminder to one device. Never raises for what the push service answers."""
    if not push_configured():
        return PushResult("failed", "web push is not set up on this server")
    # Imported here: pywebpush brings aiohttp, about 20 MB that every web process, worker and
    # command would otherwise carry without ever sending a push.
    from pywebpush import WebPushException, webpush

    try:
        response = webpush(
            subscription_info=subscription,
            data=PAYLOAD,
            vapid_private_key=settings.VAPID_PRIVATE_KEY,
            vapid_claims={"sub": settings.VAPID_SUBJECT},
            ttl=TTL_SECONDS,
            timeout=TIMEOUT_SECONDS,
        )
        status: int | None = getattr(response, "status_code", 201)
    except WebPushException as exc:
        status = exc.status_code
        if status is None:
            return PushResult("later", "push service did not answer")
    except requests.RequestException as exc:
        return PushResult("later", f"push service unreachable ({type(exc).__name__})")
    kind = classify_status(status)
    reasons = {
        "sent": f"push service accepted ({status})",
        "gone": "device no longer subscribed",
        "later": f"push service busy ({status})",
        "failed": f"push service refused ({status})",
    }
    return PushResult(kind, reasons[kind])
