"""Closing a client's account: the client asks, the practice's owner confirms against its duty to
keep records, and the rest is erased (SECURITY.md SR-47, ADR 0017).

Confirmation, in one transaction: the kept record types are re-encrypted under the key ring (so
they survive the data key), every other row of the client is deleted, the client's data key is
destroyed (anything left under it, in this database or a copy, can no longer be read), the
client's name and contact details are replaced by a pseudonym, the login is disabled and its
sessions, second factors and e-mail addresses are removed, and the audit trail records the
closure under the pseudonym. Past audit rows keep pointing at the client row, which now shows
only the pseudonym.

Record types are named by model label, not imported: this module sits on the gate's floor and the
apps whose rows it erases sit above it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from interlude.accounts.services import user_sessions_end
from interlude.audit.services import (
    event_closure_confirmed,
    event_closure_requested,
    event_data_key_destroyed,
)
from interlude.consents.models import ClosureRequest, ClosureStatus
from interlude.core.data_keys import data_key_destroy
from interlude.core.errors import ApplicationError
from interlude.core.key_rotation import rows_to_key_ring
from interlude.practices.enums import ClientStatus, Role

if TYPE_CHECKING:
    from interlude.accounts.models import User
    from interlude.practices.models import Client, Membership


@dataclass(frozen=True)
class RecordType:
    key: str
    label: str
    hint: str
    # Deleted in this order when not kept (rows that point at others go first).
    models: tuple[str, ...]
    # What the owner is shown a count of (the records themselves, not their schedules).
    counted: tuple[str, ...] = ()


# What the owner may choose to keep. Everything else of the client is always erased, except
# ALWAYS_KEPT.
RECORD_TYPES: tuple[RecordType, ...] = (
    RecordType(
        "questionnaires",
        "Questionnaires",
        "Scores and answers, including those entered from paper, and their schedules.",
        (
            "measures.QuestionnaireResponse",
            "measures.QuestionnaireDue",
            "measures.QuestionnaireSchedule",
        ),
        ("measures.QuestionnaireResponse",),
    ),
    RecordType(
        "appointments", "Appointments", "Dates, times and attendance.", ("care.Appointment",)
    ),
    RecordType(
        "alerts",
        "Alerts",
        "Risk and progress alerts and the notes about what was done.",
        ("alerts.Alert",),
    ),
    RecordType(
        "safety_plan",
        "Safety plan",
        "Every version of the safety plan.",
        ("care.SafetyPlanVersion",),
    ),
    RecordType(
        "checkins",
        "Check-ins",
        "Mood and other check-in scores and their notes.",
        ("tracking.CheckIn", "tracking.Observation"),
        ("tracking.CheckIn",),
    ),
    RecordType(
        "worksheets",
        "Worksheets",
        "Thought records, activity plans, exposure steps and practice, sleep diary.",
        (
            "exercises.ThoughtRecord",
            "exercises.ActivityPlan",
            "exercises.ExposurePractice",
            "exercises.ExposureStep",
            "exercises.SleepDiaryEntry",
        ),
    ),
    RecordType("journal", "Journal", "Journal entries.", ("exercises.JournalEntry",)),
    RecordType(
        "relaxation", "Relaxation practice", "Dates and ratings.", ("exercises.RelaxationSession",)
    ),
    RecordType(
        "session_notes",
        "Session notes",
        "Notes of each session, signed or draft, with their addenda.",
        ("care.SessionNoteAddendum", "care.SessionNote"),
        ("care.SessionNote",),
    ),
    RecordType(
        "treatment_plan",
        "Treatment plan",
        "Problems, goals and the reviews of progress towards them.",
        ("care.GoalReview", "care.Goal", "care.Problem"),
        ("care.Goal",),
    ),
    RecordType(
        "homework",
        "Homework",
        "What was set between sessions, how each day went and the feedback given.",
        ("homework.AssignmentOccurrence", "homework.Assignment"),
        ("homework.Assignment",),
    ),
    RecordType(
        "messages",
        "Messages",
        "The message thread with the care team and its attachments.",
        ("messaging.MessageAttachment", "messaging.Message"),
        ("messaging.Message",),
    ),
)
RECORD_TYPE_KEYS = tuple(t.key for t in RECORD_TYPES)

# Always erased: working data with no record value.
ALWAYS_ERASED: tuple[str, ...] = (
    "measures.QuestionnaireDraft",
    "tracking.ActivityOption",
    "exercises.ArticleRead",
    "practices.CareTeamMember",
    "practices.Invitation",
    "rights.ExportJob",
    "reminders.Reminder",
    "reminders.ReminderPreferences",
    "reminders.PushSubscription",
    # Imports in waiting and what they read (the imported records themselves are check-ins,
    # observations and questionnaires above), saved column mappings, and apps' access tokens.
    "interop.StagedRecord",
    "interop.ImportJob",
    "interop.ImportProfile",
    "interop.AccessToken",
    # The app catalog's client rows: suggestions, the readiness answers, notes on what suits
    # (working notes for choosing tools, not the clinical record).
    "catalog.Recommendation",
    "catalog.ReadinessCheck",
    "catalog.SuitabilityNote",
    # The caseload's per-client summary: numbers and dates derived from the records above.
    "insights.ClientSummary",
    # Progress report PDFs the care team asked for (the files go in views_closure, on commit).
    "insights.ReportJob",
)

# Always kept: the record of consent and of who accessed the record (append-only or audit
# evidence), the closure itself, and the keys' tombstone.
ALWAYS_KEPT: tuple[str, ...] = (
    "audit.AuditEvent",
    "consents.ConsentEvent",
    "consents.ClientPrivacy",
    "consents.BreakGlassGrant",
    "consents.ClosureRequest",
    "core.ClientDataKey",
)

_PSEUDONYM_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def _model(label: str) -> type[Model] | None:
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _rows(label: str, client: Client) -> QuerySet[Any] | None:
    model = _model(label)
    if model is None:
        return None
    return model._default_manager.filter(client_id=client.pk)


def closure_pseudonym_new() -> str:
    """ "Closed account K7Q2-M9XD": stands for the client wherever a name was shown."""
    code = "".join(secrets.choice(_PSEUDONYM_ALPHABET) for _ in range(8))
    return f"Closed account {code[:4]}-{code[4:]}"


def closure_open_request(*, client: Client) -> ClosureRequest | None:
    return (
        ClosureRequest.objects.filter(client=client, status=ClosureStatus.REQUESTED)
        .order_by("-requested_at")
        .first()
    )


@transaction.atomic
def closure_request(*, client: Client, actor: User) -> tuple[ClosureRequest, bool]:
    """The client asks to close their account. Asking twice returns the open request."""
    if client.user_id != actor.pk:
        raise ApplicationError("Only the client can ask to close their own account.")
    open_request = closure_open_request(client=client)
    if open_request is not None:
        return open_request, False
    request = ClosureRequest.objects.create(
        practice_id=client.practice_id, client=client, requested_by=actor
    )
    event_closure_requested(actor=actor, client=client)
    return request, True


def closure_record_counts(*, client: Client) -> dict[str, int]:
    """Rows per record type, for the owner deciding what to keep."""
    counts = {}
    for record_type in RECORD_TYPES:
        total = 0
        for label in record_type.counted or record_type.models:
            rows = _rows(label, client)
            total += rows.count() if rows is not None else 0
        counts[record_type.key] = total
    return counts


@transaction.atomic
def closure_confirm(
    *,
    closure: ClosureRequest,
    actor: User,
    membership: Membership,
    kept: list[str],
    retention_reason: str,
) -> ClosureRequest:
    """The owner confirms: keep `kept` record types (with the reason), erase the rest, destroy
    the client's data key, replace the client's name with a pseudonym, disable the login."""
    from interlude.practices.models import Client

    if membership.role != Role.OWNER or membership.practice_id != closure.practice_id:
        raise ApplicationError("Only the practice's owner can close an account.")
    closure = ClosureRequest.objects.select_for_update().get(pk=closure.pk)
    if closure.status != ClosureStatus.REQUESTED:
        raise ApplicationError("This request has already been dealt with.")
    unknown = sorted(set(kept) - set(RECORD_TYPE_KEYS))
    if unknown:
        raise ApplicationError("Choose only from the record types listed.", field="kept")
    kept = [key for key in RECORD_TYPE_KEYS if key in kept]
    retention_reason = retention_reason.strip()
    if kept and not retention_reason:
        raise ApplicationError(
            "Say why the practice must keep these records (for example the law or the "
            "professional rule that requires it).",
            field="retention_reason",
        )
    client = Client.objects.select_for_update().get(pk=closure.client_id)

    kept_models = [m for t in RECORD_TYPES if t.key in kept for m in t.models] + list(ALWAYS_KEPT)
    # Working data first, then the record types in reverse (alerts point at questionnaires).
    erased_models = list(ALWAYS_ERASED) + [
        m for t in reversed(RECORD_TYPES) if t.key not in kept for m in t.models
    ]
    # 1. What is kept must outlive the data key: re-encrypt it under the key ring.
    for label in kept_models:
        rows = _rows(label, client)
        if rows is not None:
            rows_to_key_ring(queryset=rows)
    # 2. Erase the rest. Links from kept rows to erased ones are cut first.
    if "alerts" in kept and "questionnaires" not in kept:
        alerts = _rows("alerts.Alert", client)
        if alerts is not None:
            alerts.update(response=None)
    if "questionnaires" not in kept:
        responses = _rows("measures.QuestionnaireResponse", client)
        if responses is not None:
            responses.update(baseline=None)
    for label in erased_models:
        rows = _rows(label, client)
        if rows is not None:
            rows.delete()
    # 3. Crypto-shred whatever was left under the data key (copies, backups of this database).
    key_id = data_key_destroy(client_id=client.pk)
    # 4. The client becomes a pseudonym; the login goes.
    pseudonym = closure_pseudonym_new()
    user = client.user
    client.full_name = pseudonym
    client.preferred_name = ""
    client.email = ""
    client.status = ClientStatus.DISCHARGED
    client.updated_by = actor
    client.save()
    if user is not None:
        _user_close(user=user, pseudonym=pseudonym)
    # 5. The record of the decision, and the audit stub.
    closure.status = ClosureStatus.CLOSED
    closure.decided_at = timezone.now()
    closure.decided_by = actor
    closure.kept = kept
    closure.retention_reason = retention_reason
    closure.pseudonym = pseudonym
    closure.save()
    event_closure_confirmed(actor=actor, client=client, pseudonym=pseudonym, kept=kept)
    if key_id is not None:
        event_data_key_destroyed(actor=actor, client=client, key_id=key_id)
    return closure


def _user_close(*, user: User, pseudonym: str) -> None:
    """Disable the login and remove what names the person: e-mail, name, second factors, and
    the sign-in limiter's records of their login name (address and browser included)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    user_sessions_end(user=user)
    Authenticator.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    for log in (AccessAttempt, AccessFailureLog, AccessLog):
        log.objects.filter(username__iexact=user.email).delete()
    code = pseudonym.rsplit(" ", 1)[-1].lower()
    user.email = f"closed-{code}@closed.invalid"
    user.full_name = pseudonym
    user.is_active = False
    user.set_unusable_password()
    user.save()
