"""Safety plan pages over HTTP: the client's own, the care team's, versions, print, the form."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine

from interlude.audit.enums import AuditAction, AuditOutcome
from interlude.audit.models import AuditEvent
from interlude.care.models import SafetyPlanVersion
from interlude.care.selectors import safety_plan_content, safety_plan_current
from interlude.care.services import safety_plan_save
from interlude.care.tests.conftest import logged_in
from interlude.consents.access import Viewer, care_access_for

pytestmark = pytest.mark.django_db


def own(client):
    """The client's own view of their record."""
    return care_access_for(client=client, user=client.user, viewer=Viewer.SELF, membership=None)


PLAN = {
    "warning_signs": ["Staying in bed all day"],
    "coping_strategies": ["A walk by the river"],
    "distraction": ["The library"],
    "people_to_ask": [{"name": "Sam <my sister>", "phone": "+1 (555) 010-2345"}],
    "professionals": [{"name": "Dr. Alex Rivera", "phone": "555 010 9999", "hours": "Weekdays"}],
    "safe_environment": ["Give my pills to Sam to keep"],
    "reasons_for_living": ["My dog, Pepper"],
}


def form_data(base_version: int, **rows: str) -> dict[str, str]:
    """A posted form with three empty lines per section, then `rows` on top."""
    data: dict[str, str] = {"base_version": str(base_version)}
    for key in (
        "warning_signs",
        "coping_strategies",
        "distraction",
        "safe_environment",
        "reasons_for_living",
    ):
        for i in range(3):
            data[f"{key}-{i}"] = ""
    for i in range(3):
        data[f"people_to_ask-{i}-name"] = ""
        data[f"people_to_ask-{i}-phone"] = ""
        data[f"professionals-{i}-name"] = ""
        data[f"professionals-{i}-phone"] = ""
        data[f"professionals-{i}-hours"] = ""
    data.update(rows)
    return data


# --- the client's page ----------------------------------------------------------------------------
def test_client_plan_page_shows_the_plan_with_tel_links_and_the_care_card(client, clinician):
    with time_machine.travel(datetime(2026, 3, 3, 15, 0, tzinfo=UTC), tick=False):
        safety_plan_save(client=client, actor=clinician.user, content=PLAN, base_version=0)
    http = logged_in(client.user)

    response = http.get("/safety-plan/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<a class="tel" href="tel:911">911</a>' in html
    assert 'href="/help/"' in html
    assert re.findall(r'href="(tel:[^"]+)"', html) == [
        "tel:911",
        "tel:+15550102345",
        "tel:5550109999",
    ]
    assert "Sam &lt;my sister&gt;" in html  # the person's words, escaped
    assert "Version 1 · Updated by Dr. Alex Rivera on 3 March 2026" in html
    for words in (
        "Staying in bed all day",
        "A walk by the river",
        "The library",
        "Give my pills to Sam to keep",
        "My dog, Pepper",
        "Weekdays",
    ):
        assert words in html


def test_client_without_a_plan_is_invited_to_start_one(client):
    response = logged_in(client.user).get("/safety-plan/")

    assert response.status_code == 200
    assert "Make a plan for hard moments" in response.content.decode()
    assert 'href="/safety-plan/edit/"' in response.content.decode()


def test_every_client_page_links_to_the_safety_plan_in_the_header(client):
    html = logged_in(client.user).get("/tools/").content.decode()

    assert '<a class="plan-link" href="/safety-plan/">Safety plan</a>' in html


def test_the_client_page_says_who_updated_it_in_the_clients_own_words(client):
    safety_plan_save(client=client, actor=client.user, content=PLAN, base_version=0)

    html = logged_in(client.user).get("/safety-plan/").content.decode()

    assert "Updated by you on" in html


# --- editing through the form ---------------------------------------------------------------------
def test_a_new_plan_form_suggests_the_practices_crisis_lines(client):
    html = logged_in(client.user).get("/safety-plan/edit/").content.decode()

    assert 'name="professionals-0-name" value="988 Suicide &amp; Crisis Lifeline"' in html
    assert 'name="professionals-0-phone" value="988"' in html
    assert 'name="professionals-1-name" value="Emergency services"' in html
    assert "Samaritans" not in html  # another country's line
    assert 'name="base_version" value="0"' in html


def test_client_saves_the_form_and_empty_lines_are_left_out(client):
    http = logged_in(client.user)

    response = http.post(
        "/safety-plan/edit/",
        form_data(
            0,
            **{
                "warning_signs-0": "Not sleeping",
                "warning_signs-2": "Skipping meals",
                "people_to_ask-1-name": "Sam",
                "people_to_ask-1-phone": "555 010 2345",
            },
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == "/safety-plan/"
    current = safety_plan_current(access=own(client))
    assert current is not None and current.version == 1
    assert current.created_by == client.user
    content = safety_plan_content(current)
    assert content.warning_signs == ["Not sleeping", "Skipping meals"]
    assert [p.model_dump() for p in content.people_to_ask] == [
        {"name": "Sam", "phone": "555 010 2345"}
    ]
    page = http.get("/safety-plan/").content.decode()
    assert "Your safety plan is saved. This is version 1." in page


def test_the_edit_form_has_the_plans_lines_and_two_empty_ones(client):
    safety_plan_save(
        client=client,
        actor=client.user,
        content={"warning_signs": ["a", "b", "c"]},
        base_version=0,
    )

    html = logged_in(client.user).get("/safety-plan/edit/").content.decode()

    assert re.findall(r'name="(warning_signs-\d+)"', html) == [
        f"warning_signs-{i}" for i in range(5)
    ]
    assert 'name="warning_signs-2" value="c"' in html
    assert 'name="base_version" value="1"' in html
    assert len(re.findall(r'name="(people_to_ask-\d+-name)"', html)) == 2


def test_form_errors_sit_beside_the_field_and_nothing_is_stored(client):
    response = logged_in(client.user).post(
        "/safety-plan/edit/",
        form_data(
            0,
            **{
                "warning_signs-0": "Not sleeping",
                "people_to_ask-1-name": "Sam",
                "people_to_ask-1-phone": "call me maybe",
                "coping_strategies-2": "x" * 301,
            },
        ),
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["people_to_ask-1-phone"] == [
        "Person 2: Enter a phone number using digits, like 555 010 2345 or +44 20 7946 0958."
    ]
    assert form.errors["coping_strategies-2"] == [
        "Thing I can do 3: Each line in “Things I can do on my own” can be up to 300 characters."
    ]
    html = response.content.decode()
    assert "There is a problem" in html
    assert '<a href="#id_people_to_ask-1-phone">' in html
    assert 'id="id_people_to_ask-1-phone_error"' in html
    assert 'value="call me maybe"' in html  # what they typed is kept
    assert SafetyPlanVersion.objects.count() == 0


def test_a_form_saved_from_an_old_version_keeps_the_typing_and_saves_nothing(client, clinician):
    safety_plan_save(client=client, actor=client.user, content=PLAN, base_version=0)
    safety_plan_save(
        client=client, actor=clinician.user, content={"warning_signs": ["New"]}, base_version=1
    )

    response = logged_in(client.user).post(
        "/safety-plan/edit/", form_data(1, **{"warning_signs-0": "Mine"})
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Version 2 was saved by Dr. Alex Rivera while you were editing, so your changes are not "
        "saved yet. They are still below: compare them with the current plan, then save again "
        "to make yours the newest version."
    ]
    html = response.content.decode()
    assert 'name="base_version" value="2"' in html
    assert 'name="warning_signs-0" value="Mine"' in html
    assert SafetyPlanVersion.objects.filter(client=client).count() == 2


def test_versions_are_listed_and_each_can_be_read(client, clinician):
    safety_plan_save(
        client=client, actor=client.user, content={"warning_signs": ["Old"]}, base_version=0
    )
    safety_plan_save(
        client=client, actor=clinician.user, content={"warning_signs": ["New"]}, base_version=1
    )
    http = logged_in(client.user)

    listing = http.get("/safety-plan/versions/").content.decode()
    old = http.get("/safety-plan/versions/?version=1")

    assert re.findall(
        r'<a href="(/safety-plan/versions/\?version=\d+)">Version (\d+)</a>', listing
    ) == [
        ("/safety-plan/versions/?version=2", "2"),
        ("/safety-plan/versions/?version=1", "1"),
    ]
    assert "Updated by Dr. Alex Rivera on" in listing
    assert "Updated by you on" in listing
    assert old.status_code == 200
    html = old.content.decode()
    assert "Old" in html and "New" not in html
    assert "This is an earlier version, kept for reference. It cannot be changed." in html
    assert "<form" not in html.split("<main", 1)[1]
    assert http.get("/safety-plan/versions/?version=3").status_code == 404
    assert http.get("/safety-plan/versions/?version=one").status_code == 404


def test_the_print_page_has_the_plan_and_the_crisis_lines_without_navigation(client):
    safety_plan_save(client=client, actor=client.user, content=PLAN, base_version=0)

    response = logged_in(client.user).get("/safety-plan/print/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'Safety plan <span class="plan-for">for Jordan Ellis</span>' in html
    assert 'href="tel:911"' in html and 'href="tel:988"' in html
    assert "My dog, Pepper" in html
    assert 'class="tabbar"' not in html


# --- the care team --------------------------------------------------------------------------------
def test_care_team_clinician_sees_the_plan_and_the_read_is_audited(client, clinician):
    safety_plan_save(client=client, actor=client.user, content=PLAN, base_version=0)

    response = logged_in(clinician.user).get(f"/clinic/clients/{client.public_id}/safety-plan/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Updated by Jordan Ellis (client) on" in html
    assert 'href="tel:+15550102345"' in html
    event = AuditEvent.objects.get(action=AuditAction.CLIENT_RECORD_VIEWED)
    assert event.actor == clinician.user
    assert event.client == client
    assert event.outcome == AuditOutcome.SUCCESS
    assert event.detail == {"scope": "safety_plan"}


def test_care_team_clinician_edits_the_plan_with_the_client(client, clinician):
    safety_plan_save(client=client, actor=client.user, content=PLAN, base_version=0)
    http = logged_in(clinician.user)
    url = f"/clinic/clients/{client.public_id}/safety-plan/edit/"
    assert http.get(url).status_code == 200

    response = http.post(url, form_data(1, **{"reasons_for_living-0": "Seeing Pepper grow old"}))

    assert response.status_code == 302
    assert response["Location"] == f"/clinic/clients/{client.public_id}/safety-plan/"
    current = safety_plan_current(access=own(client))
    assert current is not None and current.version == 2
    assert current.created_by == clinician.user
    assert safety_plan_content(current).reasons_for_living == ["Seeing Pepper grow old"]
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.CLIENT_RECORD_VIEWED, actor=clinician.user, client=client
        ).count()
        == 2
    )
    client_page = logged_in(client.user).get("/safety-plan/").content.decode()
    assert "Version 2 · Updated by Dr. Alex Rivera on" in client_page


@pytest.mark.parametrize("suffix", ["", "edit/", "print/", "versions/", "versions/?version=1"])
def test_another_practices_clinician_gets_404_and_nothing_changes(client, other_clinician, suffix):
    safety_plan_save(client=client, actor=client.user, content=PLAN, base_version=0)
    http = logged_in(other_clinician.user)
    url = f"/clinic/clients/{client.public_id}/safety-plan/{suffix}"

    assert http.get(url).status_code == 404
    assert http.post(url, form_data(1, **{"warning_signs-0": "x"})).status_code == 404
    assert SafetyPlanVersion.objects.filter(client=client).count() == 1
    assert not AuditEvent.objects.filter(action=AuditAction.CLIENT_RECORD_VIEWED).exists()
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.CLIENT_ACCESS_DENIED, actor=other_clinician.user
        ).count()
        == 2
    )


def test_a_client_cannot_open_the_care_team_pages(client):
    http = logged_in(client.user)

    assert http.get(f"/clinic/clients/{client.public_id}/safety-plan/").status_code == 404


def test_a_clinician_has_no_client_plan_page_of_their_own(clinician):
    assert logged_in(clinician.user).get("/safety-plan/").status_code == 404
