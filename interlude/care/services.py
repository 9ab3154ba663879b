"""Writes for the safety plan. Every save is a new version; no version is ever changed."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from interlude.accounts.models import User
from interlude.audit.services import event_appointment_changed
from interlude.care.models import (
    Appointment,
    AppointmentModality,
    AppointmentStatus,
    SafetyPlanVersion,
)
from interlude.care.schemas import SECTIONS, ContentError, SafetyPlanContent, validate_content
from interlude.care.selectors import safety_plan_content
from interlude.core.errors import ApplicationError
from interlude.practices.models import Client, Membership


class StaleVersionError(ApplicationError):
    """The plan changed since the editor opened it: saving would overwrite someone's work.

    The API answers 409 with `current_version`; the page shows the newest version's author."""

    def __init__(self, *, base_version: int, current_version: int) -> None:
        super().__init__(
            f"The safety plan was changed while you were editing: you started from version "
            f"{base_version}, and version {current_version} is now the newest. Nothing was saved.",
            field="base_version",
        )
        self.base_version = base_version
        self.current_version = current_version


def safety_plan_content_json(content: SafetyPlanContent) -> str:
    """The stored form of a plan: compact JSON with the keys in the schema's order."""
    return json.dumps(content.model_dump(), ensure_ascii=False, separators=(",", ":"))


def _change_note(previous: SafetyPlanContent | None, new: SafetyPlanContent) -> str:
    """Which sections changed, in words (no clinical content: only our section titles)."""
    if previous is None:
        return "First version"
    changed = [
        s.title[0].lower() + s.title[1:]
        for s in SECTIONS
        if getattr(previous, s.key) != getattr(new, s.key)
    ]
    if not changed:
        return "Saved without changes"
    listed = changed[0] if len(changed) == 1 else ", ".join(changed[:-1]) + " and " + changed[-1]
    note = "Changed " + listed
    return note if len(note) <= 200 else "Changed several sections"


def safety_plan_save(
    *,
    client: Client,
    actor: User,
    content: SafetyPlanContent | dict[str, Any],
    base_version: int,
) -> SafetyPlanVersion:
    """Store `content` as the next version of the client's safety plan.

    `base_version` is the version the editor started from (0 when there was no plan). If another
    version was saved in the meantime, StaleVersionError is raised and nothing is stored. Invalid
    content raises ApplicationError naming the field (e.g. "people_to_ask.0.phone") before
    anything is encrypted or stored. The caller has authorised `actor` for `client` (the gate).
    """
    checked = validate_content(content)
    if isinstance(checked, ContentError):
        raise ApplicationError(checked.message, field=checked.field)
    if isinstance(base_version, bool) or not isinstance(base_version, int) or base_version < 0:
        raise ApplicationError(
            "base_version must be the version you started from (0 for a new plan).",
            field="base_version",
        )
    with transaction.atomic():
        # Serialise saves for this client (PostgreSQL row lock; SQLite allows one writer anyway).
        Client.objects.select_for_update().filter(pk=client.pk).values_list("pk").first()
        current = (
            SafetyPlanVersion.objects.filter(client=client).aggregate(n=Max("version"))["n"] or 0
        )
        if base_version != current:
            raise StaleVersionError(base_version=base_version, current_version=current)
        previous = (
            safety_plan_content(SafetyPlanVersion.objects.get(client=client, version=current))
            if current
            else None
        )
        version = SafetyPlanVersion(
            practice_id=client.practice_id,
            client=client,
            version=current + 1,
            content=safety_plan_content_json(checked),
            change_note=_change_note(previous, checked),
            created_by=actor,
            updated_by=actor,
        )
        try:
            with transaction.atomic():
                version.save()
        except IntegrityError:
            # Another save took this number between our read and our insert.
            raise StaleVersionError(
                base_version=base_version, current_version=current + 1
            ) from None
        if client.user_id is not None and client.user_id == actor.pk:
            Client.objects.filter(pk=client.pk).update(last_activity_at=timezone.now())
    return version


# --- appointments --------------------------------------------------------------------------------
def appointment_create(
    *,
    actor: User,
    client: Client,
    clinician: Membership,
    starts_at: datetime,
    duration_minutes: int = 50,
) -> Appointment:
    if starts_at.tzinfo is None:
        raise ApplicationError("Give the time with its time zone.", field="starts_at")
    if not 10 <= duration_minutes <= 240:
        raise ApplicationError("A session lasts 10 to 240 minutes.", field="duration_minutes")
    if clinician.practice_id != client.practice_id or not clinician.is_active:
        raise ApplicationError("Choose a clinician of this practice.", field="clinician")
    with transaction.atomic():
        appointment = Appointment.objects.create(
            practice=client.practice,
            client=client,
            clinician=clinician,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            created_by=actor,
            updated_by=actor,
        )
        event_appointment_changed(actor=actor, client=client, appointment=appointment)
    return appointment


def appointment_set_status(
    *, actor: User, appointment: Appointment, status: AppointmentStatus
) -> Appointment:
    with transaction.atomic():
        appointment.status = status
        appointment.updated_by = actor
        appointment.save(update_fields=["status", "updated_by", "updated_at"])
        event_appointment_changed(actor=actor, client=appointment.client, appointment=appointment)
    return appointment


# How a session happens: in person at an address, by video at a join link, or by phone. One check
# for every way in (the booking form, the change form, the demo seed).
MAX_LOCATION_CHARS = 300
MAX_JOIN_URL_CHARS = 500


def appointment_logistics_check(
    *, modality: str, location: str, join_url: str
) -> tuple[AppointmentModality, str, str]:
    """The logistics cleaned (spaces trimmed), or ApplicationError naming the field. A video link
    must be https (a client opens it from a reminder or their calendar: never a plain-http or
    `javascript:` link); an address is for sessions in person and a link for video calls only,
    so the client is never shown a place and a link that disagree."""
    try:
        kind = AppointmentModality(modality)
    except ValueError:
        raise ApplicationError(
            "Choose in person, video call or phone call.", field="modality"
        ) from None
    location, join_url = (location or "").strip(), (join_url or "").strip()
    for name, value in (("location", location), ("join_url", join_url)):
        if "\x00" in value or any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
            raise ApplicationError("Remove the unusual characters from this text.", field=name)
    if len(location) > MAX_LOCATION_CHARS:
        raise ApplicationError(
            f"Keep the address to {MAX_LOCATION_CHARS} characters.", field="location"
        )
    if location and kind != AppointmentModality.IN_PERSON:
        raise ApplicationError(
            "An address is for sessions in person: remove it, or choose In person.",
            field="location",
        )
    if kind == AppointmentModality.VIDEO:
        if not join_url:
            raise ApplicationError(
                "Enter the link the client uses to join the video call, starting with https://.",
                field="join_url",
            )
        _check_join_url(join_url)
    elif join_url:
        raise ApplicationError(
            "A join link is for video calls: remove it, or choose Video call.", field="join_url"
        )
    return kind, location, join_url


def _check_join_url(url: str) -> None:
    if len(url) > MAX_JOIN_URL_CHARS:
        raise ApplicationError(
            f"Keep the link to {MAX_JOIN_URL_CHARS} characters.", field="join_url"
        )
    if not url.lower().startswith("https://"):
        raise ApplicationError(
            "Enter a secure link that starts with https://, like https://meet.example.org/abc.",
            field="join_url",
        )
    try:
        URLValidator(schemes=["https"])(url)
    except ValidationError:
        raise ApplicationError(
            "Enter a whole link, like https://meet.example.org/abc.", field="join_url"
        ) from None
    if urlsplit(url).username is not None:
        # A password in the link would be shown to the client and copied into their calendar.
        raise ApplicationError("Remove the user name or password from the link.", field="join_url")


def appointment_logistics_set(
    *, actor: User, appointment: Appointment, modality: str, location: str, join_url: str
) -> Appointment:
    """Set how and where a session happens (audited as a change of the appointment)."""
    kind, location, join_url = appointment_logistics_check(
        modality=modality, location=location, join_url=join_url
    )
    with transaction.atomic():
        appointment.modality = kind
        appointment.location = location
        appointment.join_url = join_url
        appointment.updated_by = actor
        appointment.save(
            update_fields=["modality", "location", "join_url", "updated_by", "updated_at"]
        )
        event_appointment_changed(actor=actor, client=appointment.client, appointment=appointment)
    return appointment
