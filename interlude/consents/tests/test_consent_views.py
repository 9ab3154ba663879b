"""The consent pages: a client with a consent question is sent to it on their next page load;
onboarding step by step; withdrawal explained before confirming; history; the owner's versions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client as HttpClient

from interlude.consents.consent_services import (
    consent_accept,
    consent_document_current,
    consent_document_publish,
)
from interlude.consents.models import ClientPrivacy, ConsentEvent, ConsentStatus
from interlude.tracking.models import CheckIn
from tests.factories import (
    ClientFactory,
    MembershipFactory,
    PracticeFactory,
    UserFactory,
    clinician_with_client,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def now():
    """Every test runs at T0 with the clock stopped (sessions and dates stay consistent)."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _pending_client(**kwargs):
    practice = PracticeFactory(name="Riverside Therapy")
    return ClientFactory(
        practice=practice, user=UserFactory(), consent="pending", full_name="Ana Silva", **kwargs
    )


# --- the next page load asks ---------------------------------------------------------------------
def test_a_pending_client_is_sent_to_onboarding_but_help_and_the_safety_plan_stay_open():
    client = _pending_client()
    http = _as(client.user)

    assert http.get("/today/")["Location"] == "/welcome/"
    assert http.get("/tools/")["Location"] == "/welcome/"
    assert http.get("/help/").status_code == 200
    assert http.get("/safety-plan/").status_code == 200
    assert http.get("/welcome/").status_code == 200
    # The API is never redirected.
    assert http.get("/api/v1/checkins").status_code == 200


def test_an_htmx_request_is_redirected_with_hx_redirect():
    client = _pending_client()

    response = _as(client.user).get("/today/", headers={"HX-Request": "true"})

    assert (response.status_code, response["HX-Redirect"]) == (204, "/welcome/")


def test_a_client_who_consented_before_digital_consent_is_asked_on_the_consent_page():
    client = _pending_client()
    ClientPrivacy.objects.filter(client=client).update(consent_status="prior", onboarded_at=T0)
    http = _as(client.user)

    assert http.get("/today/")["Location"] == "/me/consent/"
    page = http.get("/me/consent/").content.decode()
    assert "Interlude now asks for your consent in the app." in page


def test_a_new_version_asks_again_on_the_next_page_load():
    client = _pending_client()
    owner = MembershipFactory(practice=client.practice, role="owner").user
    v1 = consent_document_current(practice=client.practice)
    consent_accept(client=client, actor=client.user, version=1, typed_name="Ana", method="web")
    ClientPrivacy.objects.filter(client=client).update(onboarded_at=T0)
    http = _as(client.user)
    assert http.get("/today/").status_code == 200

    consent_document_publish(
        practice=client.practice, actor=owner, title=v1.title, body=v1.body + "\nNew.\n"
    )

    assert http.get("/today/")["Location"] == "/me/consent/"
    page = http.get("/me/consent/").content.decode()
    assert "Your practice has updated this text since you agreed to version 1." in page
    response = http.post("/me/consent/", {"version": "2", "typed_name": "Ana Silva"})
    assert response["Location"] == "/today/"
    assert http.get("/today/").status_code == 200


def test_a_form_post_is_never_redirected_so_nothing_sent_is_lost():
    client = _pending_client()

    response = _as(client.user).post("/checkin/", {"mood": "6", "idempotency_key": "k-1"})

    assert response["Location"] == "/today/"
    assert CheckIn.objects.filter(client=client).count() == 1


# --- onboarding ----------------------------------------------------------------------------------
def test_onboarding_from_welcome_to_done():
    client = _pending_client(time_zone="America/New_York", country="DE")
    http = _as(client.user)

    welcome = http.get("/welcome/").content.decode()
    assert "Welcome, Ana" in welcome
    assert "Step 1 of 5" in welcome

    consent = http.get("/welcome/consent/").content.decode()
    assert "Riverside Therapy uses Interlude" in consent
    assert "If you are in danger now" in consent
    assert "Step 2 of 5" in consent

    blank = http.post("/welcome/consent/", {"version": "1", "typed_name": "   "})
    assert blank.status_code == 422
    assert "Type your name to show that you agree" in blank.content.decode()
    assert ConsentEvent.objects.filter(client=client).count() == 0

    accepted = http.post("/welcome/consent/", {"version": "1", "typed_name": "Ana Silva"})
    assert accepted["Location"] == "/welcome/sharing/"
    (event,) = ConsentEvent.objects.filter(client=client)
    assert (event.typed_name, event.method, event.at) == ("Ana Silva", "web", T0)

    sharing = http.get("/welcome/sharing/").content.decode()
    # Pre-set from the practice's defaults: check-in scores on, notes and journal off.
    assert (
        '<input type="checkbox" name="checkins" aria-describedby="id_checkins_helptext" '
        'id="id_checkins" checked>'
    ) in sharing
    assert (
        '<input type="checkbox" name="journal" aria-describedby="id_journal_helptext" '
        'id="id_journal">'
    ) in sharing
    assert "Always seen by your care team" in sharing
    saved = http.post("/welcome/sharing/", {"checkins": "on", "measures": "on"})
    assert saved["Location"] == "/welcome/time-zone/"
    privacy = ClientPrivacy.objects.get(client=client)
    assert privacy.categories == {
        "checkins": True,
        "journal": False,
        "worksheets": False,
        "measures": True,
        "imports": False,
        "relaxation": False,
    }

    bad = http.post("/welcome/time-zone/", {"time_zone": "Atlantis"})
    assert bad.status_code == 422
    assert http.post("/welcome/time-zone/", {"time_zone": "berlin"})["Location"] == (
        "/welcome/reminders/"
    )
    client.refresh_from_db()
    assert client.time_zone == "Europe/Berlin"

    assert http.post("/welcome/reminders/", {}).status_code == 422
    done = http.post("/welcome/reminders/", {"reminders_opt_in": "yes"})
    assert done["Location"] == "/welcome/done/"
    privacy.refresh_from_db()
    assert (privacy.reminders_opt_in, privacy.onboarded_at) == (True, T0)
    assert "Your care team will see what you chose to share" in (
        http.get("/welcome/done/").content.decode()
    )
    assert http.get("/today/").status_code == 200


def test_saying_not_now_records_the_answer_and_goes_on_without_sharing():
    client = _pending_client()
    http = _as(client.user)

    response = http.post("/welcome/consent/", {"version": "1", "typed_name": "", "decline": "1"})

    assert response["Location"] == "/welcome/time-zone/"
    assert ClientPrivacy.objects.get(client=client).consent_status == ConsentStatus.WITHDRAWN
    (event,) = ConsentEvent.objects.filter(client=client)
    assert event.kind == "withdrawn"
    # Not asked again on every page: they can agree from Me whenever they like.
    assert http.get("/today/").status_code == 200


# --- withdrawal and history ----------------------------------------------------------------------
def test_withdrawal_page_explains_before_confirming_and_one_button_withdraws():
    _, client = clinician_with_client()
    consent_document_current(practice=client.practice)
    http = _as(client.user)

    page = http.get("/me/consent/withdraw/").content.decode()

    for text in [
        "Your care team stops seeing",
        "Alerts about risk answers, so they can keep you safe.",
        "Your safety plan.",
        "appointments, session notes and scores from paper questionnaires.",
        "You can give your consent again at any time",
    ]:
        assert text in page, text
    assert ClientPrivacy.objects.get(client=client).consent_status == ConsentStatus.ACCEPTED

    response = http.post("/me/consent/withdraw/")

    assert response["Location"] == "/me/consent/"
    privacy = ClientPrivacy.objects.get(client=client)
    assert (privacy.consent_status, privacy.consent_at) == (ConsentStatus.WITHDRAWN, T0)
    again = http.get("/me/consent/").content.decode()
    assert "You withdrew your consent on 10 March 2026." in again
    assert http.post("/me/consent/", {"version": "1", "typed_name": "Me"})["Location"] == "/today/"
    assert ClientPrivacy.objects.get(client=client).consent_status == ConsentStatus.ACCEPTED


def test_history_lists_the_clients_own_answers_with_dates():
    client = _pending_client()
    consent_document_current(practice=client.practice)
    consent_accept(
        client=client, actor=client.user, version=1, typed_name="Ana Silva", method="web"
    )
    other = _pending_client()
    consent_accept(client=other, actor=other.user, version=1, typed_name="Zed", method="web")

    page = _as(client.user).get("/me/consent/history/").content.decode()

    assert "You agreed to version 1" in page
    assert "typed name: Ana Silva" in page
    assert '<time datetime="2026-03-10T' in page
    assert "Zed" not in page


# --- the practice's consent documents ------------------------------------------------------------
def test_an_owner_sees_the_versions_and_publishes_a_new_one():
    practice = PracticeFactory()
    owner = MembershipFactory(practice=practice, role="owner", user=UserFactory(mfa_exempt=True))
    http = _as(owner.user)

    page = http.get("/practice/consent/").content.decode()
    assert "Version 1" in page
    assert "Interlude's default" in page

    response = http.post("/practice/consent/", {"title": "Our consent", "body": "## New\n\nText"})

    assert response["Location"] == "/practice/consent/"
    assert consent_document_current(practice=practice).version == 2
    detail = http.get("/practice/consent/2/").content.decode()
    assert "<h2>New</h2>" in detail
    assert http.get("/practice/consent/9/").status_code == 404


def test_a_clinician_who_does_not_manage_the_practice_cannot_publish():
    membership, _ = clinician_with_client()

    response = _as(membership.user).post("/practice/consent/", {"title": "x", "body": "y"})

    assert response.status_code == 404
    assert consent_document_current(practice=membership.practice).version == 1
