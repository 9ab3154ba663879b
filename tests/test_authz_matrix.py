"""SR-11 / SR-12 / SR-29: the authorisation matrix over two practices.

Every client-data endpoint is tried by every kind of person against a client of their own practice
and a client of the other practice. Each cell states the exact response and the audit row it must
leave. A summary test counts the cross-client and cross-tenant attempts and how many got through
(must be 0), and list responses are scanned for the other practice's clients.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from interlude.audit.enums import AuditAction, AuditOutcome
from interlude.audit.models import AuditEvent
from interlude.consents import rules
from interlude.consents.breakglass_services import break_glass_open
from interlude.consents.models import BreakGlassGrant
from interlude.consents.sharing_services import sharing_update
from interlude.core.policy import Access
from interlude.practices.enums import ClientStatus, Role, ShareScope
from interlude.practices.models import CareTeamMember, Client, Invitation, Membership
from tests.client_data import ALWAYS_CANARY, CANARIES, seed_client_record
from tests.factories import (
    CareTeamMemberFactory,
    ClientFactory,
    MembershipFactory,
    PracticeFactory,
    UserFactory,
)
from tests.routes import NOBODY, all_routes, api_methods, fill, methods_for

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


# --- SR-14 / SR-15: every route x method x persona, from the URL resolver -------------------------
# One client of practice A whose record holds something in every category (tests/client_data.py),
# and everyone who might try to read it. Each route from the resolver is filled with that
# client's ids (tests/routes.py) and asked by every persona with every method it answers. A leak
# is a persona outside the client's care getting anything but a refusal for a route that names
# the client's data, or any response carrying the client's name or their words to someone who may
# not see them. People who may see the record must get 200.
PERSONAS = [
    "anonymous",
    "self",  # the client whose record it is
    "other_client_a",  # another client of the same practice
    "client_b",  # a client of another practice
    "care_team",  # the client's clinician, everything shared
    "clinician_not_shared",  # on the care team, but the client shares nothing with them
    "colleague",  # a clinician of the practice, not on the care team
    "former_care_team",  # was on the care team, removed from it
    "former_staff",  # was on the care team, then removed from the practice
    "owner_no_break_glass",  # owner of the practice, not on the care team
    "owner_expired_break_glass",  # opened the record in an emergency more than 60 minutes ago
    "owner_break_glass",  # opened it in an emergency, within the 60 minutes
    "admin",  # practice admin: people and settings, no client records
    "clinician_b",  # a clinician of another practice
]
CLIENT_PERSONAS = {"self", "other_client_a", "client_b"}
OWNERS = {"owner_no_break_glass", "owner_expired_break_glass", "owner_break_glass"}
CLINICAL = {"care_team", "clinician_not_shared", "colleague", "former_care_team", "clinician_b"}
# Who may read the client's record (routes naming the client's data) ...
RECORD_READERS = {"care_team", "clinician_not_shared", "owner_break_glass"}
# ... and who may see the client's own words (the canaries): not the clinician they hid from.
WORDS_READERS = {"self", "care_team", "owner_break_glass"}
# Parameters that name the client's data (the others name the practice's settings or nothing).
CLIENT_PARAMS = {
    "client_id",
    "checkin_id",
    "entry_id",
    "record_id",
    "activity_id",
    "step_id",
    "session_id",
    "response_id",
    "due_id",
    "alert_id",
    "id",
    "appointment_id",
    "schedule_id",
    "export_id",
}
REFUSED = {401, 403, 404, 405}
ALLOW, MAY, REFUSE = "allow", "may", "refuse"
# Pages that answer a GET of this client's own row with a redirect, by design (the redirect
# stays on the same row): a finished thought record's steps and its delete address (deleting
# takes a POST) go back to the record; a questionnaire's pages before it is started go to its
# first page.
REDIRECTS_BY_DESIGN = {
    "tools/thought-records/<uuid:record_id>/steps/<slug:step>/",
    "tools/thought-records/<uuid:record_id>/delete/",
    "questionnaires/<uuid:due_id>/review/",
    "questionnaires/<uuid:due_id>/<int:step>/",
}
# Emergency (break-glass) access only reads: every write to the client's record (any method but
# GET) must be refused under it. The module switches are the care team's decision, so even their
# page may be refused. The record's reading pages answer a POST as a GET (nothing changes), so a
# POST there may be served; every other route naming the client must refuse it.
BREAK_GLASS_MAY = {"clinic/clients/<uuid:client_id>/modules/"}
BREAK_GLASS_READ_PAGES = {
    "clinic/clients/<uuid:client_id>/",
    "clinic/clients/<uuid:client_id>/worksheets/",
    "clinic/clients/<uuid:client_id>/safety-plan/",
    "clinic/clients/<uuid:client_id>/safety-plan/print/",
    "clinic/clients/<uuid:client_id>/safety-plan/versions/",
    "clinic/clients/<uuid:client_id>/brief/",
    "clinic/clients/<uuid:client_id>/report/",
    "clinic/clients/<uuid:client_id>/report.pdf",
}


@dataclass
class FullWorld:
    client: Client
    ids: dict[str, object]
    users: dict[str, object]
    http: dict[str, HttpClient]
    secrets: dict[str, str]  # what must not leak: the client's name and each category's word


@pytest.fixture
def full_world() -> FullWorld:
    practice_a = PracticeFactory(name="Practice Alder")
    practice_b = PracticeFactory(name="Practice Birch")

    def staff(practice, role: Role, name: str) -> Membership:
        return MembershipFactory(
            practice=practice, role=role, user=UserFactory(full_name=name, mfa_exempt=True)
        )

    care = staff(practice_a, Role.CLINICIAN, "Dr Alder Care")
    not_shared = staff(practice_a, Role.CLINICIAN, "Dr Alder Hidden")
    colleague = staff(practice_a, Role.CLINICIAN, "Dr Alder Colleague")
    former = staff(practice_a, Role.CLINICIAN, "Dr Alder Former")
    former_staff = staff(practice_a, Role.CLINICIAN, "Dr Alder Left")
    owners = {p: staff(practice_a, Role.OWNER, p.replace("_", " ").title()) for p in OWNERS}
    admin = staff(practice_a, Role.ADMIN, "Alder Admin")
    clinician_b = staff(practice_b, Role.CLINICIAN, "Dr Birch Care")

    client = ClientFactory(
        practice=practice_a,
        full_name="Wilhelmina Zabrowski",
        preferred_name="",
        user=UserFactory(full_name="Wilhelmina Zabrowski"),
        status=ClientStatus.ACTIVE,
    )
    for m in (care, not_shared, former, former_staff):
        CareTeamMemberFactory(client=client, membership=m, is_primary=m is care)
    seeded = seed_client_record(client=client, clinician=care)
    sharing_update(
        client=client,
        actor=client.user,
        categories={c.value: True for c in rules.SWITCHABLE},
        hidden_from=[not_shared.pk],
    )
    CareTeamMember.objects.filter(client=client, membership=former).delete()
    former_staff.is_active = False
    former_staff.save()

    other_a = ClientFactory(practice=practice_a, user=UserFactory(), full_name="Osric Penhallow")
    CareTeamMemberFactory(client=other_a, membership=care)
    client_b = ClientFactory(practice=practice_b, user=UserFactory(), full_name="Beatrix Holloway")
    CareTeamMemberFactory(client=client_b, membership=clinician_b)

    break_glass_open(
        user=owners["owner_break_glass"].user,
        client_public_id=client.public_id,
        reason="Dr Alder Care is away and the client phoned in distress",
    )
    expired = break_glass_open(
        user=owners["owner_expired_break_glass"].user,
        client_public_id=client.public_id,
        reason="An emergency last week",
    )
    BreakGlassGrant.objects.filter(pk=expired.pk).update(
        opened_at=timezone.now() - timedelta(minutes=121),
        expires_at=timezone.now() - timedelta(minutes=61),
    )

    users = {
        "anonymous": None,
        "self": client.user,
        "other_client_a": other_a.user,
        "client_b": client_b.user,
        "care_team": care.user,
        "clinician_not_shared": not_shared.user,
        "colleague": colleague.user,
        "former_care_team": former.user,
        "former_staff": former_staff.user,
        **{p: m.user for p, m in owners.items()},
        "admin": admin.user,
        "clinician_b": clinician_b.user,
    }
    http = {}
    for persona, user in users.items():
        # A page that fails answers 500 (counted as a leak below) instead of stopping the walk.
        http[persona] = HttpClient(raise_request_exception=False)
        if user is not None:
            http[persona].force_login(user)
    ids = dict(seeded.ids)
    ids.update(
        membership_id=care.pk,
        resource_id=practice_a.crisis_resources.order_by("pk").values_list("pk", flat=True).first()
        or 1,
        consent_version=1,
    )
    # The client's name and the words only this client wrote. (The questionnaire band and the
    # relaxation exercise's name are the practice's and the library's words too, seen by every
    # client; tests/test_category_canaries.py follows those categories on the care team's pages.)
    secrets = {
        "name": client.full_name,
        "safety_plan": ALWAYS_CANARY,
        **{
            c.value: CANARIES[c]
            for c in (ShareScope.CHECKINS, ShareScope.JOURNAL, ShareScope.WORKSHEETS)
        },
    }
    return FullWorld(client=client, ids=ids, users=users, http=http, secrets=secrets)


def _names_the_client(route, ids: dict[str, object] | None = None) -> bool:
    """Whether the route's address names this client or a row of their record (a parameter
    the seeded record has no row for names no one)."""
    if ids is None:
        return any(p in CLIENT_PARAMS for p in route.params)
    return any(p in CLIENT_PARAMS and fill_key(route, p) in ids for p in route.params)


def fill_key(route, param: str) -> str:
    """Which seeded id fills `param` on this route (mirrors tests/routes.fill)."""
    if param == "entry_id":
        return "sleep_entry_id" if "sleep" in route.pattern else "journal_entry_id"
    if param == "id":
        return "alert_id"
    return param


def _rule_admits(route, persona: str) -> bool:
    """Whether the route's own rule (checked before any view runs) lets this persona through."""
    if route.rule in (Access.PUBLIC, Access.API):
        return True
    if persona == "anonymous":
        return False
    if route.rule == Access.AUTHENTICATED:
        return True
    if route.rule == Access.CLIENT:
        return persona in CLIENT_PERSONAS
    if route.rule == Access.CLINICIAN:
        return persona in (CLINICAL | OWNERS) - {"former_staff"}
    if route.rule == Access.PRACTICE_ADMIN:
        return persona in OWNERS | {"admin"}
    if route.rule == Access.STAFF:
        return persona in (CLINICAL | OWNERS | {"admin"}) - {"former_staff"}
    return False


def _may_use(route, persona: str, ids: dict[str, object], method: str = "GET") -> str:
    """ALLOW: must get its answer (200, or 405 on a route that only takes a POST). MAY: either
    (their own pages; the client reading their own record through the API). REFUSE: must be
    refused (404/405, 401 from the API, or the sign-in page)."""
    verdict = _may_read(route, persona, ids)
    if (
        persona == "owner_break_glass"
        and method != "GET"
        and verdict != REFUSE
        and "client_id" in route.params
        and _names_the_client(route, ids)
        and not route.pattern.startswith("clinic/emergency/")  # opening the grant itself
    ):
        return MAY if route.pattern in BREAK_GLASS_READ_PAGES else REFUSE
    return verdict


def _may_read(route, persona: str, ids: dict[str, object]) -> str:
    if not _rule_admits(route, persona):
        return REFUSE
    if route.pattern.startswith("clinic/emergency/"):
        return ALLOW if persona in OWNERS else REFUSE
    if not _names_the_client(route, ids):
        return MAY
    if persona == "self":
        # The client's own pages and API; the care team's pages are refused by their rule.
        return ALLOW if not ({"client_id", "alert_id", "id"} & set(route.params)) else MAY
    if {"alert_id", "id"} & set(route.params):
        # Alerts reach the care team whatever the client shares (the consent says so).
        return ALLOW if persona in {"care_team", "clinician_not_shared"} else REFUSE
    if "client_id" in route.params and persona in RECORD_READERS:
        if persona == "owner_break_glass" and route.pattern in BREAK_GLASS_MAY:
            return MAY
        return ALLOW
    return REFUSE


def _may_see(persona: str, route, secret: str) -> bool:
    if persona == "self":
        return True
    if secret == "name":
        if route.pattern.startswith("clinic/emergency/"):
            return persona in OWNERS
        return persona in RECORD_READERS
    if secret == "safety_plan":
        return persona in RECORD_READERS
    return persona in WORDS_READERS


def _refused(response) -> bool:
    if response.status_code in REFUSED:
        return True
    location = response.get("Location", "") if response.status_code == 302 else ""
    return location.startswith("/accounts/login/")


def _send(http: HttpClient, method: str, path: str, *, api: bool):
    if api and method != "GET":
        return getattr(http, method.lower())(path, data="{}", content_type="application/json")
    return getattr(http, method.lower())(path)


def _walk_matrix(world: FullWorld, personas: list[str]) -> tuple[int, list[str], list[str], int]:
    """Every route x method for these personas: (requests, leaks, allowed but not 200,
    allowed and 200)."""
    api = api_methods()
    nobody = {k: NOBODY for k in ("client_id", *CLIENT_PARAMS)} | {
        k: v for k, v in world.ids.items() if k not in CLIENT_PARAMS and not k.endswith("_id")
    }
    requests, allowed_200 = 0, 0
    leaks: list[str] = []
    allowed_not_200: list[str] = []
    for route in all_routes():
        path = fill(route, world.ids)
        for persona in personas:
            http = world.http[persona]
            for method in methods_for(route, api):
                verdict = _may_use(route, persona, world.ids, method)
                if method != "GET" and verdict != REFUSE:
                    continue  # writes are tried only where they must be refused
                if method != "GET" and not route.is_api and not _rule_admits(route, persona):
                    continue  # the route's rule refuses before the view: as for the GET above
                response = _send(http, method, path, api=route.is_api)
                requests += 1
                cell = f"{persona} {method} {path} -> {response.status_code}"
                if response.status_code >= 500:
                    leaks.append(f"{cell} (server error)")
                    continue
                if verdict == REFUSE and not _refused(response):
                    # A body checked before the record is looked up (400/422) says nothing about
                    # the record if a request naming no one gets the same answer.
                    same_for_nobody = response.status_code in (400, 422) and (
                        _send(http, method, fill(route, nobody), api=route.is_api).status_code
                        == response.status_code
                    )
                    if not same_for_nobody:
                        leaks.append(f"{cell} (not refused)")
                body = response.content.decode(errors="replace")
                for secret, text in world.secrets.items():
                    if text in body and not _may_see(persona, route, secret):
                        leaks.append(f"{cell} (shows the client's {secret})")
                if verdict == ALLOW and method == "GET":
                    redirect_ok = (
                        route.pattern in REDIRECTS_BY_DESIGN
                        and response.status_code == 302
                        and not response["Location"].startswith("/accounts/")
                    )
                    if response.status_code == 200:
                        allowed_200 += 1
                    elif response.status_code != 405 and not redirect_ok:
                        # 405: the route only takes a POST
                        allowed_not_200.append(cell)
    return requests, leaks, allowed_not_200, allowed_200


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_route_and_method_refuses_or_serves_this_persona_and_nothing_leaks(
    full_world, persona
):
    requests, leaks, allowed_not_200, allowed_200 = _walk_matrix(full_world, [persona])

    print(f"{persona}: requests {requests}, leaks {len(leaks)}")
    assert leaks == [], "\n".join(leaks)
    assert allowed_not_200 == [], "\n".join(allowed_not_200)
    if persona in RECORD_READERS | {"self"}:
        assert allowed_200 >= 10, allowed_200
