"""Writing audit events: one `event_*` function per event type, all through `_append`.

`_append` joins the caller's transaction, so a read of client data and its audit row commit
together or not at all (SR-30): if the audit insert fails, the caller's exception stops the
response and no data is served.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from interlude.audit.chain import event_hash
from interlude.audit.enums import AuditAction, AuditOutcome
from interlude.audit.models import AuditChainHead, AuditEvent
from interlude.core.context import current_request_context

if TYPE_CHECKING:
    from interlude.accounts.models import User
    from interlude.alerts.models import Alert
    from interlude.care.models import Appointment
    from interlude.measures.models import QuestionnaireResponse, QuestionnaireSchedule
    from interlude.practices.models import Client, Invitation, Practice


def _label(text: str) -> str:
    # Printable characters only, bounded: labels come from login forms too.
    return "".join(ch for ch in text if ch.isprintable())[:254]


def _actor_label(actor: User, client: Client | None, practice_id: int | None) -> str:
    """Who acted, as the trail keeps it: staff by their email (their accountability), a client by
    a pseudonym ("client <public id>"), so the trail names no one once their account is closed
    (ADR 0017). A query only for an event of no practice and no client (signing in or out) whose
    actor's profile is not loaded yet: a client's events name their own record, and an event in a
    practice about no client of the actor's is a member of staff at work."""
    if client is not None and client.user_id == actor.pk:
        return f"client {client.public_id}"
    loaded = actor._meta.get_field("client_profile").is_cached(actor)
    if loaded or (client is None and practice_id is None):
        own = getattr(actor, "client_profile", None)
        if own is not None:
            return f"client {own.public_id}"
    return actor.email


def _append(
    *,
    action: AuditAction,
    actor: User | None,
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
    practice: Practice | None = None,
    practice_id: int | None = None,
    client: Client | None = None,
    object_type: str = "",
    object_id: str | int = "",
    detail: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEvent:
    ctx = current_request_context()
    with transaction.atomic():
        # Locking the head row serialises appends, so seq stays gapless under concurrency.
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            # First event ever (or after a test flush). If events exist without a head, the next
            # insert collides on seq and fails: the write is refused rather than forked.
            AuditChainHead.objects.get_or_create(pk=1)
            head = AuditChainHead.objects.select_for_update().get(pk=1)
        if practice is not None:
            practice_id = practice.pk
        elif client is not None:
            practice_id = client.practice_id
        fields: dict[str, Any] = {
            "seq": head.seq + 1,
            "occurred_at": timezone.now(),
            "actor_id": actor.pk if actor is not None else None,
            "actor_label": _label(
                actor_label
                or (_actor_label(actor, client, practice_id) if actor is not None else "")
            ),
            "action": str(action),
            "outcome": str(outcome),
            "practice_id": practice_id,
            "client_id": client.pk if client is not None else None,
            "object_type": object_type,
            "object_id": str(object_id),
            "request_id": ctx.request_id if ctx else "",
            # Hash the address as the database will store it ("2001:0DB8::0001" is kept as
            # "2001:db8::1"), or audit_verify would report the row as altered.
            "ip": AuditEvent._meta.get_field("ip").get_prep_value(ctx.ip) if ctx else None,
            "detail": detail or {},
            # The newest key signs; older ones stay configured to verify what they signed.
            "key_id": max(settings.AUDIT_HMAC_KEYS),
        }
        digest = event_hash(
            prev_hash=head.hash, fields=fields, key=settings.AUDIT_HMAC_KEYS[fields["key_id"]]
        )
        event = AuditEvent.objects.create(prev_hash=head.hash, hash=digest, **fields)
        AuditChainHead.objects.filter(pk=1).update(seq=fields["seq"], hash=digest)
    return event


# --- authentication ------------------------------------------------------------------------------
def event_login(*, user: User) -> AuditEvent:
    return _append(action=AuditAction.LOGIN, actor=user)


def event_login_failed(*, attempted_login: str) -> AuditEvent:
    return _append(
        action=AuditAction.LOGIN_FAILED,
        actor=None,
        outcome=AuditOutcome.FAILURE,
        actor_label=attempted_login,
    )


def event_logout(*, user: User) -> AuditEvent:
    return _append(action=AuditAction.LOGOUT, actor=user)


def event_locked_out(*, attempted_login: str) -> AuditEvent:
    return _append(
        action=AuditAction.LOCKED_OUT,
        actor=None,
        outcome=AuditOutcome.DENIED,
        actor_label=attempted_login,
    )


def event_mfa_added(*, user: User, factor: str) -> AuditEvent:
    return _append(action=AuditAction.MFA_ADDED, actor=user, detail={"factor": factor})


def event_mfa_removed(*, user: User, factor: str) -> AuditEvent:
    return _append(action=AuditAction.MFA_REMOVED, actor=user, detail={"factor": factor})


def event_password_changed(*, user: User) -> AuditEvent:
    return _append(action=AuditAction.PASSWORD_CHANGED, actor=user)


def event_account_disabled(*, actor: User, user: User) -> AuditEvent:
    return _append(
        action=AuditAction.ACCOUNT_DISABLED, actor=actor, object_type="user", object_id=user.pk
    )


# --- people and invitations ----------------------------------------------------------------------
def event_invitation_sent(*, actor: User, invitation: Invitation) -> AuditEvent:
    return _append(
        action=AuditAction.INVITATION_SENT,
        actor=actor,
        practice_id=invitation.practice_id,
        client=invitation.client,
        object_type="invitation",
        object_id=invitation.pk,
        detail={"kind": invitation.kind},
    )


def event_invitation_accepted(*, user: User, invitation: Invitation) -> AuditEvent:
    return _append(
        action=AuditAction.INVITATION_ACCEPTED,
        actor=user,
        practice_id=invitation.practice_id,
        client=invitation.client,
        object_type="invitation",
        object_id=invitation.pk,
    )


def event_invitation_revoked(*, actor: User, invitation: Invitation) -> AuditEvent:
    return _append(
        action=AuditAction.INVITATION_REVOKED,
        actor=actor,
        practice_id=invitation.practice_id,
        client=invitation.client,
        object_type="invitation",
        object_id=invitation.pk,
    )


def event_client_created(*, actor: User, client: Client) -> AuditEvent:
    return _append(action=AuditAction.CLIENT_CREATED, actor=actor, client=client)


def event_care_team_changed(*, actor: User, client: Client, added: list[int]) -> AuditEvent:
    return _append(
        action=AuditAction.CARE_TEAM_CHANGED,
        actor=actor,
        client=client,
        detail={"added_membership_ids": added},
    )


def event_crisis_resource_changed(
    *, actor: User, practice: Practice, resource_id: int
) -> AuditEvent:
    return _append(
        action=AuditAction.CRISIS_RESOURCE_CHANGED,
        actor=actor,
        practice=practice,
        object_type="crisis_resource",
        object_id=resource_id,
    )


def event_route_denied(
    *, actor: User, route: str, rule: str, client: Client | None = None
) -> AuditEvent:
    """A signed-in person was refused a page by its access rule (SR-29: denials are logged).
    Names the client when the refused address named one, so it shows in their access history."""
    return _append(
        action=AuditAction.ROUTE_ACCESS_DENIED,
        actor=actor,
        outcome=AuditOutcome.DENIED,
        client=client,
        object_type="route",
        object_id=route[:64],
        detail={"rule": rule},
    )


# --- reads of client data ------------------------------------------------------------------------
def event_client_record_viewed(
    *,
    actor: User,
    client: Client,
    scope: str | tuple[str, ...],
    object_type: str = "",
    object_id: str | int = "",
) -> AuditEvent:
    detail: dict[str, Any] = (
        {"scope": str(scope)} if isinstance(scope, str) else {"scopes": [str(s) for s in scope]}
    )
    return _append(
        action=AuditAction.CLIENT_RECORD_VIEWED,
        actor=actor,
        client=client,
        object_type=object_type or "client",
        object_id=object_id or client.pk,
        detail=detail,
    )


def event_caseload_viewed(*, actor: User, practice: Practice, client_count: int) -> AuditEvent:
    return _append(
        action=AuditAction.CASELOAD_VIEWED,
        actor=actor,
        practice=practice,
        detail={"clients": client_count},
    )


def event_client_access_denied(
    *, actor: User, requested_client_id: str, reason: str, client: Client | None = None
) -> AuditEvent:
    """A refused read. Names the client when the id exists, so it shows in their access history;
    the person refused sees the same 404 either way."""
    return _append(
        action=AuditAction.CLIENT_ACCESS_DENIED,
        actor=actor,
        outcome=AuditOutcome.DENIED,
        client=client,
        object_type="client",
        object_id=requested_client_id[:64],
        detail={"reason": reason},
    )


# --- measurement-based care ----------------------------------------------------------------------
def event_instrument_settings_changed(
    *, actor: User, practice: Practice, instrument_code: str
) -> AuditEvent:
    return _append(
        action=AuditAction.INSTRUMENT_SETTINGS_CHANGED,
        actor=actor,
        practice=practice,
        object_type="instrument",
        object_id=instrument_code,
    )


def event_alert_settings_changed(*, actor: User, practice: Practice) -> AuditEvent:
    return _append(action=AuditAction.ALERT_SETTINGS_CHANGED, actor=actor, practice=practice)


def event_questionnaire_scheduled(
    *, actor: User, client: Client, schedule: QuestionnaireSchedule
) -> AuditEvent:
    return _append(
        action=AuditAction.QUESTIONNAIRE_SCHEDULED,
        actor=actor,
        client=client,
        object_type="questionnaire_schedule",
        object_id=str(schedule.public_id),
        detail={"instrument": schedule.instrument_code, "frequency": schedule.frequency},
    )


def event_questionnaire_schedule_ended(
    *, actor: User, client: Client, schedule: QuestionnaireSchedule
) -> AuditEvent:
    return _append(
        action=AuditAction.QUESTIONNAIRE_SCHEDULE_ENDED,
        actor=actor,
        client=client,
        object_type="questionnaire_schedule",
        object_id=str(schedule.public_id),
        detail={"instrument": schedule.instrument_code},
    )


def event_questionnaire_submitted(
    *, actor: User, client: Client, response: QuestionnaireResponse
) -> AuditEvent:
    # No score in the audit detail: the trail says what happened, the record holds the content.
    return _append(
        action=AuditAction.QUESTIONNAIRE_SUBMITTED,
        actor=actor,
        client=client,
        object_type="questionnaire_response",
        object_id=str(response.public_id),
        detail={"instrument": response.instrument_code, "entered_by": response.entered_by},
    )


def event_appointment_changed(
    *, actor: User, client: Client, appointment: Appointment
) -> AuditEvent:
    return _append(
        action=AuditAction.APPOINTMENT_CHANGED,
        actor=actor,
        client=client,
        object_type="appointment",
        object_id=str(appointment.public_id),
        detail={"status": appointment.status},
    )


def _alert_event(
    action: AuditAction, *, actor: User | None, alert: Alert, detail: dict[str, Any] | None = None
) -> AuditEvent:
    return _append(
        action=action,
        actor=actor,
        client=alert.client,
        object_type="alert",
        object_id=str(alert.public_id),
        detail={"kind": alert.kind, "severity": alert.severity, **(detail or {})},
        actor_label="" if actor is not None else "system",
    )


def event_alert_raised(*, alert: Alert) -> AuditEvent:
    return _alert_event(AuditAction.ALERT_RAISED, actor=None, alert=alert)


def event_alert_notified(*, alert: Alert, recipients: int) -> AuditEvent:
    return _alert_event(
        AuditAction.ALERT_NOTIFIED, actor=None, alert=alert, detail={"recipients": recipients}
    )


def event_alerts_viewed(*, actor: User, practice: Practice, alert_count: int) -> AuditEvent:
    return _append(
        action=AuditAction.ALERTS_VIEWED,
        actor=actor,
        practice=practice,
        detail={"alerts": alert_count},
    )


def event_alert_acknowledged(*, actor: User, alert: Alert) -> AuditEvent:
    return _alert_event(AuditAction.ALERT_ACKNOWLEDGED, actor=actor, alert=alert)


def event_alert_resolved(
    *, actor: User | None, alert: Alert, automatic: bool = False
) -> AuditEvent:
    return _alert_event(
        AuditAction.ALERT_RESOLVED, actor=actor, alert=alert, detail={"automatic": automatic}
    )


def event_alert_escalated(*, alert: Alert, recipients: int) -> AuditEvent:
    return _alert_event(
        AuditAction.ALERT_ESCALATED, actor=None, alert=alert, detail={"recipients": recipients}
    )


def event_alert_handed_over(*, actor: User, alert: Alert, to_user_id: int) -> AuditEvent:
    return _alert_event(
        AuditAction.ALERT_HANDED_OVER, actor=actor, alert=alert, detail={"to_user": to_user_id}
    )


def event_alert_viewed_as_recipient(*, actor: User, alert: Alert, via: str) -> AuditEvent:
    """Someone outside the client's care team saw an alert because it was passed to them
    (`via`: "escalation" or "handover"). One per alert, naming the client, so it shows in the
    client's access history."""
    return _alert_event(
        AuditAction.ALERT_VIEWED_AS_RECIPIENT, actor=actor, alert=alert, detail={"via": via}
    )


def event_report_exported(*, actor: User, client: Client, kind: str) -> AuditEvent:
    return _append(
        action=AuditAction.REPORT_EXPORTED,
        actor=actor,
        client=client,
        object_type="report",
        object_id=kind,
    )


# --- consent, sharing, break-glass and data rights ----------------------------------------------
def event_consent_published(*, actor: User, practice: Practice, version: int) -> AuditEvent:
    return _append(
        action=AuditAction.CONSENT_PUBLISHED,
        actor=actor,
        practice=practice,
        object_type="consent_document",
        object_id=version,
    )


def event_consent_accepted(*, actor: User, client: Client, version: int, method: str) -> AuditEvent:
    return _append(
        action=AuditAction.CONSENT_ACCEPTED,
        actor=actor,
        client=client,
        object_type="consent_document",
        object_id=version,
        detail={"method": method},
    )


def event_consent_withdrawn(*, actor: User, client: Client, method: str) -> AuditEvent:
    return _append(
        action=AuditAction.CONSENT_WITHDRAWN, actor=actor, client=client, detail={"method": method}
    )


def event_sharing_changed(
    *, actor: User, client: Client, changes: dict[str, bool], hidden_from: list[int]
) -> AuditEvent:
    """`changes` maps each category switched to its new value; `hidden_from` is the full list of
    membership ids the client does not share with, after the change."""
    return _append(
        action=AuditAction.SHARING_CHANGED,
        actor=actor,
        client=client,
        detail={"changes": changes, "hidden_from": hidden_from},
    )


def event_sharing_defaults_changed(
    *, actor: User, practice: Practice, defaults: dict[str, bool]
) -> AuditEvent:
    """`defaults`: the practice's full map of sharing defaults for new clients, after the change."""
    return _append(
        action=AuditAction.SHARING_DEFAULTS_CHANGED,
        actor=actor,
        practice=practice,
        detail={"defaults": defaults},
    )


def event_modules_changed(*, actor: User, client: Client, modules_off: list[str]) -> AuditEvent:
    return _append(
        action=AuditAction.MODULES_CHANGED,
        actor=actor,
        client=client,
        detail={"modules_off": modules_off},
    )


def event_break_glass_opened(
    *, actor: User, client: Client, grant_id: str, expires_at: str
) -> AuditEvent:
    """Flagged: the reason itself is kept (encrypted) on the grant, never in the trail."""
    return _append(
        action=AuditAction.BREAK_GLASS_OPENED,
        actor=actor,
        client=client,
        object_type="break_glass",
        object_id=grant_id,
        detail={"flagged": True, "expires_at": expires_at},
    )


def event_break_glass_viewed(
    *, actor: User, client: Client, grant_id: str, scope: str | tuple[str, ...]
) -> AuditEvent:
    """Every read under break-glass, flagged, naming the grant it relied on."""
    scopes = [str(scope)] if isinstance(scope, str) else [str(s) for s in scope]
    return _append(
        action=AuditAction.BREAK_GLASS_VIEWED,
        actor=actor,
        client=client,
        object_type="break_glass",
        object_id=grant_id,
        detail={"flagged": True, "scopes": scopes},
    )


def event_export_requested(*, actor: User, client: Client, export_id: str) -> AuditEvent:
    return _append(
        action=AuditAction.EXPORT_REQUESTED,
        actor=actor,
        client=client,
        object_type="export",
        object_id=export_id,
    )


def event_export_downloaded(*, actor: User, client: Client, export_id: str) -> AuditEvent:
    return _append(
        action=AuditAction.EXPORT_DOWNLOADED,
        actor=actor,
        client=client,
        object_type="export",
        object_id=export_id,
    )


def event_closure_requested(*, actor: User, client: Client) -> AuditEvent:
    return _append(action=AuditAction.CLOSURE_REQUESTED, actor=actor, client=client)


def event_closure_confirmed(
    *, actor: User, client: Client, pseudonym: str, kept: list[str]
) -> AuditEvent:
    """The stub that stays: a pseudonym instead of the name, and which records were kept."""
    return _append(
        action=AuditAction.CLOSURE_CONFIRMED,
        actor=actor,
        client=client,
        detail={"pseudonym": pseudonym, "kept": kept},
    )


def event_data_key_destroyed(*, actor: User | None, client: Client, key_id: str) -> AuditEvent:
    return _append(
        action=AuditAction.DATA_KEY_DESTROYED,
        actor=actor,
        client=client,
        object_type="data_key",
        object_id=key_id,
    )


# --- between sessions: homework, treatment plan, notes, calendars, messages, reminders ----------
# Ids and kinds only: the trail says what happened and to what, never the instructions, note or
# message text (the record holds the content, encrypted).


def _client_event(
    action: AuditAction,
    *,
    actor: User | None,
    client: Client,
    object_type: str,
    object_id: str,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    return _append(
        action=action,
        actor=actor,
        client=client,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
        actor_label="" if actor is not None else "system",
    )


def event_assignment_created(
    *, actor: User, client: Client, assignment_id: str, tool: str
) -> AuditEvent:
    return _client_event(
        AuditAction.ASSIGNMENT_CREATED,
        actor=actor,
        client=client,
        object_type="assignment",
        object_id=assignment_id,
        detail={"tool": tool},
    )


def event_assignment_changed(
    *, actor: User, client: Client, assignment_id: str, change: str
) -> AuditEvent:
    return _client_event(
        AuditAction.ASSIGNMENT_CHANGED,
        actor=actor,
        client=client,
        object_type="assignment",
        object_id=assignment_id,
        detail={"change": change},
    )


def event_assignment_completed(
    *, actor: User, client: Client, assignment_id: str, occurrence: str, status: str
) -> AuditEvent:
    return _client_event(
        AuditAction.ASSIGNMENT_COMPLETED,
        actor=actor,
        client=client,
        object_type="assignment",
        object_id=assignment_id,
        detail={"occurrence": occurrence, "status": status},
    )


def event_assignment_feedback(
    *, actor: User, client: Client, assignment_id: str, occurrence: str
) -> AuditEvent:
    return _client_event(
        AuditAction.ASSIGNMENT_FEEDBACK,
        actor=actor,
        client=client,
        object_type="assignment",
        object_id=assignment_id,
        detail={"occurrence": occurrence},
    )


def event_treatment_plan_changed(
    *, actor: User, client: Client, object_type: str, object_id: str, change: str
) -> AuditEvent:
    """`object_type` is "problem" or "goal"; `change` is e.g. "added", "changed", "closed"."""
    return _client_event(
        AuditAction.TREATMENT_PLAN_CHANGED,
        actor=actor,
        client=client,
        object_type=object_type,
        object_id=object_id,
        detail={"change": change},
    )


def event_goal_reviewed(*, actor: User, client: Client, goal_id: str, score: int) -> AuditEvent:
    return _client_event(
        AuditAction.GOAL_REVIEWED,
        actor=actor,
        client=client,
        object_type="goal",
        object_id=goal_id,
        detail={"gas": score},
    )


def event_session_note_saved(
    *, actor: User, client: Client, note_id: str, template: str
) -> AuditEvent:
    return _client_event(
        AuditAction.SESSION_NOTE_SAVED,
        actor=actor,
        client=client,
        object_type="session_note",
        object_id=note_id,
        detail={"template": template},
    )


def event_session_note_signed(*, actor: User, client: Client, note_id: str) -> AuditEvent:
    return _client_event(
        AuditAction.SESSION_NOTE_SIGNED,
        actor=actor,
        client=client,
        object_type="session_note",
        object_id=note_id,
    )


def event_session_note_addendum(
    *, actor: User, client: Client, note_id: str, addendum_id: str
) -> AuditEvent:
    return _client_event(
        AuditAction.SESSION_NOTE_ADDENDUM,
        actor=actor,
        client=client,
        object_type="session_note",
        object_id=note_id,
        detail={"addendum": addendum_id},
    )


def event_calendar_feed_created(*, actor: User, practice: Practice, feed_id: str) -> AuditEvent:
    return _append(
        action=AuditAction.CALENDAR_FEED_CREATED,
        actor=actor,
        practice=practice,
        object_type="calendar_feed",
        object_id=feed_id,
    )


def event_calendar_feed_revoked(*, actor: User, practice: Practice, feed_id: str) -> AuditEvent:
    return _append(
        action=AuditAction.CALENDAR_FEED_REVOKED,
        actor=actor,
        practice=practice,
        object_type="calendar_feed",
        object_id=feed_id,
    )


def event_message_sent(
    *, actor: User, client: Client, message_id: str, by: str, attachment: bool
) -> AuditEvent:
    """`by` is "client" or "care_team"."""
    return _client_event(
        AuditAction.MESSAGE_SENT,
        actor=actor,
        client=client,
        object_type="message",
        object_id=message_id,
        detail={"by": by, "attachment": attachment},
    )


def event_message_attachment_opened(*, actor: User, client: Client, message_id: str) -> AuditEvent:
    return _client_event(
        AuditAction.MESSAGE_ATTACHMENT_OPENED,
        actor=actor,
        client=client,
        object_type="message",
        object_id=message_id,
    )


def event_messaging_settings_changed(*, actor: User, practice: Practice) -> AuditEvent:
    return _append(action=AuditAction.MESSAGING_SETTINGS_CHANGED, actor=actor, practice=practice)


def event_reminder_settings_changed(
    *, actor: User, client: Client, detail: dict[str, Any]
) -> AuditEvent:
    """`detail`: the new settings' shape (channel, paused), never a message text."""
    return _client_event(
        AuditAction.REMINDER_SETTINGS_CHANGED,
        actor=actor,
        client=client,
        object_type="reminder_settings",
        object_id=str(client.public_id),
        detail=detail,
    )


def event_push_subscribed(*, actor: User, client: Client, subscription_id: str) -> AuditEvent:
    return _client_event(
        AuditAction.PUSH_SUBSCRIBED,
        actor=actor,
        client=client,
        object_type="push_subscription",
        object_id=subscription_id,
    )


def event_practice_reminder_settings_changed(*, actor: User, practice: Practice) -> AuditEvent:
    return _append(
        action=AuditAction.PRACTICE_REMINDER_SETTINGS_CHANGED, actor=actor, practice=practice
    )


# --- [7] imports, tokens, pushed data ---------------------------------------------------------
def event_import_uploaded(*, actor: User, client: Client, job_id: str, source: str) -> AuditEvent:
    """`source` is the app (interop.enums.ImportSource); never the file's content or name."""
    return _client_event(
        AuditAction.IMPORT_UPLOADED,
        actor=actor,
        client=client,
        object_type="import",
        object_id=job_id,
        detail={"source": source},
    )


def event_import_committed(
    *, actor: User, client: Client, job_id: str, source: str, added: dict[str, int]
) -> AuditEvent:
    """`added`: how many records of each kind were added (counts only)."""
    return _client_event(
        AuditAction.IMPORT_COMMITTED,
        actor=actor,
        client=client,
        object_type="import",
        object_id=job_id,
        detail={"source": source, "added": added},
    )


def event_import_undone(
    *, actor: User, client: Client, job_id: str, source: str, removed: int
) -> AuditEvent:
    return _client_event(
        AuditAction.IMPORT_UNDONE,
        actor=actor,
        client=client,
        object_type="import",
        object_id=job_id,
        detail={"source": source, "removed": removed},
    )


def event_import_discarded(*, actor: User, client: Client, job_id: str) -> AuditEvent:
    return _client_event(
        AuditAction.IMPORT_DISCARDED,
        actor=actor,
        client=client,
        object_type="import",
        object_id=job_id,
    )


def event_import_profile_saved(*, actor: User, client: Client, profile_id: str) -> AuditEvent:
    return _client_event(
        AuditAction.IMPORT_PROFILE_SAVED,
        actor=actor,
        client=client,
        object_type="import_profile",
        object_id=profile_id,
    )


def event_token_created(
    *, actor: User, client: Client, token_id: str, scopes: list[str]
) -> AuditEvent:
    return _client_event(
        AuditAction.TOKEN_CREATED,
        actor=actor,
        client=client,
        object_type="access_token",
        object_id=token_id,
        detail={"scopes": sorted(scopes)},
    )


def event_token_revoked(*, actor: User, client: Client, token_id: str) -> AuditEvent:
    return _client_event(
        AuditAction.TOKEN_REVOKED,
        actor=actor,
        client=client,
        object_type="access_token",
        object_id=token_id,
    )


def event_observations_pushed(
    *, actor: User, client: Client, token_id: str | None, created: int, duplicates: int, errors: int
) -> AuditEvent:
    """One row per request, with counts (never values)."""
    return _client_event(
        AuditAction.OBSERVATIONS_PUSHED,
        actor=actor,
        client=client,
        object_type="access_token" if token_id else "session",
        object_id=token_id or "",
        detail={"created": created, "duplicates": duplicates, "errors": errors},
    )


# --- [8] the app catalog, recommendations, readiness, suitability ------------------------------
# Ids, slugs and counts only: never a reason, a note or an answer (the rows hold those, encrypted).
def event_catalog_app_saved(
    *, actor: User, practice: Practice, app_id: str, questions: list[str]
) -> AuditEvent:
    """`questions`: the evaluation questions whose answer changed (codes, sorted)."""
    return _append(
        action=AuditAction.CATALOG_APP_SAVED,
        actor=actor,
        practice=practice,
        object_type="catalog_app",
        object_id=app_id,
        detail={"questions": sorted(questions)},
    )


def event_catalog_app_archived(*, actor: User, practice: Practice, app_id: str) -> AuditEvent:
    return _append(
        action=AuditAction.CATALOG_APP_ARCHIVED,
        actor=actor,
        practice=practice,
        object_type="catalog_app",
        object_id=app_id,
    )


def event_app_recommended(
    *, actor: User, client: Client, recommendation_id: str, app_slug: str, homework: bool
) -> AuditEvent:
    return _client_event(
        AuditAction.APP_RECOMMENDED,
        actor=actor,
        client=client,
        object_type="recommendation",
        object_id=recommendation_id,
        detail={"app": app_slug, "homework": homework},
    )


def event_recommendation_withdrawn(
    *, actor: User, client: Client, recommendation_id: str
) -> AuditEvent:
    return _client_event(
        AuditAction.RECOMMENDATION_WITHDRAWN,
        actor=actor,
        client=client,
        object_type="recommendation",
        object_id=recommendation_id,
    )


def event_readiness_requested(*, actor: User, client: Client, check_id: str) -> AuditEvent:
    return _client_event(
        AuditAction.READINESS_REQUESTED,
        actor=actor,
        client=client,
        object_type="readiness_check",
        object_id=check_id,
    )


def event_readiness_cancelled(*, actor: User, client: Client, check_id: str) -> AuditEvent:
    return _client_event(
        AuditAction.READINESS_CANCELLED,
        actor=actor,
        client=client,
        object_type="readiness_check",
        object_id=check_id,
    )


def event_readiness_submitted(
    *, actor: User, client: Client, check_id: str, eheals: bool
) -> AuditEvent:
    """`eheals`: whether the eHEALS part was answered (never the answers or the total)."""
    return _client_event(
        AuditAction.READINESS_SUBMITTED,
        actor=actor,
        client=client,
        object_type="readiness_check",
        object_id=check_id,
        detail={"eheals": eheals},
    )


def event_suitability_note_saved(*, actor: User, client: Client, note_id: str) -> AuditEvent:
    return _client_event(
        AuditAction.SUITABILITY_NOTE_SAVED,
        actor=actor,
        client=client,
        object_type="suitability_note",
        object_id=note_id,
    )


def event_suitability_note_removed(*, actor: User, client: Client, note_id: str) -> AuditEvent:
    return _client_event(
        AuditAction.SUITABILITY_NOTE_REMOVED,
        actor=actor,
        client=client,
        object_type="suitability_note",
        object_id=note_id,
    )
