"""The capability object the gate returns: categories, scoping of rows, per-item switches."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.http import Http404

from interlude.consents.access import (
    Viewer,
    access_caseload,
    access_client,
    access_own,
    access_own_client,
)
from interlude.consents.models import BreakGlassGrant, ClientPrivacy, ConsentStatus
from interlude.consents.rules import observation_q
from interlude.exercises.models import JournalEntry
from interlude.measures.models import QuestionnaireResponse
from interlude.practices.enums import Module, Role, ShareScope
from interlude.tracking.models import CheckIn, Observation
from tests.factories import (
    CareTeamMemberFactory,
    ClientFactory,
    MembershipFactory,
    UserFactory,
    clinician_with_client,
)

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 18, 15, 0, tzinfo=UTC)


def _privacy(client, **fields):
    ClientPrivacy.objects.update_or_create(client=client, defaults=fields)


def _grant(client, *, user, reason: str) -> BreakGlassGrant:
    """A grant opened at NOW, for the usual 60 minutes."""
    return BreakGlassGrant.objects.create(
        practice=client.practice,
        client=client,
        user=user,
        reason=reason,
        expires_at=datetime(2026, 3, 18, 16, 0, tzinfo=UTC),
    )


def _journal(client, *, body: str, shared: bool) -> JournalEntry:
    return JournalEntry.objects.create(
        practice=client.practice,
        client=client,
        body=body,
        shared_at=NOW if shared else None,
        created_by=client.created_by,
        updated_by=client.created_by,
    )


def test_care_team_member_gets_a_care_access_with_the_shared_categories(request_context):
    membership, client = clinician_with_client()
    _privacy(client, categories={"imports": False})

    care = access_client(user=membership.user, client_id=client.public_id)

    assert care.viewer is Viewer.CARE_TEAM
    assert care.client == client
    assert care.membership == membership
    assert care.can_see(ShareScope.CHECKINS) is True
    assert care.can_see(ShareScope.IMPORTS) is False
    assert care.can_see(ShareScope.JOURNAL) is False  # the project default keeps it private
    assert care.hidden_categories() == [ShareScope.JOURNAL, ShareScope.IMPORTS]


def test_the_client_reading_themselves_sees_every_category(request_context):
    _membership, client = clinician_with_client()
    _privacy(client, consent_status=ConsentStatus.WITHDRAWN, categories={"checkins": False})

    care = access_own(user=client.user)

    assert care.viewer is Viewer.SELF
    assert care.categories == frozenset(ShareScope)


def test_journal_entries_need_the_category_and_their_own_switch(request_context):
    membership, client = clinician_with_client()
    shared = _journal(client, body="shared entry", shared=True)
    _journal(client, body="private entry", shared=False)

    _privacy(client, categories={"journal": True})
    care = access_client(user=membership.user, client_id=client.public_id)
    assert list(care.scope(JournalEntry.objects.all(), ShareScope.JOURNAL)) == [shared]
    assert care.shows(shared, ShareScope.JOURNAL) is True

    _privacy(client, categories={"journal": False})
    care = access_client(user=membership.user, client_id=client.public_id)
    assert list(care.scope(JournalEntry.objects.all(), ShareScope.JOURNAL)) == []
    assert care.shows(shared, ShareScope.JOURNAL) is False

    own = access_own(user=client.user)
    assert own.scope(JournalEntry.objects.all(), ShareScope.JOURNAL).count() == 2


def test_a_check_in_note_shows_only_when_shared_and_the_category_is_on(request_context):
    membership, client = clinician_with_client()
    checkin = CheckIn(client=client, practice=client.practice, note_shared=True)
    private = CheckIn(client=client, practice=client.practice, note_shared=False)

    _privacy(client, categories={"journal": True})
    care = access_client(user=membership.user, client_id=client.public_id)
    assert care.shows(checkin, ShareScope.JOURNAL) is True
    assert care.shows(private, ShareScope.JOURNAL) is False

    _privacy(client, categories={"journal": False})
    care = access_client(user=membership.user, client_id=client.public_id)
    assert care.shows(checkin, ShareScope.JOURNAL) is False


def test_scope_never_returns_another_clients_rows(request_context):
    membership, client = clinician_with_client()
    other = ClientFactory(practice=client.practice)
    _journal(other, body="someone else", shared=True)
    _privacy(client, categories={"journal": True})

    care = access_client(user=membership.user, client_id=client.public_id)

    assert care.scope(JournalEntry.objects.all(), ShareScope.JOURNAL).count() == 0


def test_paper_answers_stay_visible_when_questionnaires_are_not_shared(request_context):
    membership, client = clinician_with_client()
    _privacy(client, categories={"measures": False})
    care = access_client(user=membership.user, client_id=client.public_id)

    sql = str(care.scope(QuestionnaireResponse.objects.all(), ShareScope.MEASURES).query)

    assert '"entered_by" = clinician' in sql.replace("'", "")


def test_observations_are_scoped_by_their_category(request_context):
    membership, client = clinician_with_client()
    _privacy(client, categories={"imports": False, "relaxation": False})
    care = access_client(user=membership.user, client_id=client.public_id)

    rows = [
        ("checkin", "tracking.checkin"),
        ("import", "interop.import"),
        ("exercise", "exercises.relaxationsession"),
        ("exercise", "exercises.sleepdiaryentry"),
    ]
    for i, (source, source_type) in enumerate(rows):
        Observation.objects.create(
            practice=client.practice,
            client=client,
            kind="mood",
            value=i,
            effective_at=NOW,
            time_zone="UTC",
            source=source,
            source_type=source_type,
            source_id=str(i),
            created_by=client.created_by,
        )

    seen = care.scope(Observation.objects.all(), ShareScope.CHECKINS)

    assert sorted(seen.values_list("source_type", flat=True)) == [
        "exercises.sleepdiaryentry",
        "tracking.checkin",
    ]
    assert Observation.objects.filter(observation_q([ShareScope.IMPORTS])).count() == 1


@pytest.mark.parametrize("status", [ConsentStatus.PENDING, ConsentStatus.WITHDRAWN])
def test_without_consent_the_care_team_sees_only_what_never_hides(request_context, status):
    membership, client = clinician_with_client()
    _privacy(client, consent_status=status)

    care = access_client(user=membership.user, client_id=client.public_id)

    assert care.categories == {
        ShareScope.PROFILE,
        ShareScope.SAFETY_PLAN,
        ShareScope.RISK,
        ShareScope.CARE_RECORD,
        ShareScope.MESSAGES,
        ShareScope.HOMEWORK,
        ShareScope.READINESS,
    }


def test_a_client_without_a_privacy_row_has_not_consented(request_context):
    membership, client = clinician_with_client()
    ClientPrivacy.objects.filter(client=client).delete()

    care = access_client(user=membership.user, client_id=client.public_id)

    assert care.consent_status == ConsentStatus.PENDING
    assert care.can_see(ShareScope.CHECKINS) is False
    assert care.can_see(ShareScope.SAFETY_PLAN) is True


def test_sharing_with_one_clinician_and_not_another(request_context):
    alex, client = clinician_with_client()
    sam = MembershipFactory(
        practice=client.practice, role=Role.CLINICIAN, user=UserFactory(mfa_exempt=True)
    )
    CareTeamMemberFactory(client=client, membership=sam, is_primary=False)
    _privacy(client, hidden_from=[sam.pk])

    assert access_client(user=alex.user, client_id=client.public_id).can_see(ShareScope.CHECKINS)
    sams = access_client(user=sam.user, client_id=client.public_id)
    assert sams.can_see(ShareScope.CHECKINS) is False
    assert sams.can_see(ShareScope.SAFETY_PLAN) is True


def test_the_caseload_carries_each_clients_sharing(request_context):
    membership, shares = clinician_with_client()
    withheld = ClientFactory(practice=membership.practice, full_name="Zed Withheld")
    CareTeamMemberFactory(client=withheld, membership=membership)
    _privacy(withheld, categories={"checkins": False})

    rows = {a.client.pk: a for a in access_caseload(user=membership.user, membership=membership)}

    assert rows[shares.pk].can_see(ShareScope.CHECKINS) is True
    assert rows[withheld.pk].can_see(ShareScope.CHECKINS) is False


def test_a_switched_off_module_is_a_404_for_the_client(request_context):
    _membership, client = clinician_with_client()
    _privacy(client, modules_off=[Module.JOURNAL.value])

    with pytest.raises(Http404):
        access_own(user=client.user, module=Module.JOURNAL)
    with pytest.raises(Http404):
        access_own_client(user=client.user, module=Module.JOURNAL)
    assert access_own(user=client.user, module=Module.CHECKINS).module_on(Module.CHECKINS)
    assert access_own_client(user=client.user, module=Module.CHECKINS) == client


def test_break_glass_lets_an_owner_in_for_the_grant_only(request_context):
    _membership, client = clinician_with_client()
    owner = MembershipFactory(
        practice=client.practice, role=Role.OWNER, user=UserFactory(mfa_exempt=True)
    )
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(Http404):
            access_client(user=owner.user, client_id=client.public_id)
        _grant(client, user=owner.user, reason="client unreachable after a risk answer")
        care = access_client(user=owner.user, client_id=client.public_id)
        assert care.viewer is Viewer.BREAK_GLASS
        assert care.can_see(ShareScope.SAFETY_PLAN) is True
    later = datetime(2026, 3, 18, 16, 0, 1, tzinfo=UTC)
    with time_machine.travel(later, tick=False), pytest.raises(Http404):
        access_client(user=owner.user, client_id=client.public_id)


def test_a_grant_for_a_clinician_who_is_not_an_owner_opens_nothing(request_context):
    _membership, client = clinician_with_client()
    other = MembershipFactory(
        practice=client.practice, role=Role.CLINICIAN, user=UserFactory(mfa_exempt=True)
    )
    with time_machine.travel(NOW, tick=False):
        _grant(client, user=other.user, reason="not allowed")
        with pytest.raises(Http404):
            access_client(user=other.user, client_id=client.public_id)


def test_break_glass_reads_but_never_writes(request_context):
    _membership, client = clinician_with_client()
    owner = MembershipFactory(
        practice=client.practice, role=Role.OWNER, user=UserFactory(mfa_exempt=True)
    )
    with time_machine.travel(NOW, tick=False):
        _grant(client, user=owner.user, reason="client unreachable after a risk answer")
        assert access_client(user=owner.user, client_id=client.public_id).viewer is (
            Viewer.BREAK_GLASS
        )
        with pytest.raises(Http404):
            access_client(user=owner.user, client_id=client.public_id, for_write=True)
