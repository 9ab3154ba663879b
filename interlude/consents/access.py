"""The gate: the only way to load a client's data (DESIGN.md, "The gate").

Every helper authorises and loads in one step, answers 404 for anything out of reach (never a
403 that would confirm the record exists), and audits every read by someone other than the
client in the same transaction as the read: if the audit write fails, nothing is returned.

What comes back is a `CareAccess`: the client, the viewer, how they reach the record, and the
categories they may see right now (consent, sharing, care team, module switches, break-glass).
Selectors ask it (`access.can_see(...)`, `access.scope(qs, ...)`, `access.shows(obj, ...)`)
instead of re-deriving a privacy rule; the rules themselves are in `consents.rules`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from interlude.accounts.models import User
from interlude.accounts.selectors import user_has_second_factor
from interlude.audit.services import (
    event_break_glass_viewed,
    event_caseload_viewed,
    event_client_access_denied,
    event_client_record_viewed,
)
from interlude.consents import rules
from interlude.consents.models import (
    BreakGlassGrant,
    ClientPrivacy,
    ConsentStatus,
    PracticePrivacySettings,
)
from interlude.core.errors import SecondFactorRequired
from interlude.practices.enums import Module, Role, ShareScope
from interlude.practices.models import CareTeamMember, Client, Membership

M = TypeVar("M", bound=Model)

# The name selectors use for what the gate scopes: the categories of a client's record.
Category = ShareScope


class Viewer(StrEnum):
    SELF = "self"  # the client, reading their own record
    CARE_TEAM = "care_team"  # a clinician (or owner) on the client's care team
    BREAK_GLASS = "break_glass"  # an owner outside the care team, for 60 minutes, with a reason


@dataclass(frozen=True)
class CareAccess:
    """What one viewer may see of one client's record, right now. Made only by the gate."""

    client: Client
    user: User
    viewer: Viewer
    membership: Membership | None
    categories: frozenset[ShareScope]
    modules_off: frozenset[str] = frozenset()
    consent_status: str = ConsentStatus.PENDING
    break_glass: BreakGlassGrant | None = field(default=None, compare=False)

    @property
    def is_self(self) -> bool:
        return self.viewer is Viewer.SELF

    def can_see(self, category: ShareScope) -> bool:
        """Whether this viewer may see this category of the record at all."""
        return category in self.categories

    def not_shared(self, category: ShareScope) -> bool:
        """For pages: the category exists but this viewer is not shown it ("not shared")."""
        return not self.can_see(category)

    def scope(self, qs: QuerySet[M], category: ShareScope) -> QuerySet[M]:
        """`qs` narrowed to this client and to what this viewer may see of `category`: nothing
        when the category is not shared (except rows the care team recorded themselves), and
        only items whose own switch is on where one exists (journal entries, check-in notes)."""
        qs = qs.filter(client_id=self.client.pk)
        label = qs.model._meta.label
        if self.is_self:
            return qs
        if label == "tracking.Observation":
            return qs.filter(
                rules.observation_q(self.categories) if self.can_see(category) else Q(pk__in=[])
            )
        imported = rules.IMPORTED_ROWS.get(label)
        rule = rules.ITEM_RULES.get((label, category))
        own = rule.q if rule is not None else Q()
        if not self.can_see(category):
            kept = rules.CARE_RECORDED.get((label, category))
            shown = kept if kept is not None else Q(pk__in=[])
        else:
            shown = own
        if imported is not None:
            # Rows from another app follow "imported app data", not their kind's category.
            shown = (shown & ~imported.q) | (
                (imported.q & own) if self.can_see(Category.IMPORTS) else Q(pk__in=[])
            )
        return qs.filter(shown)

    def shows(self, obj: Any, category: ShareScope) -> bool:
        """Whether this viewer may see one loaded row (or its field) of `category`: the category
        must be visible and, where the item has a switch of its own, that switch on."""
        if self.is_self:
            return True
        imported = rules.IMPORTED_ROWS.get(obj._meta.label)
        if imported is not None and imported.test(obj):
            category_seen = self.can_see(Category.IMPORTS)
        else:
            category_seen = self.can_see(category)
        if not category_seen:
            return False
        rule = rules.ITEM_RULES.get((obj._meta.label, category))
        return rule.test(obj) if rule is not None else True

    def module_on(self, module: Module) -> bool:
        return module.value not in self.modules_off

    def hidden_categories(self) -> list[ShareScope]:
        """The switchable categories this viewer is not shown, in the Sharing page's order."""
        return [c for c in rules.SWITCHABLE if not self.can_see(c)]


def require_second_factor(user: User) -> None:
    if not user_has_second_factor(user=user):
        raise SecondFactorRequired


def clinical_memberships(user: User) -> list[Membership]:
    return [
        m for m in Membership.objects.filter(user=user, is_active=True) if Role(m.role).is_clinical
    ]


def _privacy_of(client: Client) -> ClientPrivacy | None:
    # Loaded with the client (select_related("privacy")) by the gate's queries: no extra query.
    try:
        return client.privacy
    except ClientPrivacy.DoesNotExist:
        return None


def _defaults_of(client: Client) -> dict[str, Any]:
    try:
        settings = client.practice.privacy_settings
    except PracticePrivacySettings.DoesNotExist:
        return {}
    return dict(settings.default_categories)


# What the gate loads with a client so that building its CareAccess costs no query.
CLIENT_RELATED = ("practice", "user", "privacy", "practice__privacy_settings")


def _build(
    *,
    client: Client,
    user: User,
    viewer: Viewer,
    membership: Membership | None,
    privacy: ClientPrivacy | None,
    defaults: dict[str, Any],
    grant: BreakGlassGrant | None = None,
) -> CareAccess:
    status = privacy.consent_status if privacy is not None else ConsentStatus.PENDING
    choices = rules.sharing_choices(
        practice_defaults=defaults, client_choices=privacy.categories if privacy else {}
    )
    hidden = bool(
        privacy is not None and membership is not None and membership.pk in privacy.hidden_from
    )
    categories = rules.visible_categories(
        is_self=viewer is Viewer.SELF,
        consent_status=status,
        choices=choices,
        hidden_from_viewer=hidden,
    )
    return CareAccess(
        client=client,
        user=user,
        viewer=viewer,
        membership=membership,
        categories=categories,
        modules_off=frozenset(privacy.modules_off if privacy else ()),
        consent_status=status,
        break_glass=grant,
    )


def care_access_for(
    *, client: Client, user: User, viewer: Viewer, membership: Membership | None
) -> CareAccess:
    """The capability for a client the caller has already authorised (the client themself, and
    services acting for the client, such as the export worker). Reads the privacy row afresh: a
    `Client` held for a while may carry a stale one."""
    privacy = ClientPrivacy.objects.filter(client_id=client.pk).first()
    _remember_modules_off(client, privacy.modules_off if privacy is not None else [])
    return _build(
        client=client,
        user=user,
        viewer=viewer,
        membership=membership,
        privacy=privacy,
        # The client sees all of their own record: the practice's defaults do not matter.
        defaults={} if viewer is Viewer.SELF else _defaults_of(client),
    )


def care_access_for_loaded(
    *,
    client: Client,
    user: User,
    viewer: Viewer,
    membership: Membership | None,
    grant: BreakGlassGrant | None = None,
) -> CareAccess:
    """As `care_access_for`, for a client loaded with `CLIENT_RELATED` in the same query as the
    rows a list shows (the gate's own reads, the alert inbox): no query per client."""
    return _build(
        client=client,
        user=user,
        viewer=viewer,
        membership=membership,
        privacy=_privacy_of(client),
        defaults={} if viewer is Viewer.SELF else _defaults_of(client),
        grant=grant,
    )


def _active_grant(*, user: User, public_id: uuid.UUID) -> BreakGlassGrant | None:
    return (
        BreakGlassGrant.objects.select_related(*(f"client__{r}" for r in CLIENT_RELATED))
        .filter(user=user, client__public_id=public_id, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )


def access_client(
    *,
    user: User,
    client_id: uuid.UUID | str,
    scope: ShareScope | tuple[ShareScope, ...] = ShareScope.PROFILE,
    for_write: bool = False,
) -> CareAccess:
    """A client the user may see: themselves, a client on one of the user's care teams, or (for
    an owner with an open break-glass grant) a client of their practice. Break-glass is for
    reading in an emergency: with `for_write=True` (a form that changes the record) it does not
    open the record, and the caller answers 404 like any record out of reach.

    `client_id` is the client's public id. `scope` names what part of the record the caller will
    show (a tuple for a page that shows several, like the client record); it is recorded with the
    audit event. What the viewer may actually see is on the returned `CareAccess`.
    """
    if not user.is_authenticated or not user.is_active:
        raise Http404
    try:
        public_id = uuid.UUID(str(client_id))
    except ValueError:
        raise Http404 from None
    own = getattr(user, "client_profile", None)
    if own is not None and own.public_id == public_id:
        return care_access_for(client=own, user=user, viewer=Viewer.SELF, membership=None)
    memberships = clinical_memberships(user)
    team = (
        CareTeamMember.objects.select_related(
            "membership", *(f"client__{r}" for r in CLIENT_RELATED)
        )
        .filter(
            client__public_id=public_id,
            membership__in=memberships,
            client__practice_id__in=[m.practice_id for m in memberships],
        )
        .first()
    )
    if team is not None:
        client, membership = team.client, team.membership
        require_second_factor(user)
        care = care_access_for_loaded(
            client=client, user=user, viewer=Viewer.CARE_TEAM, membership=membership
        )
        with transaction.atomic():
            event_client_record_viewed(actor=user, client=client, scope=scope)
        return care
    owner_of = {m.practice_id: m for m in memberships if m.role == Role.OWNER}
    grant = _active_grant(user=user, public_id=public_id) if owner_of and not for_write else None
    if grant is not None and grant.client.practice_id in owner_of:
        require_second_factor(user)
        client = grant.client
        care = care_access_for_loaded(
            client=client,
            user=user,
            viewer=Viewer.BREAK_GLASS,
            membership=owner_of[client.practice_id],
            grant=grant,
        )
        with transaction.atomic():
            event_break_glass_viewed(
                actor=user, client=client, grant_id=str(grant.public_id), scope=scope
            )
        return care
    event_client_access_denied(
        actor=user,
        requested_client_id=str(public_id),
        reason="not on the care team",
        client=Client.objects.filter(public_id=public_id).first(),
    )
    raise Http404


class ModuleSwitchedOff(Http404):
    """The 404 for a part of the app a clinician switched off for the signed-in client (ADR
    0002: still a 404; the API answers its plain JSON 404). Raised only by `access_own` and
    `access_own_client`, so only for the signed-in client's own app: the 404 page recognises it
    (Django's `exception` is this class's name, as it carries no message) and tells the client
    why the page is not there. No other 404 is this class."""

    def __init__(self, module: Module | None = None) -> None:
        super().__init__()  # no message: see above
        self.module = module


def access_own(*, user: User, module: Module | None = None) -> CareAccess:
    """The signed-in client's own record, as a `CareAccess` that sees everything. With `module`,
    a 404 (`ModuleSwitchedOff`) when a clinician switched that part of the app off for this
    client (ADR 0002)."""
    client = access_own_client(user=user)
    care = care_access_for(client=client, user=user, viewer=Viewer.SELF, membership=None)
    if module is not None and not care.module_on(module):
        raise ModuleSwitchedOff(module)
    return care


def access_own_client(*, user: User, module: Module | None = None) -> Client:
    """The client profile of the signed-in person (clients reading their own data)."""
    client = getattr(user, "client_profile", None) if user.is_authenticated else None
    if client is None:
        raise Http404
    if module is not None:
        off = [
            m
            for row in ClientPrivacy.objects.filter(client_id=client.pk).values_list(
                "modules_off", flat=True
            )
            for m in row
        ]
        _remember_modules_off(client, off)
        if module.value in off:
            raise ModuleSwitchedOff(module)
    return client


# The switches read for this request's client, kept on the instance (`user.client_profile` lives
# as long as the request), so the tab bar does not read them again on the same page.
_MODULES_OFF_ATTR = "_interlude_modules_off"


def _remember_modules_off(client: Client, modules_off: Iterable[str]) -> None:
    setattr(client, _MODULES_OFF_ATTR, frozenset(modules_off))


def modules_off_read_this_request(client: Client) -> frozenset[str] | None:
    """The module switches the gate already read for this client instance, if it did."""
    return getattr(client, _MODULES_OFF_ATTR, None)


def access_caseload(*, user: User, membership: Membership) -> list[CareAccess]:
    """Every client on this clinician's care teams, each as a `CareAccess`. Audited once; the
    sharing state comes in the same query as the clients."""
    if membership.user_id != user.pk or not membership.is_active:
        raise Http404
    if not Role(membership.role).is_clinical:
        return []
    require_second_factor(user)
    with transaction.atomic():
        clients = list(
            Client.objects.filter(
                practice_id=membership.practice_id, care_team__membership=membership
            )
            .select_related(*CLIENT_RELATED)
            .order_by("full_name")
        )
        event_caseload_viewed(actor=user, practice=membership.practice, client_count=len(clients))
    return [
        care_access_for_loaded(client=c, user=user, viewer=Viewer.CARE_TEAM, membership=membership)
        for c in clients
    ]
