"""Reads for appointments in calendars: the client's own list and `.ics` download, and a
clinician's private feed (ADR 0022).

What an event says depends on where it goes. The client's own download names their clinician
and carries the address or join link: it goes to the client's own calendar. A clinician's feed is
synced by a calendar app to servers the practice does not control, so each event says only the
client's initials (or the practice's label), the time, the length and the modality: no name, no
email, no address, no join link, no clinical text.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.http import Http404
from django.utils import timezone

from interlude.care.ics import IcsEvent
from interlude.care.models import (
    Appointment,
    AppointmentModality,
    AppointmentStatus,
    CalendarFeed,
    PracticeCalendarSettings,
)
from interlude.care.selectors import appointment_list
from interlude.consents.access import CareAccess, Category, access_caseload
from interlude.core.errors import SecondFactorRequired
from interlude.practices.enums import Role
from interlude.practices.models import Membership

# The feed's window: a month back (this week's and last week's sessions stay put) to a year ahead.
FEED_PAST = timedelta(days=30)
FEED_AHEAD = timedelta(days=366)
# "Your next appointment" shows on Today when the session is this close.
TODAY_AHEAD = timedelta(days=7)
# How many past sessions the client's page lists.
CLIENT_PAST_LIMIT = 10

MODALITY_WORDS = {
    AppointmentModality.IN_PERSON: "In person",
    AppointmentModality.VIDEO: "Video call",
    AppointmentModality.PHONE: "Phone call",
}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def client_initials(full_name: str) -> str:
    """ "Jordan Ellis" -> "J.E.": the first letter of the first and last word (never more, so a
    long name does not become a recognisable string of letters)."""
    words = [w for w in full_name.split() if any(ch.isalpha() for ch in w)]
    if not words:
        return "Client"
    picked = words if len(words) == 1 else [words[0], words[-1]]
    return "".join(next(ch for ch in w if ch.isalpha()).upper() + "." for w in picked)


def calendar_event_label(*, practice_id: int) -> str:
    """The practice's label for feed events ("" means the client's initials)."""
    found = (
        PracticeCalendarSettings.objects.filter(practice_id=practice_id)
        .values_list("event_label", flat=True)
        .first()
    )
    return found or ""


def appointment_sequence(appointment: Appointment) -> int:
    """RFC 5545 SEQUENCE: seconds from booking to the last change, so every change (a new
    status, place or link) gives a higher number without a counter column."""
    return max(0, int((appointment.updated_at - appointment.created_at).total_seconds()))


def appointment_uid(appointment: Appointment, *, domain: str) -> str:
    return f"{appointment.public_id}@{domain}"


# --- the client's own appointments ---------------------------------------------------------------
@dataclass(frozen=True)
class ClientAppointments:
    upcoming: list[Appointment]  # not yet over, soonest first (cancelled ones too, marked)
    past: list[Appointment]  # over, latest first, at most CLIENT_PAST_LIMIT


def appointments_for_client(
    *, access: CareAccess, now: datetime | None = None
) -> ClientAppointments:
    """The client's sessions for their own page (access: their own, from `access_own`)."""
    now = now or timezone.now()
    rows = appointment_list(access=access)
    ended = [a for a in rows if a.starts_at + timedelta(minutes=a.duration_minutes) <= now]
    return ClientAppointments(
        upcoming=[a for a in rows if a.starts_at + timedelta(minutes=a.duration_minutes) > now],
        past=sorted(ended, key=lambda a: a.starts_at, reverse=True)[:CLIENT_PAST_LIMIT],
    )


def appointment_for_client(*, access: CareAccess, appointment_id: uuid.UUID) -> Appointment:
    """One session of this client, or 404 (another client's id answers the same as none)."""
    found = (
        access.scope(Appointment.objects.filter(public_id=appointment_id), Category.CARE_RECORD)
        .select_related("clinician__user")
        .first()
    )
    if found is None:
        raise Http404
    return found


def appointment_next_soon(
    *, access: CareAccess, now: datetime | None = None, within: timedelta = TODAY_AHEAD
) -> Appointment | None:
    """The next booked session starting within `within` (for Today), or None."""
    now = now or timezone.now()
    return (
        access.scope(
            Appointment.objects.filter(
                status=AppointmentStatus.SCHEDULED, starts_at__gte=now, starts_at__lt=now + within
            ),
            Category.CARE_RECORD,
        )
        .select_related("clinician__user")
        .order_by("starts_at")
        .first()
    )


def appointment_ics_for_client(appointment: Appointment, *, domain: str) -> IcsEvent:
    """The event for the client's own calendar: who with, and where or how to join."""
    modality = AppointmentModality(appointment.modality)
    clinician = appointment.clinician.user.get_full_name()
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    lines = [MODALITY_WORDS[modality] + "."]
    # A cancelled session keeps no way in: its link may be reused for someone else's session.
    location = appointment.location if modality == AppointmentModality.IN_PERSON else ""
    join_url = "" if cancelled or modality != AppointmentModality.VIDEO else appointment.join_url
    if join_url:
        lines.append(f"Join: {join_url}")
    return IcsEvent(
        uid=appointment_uid(appointment, domain=domain),
        starts_at=appointment.starts_at,
        duration_minutes=appointment.duration_minutes,
        summary=f"Appointment with {clinician}",
        sequence=appointment_sequence(appointment),
        cancelled=cancelled,
        location=location,
        url=join_url,
        description="\n".join(lines),
    )


# --- a clinician's private feed ------------------------------------------------------------------
def calendar_feed_find(*, token: str) -> CalendarFeed | None:
    """The live feed this token opens, or None (unknown, revoked, or its clinician gone)."""
    if not token or len(token) > 200:
        return None
    feed = (
        CalendarFeed.objects.select_related("membership__user", "membership__practice")
        .filter(token_hash=token_hash(token), revoked_at__isnull=True)
        .first()
    )
    member = feed.membership if feed is not None else None
    if (
        member is None
        or not member.is_active
        or not member.user.is_active
        or not Role(member.role).is_clinical  # an admin now: no clients to show
    ):
        return None
    return feed


def calendar_feed_active(*, membership: Membership) -> CalendarFeed | None:
    return (
        CalendarFeed.objects.filter(membership=membership, revoked_at__isnull=True)
        .order_by("-created_at")
        .first()
    )


@dataclass(frozen=True)
class FeedRead:
    events: list[IcsEvent]
    clients: int  # clients on the clinician's care teams (what the audit event counts)


def calendar_feed_events(
    *, feed: CalendarFeed, domain: str, now: datetime | None = None
) -> FeedRead:
    """The feed's events: this clinician's sessions from FEED_PAST ago to FEED_AHEAD ahead, with
    clients on their care teams, read through the gate (`access_caseload`: one audit event for
    the read, naming the clinician and how many clients). A constant number of queries however
    many sessions there are. 404 when the clinician may no longer read client data."""
    now = now or timezone.now()
    membership = feed.membership
    try:
        caseload = access_caseload(user=membership.user, membership=membership)
    except SecondFactorRequired:
        raise Http404 from None
    visible = {care.client.pk: care for care in caseload if care.can_see(Category.CARE_RECORD)}
    label = calendar_event_label(practice_id=membership.practice_id)
    rows = (
        Appointment.objects.filter(
            clinician=membership,
            client_id__in=list(visible),
            starts_at__gte=now - FEED_PAST,
            starts_at__lt=now + FEED_AHEAD,
        )
        .only(
            "public_id",
            "client_id",
            "starts_at",
            "duration_minutes",
            "status",
            "modality",
            "created_at",
            "updated_at",
        )
        .order_by("starts_at")
    )
    events = []
    for a in rows:
        care = visible[a.client_id]
        if not care.shows(a, Category.CARE_RECORD):
            continue
        modality = AppointmentModality(a.modality)
        events.append(
            IcsEvent(
                uid=appointment_uid(a, domain=domain),
                starts_at=a.starts_at,
                duration_minutes=a.duration_minutes,
                summary=label or client_initials(care.client.full_name),
                sequence=appointment_sequence(a),
                cancelled=a.status == AppointmentStatus.CANCELLED,
                description=MODALITY_WORDS[modality] + ".",
            )
        )
    return FeedRead(events=events, clients=len(caseload))
