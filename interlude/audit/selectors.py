"""Reads of the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, Case, Count, Max, Min, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate

from interlude.audit.enums import AuditAction, AuditOutcome
from interlude.audit.models import AuditEvent

# What a read touched, in the words a client uses, keyed by the scope the gate records
# (`practices.enums.ShareScope` values; audit imports no domain app). Listed in this order.
_SCOPE_WORDING: dict[str, str] = {
    "measures": "questionnaire scores",
    "checkins": "check-ins and mood",
    "journal": "journal and worksheets",
    "profile": "your profile and safety plan",
    "imports": "data from other apps",
    "messages": "messages",
    "worksheets": "worksheets",
    "relaxation": "relaxation practice",
    "homework": "homework",
    "readiness": "your answers about apps and devices",
    "care_record": "appointments, session notes and your treatment plan",
}
_REPORT_WORDING = "a progress report (printed or downloaded)"
_ALERT_WORDING = "an alert about your answers"
_SEEN_ORDER = [*_SCOPE_WORDING.values(), _ALERT_WORDING, _REPORT_WORDING]
# Reads of the record: counted as "looked at your information N times".
_READS = (
    AuditAction.CLIENT_RECORD_VIEWED,
    AuditAction.ALERT_VIEWED_AS_RECIPIENT,
    AuditAction.BREAK_GLASS_VIEWED,
)
# Emergency access by a practice owner outside the care team: the group is flagged and the page
# says so in plain words ("opened your record in an emergency"), not as one more thing they did.
_EMERGENCY = (AuditAction.BREAK_GLASS_OPENED, AuditAction.BREAK_GLASS_VIEWED)

# Things someone did to the record besides reading it, told to the client whose record it is.
_CLIENT_WORDING: dict[str, str] = {
    AuditAction.CLIENT_CREATED: "added you to the practice",
    AuditAction.INVITATION_SENT: "sent you an invitation",
    AuditAction.INVITATION_REVOKED: "cancelled an invitation to you",
    AuditAction.CARE_TEAM_CHANGED: "changed who is on your care team",
    AuditAction.QUESTIONNAIRE_SCHEDULED: "set up a questionnaire for you",
    AuditAction.QUESTIONNAIRE_SCHEDULE_ENDED: "stopped a questionnaire",
    AuditAction.QUESTIONNAIRE_SUBMITTED: "entered your answers from a paper questionnaire",
    AuditAction.APPOINTMENT_CHANGED: "added or changed an appointment",
    AuditAction.ALERT_ACKNOWLEDGED: "saw an alert about your answers",
    AuditAction.ALERT_RESOLVED: "closed an alert about your answers",
    AuditAction.ALERT_HANDED_OVER: "passed an alert about your answers to another clinician",
}

OUTSIDE_CARE_TEAM = "Someone outside your care team"
HISTORY_PAGE_SIZE = 20


@dataclass(frozen=True)
class AccessHistoryGroup:
    """Everything one person did with a client's record on one of the client's local days."""

    day: date
    who: str
    refused: bool
    seen: tuple[str, ...]  # what was read, plain words, in a fixed order
    did: tuple[str, ...]  # other things done to the record, plain words
    times: int  # reads (or refused attempts) that day
    first: datetime  # in the client's time zone
    last: datetime
    emergency: bool = False  # an owner outside the care team, under emergency access


@dataclass(frozen=True)
class AccessHistoryPage:
    groups: list[AccessHistoryGroup]
    page: Page[Any]


def _history_events(*, client_id: int, client_user_id: int | None) -> QuerySet[AuditEvent]:
    """Events about the client done by a person other than the client.

    The client's own actions never appear (so nothing a client does adds a row to their own
    history), nor do the system's (an alert raised is not someone seeing the record)."""
    events = AuditEvent.objects.filter(client_id=client_id, actor__isnull=False)
    if client_user_id is not None:
        events = events.exclude(actor_id=client_user_id)
    return events.annotate(
        refused=Case(
            When(outcome=AuditOutcome.DENIED, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def _seen(action: str, detail: dict[str, Any]) -> list[str]:
    if action == AuditAction.REPORT_EXPORTED:
        return [_REPORT_WORDING]
    if action == AuditAction.ALERT_VIEWED_AS_RECIPIENT:
        return [_ALERT_WORDING]
    if action not in (AuditAction.CLIENT_RECORD_VIEWED, AuditAction.BREAK_GLASS_VIEWED):
        return []
    scopes = detail.get("scopes") or ([detail["scope"]] if "scope" in detail else [])
    return [_SCOPE_WORDING.get(str(s), "your record") for s in scopes] or ["your record"]


def _label(action: str) -> str:
    """A new action nobody has worded for clients yet still says something true."""
    label = AuditAction(action).label if action in AuditAction.values else action
    return label[:1].lower() + label[1:]


def _in_order(seen: set[str]) -> tuple[str, ...]:
    return tuple(s for s in _SEEN_ORDER if s in seen) + tuple(sorted(seen - set(_SEEN_ORDER)))


def audit_access_history_for_client(
    *,
    client_id: int,
    client_user_id: int | None,
    care_team_user_ids: set[int],
    time_zone: str,
    page_number: int = 1,
    per_page: int = HISTORY_PAGE_SIZE,
) -> AccessHistoryPage:
    """Who has seen a client's information: one group per person and client-local day, newest
    first, paged. Three queries whatever the length of the history (count, page, details).

    A refused request by someone not on the care team is told without their name or email: the
    client learns that someone tried, not who works where."""
    zone = ZoneInfo(time_zone)
    events = _history_events(client_id=client_id, client_user_id=client_user_id).annotate(
        day=TruncDate("occurred_at", tzinfo=zone)
    )
    grouped = (
        events.values("actor_id", "actor__full_name", "actor__email", "day", "refused")
        .annotate(
            total=Count("id"),
            reads=Count("id", filter=Q(action__in=_READS)),
            first=Min("occurred_at"),
            last=Max("occurred_at"),
        )
        .order_by("-day", "-last", "actor_id")
    )
    page = Paginator(grouped, per_page).get_page(page_number)
    rows = list(page.object_list)
    if not rows:
        return AccessHistoryPage(groups=[], page=page)

    # What each group saw and did: the distinct (action, detail) pairs of the page's groups only.
    details: dict[tuple[int, date, bool], list[tuple[str, dict[str, Any]]]] = {}
    for d in (
        events.filter(
            actor_id__in={r["actor_id"] for r in rows},
            occurred_at__gte=min(r["first"] for r in rows),
            occurred_at__lte=max(r["last"] for r in rows),
        )
        .values("actor_id", "day", "refused", "action", "detail")
        .order_by()
        .distinct()
    ):
        key = (d["actor_id"], d["day"], d["refused"])
        details.setdefault(key, []).append((d["action"], d["detail"] or {}))

    groups = []
    for r in rows:
        seen: set[str] = set()
        did: list[str] = []
        emergency = False
        for action, detail in details.get((r["actor_id"], r["day"], r["refused"]), []):
            emergency = emergency or action in _EMERGENCY
            read = _seen(action, detail)
            seen.update(read)
            wording = _CLIENT_WORDING.get(action) or ("" if read else _label(action))
            if action in _EMERGENCY:
                wording = ""
            if wording and wording not in did:
                did.append(wording)
        anonymous = r["refused"] and r["actor_id"] not in care_team_user_ids
        groups.append(
            AccessHistoryGroup(
                day=r["day"],
                who=OUTSIDE_CARE_TEAM
                if anonymous
                else (r["actor__full_name"] or r["actor__email"]),
                refused=r["refused"],
                seen=() if r["refused"] else _in_order(seen),
                did=() if r["refused"] else tuple(sorted(did)),
                times=r["total"] if r["refused"] else r["reads"],
                first=r["first"].astimezone(zone),
                last=r["last"].astimezone(zone),
                emergency=emergency and not r["refused"],
            )
        )
    return AccessHistoryPage(groups=groups, page=page)


def audit_event_count(*, action: AuditAction, client_id: int | None = None) -> int:
    qs = AuditEvent.objects.filter(action=action)
    if client_id is not None:
        qs = qs.filter(client_id=client_id)
    return qs.count()
