"""The gate (practices/access.py): who may load which client, and the audit trail it leaves.

SR-11 (object-level authorisation), SR-29 (every read audited, denials too), SR-30 (no audit row,
no data), SR-04 (second factor before client data).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from allauth.mfa.models import Authenticator
from django.db import DatabaseError, connection
from django.http import Http404
from django.test import Client as HttpClient

from interlude.audit.enums import AuditAction, AuditOutcome
from interlude.audit.models import AuditEvent
from interlude.consents.access import access_caseload, access_client, access_own_client
from interlude.core.context import RequestContext, reset_request_context, set_request_context
from interlude.core.errors import SecondFactorRequired
from interlude.practices.enums import Role, ShareScope
from tests.factories import (
    CareTeamMemberFactory,
    ClientFactory,
    MembershipFactory,
    PracticeFactory,
    UserFactory,
    clinician_with_client,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_context() -> Iterator[RequestContext]:
    ctx = RequestContext(request_id="req4711", ip="203.0.113.7")
    token = set_request_context(ctx)
    yield ctx
    reset_request_context(token)


def _events() -> list[tuple[str, str]]:
    return list(AuditEvent.objects.order_by("seq").values_list("action", "outcome"))


def _denied_event() -> AuditEvent:
    (event,) = AuditEvent.objects.filter(action=AuditAction.CLIENT_ACCESS_DENIED)
    return event


# --- care-team clinician -------------------------------------------------------------------------
def test_care_team_clinician_gets_the_client(care_pair):
    membership, client = care_pair

    assert access_client(user=membership.user, client_id=client.public_id).client == client


def test_care_team_clinician_read_writes_exactly_one_record_viewed_event(
    care_pair, request_context
):
    membership, client = care_pair

    access_client(user=membership.user, client_id=str(client.public_id))

    (event,) = AuditEvent.objects.all()
    assert event.action == AuditAction.CLIENT_RECORD_VIEWED
    assert event.outcome == AuditOutcome.SUCCESS
    assert event.actor_id == membership.user.pk
    assert event.actor_label == membership.user.email
    assert event.client_id == client.pk
    assert event.practice_id == membership.practice_id
    assert event.object_type == "client"
    assert event.object_id == str(client.pk)
    assert event.detail == {"scope": "profile"}
    assert event.request_id == "req4711"
    assert event.ip == "203.0.113.7"
    assert event.seq == 1


def test_gate_records_the_scope_the_caller_asked_for(care_pair):
    membership, client = care_pair

    access_client(user=membership.user, client_id=client.public_id, scope=ShareScope.JOURNAL)

    assert AuditEvent.objects.get().detail == {"scope": "journal"}


def test_every_read_is_audited_separately(care_pair):
    membership, client = care_pair

    for _ in range(3):
        access_client(user=membership.user, client_id=client.public_id)

    assert _events() == [(AuditAction.CLIENT_RECORD_VIEWED, AuditOutcome.SUCCESS)] * 3


def test_owner_on_the_care_team_gets_the_client():
    practice = PracticeFactory()
    owner = MembershipFactory(practice=practice, role=Role.OWNER, user=UserFactory(mfa_exempt=True))
    client = ClientFactory(practice=practice)
    CareTeamMemberFactory(client=client, membership=owner)

    assert access_client(user=owner.user, client_id=client.public_id).client == client


def test_second_care_team_member_gets_the_client(care_pair):
    membership, client = care_pair
    colleague = MembershipFactory(practice=membership.practice, user=UserFactory(mfa_exempt=True))
    CareTeamMemberFactory(client=client, membership=colleague, is_primary=False)

    assert access_client(user=colleague.user, client_id=client.public_id).client == client


# --- everyone else gets a 404 and a denial in the audit trail ------------------------------------
def test_same_practice_clinician_off_the_care_team_gets_404_and_a_denied_event(
    care_pair, request_context
):
    _, client = care_pair
    colleague = MembershipFactory(
        practice=client.practice, user=UserFactory(mfa_exempt=True, email="colleague@example.org")
    )

    with pytest.raises(Http404):
        access_client(user=colleague.user, client_id=client.public_id)

    event = _denied_event()
    assert _events() == [(AuditAction.CLIENT_ACCESS_DENIED, AuditOutcome.DENIED)]
    assert event.actor_id == colleague.user.pk
    assert event.actor_label == "colleague@example.org"
    assert event.object_type == "client"
    assert event.object_id == str(client.public_id)
    assert event.detail == {"reason": "not on the care team"}
    assert event.request_id == "req4711"
    assert event.ip == "203.0.113.7"


def test_owner_off_the_care_team_gets_404(care_pair):
    _, client = care_pair
    owner = MembershipFactory(
        practice=client.practice, role=Role.OWNER, user=UserFactory(mfa_exempt=True)
    )

    with pytest.raises(Http404):
        access_client(user=owner.user, client_id=client.public_id)

    assert _events() == [(AuditAction.CLIENT_ACCESS_DENIED, AuditOutcome.DENIED)]


def test_clinician_of_another_practice_gets_404_and_a_denied_event(care_pair):
    _, client = care_pair
    other, _ = clinician_with_client()

    with pytest.raises(Http404):
        access_client(user=other.user, client_id=client.public_id)

    assert _events() == [(AuditAction.CLIENT_ACCESS_DENIED, AuditOutcome.DENIED)]
    assert _denied_event().actor_id == other.user.pk


def test_clinician_of_another_practice_on_a_stray_care_team_row_still_gets_404(care_pair):
    """A care-team row pointing across practices (bad data) must not open the record."""
    _, client = care_pair
    other, _ = clinician_with_client()
    CareTeamMemberFactory(client=client, membership=other, is_primary=False)

    with pytest.raises(Http404):
        access_client(user=other.user, client_id=client.public_id)


def test_practice_admin_gets_404_even_on_the_care_team(care_pair):
    _, client = care_pair
    admin = MembershipFactory(
        practice=client.practice, role=Role.ADMIN, user=UserFactory(mfa_exempt=True)
    )
    CareTeamMemberFactory(client=client, membership=admin, is_primary=False)

    with pytest.raises(Http404):
        access_client(user=admin.user, client_id=client.public_id)

    assert _events() == [(AuditAction.CLIENT_ACCESS_DENIED, AuditOutcome.DENIED)]


def test_inactive_membership_gets_404(care_pair):
    membership, client = care_pair
    membership.is_active = False
    membership.save()

    with pytest.raises(Http404):
        access_client(user=membership.user, client_id=client.public_id)

    assert _events() == [(AuditAction.CLIENT_ACCESS_DENIED, AuditOutcome.DENIED)]


def test_deactivated_user_gets_404_without_touching_the_record(care_pair):
    membership, client = care_pair
    membership.user.is_active = False
    membership.user.save()

    with pytest.raises(Http404):
        access_client(user=membership.user, client_id=client.public_id)

    assert _events() == []


def test_anonymous_user_gets_404():
    from django.contrib.auth.models import AnonymousUser

    client = ClientFactory()

    with pytest.raises(Http404):
        access_client(user=AnonymousUser(), client_id=client.public_id)

    assert _events() == []


def test_unknown_client_id_gets_404_and_a_denied_event(care_pair):
    membership, _ = care_pair
    unknown = uuid.uuid4()

    with pytest.raises(Http404):
        access_client(user=membership.user, client_id=unknown)

    assert _denied_event().object_id == str(unknown)


@pytest.mark.parametrize(
    "bad_id",
    ["", "not-a-uuid", "12", "1 OR 1=1", "../../etc/passwd", "0" * 33, "{" + "a" * 300 + "}"],
)
def test_malformed_client_id_gets_404_and_writes_nothing(care_pair, bad_id):
    membership, _ = care_pair

    with pytest.raises(Http404):
        access_client(user=membership.user, client_id=bad_id)

    assert _events() == []


def test_sequential_primary_key_is_not_accepted_as_a_client_id(care_pair):
    membership, client = care_pair

    with pytest.raises(Http404):
        access_client(user=membership.user, client_id=str(client.pk))


# --- clients -------------------------------------------------------------------------------------
def test_client_reads_their_own_record_without_an_audit_event(care_pair):
    _, client = care_pair

    assert access_client(user=client.user, client_id=client.public_id).client == client
    assert _events() == []


def test_client_asking_for_another_clients_id_gets_404_and_a_denied_event(care_pair):
    membership, client = care_pair
    neighbour = ClientFactory(practice=client.practice, user=UserFactory())
    CareTeamMemberFactory(client=neighbour, membership=membership)

    with pytest.raises(Http404):
        access_client(user=client.user, client_id=neighbour.public_id)

    assert _events() == [(AuditAction.CLIENT_ACCESS_DENIED, AuditOutcome.DENIED)]
    assert _denied_event().actor_id == client.user.pk


def test_access_own_client_returns_the_signed_in_clients_profile(care_pair):
    _, client = care_pair

    assert access_own_client(user=client.user) == client
    assert _events() == []


def test_access_own_client_is_404_for_a_clinician(care_pair):
    membership, _ = care_pair

    with pytest.raises(Http404):
        access_own_client(user=membership.user)


def test_access_own_client_is_404_for_an_anonymous_user():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(Http404):
        access_own_client(user=AnonymousUser())


# --- second factor -------------------------------------------------------------------------------
def test_clinician_without_a_second_factor_is_stopped_before_any_client_data():
    membership, client = clinician_with_client(mfa_exempt=False)

    with pytest.raises(SecondFactorRequired):
        access_client(user=membership.user, client_id=client.public_id)

    assert _events() == []


def test_demo_mfa_exemption_is_void_when_demo_data_is_off(settings):
    settings.DEMO_ENABLED = False
    membership, client = clinician_with_client(mfa_exempt=True)

    with pytest.raises(SecondFactorRequired):
        access_client(user=membership.user, client_id=client.public_id)


def test_clinician_with_a_totp_authenticator_gets_the_client(settings):
    settings.DEMO_ENABLED = False
    membership, client = clinician_with_client(mfa_exempt=False)
    Authenticator.objects.create(
        user=membership.user, type=Authenticator.Type.TOTP, data={"secret": "unused"}
    )

    assert access_client(user=membership.user, client_id=client.public_id).client == client
    assert _events() == [(AuditAction.CLIENT_RECORD_VIEWED, AuditOutcome.SUCCESS)]


def test_client_needs_no_second_factor_to_read_themselves():
    _, client = clinician_with_client()
    assert client.user.mfa_exempt is False

    assert access_client(user=client.user, client_id=client.public_id).client == client


# --- caseload ------------------------------------------------------------------------------------
def _caseload_setup():
    practice = PracticeFactory()
    me = MembershipFactory(practice=practice, user=UserFactory(mfa_exempt=True))
    mine = [
        ClientFactory(practice=practice, full_name="Zoe Adams"),
        ClientFactory(practice=practice, full_name="Ben Carter"),
        ClientFactory(practice=practice, full_name="Maya Diaz"),
    ]
    for c in mine:
        CareTeamMemberFactory(client=c, membership=me)
    colleague = MembershipFactory(practice=practice, user=UserFactory(mfa_exempt=True))
    shared = ClientFactory(practice=practice, full_name="Ana Shared")
    CareTeamMemberFactory(client=shared, membership=me, is_primary=False)
    CareTeamMemberFactory(client=shared, membership=colleague)
    CareTeamMemberFactory(
        client=ClientFactory(practice=practice, full_name="Colleague Only"), membership=colleague
    )
    ClientFactory(practice=practice, full_name="Nobody Assigned")
    clinician_with_client()  # another practice with its own client
    return me, ["Ana Shared", "Ben Carter", "Maya Diaz", "Zoe Adams"]


def test_caseload_holds_only_care_team_clients_ordered_by_name(request_context):
    me, expected = _caseload_setup()

    clients = access_caseload(user=me.user, membership=me)

    assert [a.client.full_name for a in clients] == expected


def test_caseload_read_writes_one_event_with_the_count(request_context):
    me, expected = _caseload_setup()
    assert len(expected) == 4

    access_caseload(user=me.user, membership=me)

    (event,) = AuditEvent.objects.all()
    assert event.action == AuditAction.CASELOAD_VIEWED
    assert event.outcome == AuditOutcome.SUCCESS
    assert event.actor_id == me.user.pk
    assert event.practice_id == me.practice_id
    assert event.client_id is None
    assert event.detail == {"clients": 4}
    assert event.request_id == "req4711"
    assert event.ip == "203.0.113.7"


def test_empty_caseload_is_still_audited():
    me = MembershipFactory(user=UserFactory(mfa_exempt=True))

    assert access_caseload(user=me.user, membership=me) == []
    assert AuditEvent.objects.get().detail == {"clients": 0}


def test_caseload_of_someone_elses_membership_is_404():
    me, _ = _caseload_setup()
    intruder = UserFactory(mfa_exempt=True)

    with pytest.raises(Http404):
        access_caseload(user=intruder, membership=me)

    assert _events() == []


def test_caseload_of_an_inactive_membership_is_404():
    me, _ = _caseload_setup()
    me.is_active = False
    me.save()

    with pytest.raises(Http404):
        access_caseload(user=me.user, membership=me)


def test_caseload_of_a_practice_admin_is_empty_and_not_audited():
    admin = MembershipFactory(role=Role.ADMIN, user=UserFactory(mfa_exempt=True))
    CareTeamMemberFactory(client=ClientFactory(practice=admin.practice), membership=admin)

    assert access_caseload(user=admin.user, membership=admin) == []
    assert _events() == []


def test_caseload_needs_a_second_factor():
    me = MembershipFactory(user=UserFactory(mfa_exempt=False))

    with pytest.raises(SecondFactorRequired):
        access_caseload(user=me.user, membership=me)

    assert _events() == []


# --- SR-30: if the audit row cannot be written, no client data leaves ----------------------------
@pytest.fixture
def audit_insert_fails() -> Iterator[None]:
    """Make every INSERT into the audit table fail inside the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TRIGGER test_audit_insert_fails BEFORE INSERT ON audit_auditevent "
                "BEGIN SELECT RAISE(ABORT, 'audit store unavailable'); END;"
            )
        elif connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION test_audit_insert_fails() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'audit store unavailable'; END; $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER test_audit_insert_fails BEFORE INSERT ON audit_auditevent "
                "FOR EACH ROW EXECUTE FUNCTION test_audit_insert_fails()"
            )
        else:  # pragma: no cover
            pytest.fail(f"no fault-injection recipe for {connection.vendor}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("DROP TRIGGER IF EXISTS test_audit_insert_fails")
            else:
                cursor.execute("DROP TRIGGER IF EXISTS test_audit_insert_fails ON audit_auditevent")
                cursor.execute("DROP FUNCTION IF EXISTS test_audit_insert_fails()")


FAIL_CLOSED_NAME = "Marguerite Quennell-Obuya"


@pytest.fixture
def fail_closed_pair():
    membership, client = clinician_with_client()
    client.full_name = FAIL_CLOSED_NAME
    client.save()
    return membership, client


@pytest.mark.django_db(transaction=True)
def test_failed_audit_write_means_the_gate_returns_nothing(fail_closed_pair, audit_insert_fails):
    membership, client = fail_closed_pair

    with pytest.raises(DatabaseError, match="audit store unavailable"):
        access_client(user=membership.user, client_id=client.public_id)
    with pytest.raises(DatabaseError, match="audit store unavailable"):
        access_caseload(user=membership.user, membership=membership)

    assert AuditEvent.objects.count() == 0


@pytest.fixture
def fail_closed_http(fail_closed_pair):
    """The clinician, signed in before the fault is injected (sign-in is audited as well)."""
    membership, client = fail_closed_pair
    http = HttpClient(raise_request_exception=False)
    http.force_login(membership.user)
    return http, client


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "path",
    ["/clinic/clients/{id}/", "/clinic/", "/api/v1/clients/{id}", "/api/v1/clients"],
)
def test_failed_audit_write_means_no_client_data_is_served(
    fail_closed_http, audit_insert_fails, path
):
    http, client = fail_closed_http

    response = http.get(path.format(id=client.public_id))

    assert response.status_code == 500
    body = response.content.decode()
    assert FAIL_CLOSED_NAME not in body
    assert str(client.public_id) not in body
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [AuditAction.LOGIN]


@pytest.mark.django_db(transaction=True)
def test_same_pages_serve_the_client_once_the_audit_store_works(fail_closed_http):
    """Control for the fault-injection tests: without the fault, the name is on the page."""
    http, client = fail_closed_http

    assert FAIL_CLOSED_NAME in http.get(f"/clinic/clients/{client.public_id}/").content.decode()
    assert FAIL_CLOSED_NAME in http.get(f"/api/v1/clients/{client.public_id}").content.decode()
