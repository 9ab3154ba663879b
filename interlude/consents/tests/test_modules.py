"""Module switches: the clinician's panel, the service, and the client's app answering 404 for a
switched-off module's pages and API, hiding it on Tools and Today, and stopping its schedules.
Nothing hides the safety plan or crisis help."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.test import Client as HttpClient
from django.utils import timezone

from interlude.alerts.models import Alert, AlertKind
from interlude.alerts.services import alerts_sweep_checkins, alerts_sweep_overdue
from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.consents.models import ClientPrivacy
from interlude.consents.modules_selectors import clients_with_module_off, module_on
from interlude.consents.modules_services import client_modules_set
from interlude.core.clock import client_today
from interlude.core.errors import ApplicationError
from interlude.exercises.models import JournalEntry
from interlude.measures.models import DueStatus, Frequency, QuestionnaireDue
from interlude.measures.services import schedule_create
from interlude.practices.enums import Module
from interlude.tracking.models import CheckIn
from tests.factories import MembershipFactory, UserFactory, clinician_with_client

pytestmark = pytest.mark.django_db
ALL = list(Module)
NOW = "2026-03-10T14:00:00+00:00"


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _events() -> list[dict]:
    return list(
        AuditEvent.objects.filter(action=AuditAction.MODULES_CHANGED)
        .order_by("seq")
        .values_list("detail", flat=True)
    )


# --- the service ----------------------------------------------------------------------------------
def test_set_stores_modules_in_order_and_audits_once():
    membership, client = clinician_with_client()

    client_modules_set(
        client=client, actor=membership.user, modules_off=["library", Module.JOURNAL]
    )
    client_modules_set(client=client, actor=membership.user, modules_off=["journal", "library"])

    assert ClientPrivacy.objects.get(client=client).modules_off == ["journal", "library"]
    assert _events() == [{"modules_off": ["journal", "library"]}]
    assert module_on(client=client, module=Module.JOURNAL) is False
    assert module_on(client=client, module=Module.CHECKINS) is True
    assert clients_with_module_off(module=Module.LIBRARY, client_ids=[client.pk]) == {client.pk}


def test_set_refuses_an_unknown_module_and_changes_nothing():
    membership, client = clinician_with_client()

    with pytest.raises(ApplicationError) as exc:
        client_modules_set(client=client, actor=membership.user, modules_off=["safety_plan"])

    assert exc.value.message == (
        "'safety_plan' is not a part of the app that can be switched off. The parts are: "
        "checkins, journal, worksheets, relaxation, questionnaires, library, homework, messaging, "
        "reminders, imports."
    )
    assert ClientPrivacy.objects.get(client=client).modules_off == []
    assert _events() == []


# --- the clinician's panel ------------------------------------------------------------------------
def test_clinician_switches_a_module_off_without_js():
    membership, client = clinician_with_client()
    url = f"/clinic/clients/{client.public_id}/modules/"
    http = _as(membership.user)
    page = http.get(url)
    assert page.status_code == 200
    assert 'name="module_on" value="journal" id="module-journal"' in page.content.decode()

    on = [m.value for m in Module if m is not Module.JOURNAL]
    response = http.post(url, {"module_on": on})

    assert response.status_code == 302
    assert response["Location"] == f"/clinic/clients/{client.public_id}/#modules"
    assert ClientPrivacy.objects.get(client=client).modules_off == ["journal"]


def test_clinician_switches_with_htmx_and_gets_the_panel_back():
    membership, client = clinician_with_client()
    url = f"/clinic/clients/{client.public_id}/modules/"

    response = _as(membership.user).post(url, {"module_on": ["checkins"]}, HTTP_HX_REQUEST="true")
    html = response.content.decode()

    assert response.status_code == 200
    assert html.startswith('<section id="modules-panel"')
    assert "Saved. The client's app shows only what is on." in html
    assert (
        'value="checkins" id="module-checkins" aria-describedby="module-checkins-hint" checked'
        in html
    )
    assert ClientPrivacy.objects.get(client=client).modules_off == [
        "journal",
        "worksheets",
        "relaxation",
        "questionnaires",
        "library",
        "homework",
        "messaging",
        "reminders",
        "imports",
    ]


def test_only_the_care_team_reaches_the_panel():
    _, client = clinician_with_client()
    stranger = MembershipFactory(practice=client.practice, user=UserFactory(mfa_exempt=True))
    url = f"/clinic/clients/{client.public_id}/modules/"

    assert _as(stranger.user).post(url, {"module_on": []}).status_code == 404
    assert _as(client.user).get(url).status_code == 404
    assert ClientPrivacy.objects.get(client=client).modules_off == []


# --- the client's app -----------------------------------------------------------------------------
PAGES = {
    Module.CHECKINS: ["/checkin/"],
    Module.JOURNAL: ["/tools/journal/"],
    Module.WORKSHEETS: [
        "/tools/thought-records/",
        "/tools/activities/",
        "/tools/exposure/",
        "/tools/sleep/",
    ],
    Module.RELAXATION: ["/tools/breathe/box/", "/tools/relax/muscles/", "/tools/grounding/"],
    Module.QUESTIONNAIRES: ["/questionnaires/"],
    Module.LIBRARY: ["/library/"],
    Module.HOMEWORK: ["/homework/"],
    Module.MESSAGING: ["/messages/"],
    Module.REMINDERS: ["/me/reminders/"],
    Module.IMPORTS: ["/imports/"],
}
APIS = {
    Module.CHECKINS: ["/api/v1/checkins"],
    Module.JOURNAL: ["/api/v1/journal"],
    Module.WORKSHEETS: [
        "/api/v1/thought-records",
        "/api/v1/sleep-diary",
        "/api/v1/activities",
        "/api/v1/exposure/steps",
    ],
    Module.RELAXATION: ["/api/v1/relaxation-sessions"],
    Module.QUESTIONNAIRES: ["/api/v1/responses"],
    Module.HOMEWORK: ["/api/v1/assignments"],
    Module.MESSAGING: ["/api/v1/messages"],
    Module.REMINDERS: ["/api/v1/me/reminders"],
}


@pytest.mark.parametrize("module", ALL)
def test_a_switched_off_module_answers_404_on_its_pages_and_api(module):
    membership, client = clinician_with_client()
    http = _as(client.user)
    urls = PAGES[module] + APIS.get(module, [])
    assert [http.get(u).status_code for u in urls] == [200] * len(urls)

    client_modules_set(client=client, actor=membership.user, modules_off=[module])

    assert [http.get(u).status_code for u in urls] == [404] * len(urls)
    other = [u for m, us in PAGES.items() if m is not module for u in us]
    assert [http.get(u).status_code for u in other] == [200] * len(other)


def test_writes_of_a_switched_off_module_answer_404_and_store_nothing():
    membership, client = clinician_with_client()
    client_modules_set(
        client=client,
        actor=membership.user,
        modules_off=[Module.CHECKINS, Module.JOURNAL, Module.LIBRARY],
    )
    http = _as(client.user)

    checkin = http.post(
        "/api/v1/checkins",
        data=json.dumps({"mood": 5, "idempotency_key": "k1"}),
        content_type="application/json",
    )
    journal = http.post(
        "/api/v1/journal",
        data=json.dumps({"body": "A quiet day."}),
        content_type="application/json",
    )
    article = http.post("/api/v1/articles/what-is-anxiety/read")

    assert (checkin.status_code, journal.status_code, article.status_code) == (404, 404, 404)
    assert (CheckIn.objects.count(), JournalEntry.objects.count()) == (0, 0)


def test_tools_page_hides_switched_off_modules_and_keeps_safety_help():
    membership, client = clinician_with_client()
    http = _as(client.user)
    assert "<strong>Journal</strong>" in http.get("/tools/").content.decode()

    client_modules_set(client=client, actor=membership.user, modules_off=[Module.JOURNAL])
    html = http.get("/tools/").content.decode()

    assert "<strong>Journal</strong>" not in html
    assert "<strong>Thought record</strong>" in html


def test_every_module_off_still_shows_the_safety_plan_and_crisis_help():
    membership, client = clinician_with_client()
    client_modules_set(client=client, actor=membership.user, modules_off=ALL)
    http = _as(client.user)

    tools = http.get("/tools/").content.decode()
    today = http.get("/today/").content.decode()

    assert "<strong>My safety plan</strong>" in tools
    assert "<strong>Need help now?</strong>" in tools
    for hidden in ("Box breathing", "Check in", "Thought record", "Questionnaires", "Library"):
        assert f"<strong>{hidden}</strong>" not in tools
    assert 'href="/checkin/"' not in today
    assert 'href="/questionnaires/"' not in today
    assert 'href="/safety-plan/"' in today  # the header link, on every client page
    assert http.get("/safety-plan/").status_code == 200
    assert http.get("/help/").status_code == 200
    assert http.get("/api/v1/safety-plan").status_code == 200


# --- schedules stop -------------------------------------------------------------------------------
@time_machine.travel(NOW, tick=False)
def test_questionnaires_off_creates_no_due_and_the_sweep_leaves_it_alone():
    membership, client = clinician_with_client()
    now = timezone.now()
    schedule_create(
        actor=membership.user,
        client=client,
        instrument_code="phq9",
        frequency=Frequency.ONCE,
        window_days=3,
        starts_at=now - timedelta(days=10),
    )
    client_modules_set(client=client, actor=membership.user, modules_off=[Module.QUESTIONNAIRES])

    schedule_create(
        actor=membership.user,
        client=client,
        instrument_code="gad7",
        frequency=Frequency.EVERY_N_DAYS,
        interval_days=14,
        window_days=3,
    )

    assert list(QuestionnaireDue.objects.values_list("instrument_code", flat=True)) == ["phq9"]
    assert alerts_sweep_overdue(now=now) == 0
    assert QuestionnaireDue.objects.get().status == DueStatus.DUE
    assert not Alert.objects.filter(kind=AlertKind.QUESTIONNAIRE_OVERDUE).exists()


@time_machine.travel(NOW, tick=False)
def test_checkins_off_raises_no_missing_checkin_alert():
    membership, client = clinician_with_client()
    client.started_on = client_today(client) - timedelta(days=10)
    client.save()
    client_modules_set(client=client, actor=membership.user, modules_off=[Module.CHECKINS])

    assert alerts_sweep_checkins(now=timezone.now()) == 0
    assert not Alert.objects.filter(kind=AlertKind.NO_CHECKIN).exists()


def test_the_client_record_shows_the_module_panel_to_the_care_team():
    membership, client = clinician_with_client()
    client_modules_set(client=client, actor=membership.user, modules_off=[Module.LIBRARY])

    html = _as(membership.user).get(f"/clinic/clients/{client.public_id}/").content.decode()

    assert '<a href="#modules">Parts of the app</a>' in html
    assert f'hx-post="/clinic/clients/{client.public_id}/modules/"' in html
    assert (
        'name="module_on" value="library" id="module-library" '
        'aria-describedby="module-library-hint">' in html
    )
    assert (
        'name="module_on" value="journal" id="module-journal" '
        'aria-describedby="module-journal-hint" checked>' in html
    )
