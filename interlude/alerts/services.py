"""Writes for alerts: raising (from answers and from the periodic sweep), acknowledging,
resolving, notifying and escalating. Every step writes an audit event in the same transaction.

Raising is idempotent: each alert has a `dedupe_key` naming the fact that raised it, unique per
client, so a retried answer or a sweep run twice never raises the same alert twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from interlude.accounts.models import User
from interlude.alerts.models import (
    Alert,
    AlertKind,
    AlertNotice,
    AlertSettings,
    AlertStatus,
    NoticeReason,
    Severity,
)
from interlude.alerts.rules import MESSAGE_RISK_REASON, mood_drop
from interlude.audit.services import (
    event_alert_acknowledged,
    event_alert_escalated,
    event_alert_handed_over,
    event_alert_notified,
    event_alert_raised,
    event_alert_resolved,
    event_alert_settings_changed,
)
from interlude.consents.modules_selectors import clients_with_module_off
from interlude.core.clock import client_date
from interlude.core.errors import ApplicationError
from interlude.core.hooks import client_changed
from interlude.measures.change import Classification, TrackStatus
from interlude.practices.enums import ClientStatus, Module, Role
from interlude.practices.models import CareTeamMember, Client, Membership, Practice

if TYPE_CHECKING:
    from interlude.measures.instruments import InstrumentDefinition
    from interlude.measures.models import QuestionnaireResponse
    from interlude.measures.scoring import Score
    from interlude.messaging.models import Message

NOTIFY_SEVERITIES = (Severity.CRITICAL, Severity.HIGH)
NOTE_MAX = 2000
# How long after their last answer a client still counts as answering a questionnaire.
ANSWERING_GRACE = timedelta(hours=1)


def alert_settings_get(*, practice: Practice | int) -> AlertSettings:
    practice_id = practice if isinstance(practice, int) else practice.pk
    found = AlertSettings.objects.filter(practice_id=practice_id).first()
    return found or AlertSettings(practice_id=practice_id)


def _settings_for(practice_ids: set[int]) -> dict[int, AlertSettings]:
    """Each practice's rules in one query (defaults for a practice that never saved any): the
    sweep runs every minute over every client, so never one query per client."""
    found = {s.practice_id: s for s in AlertSettings.objects.filter(practice_id__in=practice_ids)}
    return {pid: found.get(pid) or AlertSettings(practice_id=pid) for pid in practice_ids}


def alert_raise(
    *,
    client: Client,
    kind: AlertKind,
    severity: Severity,
    reason: str,
    dedupe_key: str,
    actor: User,
    instrument_code: str = "",
    response: QuestionnaireResponse | None = None,
) -> tuple[Alert, bool]:
    """Raise an alert once per dedupe key. Returns (alert, created).

    `actor` is whoever's action raised it (the client answering, or the system user of the sweep:
    the client's own user); the audit event records it as a system event.
    """
    existing = Alert.objects.filter(client=client, dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                practice_id=client.practice_id,
                client=client,
                kind=kind,
                severity=severity,
                severity_rank=Severity(severity).rank,
                reason=reason[:400],
                dedupe_key=dedupe_key,
                instrument_code=instrument_code,
                response=response,
                created_by=actor,
                updated_by=actor,
            )
            event_alert_raised(alert=alert)
            client_changed(client_id=alert.client_id, parts=("alerts",))  # the caseload summary
    except IntegrityError:
        existing = Alert.objects.filter(client=client, dedupe_key=dedupe_key).first()
        if existing is None:
            raise
        return existing, False
    if severity in NOTIFY_SEVERITIES:
        from interlude.alerts.tasks import alert_notify

        transaction.on_commit(lambda: alert_notify.enqueue(alert_id=alert.pk))
    return alert, True


def _open_exists(*, client: Client, kind: AlertKind, instrument_code: str = "") -> bool:
    return (
        Alert.objects.filter(client=client, kind=kind, instrument_code=instrument_code)
        .exclude(status=AlertStatus.RESOLVED)
        .exists()
    )


def alerts_raise_for_response(
    *,
    response: QuestionnaireResponse,
    definition: InstrumentDefinition,
    result: Score,
    previous_status: str | None,
) -> list[Alert]:
    """The rules that fire on an answer set (called inside response_submit's transaction)."""
    client = response.client
    name = definition.short_name
    # (kind, severity, reason, what in this response raised it)
    wanted: list[tuple[AlertKind, Severity, str, str]] = []
    for flag in result.flags:
        if not flag.critical:
            continue
        item = definition.items[flag.item - 1]
        answer = item.label_for(flag.value) if flag.value is not None else "unanswered"
        wanted.append(
            (
                AlertKind.CRITICAL_ITEM,
                Severity.CRITICAL,
                f"{name} item {flag.item} answered \u201c{answer}\u201d ({flag.value}). "
                f"{flag.reason}",
                f"{flag.flag}:{flag.item}",
            )
        )
    if response.classification == Classification.DETERIORATED and not _open_exists(
        client=client, kind=AlertKind.RELIABLE_DETERIORATION, instrument_code=definition.code
    ):
        assert response.total is not None  # a classification needs a total
        baseline_total = response.total - (response.change_from_baseline or 0)
        wanted.append(
            (
                AlertKind.RELIABLE_DETERIORATION,
                Severity.HIGH,
                f"{name} {response.total:g} against {baseline_total:g} at the start: "
                f"{response.classification_reason} Not on track.",
                "deterioration",
            )
        )
    elif (
        response.track_status == TrackStatus.AT_RISK
        and previous_status != TrackStatus.AT_RISK
        and not _open_exists(
            client=client, kind=AlertKind.NOT_ON_TRACK, instrument_code=definition.code
        )
    ):
        wanted.append(
            (
                AlertKind.NOT_ON_TRACK,
                Severity.MEDIUM,
                f"At risk of not benefiting: {response.track_reason} Consider reviewing the "
                "alliance, motivation, life events and the formulation with the client.",
                "not_on_track",
            )
        )
    raised: list[Alert] = []
    for kind, severity, reason, cause in wanted:
        alert, created = alert_raise(
            client=client,
            kind=kind,
            severity=severity,
            reason=reason,
            dedupe_key=f"response:{response.public_id}:{cause}",
            actor=response.created_by,
            instrument_code=definition.code,
            response=response,
        )
        if created:
            raised.append(alert)
    return raised


def alert_raise_for_message(*, message: Message) -> Alert | None:
    """A client's message matched the risk phrases: a critical alert for the care team (called
    inside message_send's transaction). The reason holds no words from the message."""
    alert, created = alert_raise(
        client=message.client,
        kind=AlertKind.MESSAGE_RISK,
        severity=Severity.CRITICAL,
        reason=MESSAGE_RISK_REASON,
        dedupe_key=f"message:{message.public_id}:risk",
        actor=message.sender,
    )
    return alert if created else None


def _note(note: str, *, required: bool) -> str:
    note = (note or "").strip()
    if required and not note:
        raise ApplicationError(
            "Write a short note saying what you did or will do, e.g. 'Called, safety plan "
            "reviewed, session moved to Thursday.'",
            field="note",
        )
    if len(note) > NOTE_MAX:
        raise ApplicationError(f"Keep the note under {NOTE_MAX} characters.", field="note")
    return note


def alert_acknowledge(*, actor: User, alert: Alert, note: str) -> Alert:
    """A named person has seen the alert and says what they are doing about it."""
    note = _note(note, required=True)
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.status == AlertStatus.RESOLVED:
            raise ApplicationError("This alert is already resolved.", field="note")
        if locked.status == AlertStatus.ACKNOWLEDGED:
            raise ApplicationError(
                "This alert was already acknowledged; add what happened when you resolve it.",
                field="note",
            )
        locked.status = AlertStatus.ACKNOWLEDGED
        locked.acknowledged_at = timezone.now()
        locked.acknowledged_by = actor
        locked.acknowledge_note = note
        locked.updated_by = actor
        locked.save()
        event_alert_acknowledged(actor=actor, alert=locked)
        client_changed(client_id=locked.client_id, parts=("alerts",))  # the caseload summary
    return locked


def alert_resolve(*, actor: User, alert: Alert, note: str = "") -> Alert:
    note = _note(note, required=False)
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.status == AlertStatus.RESOLVED:
            raise ApplicationError("This alert is already resolved.", field="note")
        if locked.severity == Severity.CRITICAL and locked.status == AlertStatus.OPEN and not note:
            raise ApplicationError(
                "A critical alert needs a note before it is resolved: say what was done.",
                field="note",
            )
        now = timezone.now()
        if locked.status == AlertStatus.OPEN:
            locked.acknowledged_at = now
            locked.acknowledged_by = actor
        locked.status = AlertStatus.RESOLVED
        locked.resolved_at = now
        locked.resolved_by = actor
        locked.resolve_note = note or None
        locked.updated_by = actor
        locked.save()
        event_alert_resolved(actor=actor, alert=locked)
        client_changed(client_id=locked.client_id, parts=("alerts",))  # the caseload summary
    return locked


def _resolve_automatically(*, alert: Alert, why: str) -> None:
    with transaction.atomic():
        updated = Alert.objects.filter(pk=alert.pk, status=AlertStatus.OPEN).update(
            status=AlertStatus.RESOLVED,
            resolved_at=timezone.now(),
            updated_at=timezone.now(),
        )
        if updated:
            alert.refresh_from_db()
            alert.resolve_note = why
            alert.save(update_fields=["resolve_note"])
            event_alert_resolved(actor=None, alert=alert, automatic=True)
            client_changed(client_id=alert.client_id, parts=("alerts",))  # the caseload summary


# --- notification and escalation (emails carry no clinical content) ------------------------------
def _care_team_users(client_id: int) -> list[User]:
    return [
        m.membership.user
        for m in CareTeamMember.objects.filter(
            client_id=client_id, membership__is_active=True, membership__user__is_active=True
        ).select_related("membership__user")
    ]


def _owners(practice_id: int) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            practice_id=practice_id, role=Role.OWNER, is_active=True, user__is_active=True
        ).select_related("user")
    ]


def _record_notices(
    *, alert: Alert, users: list[User], why: NoticeReason, at: datetime | None = None
) -> None:
    """Who was told (for the alert's history). Only people with an address were emailed."""
    sent_at = at or timezone.now()
    AlertNotice.objects.bulk_create(
        AlertNotice(alert=alert, recipient=u, why=why, sent_at=sent_at)
        for u in {u.pk: u for u in users if u.email}.values()
    )


def alert_hand_over(
    *, actor: User, alert: Alert, to_membership_id: int | None, note: str = ""
) -> Alert:
    """Hand an alert nobody has acknowledged to a named clinician of the practice (e.g. the owner
    after an escalation). They are emailed, with no clinical content, a link to the alert, and
    the gate lets them see it and act on it (practices/access.py, `alert_reach`)."""
    from interlude.alerts.emails import handover_email_send

    note = _note(note, required=False)
    target = (
        Membership.objects.select_related("user")
        .filter(
            pk=to_membership_id or 0,
            practice_id=alert.practice_id,
            is_active=True,
            user__is_active=True,
            role__in=[r for r in Role if r.is_clinical],
        )
        .first()
    )
    if target is None:
        raise ApplicationError("Choose a clinician of this practice to hand it to.", field="to")
    if target.user_id == actor.pk:
        raise ApplicationError("Choose someone other than yourself.", field="to")
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.status != AlertStatus.OPEN:
            raise ApplicationError(
                "This alert was already acknowledged or resolved, so someone has it.", field="to"
            )
        now = timezone.now()
        locked.handed_to = target
        locked.handed_over_at = now
        locked.handed_over_by = actor
        locked.handover_note = note or None
        locked.updated_by = actor
        locked.save()
        event_alert_handed_over(actor=actor, alert=locked, to_user_id=target.user_id)
        _record_notices(alert=locked, users=[target.user], why=NoticeReason.HANDOVER, at=now)
        public_id = locked.public_id
        transaction.on_commit(lambda: handover_email_send(user=target.user, alert_id=public_id))
    return locked


def alert_notify_send(*, alert_id: int) -> bool:
    """Email the care team that something needs attention. Once per alert (safe to run twice)."""
    from interlude.alerts.emails import attention_email_send

    with transaction.atomic():
        alert = Alert.objects.select_for_update().filter(pk=alert_id).first()
        if alert is None or alert.notified_at is not None:
            return False
        recipients = _care_team_users(alert.client_id)
        attention_email_send(users=recipients, escalation=False)
        alert.notified_at = timezone.now()
        alert.save(update_fields=["notified_at"])
        _record_notices(alert=alert, users=recipients, why=NoticeReason.CARE_TEAM)
        event_alert_notified(alert=alert, recipients=len(recipients))
    return True


def alerts_escalate(*, now: datetime | None = None) -> int:
    """Critical alerts nobody acknowledged within the practice's time go to the owners."""
    now = now or timezone.now()
    from interlude.alerts.emails import attention_email_send

    escalated = 0
    candidates = list(
        Alert.objects.filter(
            severity=Severity.CRITICAL, status=AlertStatus.OPEN, escalated_at__isnull=True
        ).select_related("client")
    )
    rules = _settings_for({a.practice_id for a in candidates})
    for alert in candidates:
        limit = rules[alert.practice_id].escalation_minutes
        if alert.created_at > now - timedelta(minutes=limit):
            continue
        with transaction.atomic():
            locked = Alert.objects.select_for_update().get(pk=alert.pk)
            if locked.escalated_at is not None or locked.status != AlertStatus.OPEN:
                continue
            owners = _owners(alert.practice_id)
            attention_email_send(users=owners, escalation=True)
            locked.escalated_at = now
            locked.save(update_fields=["escalated_at"])
            _record_notices(alert=locked, users=owners, why=NoticeReason.ESCALATION, at=now)
            event_alert_escalated(alert=locked, recipients=len(owners))
            escalated += 1
    return escalated


# --- the periodic sweep --------------------------------------------------------------------------
def _active_clients() -> list[Client]:
    return list(
        Client.objects.filter(status=ClientStatus.ACTIVE, user__isnull=False).select_related(
            "practice", "user"
        )
    )


def alerts_sweep_overdue(*, now: datetime | None = None) -> int:
    """Questionnaires still unanswered `overdue_days` after their window closed."""
    from interlude.measures.models import DueStatus, QuestionnaireDraft, QuestionnaireDue
    from interlude.measures.services import due_mark_missed

    now = now or timezone.now()
    raised = 0
    # Someone answering it right now is not overdue: marking it missed would throw away their
    # answers in progress. Their draft buys them ANSWERING_GRACE from their last answer.
    answering = QuestionnaireDraft.objects.filter(
        due=OuterRef("pk"), updated_at__gte=now - ANSWERING_GRACE
    )
    dues = list(
        QuestionnaireDue.objects.filter(status=DueStatus.DUE, closes_at__lt=now)
        .exclude(Exists(answering))
        .select_related("client", "schedule")
    )
    # Questionnaires switched off for a client: their schedule stops, nothing is chased.
    off = clients_with_module_off(
        module=Module.QUESTIONNAIRES, client_ids={d.client_id for d in dues}
    )
    dues = [d for d in dues if d.client_id not in off]
    rules = _settings_for({d.practice_id for d in dues})
    for due in dues:
        days = rules[due.practice_id].overdue_days
        if due.closes_at > now - timedelta(days=days):
            continue
        client = due.client
        actor = client.user or due.created_by
        with transaction.atomic():
            _alert, created = alert_raise(
                client=client,
                kind=AlertKind.QUESTIONNAIRE_OVERDUE,
                severity=Severity.LOW,
                # Days as the client lives them, as everywhere else the due is shown.
                reason=f"The questionnaire due {client_date(due.opens_at, client):%d %b} was not "
                f"answered; its window closed {client_date(due.closes_at, client):%d %b}.",
                dedupe_key=f"due:{due.public_id}",
                actor=actor,
                instrument_code=due.instrument_code,
            )
            due_mark_missed(due=due, actor=actor)
        raised += int(created)
    return raised


def alerts_sweep_checkins(*, now: datetime | None = None) -> int:
    """No check-in for `no_checkin_days`, and sharp drops in mood (alerts/rules.py)."""
    from interlude.tracking.models import CheckIn

    now = now or timezone.now()
    clients = _active_clients()
    if not clients:
        return 0
    settings_by_practice = _settings_for({c.practice_id for c in clients})
    longest = max(s.mood_recent_days + s.mood_baseline_days for s in settings_by_practice.values())
    since = now - timedelta(days=longest + 1)
    moods: dict[int, list[tuple[datetime, float]]] = defaultdict(list)
    # History brought in from other apps is not a live signal: its dips raise nothing, and it
    # does not count as checking in (tracking.models.ObservationSource).
    live = CheckIn.objects.exclude(source__in=("import", "device"))
    for client_id, recorded_at, mood in live.filter(
        client__in=clients, recorded_at__gte=since
    ).values_list("client_id", "recorded_at", "mood"):
        moods[client_id].append((recorded_at, float(mood)))
    last_checkin = dict(
        live.filter(client__in=clients)
        .order_by()
        .values("client_id")
        .annotate(last=Max("recorded_at"))
        .values_list("client_id", "last")
    )
    open_no_checkin = {
        a.client_id: a
        for a in Alert.objects.filter(
            client__in=clients, kind=AlertKind.NO_CHECKIN, status=AlertStatus.OPEN
        )
    }
    raised = 0
    # Check-ins switched off for a client: no reminders that they have not checked in.
    checkins_off = clients_with_module_off(
        module=Module.CHECKINS, client_ids=[c.pk for c in clients]
    )
    for client in clients:
        if client.pk in checkins_off:
            continue
        rules = settings_by_practice[client.practice_id]
        last = last_checkin.get(client.pk)
        # started_on is a day in the client's zone: compare it with the client's days, not UTC's.
        started = client.started_on or client_date(client.created_at, client)
        stale_since = now - timedelta(days=rules.no_checkin_days)
        if last is not None and last >= stale_since and client.pk in open_no_checkin:
            _resolve_automatically(
                alert=open_no_checkin[client.pk], why="Resolved automatically: checked in again."
            )
        elif (last is None and started <= client_date(stale_since, client)) or (
            last is not None and last < stale_since
        ):
            days = (now - last).days if last else (client_date(now, client) - started).days
            _alert, created = alert_raise(
                client=client,
                kind=AlertKind.NO_CHECKIN,
                severity=Severity.LOW,
                reason=f"No check-in for {days} days."
                if last
                else f"No check-in yet, {days} days after starting.",
                dedupe_key=f"no_checkin:{last.isoformat() if last else 'never'}",
                actor=client.user or client.created_by,
            )
            raised += int(created)
        zone = _zone(client.time_zone)
        by_day: dict[date, list[float]] = defaultdict(list)
        for recorded_at, mood_value in moods.get(client.pk, []):
            by_day[recorded_at.astimezone(zone).date()].append(mood_value)
        today = now.astimezone(zone).date()
        drop = mood_drop(
            daily_means={d: sum(v) / len(v) for d, v in by_day.items()},
            today=today,
            recent_days=rules.mood_recent_days,
            baseline_days=rules.mood_baseline_days,
            min_baseline_days=rules.mood_min_baseline_days,
            sd_multiplier=rules.mood_drop_sd,
            min_points=rules.mood_drop_min_points,
        )
        if drop is not None and not _open_exists(client=client, kind=AlertKind.MOOD_DROP):
            _alert, created = alert_raise(
                client=client,
                kind=AlertKind.MOOD_DROP,
                severity=Severity.MEDIUM,
                reason=drop.reason(),
                dedupe_key=f"mood_drop:{today.isoformat()}",
                actor=client.user or client.created_by,
            )
            raised += int(created)
    return raised


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def alerts_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Everything time-based, safe to run as often as wanted (the worker runs it every minute)."""
    now = now or timezone.now()
    return {
        "escalated": alerts_escalate(now=now),
        "overdue": alerts_sweep_overdue(now=now),
        "checkins": alerts_sweep_checkins(now=now),
    }


def alert_settings_save(*, actor: User, practice: Practice, **values: float) -> AlertSettings:
    limits = {
        "escalation_minutes": (5, 10080),
        "no_checkin_days": (1, 90),
        "overdue_days": (0, 30),
        "mood_recent_days": (2, 14),
        "mood_baseline_days": (7, 90),
        "mood_min_baseline_days": (3, 90),
        "mood_drop_sd": (0.5, 5),
        "mood_drop_min_points": (0.5, 10),
    }
    for name, value in values.items():
        if name not in limits:
            raise ApplicationError(f"Unknown setting {name!r}.", field=name)
        low, high = limits[name]
        if not low <= value <= high:
            raise ApplicationError(f"Use a value from {low:g} to {high:g}.", field=name)
    if values.get("mood_min_baseline_days", 0) > values.get("mood_baseline_days", 90):
        raise ApplicationError(
            "The minimum days with data cannot exceed the baseline period.",
            field="mood_min_baseline_days",
        )
    with transaction.atomic():
        settings, _ = AlertSettings.objects.update_or_create(practice=practice, defaults=values)
        event_alert_settings_changed(actor=actor, practice=practice)
    return settings
