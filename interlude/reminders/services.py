"""Reminders: preferences, devices, planning and sending.

Planning (`reminders_plan`) asks the due providers (providers.py) what each client has to do today
and tomorrow in their own zone and keeps one `Reminder` per (client, local day, wall time), at the
wall-clock time in the client's zone (schedule.py). Planning twice adds nothing.

Sending (`reminders_dispatch`) claims each due reminder with one conditional UPDATE
(scheduled -> claimed, only where it is still scheduled): of two workers, one wins and the other
moves on, so a reminder is sent at most once. A channel that says "not now" (an SMTP 4xx, a push
429/5xx, no answer) puts the reminder back with exponential back-off; anything else is final. A
reminder whose day has passed is skipped, never sent late. A claim left behind by a worker that
died mid-send is closed as failed after `STALE_CLAIM`, not resent: a missed nudge is better than
a double one.

The onboarding answer ("Would you like a gentle reminder?", `ClientPrivacy.reminders_opt_in`)
seeds the defaults of a client who never opened their reminder settings: yes gives email at 19:00,
not paused; no (or no answer) gives no reminders. The first save on the settings page writes a row
and the answer no longer matters (ADR 0023).
"""

from __future__ import annotations

import hashlib
import os
import smtplib
import socket
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from interlude.accounts.models import User
from interlude.audit.services import (
    event_practice_reminder_settings_changed,
    event_push_subscribed,
    event_reminder_settings_changed,
)
from interlude.consents.models import ClientPrivacy
from interlude.consents.modules_selectors import clients_with_module_off
from interlude.core.clock import UTC, client_today, local_date, zone_named
from interlude.core.errors import ApplicationError
from interlude.practices.enums import ClientStatus, Module
from interlude.practices.models import Client, Practice
from interlude.reminders import emails, providers, push
from interlude.reminders.models import (
    DEFAULT_TIME,
    Channel,
    DeliveryAttempt,
    DeliveryOutcome,
    PracticeReminderSettings,
    PushSubscription,
    Reminder,
    ReminderPreferences,
    ReminderStatus,
)
from interlude.reminders.schedule import out_of_quiet_hours, wall_to_utc

MAX_ATTEMPTS = 5
BACKOFF_BASE = timedelta(minutes=2)  # 2, 4, 8, 16 minutes between tries
STALE_CLAIM = timedelta(minutes=15)
ENDPOINT_MAX = 2000


# --- preferences ---
def preferences_for(*, client: Client) -> ReminderPreferences:
    """The client's preferences; for a client without a row, an unsaved one seeded from their
    onboarding answer (see the module doc)."""
    prefs = ReminderPreferences.objects.filter(client=client).first()
    if prefs is not None:
        return prefs
    opted_in = ClientPrivacy.objects.filter(client=client, reminders_opt_in=True).exists()
    return _default_preferences(client=client, opted_in=opted_in)


def _default_preferences(*, client: Client, opted_in: bool) -> ReminderPreferences:
    return ReminderPreferences(
        client=client,
        channel=Channel.EMAIL if opted_in else Channel.NONE,
        preferred_time=DEFAULT_TIME,
        paused=False,
    )


def _require_time(value: Any, field: str) -> time | None:
    if value is None or isinstance(value, time):
        return value
    raise ApplicationError("Enter a time like 19:00.", field=field)


def preferences_save(
    *,
    client: Client,
    actor: User,
    channel: str,
    preferred_time: time,
    quiet_start: time | None,
    quiet_end: time | None,
    paused: bool,
) -> ReminderPreferences:
    """Save the client's preferences; reminders already planned but not yet sent are re-planned
    with the new ones."""
    if channel not in Channel.values:
        raise ApplicationError(
            "Choose email, notifications on your phone, or none.", field="channel"
        )
    if channel == Channel.PUSH and not push_available(practice=client.practice):
        raise ApplicationError(
            "Notifications on your phone are not available at your practice. Choose email.",
            field="channel",
        )
    if preferred_time is None:
        raise ApplicationError("Enter a time like 19:00.", field="preferred_time")
    _require_time(preferred_time, "preferred_time")
    _require_time(quiet_start, "quiet_start")
    _require_time(quiet_end, "quiet_end")
    if (quiet_start is None) != (quiet_end is None):
        field = "quiet_end" if quiet_end is None else "quiet_start"
        raise ApplicationError(
            "Enter both when quiet hours start and when they end, or neither.", field=field
        )
    if quiet_start is not None and quiet_start == quiet_end:
        raise ApplicationError(
            "Quiet hours must end at a different time than they start.", field="quiet_end"
        )
    with transaction.atomic():
        prefs, _ = ReminderPreferences.objects.select_for_update().get_or_create(client=client)
        prefs.channel = channel
        prefs.preferred_time = preferred_time.replace(second=0, microsecond=0)
        prefs.quiet_start = quiet_start
        prefs.quiet_end = quiet_end
        prefs.paused = paused
        prefs.save()
        # Not yet sent: drop them; the next planning round schedules them with the new settings.
        Reminder.objects.filter(client=client, status=ReminderStatus.SCHEDULED).delete()
        event_reminder_settings_changed(
            actor=actor, client=client, detail={"channel": channel, "paused": paused}
        )
    return prefs


# --- practice switch and devices ---
def practice_settings_for(*, practice: Practice) -> PracticeReminderSettings:
    return PracticeReminderSettings.objects.filter(
        practice=practice
    ).first() or PracticeReminderSettings(practice=practice)


def practice_settings_save(
    *, practice: Practice, actor: User, web_push_enabled: bool
) -> PracticeReminderSettings:
    with transaction.atomic():
        row, _ = PracticeReminderSettings.objects.select_for_update().get_or_create(
            practice=practice
        )
        row.web_push_enabled = web_push_enabled
        row.save()
        event_practice_reminder_settings_changed(actor=actor, practice=practice)
    return row


def push_available(*, practice: Practice) -> bool:
    """Web push is offered only when the server has VAPID keys and the practice turned it on."""
    return push.push_configured() and practice_settings_for(practice=practice).web_push_enabled


def _clean_key(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value or len(value) > 200:
        raise ApplicationError("This device's push keys are missing or too long.", field=field)
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=")
    if not set(value) <= allowed:
        raise ApplicationError("This device's push keys are not valid.", field=field)
    return value


def push_subscription_save(
    *, client: Client, actor: User, endpoint: str, p256dh: str, auth: str
) -> PushSubscription:
    """Register (or refresh) one device. Only https endpoints are kept: the push service's."""
    if not push_available(practice=client.practice):
        raise ApplicationError("Notifications on your phone are not available.", field="endpoint")
    if not endpoint.startswith("https://") or len(endpoint) > ENDPOINT_MAX:
        raise ApplicationError("The push address must be an https address.", field="endpoint")
    info = {
        "endpoint": endpoint,
        "keys": {
            "p256dh": _clean_key(p256dh, "keys.p256dh"),
            "auth": _clean_key(auth, "keys.auth"),
        },
    }
    digest = hashlib.sha256(endpoint.encode()).hexdigest()
    with transaction.atomic():
        row = PushSubscription.objects.filter(client=client, endpoint_hash=digest).first()
        if row is None:
            row = PushSubscription(
                practice_id=client.practice_id,
                client=client,
                endpoint_hash=digest,
                created_by=actor,
                updated_by=actor,
            )
        row.subscription = info
        row.updated_by = actor
        row.save()
        event_push_subscribed(actor=actor, client=client, subscription_id=str(row.public_id))
    return row


# --- planning ---
@dataclass(frozen=True)
class _Plan:
    client: Client
    prefs: ReminderPreferences


def _plannable(now: datetime) -> list[_Plan]:
    """Active clients with a channel, not paused, and the reminders module on."""
    clients = list(
        Client.objects.filter(status=ClientStatus.ACTIVE, user__isnull=False, user__is_active=True)
        .select_related("practice", "reminder_preferences", "privacy")
        .order_by("pk")
    )
    off = clients_with_module_off(module=Module.REMINDERS, client_ids=[c.pk for c in clients])
    plans = []
    for client in clients:
        if client.pk in off:
            continue
        try:
            prefs = client.reminder_preferences
        except ReminderPreferences.DoesNotExist:
            try:
                opted_in = client.privacy.reminders_opt_in
            except ClientPrivacy.DoesNotExist:
                opted_in = False
            prefs = _default_preferences(client=client, opted_in=opted_in)
        if prefs.channel == Channel.NONE or prefs.paused:
            continue
        plans.append(_Plan(client, prefs))
    return plans


def _zone_name(client: Client) -> str:
    """The client's IANA zone name, or UTC when the stored name is not a zone."""
    return client.time_zone if zone_named(client.time_zone, fallback=UTC) is not UTC else "UTC"


def reminder_wall_time(*, prefs: ReminderPreferences, item_time: time | None) -> time:
    wall = (item_time or prefs.preferred_time).replace(second=0, microsecond=0)
    return out_of_quiet_hours(wall, prefs.quiet_start, prefs.quiet_end)


def reminders_plan(*, now: datetime | None = None) -> int:
    """Schedule the reminders for today and tomorrow (each client's own days). Returns how many
    were added; planning again adds none."""
    now = now or timezone.now()
    plans = _plannable(now)
    if not plans:
        return 0
    days = {p.client.pk: client_today(p.client, now=now) for p in plans}
    items = providers.due_items(
        client_ids=[p.client.pk for p in plans],
        first=min(days.values()),
        last=max(days.values()) + timedelta(days=1),
    )
    by_client = {p.client.pk: p for p in plans}
    wanted: dict[tuple[int, date, time], Reminder] = {}
    for item in items:
        plan = by_client.get(item.client_id)
        if plan is None:
            continue
        today = days[item.client_id]
        if item.local_date not in (today, today + timedelta(days=1)):
            continue
        wall = reminder_wall_time(prefs=plan.prefs, item_time=item.wall_time)
        key = (item.client_id, item.local_date, wall)
        if key in wanted:
            continue
        zone = _zone_name(plan.client)
        due = wall_to_utc(item.local_date, wall, zone)
        wanted[key] = Reminder(
            practice_id=plan.client.practice_id,
            client_id=item.client_id,
            local_date=item.local_date,
            wall_time=wall,
            time_zone=zone,
            due_at=due,
            next_attempt_at=due,
            created_at=now,
        )
    if not wanted:
        return 0
    existing = set(
        Reminder.objects.filter(
            client_id__in={k[0] for k in wanted},
            local_date__in={k[1] for k in wanted},
        ).values_list("client_id", "local_date", "wall_time")
    )
    new = [r for k, r in wanted.items() if k not in existing]
    # ignore_conflicts: a planner running at the same time may have added the same rows.
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


# --- sending ---
def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def reminder_claim(*, reminder_id: int, worker: str, now: datetime | None = None) -> bool:
    """Claim one reminder for sending: true for exactly one caller, however many try."""
    now = now or timezone.now()
    return (
        Reminder.objects.filter(pk=reminder_id, status=ReminderStatus.SCHEDULED).update(
            status=ReminderStatus.CLAIMED, claimed_by=worker, claimed_at=now
        )
        == 1
    )


def _log(reminder: Reminder, channel: str, outcome: str, reason: str, now: datetime) -> None:
    DeliveryAttempt.objects.create(
        reminder=reminder, channel=channel, outcome=outcome, reason=reason[:200], at=now
    )


def _finish(reminder: Reminder, status: str, now: datetime, **extra: Any) -> None:
    Reminder.objects.filter(pk=reminder.pk, status=ReminderStatus.CLAIMED).update(
        status=status, finished_at=now, **extra
    )


def _skip_reason(reminder: Reminder, now: datetime) -> str:
    client = reminder.client
    if local_date(now, reminder.time_zone) > reminder.local_date:
        return "its day had passed"
    if client.status != ClientStatus.ACTIVE or client.user_id is None:
        return "client not active"
    if client.pk in clients_with_module_off(module=Module.REMINDERS, client_ids=[client.pk]):
        return "reminders switched off by the care team"
    prefs = preferences_for(client=client)
    if prefs.paused:
        return "paused by the client"
    if prefs.channel == Channel.NONE:
        return "client chose no reminders"
    return ""


def _send_email(reminder: Reminder, now: datetime) -> str:
    """Returns the outcome; logs the attempt."""
    user = reminder.client.user
    email = (user.email if user else "") or reminder.client.email
    if not email:
        _log(reminder, Channel.EMAIL, DeliveryOutcome.FAILED, "no email address", now)
        return DeliveryOutcome.FAILED
    try:
        emails.reminder_email_send(email=email)
    except smtplib.SMTPResponseException as exc:
        temporary = 400 <= exc.smtp_code < 500
        outcome = DeliveryOutcome.NOT_ACCEPTED if temporary else DeliveryOutcome.FAILED
        _log(reminder, Channel.EMAIL, outcome, f"mail server answered {exc.smtp_code}", now)
        return outcome
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        temporary = bool(codes) and all(400 <= c < 500 for c in codes)
        outcome = DeliveryOutcome.NOT_ACCEPTED if temporary else DeliveryOutcome.FAILED
        reason = f"mail server refused the address ({', '.join(str(c) for c in codes)})"
        _log(reminder, Channel.EMAIL, outcome, reason, now)
        return outcome
    except (smtplib.SMTPException, OSError) as exc:
        # No answer (connection refused, timeout, disconnect): not accepted, try again later.
        reason = f"mail server unreachable ({type(exc).__name__})"
        _log(reminder, Channel.EMAIL, DeliveryOutcome.NOT_ACCEPTED, reason, now)
        return DeliveryOutcome.NOT_ACCEPTED
    _log(reminder, Channel.EMAIL, DeliveryOutcome.SENT, "accepted by the mail server", now)
    return DeliveryOutcome.SENT


def _send_push(reminder: Reminder, now: datetime) -> str:
    devices = list(PushSubscription.objects.filter(client_id=reminder.client_id).order_by("pk"))
    if not devices:
        _log(reminder, Channel.PUSH, DeliveryOutcome.FAILED, "no device subscribed", now)
        return DeliveryOutcome.FAILED
    if not push_available(practice=reminder.client.practice):
        _log(reminder, Channel.PUSH, DeliveryOutcome.FAILED, "web push is off", now)
        return DeliveryOutcome.FAILED
    outcomes = []
    for device in devices:
        result = push.push_send(subscription=device.subscription)
        if result.kind == "sent":
            device.last_sent_at = now
            device.save(update_fields=["last_sent_at", "updated_at"])
            outcome = DeliveryOutcome.SENT
        elif result.kind == "gone":
            device.delete()  # the browser dropped it; a new one comes when they turn it on again
            outcome = DeliveryOutcome.FAILED
        elif result.kind == "later":
            outcome = DeliveryOutcome.NOT_ACCEPTED
        else:
            outcome = DeliveryOutcome.FAILED
        _log(reminder, Channel.PUSH, outcome, result.reason, now)
        outcomes.append(outcome)
    if DeliveryOutcome.SENT in outcomes:
        return DeliveryOutcome.SENT
    if DeliveryOutcome.NOT_ACCEPTED in outcomes:
        return DeliveryOutcome.NOT_ACCEPTED
    return DeliveryOutcome.FAILED


def reminder_send(*, reminder_id: int, now: datetime | None = None) -> str:
    """Send one reminder this worker has claimed. Returns its status afterwards."""
    now = now or timezone.now()
    reminder = (
        Reminder.objects.select_related("client__user", "client__practice")
        .filter(pk=reminder_id, status=ReminderStatus.CLAIMED)
        .first()
    )
    if reminder is None:
        return ""
    skip = _skip_reason(reminder, now)
    if skip:
        _finish(reminder, ReminderStatus.SKIPPED, now)
        _log(reminder, "", DeliveryOutcome.SKIPPED, skip, now)
        return ReminderStatus.SKIPPED
    channel = preferences_for(client=reminder.client).channel
    attempts = reminder.attempts + 1
    outcome = (_send_push if channel == Channel.PUSH else _send_email)(reminder, now)
    if outcome == DeliveryOutcome.SENT:
        _finish(reminder, ReminderStatus.SENT, now, attempts=attempts, channel=channel)
        return ReminderStatus.SENT
    if outcome == DeliveryOutcome.NOT_ACCEPTED and attempts < MAX_ATTEMPTS:
        later = now + BACKOFF_BASE * (2 ** (attempts - 1))
        Reminder.objects.filter(pk=reminder.pk, status=ReminderStatus.CLAIMED).update(
            status=ReminderStatus.SCHEDULED,
            attempts=attempts,
            next_attempt_at=later,
            channel=channel,
            claimed_by="",
            claimed_at=None,
        )
        return ReminderStatus.SCHEDULED
    _finish(reminder, ReminderStatus.FAILED, now, attempts=attempts, channel=channel)
    return ReminderStatus.FAILED


def _close_stale_claims(now: datetime) -> int:
    stale = Reminder.objects.filter(
        status=ReminderStatus.CLAIMED, claimed_at__lt=now - STALE_CLAIM
    ).values_list("pk", flat=True)
    closed = 0
    for pk in list(stale):
        updated = Reminder.objects.filter(pk=pk, status=ReminderStatus.CLAIMED).update(
            status=ReminderStatus.FAILED, finished_at=now
        )
        if updated:
            DeliveryAttempt.objects.create(
                reminder_id=pk,
                channel="",
                outcome=DeliveryOutcome.FAILED,
                reason="sending was interrupted; not resent to avoid a double reminder",
                at=now,
            )
            closed += 1
    return closed


def reminders_dispatch(
    *, now: datetime | None = None, worker: str | None = None, plan: bool = True
) -> dict[str, int]:
    """Plan, then claim and send every reminder that is due. Safe to run in several workers at
    once: each reminder is sent by whichever claims it first."""
    now = now or timezone.now()
    worker = worker or worker_name()
    counts = {"planned": 0, "sent": 0, "retry": 0, "failed": 0, "skipped": 0, "lost": 0}
    if plan:
        try:
            counts["planned"] = reminders_plan(now=now)
        except IntegrityError:  # pragma: no cover - a concurrent planner; the next round plans
            counts["planned"] = 0
    _close_stale_claims(now)
    due = list(
        Reminder.objects.filter(status=ReminderStatus.SCHEDULED, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:500]
    )
    for pk in due:
        if not reminder_claim(reminder_id=pk, worker=worker, now=now):
            counts["lost"] += 1
            continue
        status = reminder_send(reminder_id=pk, now=now)
        key = {
            ReminderStatus.SENT: "sent",
            ReminderStatus.SCHEDULED: "retry",
            ReminderStatus.FAILED: "failed",
            ReminderStatus.SKIPPED: "skipped",
        }.get(ReminderStatus(status) if status else None, "lost")  # type: ignore[arg-type]
        counts[key] += 1
    return counts
