"""The care app's panel on the client record (core.panels): appointments; and its timeline
source: sessions and safety plan versions. What clinicians record themselves and the safety plan
are never hidden by the client's sharing choices (the consent says so)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from interlude.care.calendar_selectors import appointment_next_soon
from interlude.care.models import Appointment, AppointmentStatus, SafetyPlanVersion
from interlude.care.views_appointments import appointments_panel_context
from interlude.consents.access import CareAccess, Category
from interlude.core.panels import Page, panel_register
from interlude.core.timeline import TimelineItem, timeline_source_register


@panel_register(
    page=Page.RECORD,
    name="appointments",
    title="Appointments",
    order=30,
    template="care/_record_appointments.html",
)
def record_appointments(access: CareAccess, **ctx: Any) -> dict[str, Any]:
    return appointments_panel_context(access=access)


@panel_register(
    page=Page.TODAY,
    name="next_appointment",
    title="Your next appointment",
    order=20,
    template="care/appointments_today.html",
)
def today_next_appointment(access: CareAccess, **ctx: Any) -> dict[str, Any] | None:
    """The client's next booked session, when it is within a week (else nothing on Today)."""
    if not access.is_self:
        return None
    upcoming = appointment_next_soon(access=access)
    return {"a": upcoming} if upcoming is not None else None


# --- the record's timeline ------------------------------------------------------------------------
@timeline_source_register(name="care", order=60, reads=(Category.CARE_RECORD, Category.SAFETY_PLAN))
def timeline_care(
    access: CareAccess, *, since: datetime, until: datetime, **ctx: Any
) -> list[TimelineItem]:
    """Sessions booked in [since, until) and safety plan versions saved in it (two queries). The
    care team's own records and the safety plan reach the care team whatever the sharing."""
    zone = since.tzinfo
    assert zone is not None
    sessions = access.scope(
        Appointment.objects.filter(starts_at__gte=since, starts_at__lt=until),
        Category.CARE_RECORD,
    ).select_related("clinician__user")
    items = [
        TimelineItem(
            day=a.starts_at.astimezone(zone).date(),
            at=a.starts_at.astimezone(zone),
            kind="appointment",
            kind_label="Session",
            title=f"Session with {a.clinician.user.get_full_name()}",
            detail=(
                f"{a.duration_minutes} minutes; {str(AppointmentStatus(a.status).label).lower()}"
            ),
        )
        for a in sessions
    ]
    versions = access.scope(
        SafetyPlanVersion.objects.filter(created_at__gte=since, created_at__lt=until),
        Category.SAFETY_PLAN,
    ).only("version", "created_at", "change_note")
    items += [
        TimelineItem(
            day=v.created_at.astimezone(zone).date(),
            at=v.created_at.astimezone(zone),
            kind="safety_plan",
            kind_label="Safety plan",
            title=f"Safety plan version {v.version} saved",
        )
        for v in versions
    ]
    return items
