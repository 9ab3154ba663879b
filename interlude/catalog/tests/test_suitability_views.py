"""The clinician's Suitability panel on the record (add with htmx or without JavaScript, remove,
read only under emergency access), the notes on the pre-session brief, and that the client's own
pages never show them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client as HttpClient

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.catalog.models import SuitabilityNote
from interlude.catalog.suitability_services import suitability_note_add
from interlude.consents.access import access_client
from interlude.consents.breakglass_services import break_glass_open
from interlude.practices.enums import Role
from tests.factories import (
    CareTeamMemberFactory,
    ClientFactory,
    MembershipFactory,
    PracticeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)  # 10:00 in New York
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def team():
    practice = PracticeFactory(time_zone="America/New_York")
    clinician = MembershipFactory(
        practice=practice, user=UserFactory(mfa_exempt=True, full_name="Dr Ada Rivera")
    )
    client = ClientFactory(
        practice=practice, user=UserFactory(), full_name="Jonah Park", time_zone="Europe/Berlin"
    )
    CareTeamMemberFactory(client=client, membership=clinician)
    return clinician, client


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _url(client) -> str:
    return f"/clinic/clients/{client.public_id}/suitability/"


def _remove_url(client, note) -> str:
    return f"/clinic/clients/{client.public_id}/suitability/{note.public_id}/remove/"


def _add(clinician, client, text: str, *, at: datetime = NOW) -> SuitabilityNote:
    with time_machine.travel(at, tick=False):
        care = access_client(user=clinician.user, client_id=client.public_id, for_write=True)
        return suitability_note_add(care=care, membership=clinician, text=text)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _section(html: str, section_id: str) -> str:
    start = html.index(f'<section id="{section_id}"')
    return html[start : html.index("</section>", start) + len("</section>")]


def test_record_shows_the_suitability_panel_with_notes_newest_first_and_the_add_form(team):
    clinician, client = team
    _add(clinician, client, "Prefers paper for worksheets", at=NOW - timedelta(days=3))
    newest = _add(clinician, client, "Shares a phone with partner: no reminders")

    response = _as(clinician.user).get(f"/clinic/clients/{client.public_id}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<li><a href="#suitability">Suitability</a></li>' in html
    panel = _section(html, "suitability-panel")
    assert _text(panel) == (
        "Suitability How digital tools fit this client: what to keep in mind when choosing and "
        "setting up tools. The notes show in the pre-session brief. The client does not see "
        "them in the app; they are part of the client's data download. "
        "Shares a phone with partner: no reminders Dr Ada Rivera, 10 Mar 2026 "
        "Remove the note “Shares a phone with partner: no reminders” "
        "Prefers paper for worksheets Dr Ada Rivera, 7 Mar 2026 "
        "Remove the note “Prefers paper for worksheets” "
        "Add a note One thing to keep in mind, up to 500 characters. For example: “Prefers "
        "paper for worksheets” or “Shares a phone with partner: no reminders”. Add note"
    )
    assert (
        f'hx-post="/clinic/clients/{client.public_id}/suitability/{newest.public_id}/remove/"'
        in panel
    )
    assert (
        '<textarea id="suitability-text" name="text" rows="2" maxlength="500" '
        'placeholder="Prefers paper for worksheets" aria-describedby="suitability-text-hint">'
        "</textarea>"
    ) in panel


def test_record_without_notes_says_so(team):
    clinician, client = team

    html = _as(clinician.user).get(f"/clinic/clients/{client.public_id}/").content.decode()

    assert '<p class="muted">No suitability notes yet.</p>' in _section(html, "suitability-panel")


def test_adding_with_htmx_answers_the_panel_with_the_new_note(team):
    clinician, client = team

    response = _as(clinician.user).post(
        _url(client), {"text": "  Prefers paper for worksheets "}, **HX
    )

    assert response.status_code == 200
    assert [t.name for t in response.templates][:1] == ["catalog/_suitability_panel.html"]
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="suitability-panel"')
    assert (
        '<p class="message message-success" role="status">'
        "Note added. It shows in the pre-session brief.</p>"
    ) in html
    assert '<p class="suitability-text">Prefers paper for worksheets</p>' in html
    assert [(n.text, n.author_id) for n in SuitabilityNote.objects.all()] == [
        ("Prefers paper for worksheets", clinician.pk)
    ]
    assert AuditEvent.objects.filter(action=AuditAction.SUITABILITY_NOTE_SAVED).count() == 1


def test_adding_without_javascript_returns_to_the_record(team):
    clinician, client = team
    http = _as(clinician.user)

    response = http.post(_url(client), {"text": "No reminders"})

    assert response.status_code == 302
    assert response["Location"] == f"/clinic/clients/{client.public_id}/#suitability"
    page = http.get(response["Location"]).content.decode()
    assert "Note added. It shows in the pre-session brief." in page
    assert '<p class="suitability-text">No reminders</p>' in page


def test_a_note_that_is_too_long_comes_back_with_the_problem_and_the_text_kept(team):
    clinician, client = team
    long_text = "a" * 501

    with_htmx = _as(clinician.user).post(_url(client), {"text": long_text}, **HX)
    without = _as(clinician.user).post(_url(client), {"text": long_text})

    message = (
        "A note can be up to 500 characters; this one has 501. Shorten it, or split it into "
        "two notes."
    )
    # htmx swaps only 2xx answers, so its fragment says the problem with a 200.
    for response, template, status in (
        (with_htmx, "catalog/_suitability_panel.html", 200),
        (without, "catalog/suitability_page.html", 400),
    ):
        assert response.status_code == status
        assert response.templates[0].name == template
        html = response.content.decode()
        assert (
            '<p class="field-error" id="suitability-text-error" role="alert">'
            f'<span class="visually-hidden">Error:</span> {message}</p>'
        ) in html
        assert 'aria-describedby="suitability-text-hint suitability-text-error"' in html
        assert f'aria-invalid="true">{long_text}</textarea>' in html
    assert SuitabilityNote.objects.count() == 0


def test_removing_with_and_without_htmx(team):
    clinician, client = team
    first = _add(clinician, client, "Finds long forms hard on a small screen")
    second = _add(clinician, client, "No reminders")
    http = _as(clinician.user)

    with_htmx = http.post(_remove_url(client, first), **HX)
    without = http.post(_remove_url(client, second))

    assert with_htmx.status_code == 200
    html = with_htmx.content.decode()
    assert '<p class="message message-success" role="status">Note removed.</p>' in html
    assert "Finds long forms hard" not in html
    assert '<p class="suitability-text">No reminders</p>' in html
    assert (without.status_code, without["Location"]) == (
        302,
        f"/clinic/clients/{client.public_id}/#suitability",
    )
    assert SuitabilityNote.objects.filter(removed_at__isnull=True).count() == 0
    assert http.get(_remove_url(client, first)).status_code == 405
    # Removing again: nothing to remove.
    assert http.post(_remove_url(client, first), **HX).status_code == 404


def test_get_answers_the_panel_or_a_page_with_it(team):
    clinician, client = team
    _add(clinician, client, "No reminders")
    http = _as(clinician.user)

    fragment = http.get(_url(client), **HX)
    page = http.get(_url(client))

    assert fragment.status_code == page.status_code == 200
    assert fragment.content.decode().lstrip().startswith('<section id="suitability-panel"')
    html = page.content.decode()
    assert "<title>Suitability" in html
    assert '<p class="suitability-text">No reminders</p>' in html


def test_nobody_outside_the_care_team_reads_or_writes_notes(team):
    clinician, client = team
    note = _add(clinician, client, "No reminders")
    colleague = MembershipFactory(practice=client.practice, user=UserFactory(mfa_exempt=True))
    other_practice = MembershipFactory(user=UserFactory(mfa_exempt=True))

    for user in (colleague.user, other_practice.user, client.user):
        http = _as(user)
        assert http.get(_url(client)).status_code == 404
        assert http.post(_url(client), {"text": "x"}).status_code == 404
        assert http.post(_remove_url(client, note)).status_code == 404
    assert [(n.text, n.removed_at) for n in SuitabilityNote.objects.all()] == [
        ("No reminders", None)
    ]


def test_under_emergency_access_the_panel_reads_and_offers_no_forms(team):
    clinician, client = team
    _add(clinician, client, "No reminders")
    owner = MembershipFactory(
        practice=client.practice, role=Role.OWNER, user=UserFactory(mfa_exempt=True)
    )
    break_glass_open(
        user=owner.user, client_public_id=client.public_id, reason="The client rang in distress"
    )
    http = _as(owner.user)

    html = http.get(f"/clinic/clients/{client.public_id}/").content.decode()
    panel = _section(html, "suitability-panel")

    assert '<p class="suitability-text">No reminders</p>' in panel
    assert "<form" not in panel
    assert http.post(_url(client), {"text": "x"}).status_code == 404
    assert SuitabilityNote.objects.count() == 1


def test_the_brief_shows_the_current_notes_at_the_top_of_its_right_column(team):
    clinician, client = team
    _add(clinician, client, "Prefers paper for worksheets", at=NOW - timedelta(days=3))
    gone = _add(clinician, client, "Removed note")
    _add(clinician, client, "Shares a phone with partner: no reminders")
    _as(clinician.user).post(_remove_url(client, gone))

    response = _as(clinician.user).get(f"/clinic/clients/{client.public_id}/brief/")

    assert response.status_code == 200
    assert ("suitability", "right") in [(p.name, p.region) for p in response.context["panels"]]
    right = [p.name for p in response.context["panels"] if p.region == "right"]
    assert right[0] == "suitability"
    html = response.content.decode()
    start = html.index('aria-labelledby="brief-suitability-title"')
    section = html[start : html.index("</section>", start)]
    assert _text(section.split(">", 1)[1]) == (
        "Suitability Shares a phone with partner: no reminders Dr Ada Rivera, 10 Mar 2026 "
        "Prefers paper for worksheets Dr Ada Rivera, 7 Mar 2026"
    )


def test_the_brief_has_no_suitability_section_without_notes(team):
    clinician, client = team

    response = _as(clinician.user).get(f"/clinic/clients/{client.public_id}/brief/")

    assert "suitability" not in [p.name for p in response.context["panels"]]
    assert "brief-suitability-title" not in response.content.decode()


def test_the_clients_own_pages_never_show_the_notes(team):
    clinician, client = team
    _add(clinician, client, "Shares a phone with partner: no reminders")
    http = _as(client.user)

    for url in ("/today/", "/tools/", "/me/", "/progress/"):
        response = http.get(url)
        assert response.status_code == 200, url
        assert "Shares a phone with partner" not in response.content.decode(), url
