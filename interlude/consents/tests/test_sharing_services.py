"""sharing_update / sharing_defaults_update and the sharing_for_client selector."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.consents.access import Viewer, access_client, care_access_for
from interlude.consents.models import ClientPrivacy, ConsentStatus, PracticePrivacySettings
from interlude.consents.sharing_selectors import sharing_for_client
from interlude.consents.sharing_services import sharing_defaults_update, sharing_update
from interlude.core.errors import ApplicationError
from interlude.practices.enums import Role, ShareScope
from tests.factories import (
    CareTeamMemberFactory,
    ClientFactory,
    MembershipFactory,
    UserFactory,
    clinician_with_client,
)

pytestmark = pytest.mark.django_db

DEFAULTS = {
    ShareScope.CHECKINS: True,
    ShareScope.JOURNAL: False,
    ShareScope.WORKSHEETS: True,
    ShareScope.MEASURES: True,
    ShareScope.IMPORTS: True,
    ShareScope.RELAXATION: True,
}


def _sharing_events() -> list[dict]:
    return list(
        AuditEvent.objects.filter(action=AuditAction.SHARING_CHANGED)
        .order_by("seq")
        .values_list("detail", flat=True)
    )


def test_update_changes_only_the_categories_given():
    _membership, client = clinician_with_client()

    sharing_update(
        client=client, actor=client.user, categories={ShareScope.JOURNAL: True, "checkins": False}
    )

    assert sharing_for_client(client=client).categories == DEFAULTS | {
        ShareScope.JOURNAL: True,
        ShareScope.CHECKINS: False,
    }
    assert ClientPrivacy.objects.get(client=client).categories == {
        "journal": True,
        "checkins": False,
    }
    assert _sharing_events() == [
        {"changes": {"journal": True, "checkins": False}, "hidden_from": []}
    ]


def test_update_takes_effect_on_the_care_teams_next_read():
    membership, client = clinician_with_client()
    assert access_client(user=membership.user, client_id=client.public_id).can_see(
        ShareScope.CHECKINS
    )

    sharing_update(client=client, actor=client.user, categories={"checkins": False})

    care = access_client(user=membership.user, client_id=client.public_id)
    assert care.can_see(ShareScope.CHECKINS) is False
    assert care.hidden_categories() == [ShareScope.CHECKINS, ShareScope.JOURNAL]


def test_unknown_category_is_refused_by_name_and_changes_nothing():
    _, client = clinician_with_client()

    with pytest.raises(ApplicationError) as exc:
        sharing_update(
            client=client, actor=client.user, categories={"checkins": False, "diary": True}
        )

    assert exc.value.message == (
        "'diary' is not a sharing category you can switch. The categories are: checkins, "
        "journal, worksheets, measures, imports, relaxation."
    )
    assert exc.value.field == "diary"
    assert ClientPrivacy.objects.get(client=client).categories == {}
    assert _sharing_events() == []


@pytest.mark.parametrize("name", ["safety_plan", "risk", "profile", "care_record", "messages"])
def test_categories_that_never_hide_cannot_be_switched(name):
    _, client = clinician_with_client()

    with pytest.raises(ApplicationError) as exc:
        sharing_update(client=client, actor=client.user, categories={name: False})

    assert exc.value.field == name


def test_non_boolean_value_is_refused():
    _, client = clinician_with_client()

    with pytest.raises(ApplicationError) as exc:
        sharing_update(client=client, actor=client.user, categories={"journal": "yes"})

    assert exc.value.message == "'journal' must be true or false."


def test_same_choice_again_writes_no_event():
    _, client = clinician_with_client()
    sharing_update(client=client, actor=client.user, categories={"journal": True})

    sharing_update(client=client, actor=client.user, categories={"journal": True})

    assert len(_sharing_events()) == 1


def test_update_creates_the_privacy_row_when_missing():
    membership = MembershipFactory(user=UserFactory(mfa_exempt=True))
    client = ClientFactory(practice=membership.practice, user=UserFactory(), consent="none")

    sharing_update(client=client, actor=client.user, categories={"imports": False})

    row = ClientPrivacy.objects.get(client=client)
    assert (row.consent_status, row.categories) == (ConsentStatus.PENDING, {"imports": False})


def _two_clinicians():
    first, client = clinician_with_client()
    second = MembershipFactory(
        practice=first.practice, user=UserFactory(mfa_exempt=True, full_name="Zoe Second")
    )
    CareTeamMemberFactory(client=client, membership=second, is_primary=False)
    return first, second, client


def test_hiding_from_one_clinician_hides_every_switchable_category_from_them_only():
    first, second, client = _two_clinicians()

    sharing_update(client=client, actor=client.user, hidden_from=[second.pk])

    assert access_client(user=second.user, client_id=client.public_id).hidden_categories() == [
        ShareScope.CHECKINS,
        ShareScope.JOURNAL,
        ShareScope.WORKSHEETS,
        ShareScope.MEASURES,
        ShareScope.IMPORTS,
        ShareScope.RELAXATION,
    ]
    assert access_client(user=first.user, client_id=client.public_id).hidden_categories() == [
        ShareScope.JOURNAL
    ]
    state = sharing_for_client(client=client)
    assert [(c.membership_id, c.shared) for c in state.clinicians] == [
        (first.pk, True),
        (second.pk, False),
    ]
    assert state.clinicians[1].sees == ()
    assert state.sees_differ is True
    assert _sharing_events() == [{"changes": {}, "hidden_from": [second.pk]}]


def test_hidden_from_refuses_someone_not_on_the_care_team():
    _, client = clinician_with_client()
    stranger = MembershipFactory(practice=client.practice)

    with pytest.raises(ApplicationError) as exc:
        sharing_update(client=client, actor=client.user, hidden_from=[stranger.pk])

    assert exc.value.message == f"{stranger.pk} is not a clinician on your care team."
    assert ClientPrivacy.objects.get(client=client).hidden_from == []


def test_selector_sees_matches_the_gate_for_a_care_team_member():
    membership, client = clinician_with_client()
    sharing_update(
        client=client, actor=client.user, categories={"measures": False, "journal": True}
    )

    state = sharing_for_client(client=client)
    care = care_access_for(
        client=client, user=membership.user, viewer=Viewer.CARE_TEAM, membership=membership
    )

    assert state.sees == (
        ShareScope.CHECKINS,
        ShareScope.JOURNAL,
        ShareScope.WORKSHEETS,
        ShareScope.IMPORTS,
        ShareScope.RELAXATION,
    )
    assert state.sees == tuple(c for c in state.categories if care.can_see(c))
    assert state.per_clinician is False


def test_selector_sees_nothing_switchable_before_consent():
    membership = MembershipFactory(user=UserFactory(mfa_exempt=True))
    client = ClientFactory(practice=membership.practice, user=UserFactory(), consent="pending")
    CareTeamMemberFactory(client=client, membership=membership)

    state = sharing_for_client(client=client)

    assert (state.consent_flows, state.sees, state.clinicians[0].sees) == (False, (), ())
    assert state.categories == DEFAULTS


def test_selector_query_count_is_fixed_per_clinician():
    _first, _second, client = _two_clinicians()

    with CaptureQueriesContext(connection) as ctx:
        sharing_for_client(client=client)

    # The client with its privacy row and defaults, the care team, then the gate reads the
    # privacy row once for each view it builds (the two clinicians and one with nothing hidden).
    assert len(ctx.captured_queries) == 5


# --- practice defaults --------------------------------------------------------------------------
def test_defaults_reach_new_clients_and_not_those_who_answered():
    owner = MembershipFactory(role=Role.OWNER)
    answered = ClientFactory(practice=owner.practice, user=UserFactory())
    pending = ClientFactory(practice=owner.practice, user=UserFactory(), consent="pending")

    sharing_defaults_update(
        practice=owner.practice, actor=owner.user, categories={"journal": True, "imports": False}
    )

    assert PracticePrivacySettings.objects.get(practice=owner.practice).default_categories == {
        "journal": True,
        "imports": False,
    }
    assert sharing_for_client(client=pending).categories == DEFAULTS | {
        ShareScope.JOURNAL: True,
        ShareScope.IMPORTS: False,
    }
    assert sharing_for_client(client=answered).categories == DEFAULTS
    (event,) = AuditEvent.objects.filter(action=AuditAction.SHARING_DEFAULTS_CHANGED)
    assert event.detail == {
        "defaults": {
            "checkins": True,
            "journal": True,
            "worksheets": True,
            "measures": True,
            "imports": False,
            "relaxation": True,
        }
    }
    assert event.practice_id == owner.practice_id


def test_defaults_refuse_an_unknown_category():
    owner = MembershipFactory(role=Role.OWNER)

    with pytest.raises(ApplicationError) as exc:
        sharing_defaults_update(practice=owner.practice, actor=owner.user, categories={"x": True})

    assert exc.value.field == "x"
    assert not PracticePrivacySettings.objects.filter(practice=owner.practice).exists()
