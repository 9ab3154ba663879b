"""The readiness pages: the client's form (errors named beside each question, the eHEALS part
optional with its attribution), the Today line while a request is open, the answered page, and the
clinician's "Digital readiness" panel (answers, suggestions beside the switches, asking, saving)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from interlude.catalog.enums import ReadinessStatus
from interlude.catalog.models import ReadinessCheck
from interlude.catalog.readiness_services import readiness_request, readiness_submit
from interlude.consents.access import access_client
from interlude.consents.breakglass_services import break_glass_open
from interlude.consents.models import ClientPrivacy
from interlude.practices.enums import Role, ShareScope
from tests.factories import MembershipFactory, UserFactory, clinician_with_client

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
HX = {"HTTP_HX_REQUEST": "true"}

FORM: dict[str, Any] = {
    "devices": ["smartphone", "tablet"],
    "connection": "wifi",
    "phone_shared": "may_look",
    "comfort": "4",
    "reminders": "yes",
    "privacy": ["others_see"],
    "privacy_note": "",
    "worksheets": "paper",
    "accessibility": "Larger text",
    "apps_used": "yes",
    "apps_used_note": "Daylio",
}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pair():
    return clinician_with_client()


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _ask(membership, client):
    care = access_client(
        user=membership.user, client_id=client.public_id, scope=ShareScope.READINESS
    )
    return readiness_request(care=care, membership=membership)


def _record(membership, client) -> str:
    response = _as(membership.user).get(f"/clinic/clients/{client.public_id}/")
    assert response.status_code == 200
    return response.content.decode()


# --- the client's form ----------------------------------------------------------------------------
def test_the_form_says_who_sees_the_answers_and_offers_to_skip_the_eheals(pair):
    _, client = pair
    html = _as(client.user).get("/readiness/").content.decode()
    assert "A few questions about apps and devices" in html
    assert (
        "Your care team reads your answers, to choose the parts of this app that suit you." in html
    )
    assert '<a href="#readiness-send">Skip this part</a>' in html
    assert "Finding health information online" in html
    assert "I know what health resources are available on the Internet" in html
    assert "Norman, C. D., &amp; Skinner, H. A. (2006). eHEALS: The eHealth Literacy Scale." in html
    assert '<a href="https://www.jmir.org/2006/4/e27" rel="nofollow">' in html
    assert "Creative Commons Attribution License 2.0" in html
    assert html.count("<fieldset") == 8 + 8  # the eight choice questions, the eight statements
    assert '<label for="q-accessibility">' in html


def test_missing_answers_are_listed_at_the_top_and_beside_each_question(pair):
    _, client = pair
    response = _as(client.user).post(
        "/readiness/",
        {**FORM, "reminders": "", "devices": [], "eheals_1": "4", "eheals_2": "4", "send": "all"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        '<a href="#q-devices-0">Which of these do you use? Choose at least one answer.</a>' in html
    )
    assert (
        '<a href="#q-reminders-0">Would you like reminders on your phone? Choose one answer.</a>'
        in html
    )
    assert (
        '<a href="#eheals-part">The health information statements: you answered 2 of 8. Answer '
        "the other 6, or send without this part.</a>" in html
    )
    # Beside the question, only what to do (the legend already asks it).
    assert (
        '<p class="field-error" id="q-reminders-error"><span class="visually-hidden">Error:</span>'
        " Choose one answer.</p>" in html
    )
    # What was chosen stays chosen.
    assert 'id="q-comfort-3" value="4" checked' in html
    assert 'id="eheals-1-4" value="4" checked' in html
    assert ReadinessCheck.objects.count() == 0


def test_sending_without_the_eheals_part_stores_the_answers_and_thanks(pair):
    _, client = pair
    response = _as(client.user).post("/readiness/", {**FORM, "eheals_1": "4", "send": "skip"})
    assert response.status_code == 302
    assert response["Location"] == "/readiness/thanks/"
    check = ReadinessCheck.objects.get(client=client)
    assert (check.status, check.eheals_total, check.requested_by) == (
        ReadinessStatus.SUBMITTED,
        None,
        None,
    )
    assert check.answers["apps_used_note"] == "Daylio"
    thanks = _as(client.user).get("/readiness/thanks/").content.decode()
    assert "Your care team will look at your answers" in thanks


def test_sending_with_every_statement_stores_the_eheals_total(pair):
    _, client = pair
    eheals = {f"eheals_{n}": str(n % 5 + 1) for n in range(1, 9)}
    response = _as(client.user).post("/readiness/", {**FORM, **eheals, "send": "all"})
    assert response.status_code == 302
    assert ReadinessCheck.objects.get(client=client).eheals_total == 2 + 3 + 4 + 5 + 1 + 2 + 3 + 4


def test_once_answered_the_page_shows_the_answers_until_asked_again(pair):
    membership, client = pair
    readiness_submit(client=client, actor=client.user, answers=FORM, eheals_answers=None)
    http = _as(client.user)
    html = http.get("/readiness/").content.decode()
    assert "Your answers about apps and devices" in html
    assert "<dt>Devices</dt><dd>A smartphone, A tablet</dd>" in html
    assert "<dt>Finding health information online</dt><dd>Skipped</dd>" in html
    again = http.post("/readiness/", {**FORM, "send": "skip"})
    assert again.status_code == 409
    assert "You have already answered these questions, thank you." in again.content.decode()
    assert ReadinessCheck.objects.count() == 1
    _ask(membership, client)
    assert "Send my answers" in http.get("/readiness/").content.decode()


def test_today_shows_the_request_while_it_is_open(pair):
    membership, client = pair
    http = _as(client.user)
    assert "Your therapist asked a few questions about apps and devices" not in (
        http.get("/today/").content.decode()
    )
    _ask(membership, client)
    html = http.get("/today/").content.decode()
    assert "Your therapist asked a few questions about apps and devices" in html
    assert 'href="/readiness/"' in html
    http.post("/readiness/", {**FORM, "send": "skip"})
    assert "Your therapist asked" not in http.get("/today/").content.decode()


def test_onboarding_done_offers_the_check(pair):
    _, client = pair
    response = _as(client.user).get("/welcome/done/")
    assert response.status_code == 200
    assert "a few questions about apps and devices</a> (optional" in response.content.decode()


# --- the clinician's panel ------------------------------------------------------------------------
def test_the_record_offers_to_ask_and_then_waits(pair):
    membership, client = pair
    html = _record(membership, client)
    assert "Digital readiness" in html
    assert "Ask for the readiness check" in html
    response = _as(membership.user).post(f"/clinic/clients/{client.public_id}/readiness/request/")
    assert response.status_code == 302
    assert response["Location"] == f"/clinic/clients/{client.public_id}/#readiness"
    html = _record(membership, client)
    assert f"<strong>Waiting for {client.display_name}</strong>" in html
    assert "Ask for the readiness check" not in html
    assert ReadinessCheck.objects.filter(status=ReadinessStatus.REQUESTED).count() == 1


def test_the_panel_shows_answers_suggestions_and_the_current_switches(pair):
    membership, client = pair
    ClientPrivacy.objects.filter(client=client).update(modules_off=["journal"])
    readiness_submit(client=client, actor=client.user, answers=FORM, eheals_answers=[3] * 8)
    html = _record(membership, client)
    assert "<dt>Comfort with apps</dt><dd>4 of 5, comfortable</dd>" in html
    assert "<dt>Apps already used</dt><dd>Yes — “Daylio”</dd>" in html
    assert (
        "eHEALS 24 of 40 — no official cutoff; higher means more confident finding and using "
        "health information online." in html
    )
    # Journal: off now, suggested on. Reminders and worksheets: on now, suggested off.
    assert 'value="journal" id="readiness-module-journal">' in html
    assert 'value="checkins" id="readiness-module-checkins" checked>' in html
    assert 'value="reminders" id="readiness-module-reminders" checked>' in html
    assert (
        "Their phone is shared or someone may look at it, and reminders show on the lock screen."
        in html
    )
    assert "They prefer worksheets on paper." in html
    assert "3 parts differ from the suggestion" in html
    assert html.count("readiness-differs") == 3


def test_use_the_suggestions_ticks_them_without_saving(pair):
    membership, client = pair
    readiness_submit(client=client, actor=client.user, answers=FORM, eheals_answers=None)
    url = f"/clinic/clients/{client.public_id}/readiness/?fill=suggestions"
    for response in (_as(membership.user).get(url), _as(membership.user).get(url, **HX)):
        assert response.status_code == 200
        html = response.content.decode()
        assert "Ticked as suggested. Nothing changes until you save." in html
        assert 'value="reminders" id="readiness-module-reminders">' in html
        assert 'value="worksheets" id="readiness-module-worksheets">' in html
        assert 'value="imports" id="readiness-module-imports" checked>' in html
    assert "<html" not in html  # the htmx fragment
    assert ClientPrivacy.objects.get(client=client).modules_off == []


def test_saving_the_switches_hides_the_part_from_the_client(pair):
    membership, client = pair
    assert _as(client.user).get("/messages/").status_code == 200
    on = [m for m in ("checkins", "journal", "worksheets", "relaxation", "questionnaires")]
    response = _as(membership.user).post(
        f"/clinic/clients/{client.public_id}/readiness/modules/", {"module_on": on}, **HX
    )
    assert response.status_code == 200
    assert "Saved. The client's app shows only what is on." in response.content.decode()
    assert ClientPrivacy.objects.get(client=client).modules_off == [
        "library",
        "homework",
        "messaging",
        "reminders",
        "imports",
    ]
    assert _as(client.user).get("/messages/").status_code == 404
    # The safety plan stays.
    assert _as(client.user).get("/safety-plan/").status_code == 200


def test_an_unknown_module_is_refused(pair):
    membership, client = pair
    response = _as(membership.user).post(
        f"/clinic/clients/{client.public_id}/readiness/modules/",
        {"module_on": ["safety_plan"]},
        **HX,
    )
    assert response.status_code == 400
    assert "&#x27;safety_plan&#x27; is not a part of the app." in response.content.decode()
    assert ClientPrivacy.objects.get(client=client).modules_off == []


def test_a_clinician_of_another_practice_gets_404_everywhere(pair):
    _, client = pair
    other, _ = clinician_with_client()
    http = _as(other.user)
    base = f"/clinic/clients/{client.public_id}/readiness/"
    assert http.get(base).status_code == 404
    for path in ("request/", "cancel/", "modules/"):
        assert http.post(base + path, {"module_on": []}).status_code == 404
    assert ReadinessCheck.objects.count() == 0
    assert ClientPrivacy.objects.get(client=client).modules_off == []


def test_the_client_cannot_use_the_clinician_pages(pair):
    _, client = pair
    http = _as(client.user)
    base = f"/clinic/clients/{client.public_id}/readiness/"
    assert http.get(base).status_code in (403, 404)
    assert http.post(base + "request/").status_code in (403, 404)
    assert ReadinessCheck.objects.count() == 0


def test_withdrawing_the_request_from_the_panel(pair):
    membership, client = pair
    _ask(membership, client)
    response = _as(membership.user).post(
        f"/clinic/clients/{client.public_id}/readiness/cancel/", **HX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The request is withdrawn." in html
    assert "Ask for the readiness check" in html
    assert ReadinessCheck.objects.get().status == ReadinessStatus.CANCELLED


def test_the_panel_reads_in_the_same_number_of_queries_as_checks_add_up(pair):
    membership, client = pair
    http = _as(membership.user)
    url = f"/clinic/clients/{client.public_id}/readiness/"
    readiness_submit(client=client, actor=client.user, answers=FORM, eheals_answers=None)
    http.get(url, **HX)
    with CaptureQueriesContext(connection) as one:
        assert http.get(url, **HX).status_code == 200
    for _ in range(3):
        _ask(membership, client)
        readiness_submit(client=client, actor=client.user, answers=FORM, eheals_answers=[4] * 8)
    _ask(membership, client)
    with CaptureQueriesContext(connection) as many:
        assert http.get(url, **HX).status_code == 200
    assert len(many) == len(one)
    readiness_reads = [q for q in many.captured_queries if "catalog_readinesscheck" in q["sql"]]
    assert len(readiness_reads) == 1


def test_emergency_access_reads_the_panel_without_any_form(pair):
    _, client = pair
    readiness_submit(client=client, actor=client.user, answers=FORM, eheals_answers=None)
    owner = MembershipFactory(
        practice=client.practice, role=Role.OWNER, user=UserFactory(mfa_exempt=True)
    )
    break_glass_open(
        user=owner.user, client_public_id=client.public_id, reason="The client phoned in distress"
    )
    http = _as(owner.user)
    base = f"/clinic/clients/{client.public_id}/readiness/"
    response = http.get(base)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<dt>Devices</dt><dd>A smartphone, A tablet</dd>" in html
    assert "They prefer worksheets on paper." in html
    assert 'action="/clinic/' not in html
    assert "Use the suggestions" not in html
    record = http.get(f"/clinic/clients/{client.public_id}/").content.decode()
    assert "Digital readiness" in record
    assert f'action="{base}' not in record
    for path in ("request/", "cancel/", "modules/"):
        assert http.post(base + path, {"module_on": []}).status_code == 404
    assert ClientPrivacy.objects.get(client=client).modules_off == []
