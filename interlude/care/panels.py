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


# --- the treatment plan and session notes (care/views_plan.py, care/views_notes.py) ---------------
@panel_register(
    page=Page.RECORD,
    name="treatment_plan",
    title="Treatment plan",
    order=32,
    template="care/plan_record_panel.html",
)
def record_treatment_plan(access: CareAccess, **ctx: Any) -> dict[str, Any]:
    from interlude.care.views_plan import plan_panel_context

    return plan_panel_context(access=access, definitions=ctx.get("definitions"))


@panel_register(
    page=Page.RECORD,
    name="session_notes",
    title="Session notes",
    order=34,
    template="care/notes_record_panel.html",
)
def record_session_notes(access: CareAccess, **ctx: Any) -> dict[str, Any] | None:
    """For the care team only (and an owner reading under emergency access)."""
    from interlude.care.views_notes import notes_panel_context

    return notes_panel_context(access=access)


@panel_register(
    page=Page.BRIEF,
    name="treatment_plan",
    title="Goals",
    order=55,
    template="care/plan_brief_panel.html",
    region="right",
)
def brief_treatment_plan(access: CareAccess, **ctx: Any) -> dict[str, Any] | None:
    """The active goals with their progress and latest GAS review; nothing when there are none."""
    from interlude.care.views_plan import plan_panel_context

    context = plan_panel_context(access=access)
    return context if context["plan_goals"] else None
