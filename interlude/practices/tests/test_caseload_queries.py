"""The caseload page and the API list use a fixed number of queries however many clients there are
(DESIGN.md, "Testing": query counts are asserted on list pages and API lists)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from interlude.consents.models import ClientPrivacy, ConsentStatus
from interlude.practices.enums import ClientStatus
from interlude.practices.models import CareTeamMember, Client
from tests.factories import MembershipFactory, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _still_clock():
    with time_machine.travel(datetime(2026, 11, 20, 15, 0, tzinfo=UTC), tick=False):
        yield


# Statements per request, savepoints not counted: session, user, membership (tenant), caseload
# select, audit head lock, audit insert, audit head update (7); the caseload overview
# (insights/selectors_caseload.py: instrument definitions and settings, alert settings, the
# summaries' narrow columns, the page's summary rows, its questionnaire occasions: 6); the
# open-alert count in the clinician's top bar (1). The API list: the request's 7 and the
# membership once more in the endpoint (8). The session and allauth's session row are written at
# most once a minute (for staff, every 9 s): the clock stands still here, so no write falls in.
# interlude/insights/tests/test_caseload.py checks the same with data.
CASELOAD_PAGE_QUERIES = 14
API_LIST_QUERIES = 8


def _clinician_with_clients(n: int) -> HttpClient:
    practice = PracticeFactory()
    membership = MembershipFactory(practice=practice, user=UserFactory(mfa_exempt=True))
    statuses = [ClientStatus.ACTIVE, ClientStatus.INVITED, ClientStatus.PAUSED]
    creator = membership.user
    clients = Client.objects.bulk_create(
        Client(
            practice=practice,
            full_name=f"Client {i:03d}",
            status=statuses[i % len(statuses)],
            user=UserFactory() if i % 2 == 0 else None,
            created_by=creator,
            updated_by=creator,
        )
        for i in range(n)
    )
    CareTeamMember.objects.bulk_create(
        CareTeamMember(client=c, membership=membership, added_by=creator) for c in clients
    )
    # Clients who agreed to share: a caseload of clients who share nothing skips the score reads.
    ClientPrivacy.objects.bulk_create(
        ClientPrivacy(client=c, consent_status=ConsentStatus.ACCEPTED, consent_version=1)
        for c in clients
    )
    http = HttpClient()
    http.force_login(membership.user)
    http.get("/clinic/")  # warm up: the session learns its kind, the summaries are built
    http.get("/clinic/")  # and the session, saved a while after the last save, settles
    return http


def _count(http: HttpClient, path: str, expected_rows: int) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = http.get(path)
    assert response.status_code == 200
    rows = response.context["rows"] if response.context else response.json()
    assert len(rows) == expected_rows
    return len([q for q in ctx.captured_queries if not _is_savepoint(q["sql"])])


def _is_savepoint(sql: str) -> bool:
    return sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))


def test_caseload_page_query_count_does_not_grow_with_the_caseload():
    small = _count(_clinician_with_clients(5), "/clinic/", 5)
    large = _count(_clinician_with_clients(50), "/clinic/", 50)

    assert small == large == CASELOAD_PAGE_QUERIES


def test_caseload_page_sorted_by_status_uses_the_same_queries():
    http = _clinician_with_clients(30)

    assert _count(http, "/clinic/?sort=status&status=all", 30) == CASELOAD_PAGE_QUERIES


def test_api_client_list_query_count_does_not_grow_with_the_caseload():
    small = _count(_clinician_with_clients(5), "/api/v1/clients", 5)
    large = _count(_clinician_with_clients(50), "/api/v1/clients", 50)

    assert small == large == API_LIST_QUERIES
