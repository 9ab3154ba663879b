"""Reads for the Sharing page: the client's switches as the gate resolves them, the care team they
can hide from, and what each member of the care team sees because of them.

What the care team "sees" is never worked out again here: it is read from a `CareAccess` that the
gate builds for each member (`care_access_for`), so the client's list matches the clinician's pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from interlude.consents import rules
from interlude.consents.access import CLIENT_RELATED, Viewer, care_access_for
from interlude.consents.models import ClientPrivacy, ConsentStatus, PracticePrivacySettings
from interlude.practices.enums import Role, ShareScope
from interlude.practices.models import CareTeamMember, Client, Practice


@dataclass(frozen=True)
class ClinicianSharing:
    """One clinician of the care team, whether the client shares with them, and what they see."""

    membership_id: int
    name: str
    title: str
    shared: bool
    sees: tuple[ShareScope, ...]


@dataclass(frozen=True)
class SharingState:
    categories: dict[ShareScope, bool]  # the client's switches, in the Sharing page's order
    clinicians: tuple[ClinicianSharing, ...]  # the clinicians of the care team
    consent_status: str
    consent_flows: bool  # whether what the client records reaches the care team at all
    sees: tuple[ShareScope, ...]  # what a care-team member with nothing hidden sees, from the gate

    @property
    def per_clinician(self) -> bool:
        """Per-clinician switches are offered when the care team has several clinicians."""
        return len(self.clinicians) > 1

    @property
    def sees_differ(self) -> bool:
        return len({c.sees for c in self.clinicians}) > 1


def _sees(client: Client, member: CareTeamMember | None) -> tuple[ShareScope, ...]:
    user = member.membership.user if member is not None else client.user
    care = care_access_for(
        client=client,
        user=user,  # type: ignore[arg-type]  # only stored on the CareAccess, never used here
        viewer=Viewer.CARE_TEAM,
        membership=member.membership if member is not None else None,
    )
    return tuple(c for c in rules.SWITCHABLE if care.can_see(c))


def _privacy(client: Client) -> ClientPrivacy | None:
    try:
        return client.privacy
    except ClientPrivacy.DoesNotExist:
        return None


def _defaults(client: Client) -> dict[str, object]:
    try:
        return client.practice.privacy_settings.default_categories
    except PracticePrivacySettings.DoesNotExist:
        return {}


def care_team_clinicians(*, client: Client) -> list[CareTeamMember]:
    """The active clinical members of the client's care team (owners count: they see clients)."""
    return list(
        CareTeamMember.objects.filter(
            Q(membership__role=Role.CLINICIAN) | Q(membership__role=Role.OWNER),
            client=client,
            membership__is_active=True,
        )
        .select_related("membership__user")
        .order_by("-is_primary", "membership__user__full_name", "membership_id")
    )


def sharing_for_client(*, client: Client) -> SharingState:
    # Read afresh with what the gate needs (privacy row, practice defaults): a client object
    # loaded before a change would otherwise carry the old switches.
    client = Client.objects.select_related(*CLIENT_RELATED).get(pk=client.pk)
    privacy = _privacy(client)
    categories = rules.sharing_choices(
        practice_defaults=_defaults(client),
        client_choices=privacy.categories if privacy else {},
    )
    status = privacy.consent_status if privacy else ConsentStatus.PENDING
    hidden = set(privacy.hidden_from) if privacy else set()
    members = care_team_clinicians(client=client)
    clinicians = tuple(
        ClinicianSharing(
            membership_id=m.membership_id,
            name=m.membership.user.get_full_name(),
            title=m.membership.title,
            shared=m.membership_id not in hidden,
            sees=_sees(client, m),
        )
        for m in members
    )
    return SharingState(
        categories=categories,
        clinicians=clinicians,
        consent_status=status,
        consent_flows=status in rules.CONSENT_FLOWS,
        sees=_sees(client, None),
    )


def sharing_defaults_for_practice(*, practice: Practice) -> dict[ShareScope, bool]:
    """The practice's defaults for new clients, each resolved (the project's default where the
    practice has not chosen)."""
    settings = PracticePrivacySettings.objects.filter(practice=practice).first()
    return rules.sharing_choices(
        practice_defaults=settings.default_categories if settings else {}, client_choices={}
    )


@dataclass(frozen=True)
class ExportPolicy:
    """What a client's data download holds: the session notes, or the practice's exemption."""

    includes_session_notes: bool
    exemption: str


def export_policy_for_practice(*, practice: Practice) -> ExportPolicy:
    """The practice's setting for clients' data downloads (notes included until it says not)."""
    settings = PracticePrivacySettings.objects.filter(practice=practice).first()
    if settings is None:
        return ExportPolicy(includes_session_notes=True, exemption="")
    return ExportPolicy(
        includes_session_notes=settings.export_includes_session_notes,
        exemption=settings.export_exemption,
    )


@dataclass(frozen=True)
class ConsentRecord:
    """A client's consent and sharing choices as a whole, for other systems (FHIR Consent)."""

    status: str
    at: datetime | None
    version: int | None
    choices: dict[ShareScope, bool]  # the switchable categories, in the Sharing page's order
    always_shared: tuple[ShareScope, ...]  # what never hides from the care team


def consent_record_for_client(*, client: Client) -> ConsentRecord:
    # Read afresh: a client object loaded before a change would carry the old switches.
    client = Client.objects.select_related(*CLIENT_RELATED).get(pk=client.pk)
    privacy = _privacy(client)
    return ConsentRecord(
        status=privacy.consent_status if privacy else ConsentStatus.PENDING,
        at=privacy.consent_at if privacy else None,
        version=privacy.consent_version if privacy else None,
        choices=rules.sharing_choices(
            practice_defaults=_defaults(client),
            client_choices=privacy.categories if privacy else {},
        ),
        always_shared=tuple(sorted(rules.ALWAYS_VISIBLE, key=lambda c: c.value)),
    )
