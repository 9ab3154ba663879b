"""Reads about practices and people. Client *data* is read through access.py, not here."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import Http404

from interlude.accounts.models import User
from interlude.practices.enums import ClientStatus, InvitationKind, Role
from interlude.practices.models import (
    CareTeamMember,
    Client,
    CrisisResource,
    Invitation,
    Membership,
    Practice,
)
from interlude.practices.timezones import COUNTRY_NAMES

if TYPE_CHECKING:
    from interlude.insights.selectors_caseload import CaseloadRow


def membership_active_for(*, user: User) -> Membership | None:
    """The membership a staff user works under (one practice per login for now)."""
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.select_related("practice")
        .filter(user=user, is_active=True)
        .order_by("created_at")
        .first()
    )


def membership_list(*, practice: Practice) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(practice=practice)
        .select_related("user")
        .order_by("-is_active", "user__full_name")
    )


def membership_get(*, practice: Practice, membership_id: int) -> Membership:
    """A membership of this practice, or 404: ids from another practice are out of reach."""
    membership = (
        Membership.objects.filter(pk=membership_id, practice=practice)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def crisis_resource_get(*, practice: Practice, resource_id: int) -> CrisisResource:
    resource = CrisisResource.objects.filter(pk=resource_id, practice=practice).first()
    if resource is None:
        raise Http404
    return resource


def clinician_list(*, practice: Practice) -> QuerySet[Membership]:
    return membership_list(practice=practice).filter(
        is_active=True, role__in=[Role.OWNER, Role.CLINICIAN]
    )


def invitation_pending_staff_list(*, practice: Practice) -> list[Invitation]:
    """Team invitations not yet accepted. Client invitations stay on each client's record."""
    invitations = Invitation.objects.filter(
        practice=practice,
        kind=InvitationKind.STAFF,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).select_related("created_by")
    return [i for i in invitations if not i.is_expired]


def crisis_resource_list(*, practice: Practice) -> list[CrisisResource]:
    """Every crisis resource of the practice, by country (for its settings page)."""
    return list(CrisisResource.objects.filter(practice=practice))


# --- shaping data already loaded through the gate ------------------------------------------------
def caseload_rows(
    *, rows: Sequence[CaseloadRow], status: str, sort: str, attention: bool = False
) -> list[CaseloadRow]:
    """Filter and sort the caseload overview (insights.selectors_caseload), with no queries.

    Default order is by need: an open critical alert, an open high alert, not on track, at risk,
    other open alerts, an overdue questionnaire, no check-in for a while, then everyone else;
    within a group the more severe first, then by name.

    There is no name search here on purpose: names must not travel in URLs (SR-26); the page
    filters the rows it already shows, in the browser.
    """
    shown = list(rows)
    if not status:
        # The working caseload: everyone not yet discharged.
        shown = [r for r in shown if r.client.status != ClientStatus.DISCHARGED]
    elif status != "all":
        shown = [r for r in shown if r.client.status == status]
    if attention:
        shown = [r for r in shown if r.needs_attention]

    def name(r: CaseloadRow) -> str:
        return r.client.full_name.casefold()

    if sort == "activity":
        # Most recent first; never-active clients last.
        return sorted(
            shown,
            key=lambda r: (
                r.client.last_activity_at is None,
                -(r.client.last_activity_at.timestamp() if r.client.last_activity_at else 0),
                name(r),
            ),
        )
    if sort == "status":
        order = {s: i for i, s in enumerate(ClientStatus.values)}
        return sorted(shown, key=lambda r: (order.get(r.client.status, 99), name(r)))
    if sort == "name":
        return sorted(shown, key=name)
    return sorted(shown, key=lambda r: (r.need, r.severity_key, name(r)))


def client_record_context(*, client: Client) -> dict[str, Any]:
    """What the client record page shows about a client already authorised by the gate."""
    care_team = list(
        CareTeamMember.objects.filter(client=client)
        .select_related("membership__user")
        .order_by("-is_primary", "membership__user__full_name")
    )
    pending = (
        Invitation.objects.filter(client=client, accepted_at__isnull=True, revoked_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    return {
        "client": client,
        "care_team": care_team,
        "pending_invitation": pending if pending and not pending.is_expired else None,
        "expired_invitation": pending if pending and pending.is_expired else None,
    }


def care_team_for_client(*, client: Client) -> list[CareTeamMember]:
    return list(
        CareTeamMember.objects.filter(client=client, membership__is_active=True)
        .select_related("membership__user")
        .order_by("-is_primary", "membership__user__full_name")
    )


DEFAULT_CRISIS_RESOURCES = Path(__file__).parent / "data" / "crisis_resources.json"


def crisis_resources_default(*, practice: Practice | None = None) -> list[CrisisResource]:
    """The shipped crisis resources as unsaved rows (for a new practice, or as a fallback)."""
    data = json.loads(DEFAULT_CRISIS_RESOURCES.read_text())
    return [
        CrisisResource(
            practice=practice,
            country=r["country"],
            name=r["name"],
            description=r.get("description", ""),
            phone=r.get("phone", ""),
            sms=r.get("sms", ""),
            url=r.get("url", ""),
            hours=r.get("hours", ""),
            is_emergency=r.get("is_emergency", False),
            position=i,
            last_verified=date.fromisoformat(r["verified"]) if r.get("verified") else None,
        )
        for i, r in enumerate(data["resources"])
    ]


def crisis_resources_for_request(
    *, user: User, practice: Practice | None, country: str
) -> dict[str, Any]:
    """Crisis resources for whoever asks: a client's practice and country, a staff member's
    practice, or the shipped defaults for someone not signed in."""
    client = getattr(user, "client_profile", None) if user.is_authenticated else None
    if client is not None:
        practice = client.practice
        country = country.upper() or client.country
    rows = list(CrisisResource.objects.filter(practice=practice)) if practice is not None else []
    if practice is not None:
        country = country.upper() or practice.country
    else:
        country = country.upper() or "US"
    if not rows:
        # A practice that has not set up its list yet still shows the shipped numbers.
        rows = crisis_resources_default()
    codes = sorted({r.country for r in rows})
    countries = sorted(((c, COUNTRY_NAMES.get(c, c)) for c in codes), key=lambda cn: cn[1])
    chosen = sorted(
        (r for r in rows if r.country == country),
        key=lambda r: (not r.is_emergency, r.position, r.name),
    )
    # A country with no entries shows none rather than another country's numbers; the page then
    # says to call the local emergency number and offers the countries we do have.
    return {
        "resources": chosen,
        "emergency": next((r for r in chosen if r.is_emergency), None),
        "country": country,
        "countries": countries,
    }
