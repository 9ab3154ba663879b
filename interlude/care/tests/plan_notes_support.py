"""Shared set-up for the treatment plan and session notes tests: a clinician and client (on the
care team), gate accesses for writes and reads, PHQ-9 answers with a chosen total."""

from __future__ import annotations

import re
from datetime import datetime

from django.test import Client as HttpClient

from interlude.consents.access import CareAccess, Viewer, care_access_for
from interlude.consents.models import BreakGlassGrant, ClientPrivacy
from interlude.measures.models import EnteredBy
from interlude.measures.selectors import instrument_definition_get
from interlude.measures.services import response_submit
from interlude.practices.enums import Role, ShareScope
from interlude.practices.models import Client, Membership
from tests.factories import MembershipFactory, UserFactory


def team_access(membership: Membership, client: Client) -> CareAccess:
    return care_access_for(
        client=client, user=membership.user, viewer=Viewer.CARE_TEAM, membership=membership
    )


def break_glass_access(owner: Membership, client: Client) -> CareAccess:
    return care_access_for(
        client=client, user=owner.user, viewer=Viewer.BREAK_GLASS, membership=owner
    )


def own_access(client: Client) -> CareAccess:
    return care_access_for(client=client, user=client.user, viewer=Viewer.SELF, membership=None)


def logged_in(user) -> HttpClient:  # type: ignore[no-untyped-def]
    http = HttpClient()
    http.force_login(user)
    return http


def owner_with_grant(client: Client, *, until: datetime) -> Membership:
    """An owner of the client's practice, outside the care team, with an open break-glass grant."""
    owner = MembershipFactory(
        practice=client.practice, role=Role.OWNER, user=UserFactory(mfa_exempt=True)
    )
    BreakGlassGrant.objects.create(
        practice=client.practice,
        client=client,
        user=owner.user,
        reason="Crisis call at night",
        expires_at=until,
    )
    return owner


def stop_sharing_questionnaires(client: Client) -> None:
    ClientPrivacy.objects.filter(client=client).update(
        categories={ShareScope.MEASURES.value: False}
    )


def phq9(client: Client, *, total: int, at: datetime, key: str, paper_by=None):  # type: ignore[no-untyped-def]
    """A PHQ-9 answer set with `total` (item 9 answered 0), by the client or from paper."""
    definition = instrument_definition_get(practice=client.practice, code="phq9")
    answers = [0] * definition.item_count
    left = total
    for i in range(definition.item_count - 1):
        answers[i] = min(3, left)
        left -= answers[i]
    assert left == 0
    response, _ = response_submit(
        client=client,
        actor=paper_by or client.user,
        instrument_code="phq9",
        answers=answers,
        idempotency_key=key,
        entered_by=EnteredBy.CLINICIAN if paper_by else EnteredBy.CLIENT,
        submitted_at=at,
    )
    return response


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
