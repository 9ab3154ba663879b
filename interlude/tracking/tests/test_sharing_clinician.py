"""What a care-team clinician sees of check-ins follows the client's sharing, through the gate's
CareAccess: scores with check-in scores shared; a note's text only with the notes category AND the
note's own switch on; "not shared" (never an empty series) otherwise."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client as HttpClient

from interlude.consents.access import Viewer, care_access_for
from interlude.consents.consent_services import consent_withdraw
from interlude.consents.markers import NotShared
from interlude.consents.models import ConsentMethod
from interlude.consents.sharing_services import sharing_update
from interlude.practices.enums import ShareScope
from interlude.tracking.selectors_care_team import checkins_for_care_team
from interlude.tracking.services import CheckInValues, checkin_create
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
CANARY_NOTE = "CANARY-note-7f3a about my sister"


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pair(now):
    membership, client = clinician_with_client()
    checkin_create(
        client=client,
        actor=client.user,
        values=CheckInValues(mood=7, anxiety=2, note=CANARY_NOTE, note_shared=True),
        idempotency_key="a",
        recorded_at=datetime(2026, 3, 10, 13, 0, tzinfo=UTC),
    )
    return membership, client


def share(client, **categories: bool) -> None:
    sharing_update(client=client, actor=client.user, categories=categories)


def care_view(membership, client):
    return care_access_for(
        client=client, user=membership.user, viewer=Viewer.CARE_TEAM, membership=membership
    )


def progress_json(membership, client) -> dict:
    http = HttpClient()
    http.force_login(membership.user)
    response = http.get(f"/api/v1/progress?days=7&client_id={client.public_id}")
    assert response.status_code == 200
    return response.json()


# --- the progress API -----------------------------------------------------------------------------
def test_progress_api_gives_a_clinician_the_scores_while_check_in_scores_are_shared(pair):
    membership, client = pair

    body = progress_json(membership, client)

    assert body["shared"] is True
    assert body["series"]["mood"][-1] == {"date": "2026-03-10", "value": 7.0}


def test_progress_api_says_not_shared_with_no_series_when_check_in_scores_are_off(pair):
    membership, client = pair
    share(client, checkins=False)

    body = progress_json(membership, client)

    assert body == {
        "shared": False,
        "days": 7,
        "start": None,
        "end": None,
        "time_zone": "America/New_York",
        "series": {},
    }


def test_progress_api_turns_back_on_at_the_clinicians_next_request(pair):
    membership, client = pair
    share(client, checkins=False)
    assert progress_json(membership, client)["shared"] is False

    share(client, checkins=True)

    assert progress_json(membership, client)["series"]["mood"][-1]["value"] == 7.0


def test_progress_api_says_not_shared_after_the_client_withdraws_consent(pair):
    membership, client = pair
    consent_withdraw(client=client, actor=client.user, method=ConsentMethod.WEB)

    assert progress_json(membership, client)["shared"] is False


def test_the_client_always_sees_their_own_progress_whatever_they_share(pair):
    _, client = pair
    share(client, checkins=False)
    http = HttpClient()
    http.force_login(client.user)

    body = http.get("/api/v1/progress?days=7").json()

    assert body["shared"] is True
    assert body["series"]["mood"][-1]["value"] == 7.0


# --- check-ins for the care team ------------------------------------------------------------------
def test_a_note_shows_only_with_the_notes_category_and_its_own_switch_on(pair):
    membership, client = pair
    share(client, journal=True)

    rows = checkins_for_care_team(access=care_view(membership, client))

    assert isinstance(rows, list)
    assert [(r.mood, r.shared_note, r.has_private_note) for r in rows] == [(7, CANARY_NOTE, False)]


def test_a_shared_note_stays_hidden_while_the_notes_category_is_off(pair):
    membership, client = pair
    share(client, journal=False)

    rows = checkins_for_care_team(access=care_view(membership, client))

    assert isinstance(rows, list)
    assert [(r.mood, r.shared_note, r.has_private_note) for r in rows] == [(7, None, True)]


def test_a_private_note_stays_hidden_with_the_notes_category_on(pair):
    membership, client = pair
    share(client, journal=True)
    checkin_create(
        client=client,
        actor=client.user,
        values=CheckInValues(mood=4, note="PRIVATE-canary", note_shared=False),
        idempotency_key="b",
        recorded_at=datetime(2026, 3, 10, 14, 0, tzinfo=UTC),
    )

    rows = checkins_for_care_team(access=care_view(membership, client))

    assert isinstance(rows, list)
    assert [(r.mood, r.shared_note) for r in rows] == [(4, None), (7, CANARY_NOTE)]
    assert "PRIVATE-canary" not in repr(rows)


def test_check_ins_come_back_as_not_shared_when_scores_are_off(pair):
    membership, client = pair
    share(client, checkins=False, journal=True)

    rows = checkins_for_care_team(access=care_view(membership, client))

    assert isinstance(rows, NotShared)
    assert (rows.category, rows.text) == (
        ShareScope.CHECKINS,
        f"Not shared by {client.display_name}",
    )
    assert CANARY_NOTE not in repr(rows)
