"""Reads of the safety plan and appointments, through the gate's `CareAccess`.

Both are never hidden from the care team, whatever the client shares (the consent says so): the
safety plan is `Category.SAFETY_PLAN`, appointments `Category.CARE_RECORD`. They still read
through `access.scope(...)`, so the rule stays the gate's (consents.rules.ALWAYS_VISIBLE)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from interlude.care.models import Appointment, AppointmentStatus, SafetyPlanVersion
from interlude.care.schemas import (
    MAX_HOURS_CHARS,
    MAX_ITEMS,
    MAX_NAME_CHARS,
    MAX_PHONE_CHARS,
    SafetyPlanContent,
    Service,
    check_phone,
)
from interlude.consents.access import CareAccess, Category
from interlude.practices.models import Client, CrisisResource


def _plans(access: CareAccess) -> QuerySet[SafetyPlanVersion]:
    return access.scope(SafetyPlanVersion.objects.all(), Category.SAFETY_PLAN)


def safety_plan_current(*, access: CareAccess) -> SafetyPlanVersion | None:
    """The plan in force: the newest version, with its author. None if there is no plan yet."""
    return _plans(access).select_related("created_by").order_by("-version").first()


def safety_plan_versions(*, access: CareAccess) -> list[SafetyPlanVersion]:
    """Every version, newest first, with who saved it (contents are not decrypted)."""
    return list(_plans(access).select_related("created_by").defer("content").order_by("-version"))


def safety_plan_version_get(*, access: CareAccess, version: int) -> SafetyPlanVersion:
    """One version of this client's plan, or 404."""
    found = _plans(access).filter(version=version).select_related("created_by").first()
    if found is None:
        raise Http404
    return found


def safety_plan_content(version: SafetyPlanVersion | None) -> SafetyPlanContent:
    """The plan stored in a version (an empty plan for None)."""
    if version is None:
        return SafetyPlanContent()
    return SafetyPlanContent.model_validate_json(version.content)


def crisis_resources_for_client(*, client: Client) -> list[CrisisResource]:
    """The crisis lines the client's practice lists for the client's country, emergency first."""
    return sorted(
        CrisisResource.objects.filter(practice_id=client.practice_id, country=client.country),
        key=lambda r: (not r.is_emergency, r.position, r.name),
    )


def safety_plan_suggested_services(*, resources: list[CrisisResource]) -> list[Service]:
    """Suggested lines for "Professionals and services" in a new plan: the practice's crisis
    lines for the client's country, the emergency number last. A number the plan would not
    accept (letters in it, too long) is left for the person to fill in."""
    suggestions = []
    for r in sorted(resources, key=lambda r: r.is_emergency):
        phone = " ".join(r.phone.split())
        try:
            check_phone(phone)
        except ValueError:
            phone = ""
        if len(phone) > MAX_PHONE_CHARS:
            phone = ""  # never shorten a number: a cut-off number rings someone else
        suggestions.append(
            Service(name=r.name[:MAX_NAME_CHARS], phone=phone, hours=r.hours[:MAX_HOURS_CHARS])
        )
    return suggestions[:MAX_ITEMS]


def appointment_list(*, access: CareAccess) -> list[Appointment]:
    """Every appointment of the client, oldest first (with the clinician's name loaded)."""
    return list(
        access.scope(Appointment.objects.all(), Category.CARE_RECORD)
        .select_related("clinician__user")
        .order_by("starts_at")
    )


def appointment_last_attended(
    *, client: Client, before: datetime | None = None
) -> Appointment | None:
    """The most recent past session that was not cancelled ("since your last session")."""
    before = before or timezone.now()
    return (
        Appointment.objects.filter(client=client, starts_at__lt=before)
        .exclude(status__in=[AppointmentStatus.CANCELLED, AppointmentStatus.MISSED])
        .order_by("-starts_at")
        .first()
    )


def appointment_next(*, client: Client, after: datetime | None = None) -> Appointment | None:
    after = after or timezone.now()
    return (
        Appointment.objects.filter(
            client=client, starts_at__gte=after, status=AppointmentStatus.SCHEDULED
        )
        .select_related("clinician__user")
        .order_by("starts_at")
        .first()
    )
