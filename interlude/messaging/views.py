"""Message pages: the client's thread (/messages/), a client's thread for the care team
(/clinic/clients/<id>/messages/), the clinician's list of threads (/clinic/messages/), messaging
hours (/clinic/messages/settings/) and attachment downloads. Thin: the gate loads the client,
message_send writes, the selectors read. One template serves page and htmx fragment.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from interlude.audit.services import event_message_attachment_opened
from interlude.care.selectors import crisis_resources_for_client
from interlude.consents.access import CareAccess, Viewer, access_caseload, access_client, access_own
from interlude.core.errors import ApplicationError, IdempotencyConflict
from interlude.core.http import InterludeRequest, StaffRequest
from interlude.core.policy import Access, access
from interlude.exercises.models import ThoughtRecord
from interlude.messaging.models import Message, ReplyTime, SharedKind, Side
from interlude.messaging.selectors import (
    attachment_get,
    messaging_is_open,
    messaging_next_open,
    thread_messages,
    thread_summaries,
)
from interlude.messaging.services import (
    MessageRateLimited,
    Upload,
    attachment_max_bytes,
    message_send,
    messaging_settings_get,
    messaging_settings_save,
    thread_mark_read,
)
from interlude.practices.enums import Module, ShareScope
from interlude.tracking.models import CheckIn

SHARE_DAYS = 14
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _shared_records(care: CareAccess, messages: list[Message]) -> None:
    """Attach `shown_shared` to each message that shares a record this viewer may see (two
    queries at most): the record follows its own sharing category, not the thread's."""
    ids = {
        k: [m.shared_id for m in messages if m.shared_kind == k and m.shared_id is not None]
        for k in SharedKind.values
    }
    found: dict[Any, Any] = {}
    if ids[SharedKind.THOUGHT_RECORD] and care.can_see(ShareScope.WORKSHEETS):
        qs = ThoughtRecord.objects.filter(client=care.client, public_id__in=ids["thought_record"])
        found |= {t.public_id: t for t in care.scope(qs, ShareScope.WORKSHEETS).defer("content")}
    if ids[SharedKind.CHECKIN] and care.can_see(ShareScope.CHECKINS):
        qs2 = CheckIn.objects.filter(client=care.client, public_id__in=ids["checkin"])
        found |= {c.public_id: c for c in care.scope(qs2, ShareScope.CHECKINS).defer("note")}
    for m in messages:
        m.shown_shared = found.get(m.shared_id) if m.shared_id else None  # type: ignore[attr-defined]


def _hours_notice(care: CareAccess) -> dict[str, Any]:
    """Whether the practice is inside its messaging hours now, and if not when they start."""
    client = care.client
    settings = messaging_settings_get(practice=client.practice_id)
    now = timezone.now()
    zone = client.practice.time_zone
    is_open = messaging_is_open(settings=settings, zone=zone, at=now)
    next_open = None if is_open else messaging_next_open(settings=settings, zone=zone, at=now)
    return {
        "is_open": is_open,
        "next_open": next_open.astimezone(ZoneInfo(client.time_zone)) if next_open else None,
        "reply_time": ReplyTime(settings.reply_time).label,
    }


def _crisis_context(care: CareAccess) -> dict[str, Any]:
    resources = crisis_resources_for_client(client=care.client)
    return {
        "emergency": next((r for r in resources if r.is_emergency), None),
        "resources": [r for r in resources if not r.is_emergency],
    }


def _share_choices(care: CareAccess) -> list[tuple[str, str]]:
    since = timezone.now() - timedelta(days=SHARE_DAYS)
    zone = ZoneInfo(care.client.time_zone)
    records = ThoughtRecord.objects.filter(client=care.client, occurred_at__gte=since).defer(
        "content"
    )
    checkins = CheckIn.objects.filter(client=care.client, recorded_at__gte=since).defer("note")
    choices = [
        (
            f"thought_record:{t.public_id}",
            f"Thought record, {t.occurred_at.astimezone(zone):%a %-d %b}",
            t.occurred_at,
        )
        for t in records
    ] + [
        (
            f"checkin:{c.public_id}",
            f"Check-in, {c.recorded_at.astimezone(zone):%a %-d %b %H:%M} (mood {c.mood})",
            c.recorded_at,
        )
        for c in checkins
    ]
    return [(v, label) for v, label, _at in sorted(choices, key=lambda x: x[2], reverse=True)][:30]


def _thread_context(care: CareAccess, *, is_client: bool) -> dict[str, Any]:
    messages = thread_messages(client=care.client)
    _shared_records(care, messages)
    return {
        "client": care.client,
        "thread": messages,
        "is_client": is_client,
        "my_side": Side.CLIENT if is_client else Side.CARE_TEAM,
        "read_only": care.viewer is Viewer.BREAK_GLASS,
        "idempotency_key": uuid.uuid4(),
    }


def _post(
    request: InterludeRequest, care: CareAccess, side: Side
) -> tuple[Message | None, dict[str, str], int]:
    """Send what the form holds. Returns (message, errors by field, status)."""
    upload = request.FILES.get("attachment")
    share = request.POST.get("share", "")
    shared_kind, shared_id = "", None
    if share and side == Side.CLIENT:
        kind, _, raw = share.partition(":")
        try:
            shared_kind, shared_id = SharedKind(kind), uuid.UUID(raw)
        except ValueError:
            return None, {"share": "Choose a worksheet or check-in from the list."}, 422
        model = ThoughtRecord if shared_kind == SharedKind.THOUGHT_RECORD else CheckIn
        if not model.objects.filter(client=care.client, public_id=shared_id).exists():
            return None, {"share": "Choose a worksheet or check-in from the list."}, 422
    try:
        data = upload.read(attachment_max_bytes() + 1) if upload is not None else None
        message, _ = message_send(
            client=care.client,
            sender=request.user,
            by=side,
            body=request.POST.get("body", ""),
            idempotency_key=request.POST.get("idempotency_key", ""),
            attachment=Upload(upload.name or "", data)
            if upload is not None and data is not None
            else None,
            shared_kind=shared_kind,
            shared_id=shared_id,
        )
    except MessageRateLimited as exc:
        return None, {"body": exc.message}, 429
    except IdempotencyConflict:
        return None, {"body": "This message was already sent. Reload the page to see it."}, 409
    except ApplicationError as exc:
        return None, {exc.field or "body": exc.message}, 422
    return message, {}, 200


def _thread_page(
    request: InterludeRequest, care: CareAccess, *, is_client: bool, template_base: str
) -> HttpResponse:
    side = Side.CLIENT if is_client else Side.CARE_TEAM
    errors: dict[str, str] = {}
    status = 200
    crisis = False
    values = {"body": ""}
    if request.method == "POST":
        message, errors, status = _post(request, care, side)
        crisis = bool(message and message.risk_flagged and is_client)
        if errors:
            values["body"] = request.POST.get("body", "")
    if care.viewer is not Viewer.BREAK_GLASS:
        thread_mark_read(client=care.client, reader=request.user, side=side)
    context = _thread_context(care, is_client=is_client)
    context.update(
        {
            "errors": errors,
            "values": values,
            "crisis": crisis,
            "layout": template_base,
            "nav": "messages" if is_client else "caseload",
            "hours": _hours_notice(care) if is_client else None,
            "share_choices": _share_choices(care) if is_client else [],
            "post_url": request.path,
        }
    )
    if is_client and (crisis or not context["hours"]["is_open"]):
        context.update(_crisis_context(care))
    template = "messaging/thread.html"
    if request.htmx and request.method == "POST":
        template += "#thread-area"
    return render(request, template, context, status=status)


@access(Access.CLIENT)
def client_messages(request: InterludeRequest) -> HttpResponse:
    care = access_own(user=request.user, module=Module.MESSAGING)
    return _thread_page(request, care, is_client=True, template_base="client/base.html")


@access(Access.CLINICIAN)
def clinician_thread(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    care = access_client(
        user=request.user,
        client_id=client_id,
        scope=ShareScope.MESSAGES,
        for_write=request.method not in ("GET", "HEAD"),
    )
    return _thread_page(request, care, is_client=False, template_base="clinician/base.html")


@access(Access.CLINICIAN)
def clinician_inbox(request: StaffRequest) -> HttpResponse:
    cares = access_caseload(user=request.user, membership=request.membership)
    summaries = thread_summaries(client_ids=[c.client.pk for c in cares])
    found = [(c.client, summaries[c.client.pk]) for c in cares if c.client.pk in summaries]
    found.sort(key=lambda r: (-r[1].unread, -(r[1].last_sent_at or timezone.now()).timestamp()))
    rows = [{"client": client, "summary": summary} for client, summary in found]
    return render(request, "messaging/inbox.html", {"rows": rows, "nav": "messages"})


def _attachment_response(
    care: CareAccess, request: InterludeRequest, attachment_id: uuid.UUID
) -> HttpResponse:
    attachment = attachment_get(client=care.client, attachment_id=attachment_id)
    if attachment is None:
        raise Http404
    event_message_attachment_opened(
        actor=request.user, client=care.client, message_id=str(attachment.message.public_id)
    )
    response = HttpResponse(attachment.content, content_type=attachment.content_type)
    response["Content-Disposition"] = f'attachment; filename="{attachment.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@access(Access.CLIENT)
def client_attachment(request: InterludeRequest, attachment_id: uuid.UUID) -> HttpResponse:
    care = access_own(user=request.user, module=Module.MESSAGING)
    return _attachment_response(care, request, attachment_id)


@require_safe
@access(Access.CLINICIAN)
def clinician_attachment(
    request: StaffRequest, client_id: uuid.UUID, attachment_id: uuid.UUID
) -> HttpResponse:
    care = access_client(user=request.user, client_id=client_id, scope=ShareScope.MESSAGES)
    return _attachment_response(care, request, attachment_id)


@access(Access.CLINICIAN)
def messaging_settings(request: StaffRequest) -> HttpResponse:
    practice = request.practice
    current = messaging_settings_get(practice=practice)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        hours: dict[str, list[str]] = {}
        for day in range(7):
            if request.POST.get(f"open_{day}"):
                hours[str(day)] = [
                    request.POST.get(f"start_{day}", ""),
                    request.POST.get(f"end_{day}", ""),
                ]
        try:
            messaging_settings_save(
                actor=request.user,
                practice=practice,
                hours=hours,
                reply_time=request.POST.get("reply_time", ""),
            )
        except ApplicationError as exc:
            errors[exc.field or "hours"] = exc.message
            status = 422
        else:
            return redirect("messaging_settings")
    days = [
        {
            "index": i,
            "name": WEEKDAYS[i],
            "open": str(i) in (current.hours or {}),
            "start": (current.hours or {}).get(str(i), ["09:00", "17:00"])[0],
            "end": (current.hours or {}).get(str(i), ["09:00", "17:00"])[1],
            "error": errors.get(f"hours_{i}"),
        }
        for i in range(7)
    ]
    return render(
        request,
        "messaging/settings.html",
        {
            "days": days,
            "reply_choices": ReplyTime.choices,
            "current": current,
            "errors": errors,
            "practice": practice,
            "nav": "messages",
        },
        status=status,
    )
