"""Demo data for care: how and where the demo sessions happen, and a session in the next days.

Called by the coordinator's seed (clinic/demo.py) after the measures seed has booked the demo
sessions. Idempotent: only sessions with no logistics yet are filled, and a session is added only
when a client has none booked in the coming week.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from interlude.care.models import Appointment, AppointmentModality, AppointmentStatus
from interlude.care.services import appointment_logistics_set
from interlude.measures.services import appointment_add  # opens its questionnaires too
from interlude.practices.enums import ClientStatus
from interlude.practices.models import CareTeamMember, Client, Practice

DEMO_ADDRESS = "Demo Practice, 200 Harbor Street, Suite 4, Boston, MA 02110"
# Example links on a reserved domain (RFC 2606): they open nothing.
DEMO_VIDEO_URL = "https://meet.example.org/interlude-demo-{n}"
# Each demo client's usual way of meeting, by position among the practice's active clients.
PATTERN = (AppointmentModality.IN_PERSON, AppointmentModality.VIDEO, AppointmentModality.PHONE)


def _logistics(modality: AppointmentModality, n: int) -> dict[str, str]:
    return {
        "modality": modality,
        "location": DEMO_ADDRESS if modality == AppointmentModality.IN_PERSON else "",
        "join_url": DEMO_VIDEO_URL.format(n=n) if modality == AppointmentModality.VIDEO else "",
    }


@transaction.atomic
def seed_demo_appointment_logistics(*, practice: Practice, now: datetime | None = None) -> int:
    """Fill modality, address or join link on the practice's demo sessions (alternating in person,
    video and phone per client, with every fourth session of an in-person client by video), and
    book a video session three days ahead, 10:00 in the client's zone, for an active client with
    none in the next week. Returns how many sessions were added or changed."""
    now = now or timezone.now()
    changed = 0
    clients = list(
        Client.objects.filter(
            practice=practice, status=ClientStatus.ACTIVE, user__isnull=False
        ).order_by("created_at", "pk")
    )
    for index, client in enumerate(clients):
        team = (
            CareTeamMember.objects.filter(client=client, membership__is_active=True)
            .select_related("membership__user")
            .order_by("-is_primary", "pk")
            .first()
        )
        if team is None:
            continue
        clinician = team.membership
        usual = PATTERN[index % len(PATTERN)]
        untouched = Appointment.objects.filter(
            client=client,
            modality=AppointmentModality.IN_PERSON,
            location="",
            join_url="",
        ).order_by("starts_at")
        for position, appointment in enumerate(untouched):
            modality = (
                AppointmentModality.VIDEO
                if usual == AppointmentModality.IN_PERSON and position % 4 == 3
                else usual
            )
            appointment_logistics_set(
                actor=clinician.user, appointment=appointment, **_logistics(modality, index + 1)
            )
            changed += 1
        soon = Appointment.objects.filter(
            client=client,
            status=AppointmentStatus.SCHEDULED,
            starts_at__gte=now,
            starts_at__lt=now + timedelta(days=7),
        ).exists()
        if soon:
            continue
        zone = ZoneInfo(client.time_zone)
        day = (now.astimezone(zone) + timedelta(days=3)).date()
        appointment = appointment_add(
            actor=clinician.user,
            client=client,
            clinician=clinician,
            starts_at=datetime.combine(day, time(10, 0), tzinfo=zone),
            duration_minutes=50,
        )
        appointment_logistics_set(
            actor=clinician.user,
            appointment=appointment,
            **_logistics(AppointmentModality.VIDEO, index + 1),
        )
        changed += 1
    return changed
