"""SR-11 / SR-12 / SR-29: the authorisation matrix over two practices.

Every client-data endpoint is tried by every kind of person against a client of their own practice
and a client of the other practice. Each cell states the exact response and the audit row it must
leave. A summary test counts the cross-client and cross-tenant attempts and how many got through
(must be 0), and list responses are scanned for the other practice's clients.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client as HttpClient

from interlude.audit.enums import AuditAction, AuditOutcome
from interlude.audit.models import AuditEvent
from interlude.practices.enums import ClientStatus, Role
from interlude.practices.models import Client, Invitation, Membership
from tests.factories import (
    CareTeamMemberFactory,
    ClientFactory,
    MembershipFactory,
    PracticeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = [
    "client_self_a",  # the client whose record is asked for, when the target is in practice A
    "other_client_a",  # another client of practice A
    "client_b",  # a client of practice B
    "care_team_a",  # clinician on the care team of A's clients
    "colleague_a",  # clinician of practice A, not on the care team
    "owner_a",  # owner of practice A (clinical role), not on the care team
    "admin_a",  # practice admin of A: people and settings, no client records
    "care_team_b",  # clinician of practice B, on the care team of B's client
    "anonymous",
]
ENDPOINTS = ["record", "invite", "api_detail"]
TARGETS = ["a", "b"]

# Each cell: (status, audit row) for (record, invite, api_detail), in ENDPOINTS order.
# status: a code, LOGIN (302 to sign-in) or BACK (302 back to the record: invitation handled).
# audit: V = one CLIENT_RECORD_VIEWED row, D = one CLIENT_ACCESS_DENIED row,
# R = one ROUTE_ACCESS_DENIED row (the route's rule refused the role), None = no row.
LOGIN = "login"
BACK = "back"
V = "viewed"
D = "denied"
R = "route_denied"
_ANON = ((LOGIN, None), (LOGIN, None), (401, None))
_CARE = ((200, V), (BACK, V), (200, V))
_GATE_DENIES = ((404, D), (404, D), (404, D))
_CLIENT_OTHER = ((404, R), (404, R), (404, D))
_CLIENT_SELF = ((404, R), (404, R), (200, None))
_ADMIN = ((404, R), (404, R), (404, D))

# The client of practice A.
EXPECTED_A = {
    "client_self_a": _CLIENT_SELF,
    "other_client_a": _CLIENT_OTHER,
    "client_b": _CLIENT_OTHER,
    "care_team_a": _CARE,
    "colleague_a": _GATE_DENIES,
    "owner_a": _GATE_DENIES,
    "admin_a": _ADMIN,
    "care_team_b": _GATE_DENIES,
    "anonymous": _ANON,
}
# The client of practice B: the roles of practice A swap places with B's.
EXPECTED_B = {
    "client_self_a": _CLIENT_OTHER,
    "other_client_a": _CLIENT_OTHER,
    "client_b": _CLIENT_SELF,
    "care_team_a": _GATE_DENIES,
    "colleague_a": _GATE_DENIES,
    "owner_a": _GATE_DENIES,
    "admin_a": _ADMIN,
    "care_team_b": _CARE,
    "anonymous": _ANON,
}
EXPECTED = {"a": EXPECTED_A, "b": EXPECTED_B}
# Who legitimately reaches each target; everything else is a cross-client or cross-tenant try.
LEGITIMATE = {"a": {"client_self_a", "care_team_a"}, "b": {"client_b", "care_team_b"}}


@dataclass
class World:
    clients: dict[str, Client]  # "a", "b", "a_other", "a_unlinked"
    users: dict[str, object]  # role -> User (None for anonymous)
    http: dict[str, HttpClient]


@pytest.fixture
def world() -> World:
    practice_a = PracticeFactory(name="Practice Alder")
    practice_b = PracticeFactory(name="Practice Birch")

    def staff(practice, role: Role, name: str) -> Membership:
        return MembershipFactory(
            practice=practice, role=role, user=UserFactory(full_name=name, mfa_exempt=True)
        )

    care_team_a = staff(practice_a, Role.CLINICIAN, "Dr Alder Care")
    colleague_a = staff(practice_a, Role.CLINICIAN, "Dr Alder Colleague")
    owner_a = staff(practice_a, Role.OWNER, "Alder Owner")
    admin_a = staff(practice_a, Role.ADMIN, "Alder Admin")
    care_team_b = staff(practice_b, Role.CLINICIAN, "Dr Birch Care")

    def client(practice, name: str, clinician: Membership, *, linked: bool = True) -> Client:
        c = ClientFactory(
            practice=practice,
            full_name=name,
            preferred_name="",
            user=UserFactory(full_name=name) if linked else None,
            status=ClientStatus.ACTIVE if linked else ClientStatus.INVITED,
        )
        CareTeamMemberFactory(client=c, membership=clinician)
        return c

    clients = {
        "a": client(practice_a, "Aurelia Fenwick", care_team_a),
        "a_other": client(practice_a, "Osric Penhallow", care_team_a),
        "a_unlinked": client(practice_a, "Umberto Quayle", care_team_a, linked=False),
        "b": client(practice_b, "Beatrix Holloway", care_team_b),
    }
    users = {
        "client_self_a": clients["a"].user,
        "other_client_a": clients["a_other"].user,
        "client_b": clients["b"].user,
        "care_team_a": care_team_a.user,
        "colleague_a": colleague_a.user,
        "owner_a": owner_a.user,
        "admin_a": admin_a.user,
        "care_team_b": care_team_b.user,
        "anonymous": None,
    }
    http = {}
    for role, user in users.items():
        http[role] = HttpClient()
        if user is not None:
            http[role].force_login(user)
    return World(clients=clients, users=users, http=http)


def _request(world: World, role: str, endpoint: str, target: Client):
    http = world.http[role]
    if endpoint == "record":
        return http.get(f"/clinic/clients/{target.public_id}/")
    if endpoint == "invite":
        return http.post(
            f"/clinic/clients/{target.public_id}/invite/", {"email": "new@example.org"}
        )
    if endpoint == "api_detail":
        return http.get(f"/api/v1/clients/{target.public_id}")
    raise AssertionError(endpoint)


def _last_seq() -> int:
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    return last or 0


def _check_cell(world: World, role: str, endpoint: str, target_key: str) -> bool:
    """Run one cell, assert its exact outcome, return True if the request was allowed."""
    target = world.clients[target_key]
    expected_status, expected_audit = EXPECTED[target_key][role][ENDPOINTS.index(endpoint)]
    before = _last_seq()

    response = _request(world, role, endpoint, target)

    cell = f"{role} -> {endpoint}({target_key})"
    if expected_status == LOGIN:
        assert response.status_code == 302, cell
        assert response["Location"].startswith("/accounts/login/?next="), cell
    elif expected_status == BACK:
        assert response.status_code == 302, cell
        assert response["Location"] == f"/clinic/clients/{target.public_id}/", cell
    else:
        assert response.status_code == expected_status, cell

    events = list(AuditEvent.objects.filter(seq__gt=before).order_by("seq"))
    user = world.users[role]
    if expected_audit is None:
        assert events == [], cell
    elif expected_audit == V:
        assert [(e.action, e.outcome, e.actor_id, e.client_id) for e in events] == [
            (AuditAction.CLIENT_RECORD_VIEWED, AuditOutcome.SUCCESS, user.pk, target.pk)
        ], cell
    elif expected_audit == R:
        assert [(e.action, e.outcome, e.actor_id, e.client_id) for e in events] == [
            # The refused address names the client, so the attempt is on their access history.
            (AuditAction.ROUTE_ACCESS_DENIED, AuditOutcome.DENIED, user.pk, target.pk)
        ], cell
    else:
        assert [(e.action, e.outcome, e.actor_id, e.object_id) for e in events] == [
            (AuditAction.CLIENT_ACCESS_DENIED, AuditOutcome.DENIED, user.pk, str(target.public_id))
        ], cell

    body = response.content.decode()
    if response.status_code != 200:
        assert target.full_name not in body, cell
    # Nobody in one practice ever sees the other practice's client by name.
    foreign = world.clients["b"] if role.endswith("_a") else world.clients["a"]
    if role != "anonymous":
        assert foreign.full_name not in body, cell
    return expected_status in (200, BACK)


@pytest.mark.parametrize("target_key", TARGETS)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_authorisation_matrix_cell(world, role, endpoint, target_key):
    _check_cell(world, role, endpoint, target_key)


def test_cross_client_and_cross_tenant_attempts_are_all_refused(world):
    attempted = allowed_cross = legitimate_allowed = 0
    for target_key in TARGETS:
        for role in ROLES:
            for endpoint in ENDPOINTS:
                allowed = _check_cell(world, role, endpoint, target_key)
                if role in LEGITIMATE[target_key]:
                    legitimate_allowed += allowed
                else:
                    attempted += 1
                    allowed_cross += allowed

    assert (attempted, allowed_cross) == (42, 0)
    # Clients read themselves through the API only; care teams through all three endpoints.
    assert legitimate_allowed == 8


def test_invitation_writes_by_anyone_but_the_care_team_change_nothing(world):
    target = world.clients["a_unlinked"]
    attempted = allowed = 0
    for role in ROLES:
        if role == "care_team_a":
            continue
        attempted += 1
        response = world.http[role].post(
            f"/clinic/clients/{target.public_id}/invite/", {"email": f"{role}@evil.example"}
        )
        assert response.status_code in (302, 404), role
        if Invitation.objects.filter(client=target).exists():
            allowed += 1
    target.refresh_from_db()

    assert (attempted, allowed) == (8, 0)
    assert target.email != "" and not target.email.endswith("@evil.example")

    response = world.http["care_team_a"].post(
        f"/clinic/clients/{target.public_id}/invite/", {"email": "umberto@example.org"}
    )
    assert response.status_code == 302
    assert list(Invitation.objects.filter(client=target).values_list("email", flat=True)) == [
        "umberto@example.org"
    ]


# --- SR-12: lists never carry the other practice's clients ---------------------------------------
def test_caseload_pages_hold_only_their_own_practices_clients(world):
    page_a = world.http["care_team_a"].get("/clinic/", {"status": "all"}).content.decode()
    page_b = world.http["care_team_b"].get("/clinic/", {"status": "all"}).content.decode()

    for own in ("a", "a_other", "a_unlinked"):
        assert world.clients[own].full_name in page_a
        assert str(world.clients[own].public_id) in page_a
        assert world.clients[own].full_name not in page_b
        assert str(world.clients[own].public_id) not in page_b
    assert world.clients["b"].full_name in page_b
    assert world.clients["b"].full_name not in page_a
    assert str(world.clients["b"].public_id) not in page_a


def test_api_lists_hold_only_the_callers_own_clients(world):
    ids = {key: str(c.public_id) for key, c in world.clients.items()}

    lists = {role: world.http[role].get("/api/v1/clients") for role in ROLES}

    assert lists["anonymous"].status_code == 401
    listed = {
        role: sorted(row["id"] for row in r.json())
        for role, r in lists.items()
        if role != "anonymous"
    }
    assert listed == {
        "client_self_a": [],
        "other_client_a": [],
        "client_b": [],
        "care_team_a": sorted([ids["a"], ids["a_other"], ids["a_unlinked"]]),
        "colleague_a": [],
        "owner_a": [],
        "admin_a": [],
        "care_team_b": [ids["b"]],
    }
    for role, response in lists.items():
        body = response.content.decode()
        foreign = ["b"] if role.endswith("_a") else ["a", "a_other", "a_unlinked"]
        for key in foreign:
            assert ids[key] not in body, role
            assert world.clients[key].full_name not in body, role


def test_other_practices_client_ids_never_appear_in_any_page_a_clinician_can_open(world):
    http = world.http["care_team_a"]
    foreign = world.clients["b"]
    pages = [
        "/",
        "/clinic/",
        "/clinic/?status=all",
        f"/clinic/clients/{world.clients['a'].public_id}/",
        "/clinic/clients/new/",
        "/api/v1/me",
        "/api/v1/clients",
        f"/api/v1/clients/{world.clients['a'].public_id}",
    ]
    for path in pages:
        response = http.get(path, follow=True)
        body = response.content.decode()
        assert response.status_code == 200, path
        assert foreign.full_name not in body, path
        assert str(foreign.public_id) not in body, path
        assert foreign.practice.name not in body, path
