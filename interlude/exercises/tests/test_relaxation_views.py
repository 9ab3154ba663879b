"""Relaxation pages: who may open them, the plain (no-JavaScript) log form, what the page says."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from django.urls import URLResolver, get_resolver, reverse

from interlude.clinic.middleware import route_access
from interlude.core.policy import Access
from interlude.exercises.models import RelaxationSession
from interlude.tracking.models import Observation, ObservationKind
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PAGES = [
    ("/tools/breathe/box/", "Box breathing"),
    ("/tools/breathe/478/", "4-7-8 breathing"),
    ("/tools/breathe/paced/", "Slow breathing"),
    ("/tools/relax/muscles/", "Muscle relaxation"),
    ("/tools/grounding/", "5-4-3-2-1 grounding"),
]
KEY = "0d6f9a8e-5b7e-4c4f-9d43-2a4f3c1e8b10"


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _h1(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert match
    return match.group(1).strip()


def test_url_names_the_tools_page_links_to_resolve():
    assert reverse("breathing", args=["box"]) == "/tools/breathe/box/"
    assert reverse("breathing", args=["478"]) == "/tools/breathe/478/"
    assert reverse("breathing", args=["paced"]) == "/tools/breathe/paced/"
    assert reverse("pmr") == "/tools/relax/muscles/"
    assert reverse("grounding") == "/tools/grounding/"


def _patterns(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns)
        else:
            yield pattern


@pytest.mark.parametrize("name", ["breathing", "pmr", "grounding"])
def test_relaxation_routes_are_for_clients(name):
    pattern = next(p for p in _patterns(get_resolver().url_patterns) if p.name == name)

    assert route_access(pattern.callback, name) == Access.CLIENT


@pytest.mark.parametrize(("path", "title"), PAGES)
def test_client_sees_each_page_with_instructions_and_a_plain_log_form(care_pair, path, title):
    _, client = care_pair

    response = _as(client.user).get(path)

    html = response.content.decode()
    assert response.status_code == 200
    assert _h1(html) == title
    assert 'name="minutes"' in html
    assert 'name="idempotency_key"' in html
    assert "<script>" not in html  # CSP: no inline scripts


@pytest.mark.parametrize(("path", "title"), PAGES)
def test_clinicians_get_404_on_client_pages(care_pair, path, title):
    membership, _ = care_pair
    assert _as(membership.user).get(path).status_code == 404


def test_signed_out_people_are_sent_to_login():
    response = HttpClient().get("/tools/breathe/box/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/tools/breathe/box/"


def test_unknown_breathing_kind_is_404(care_pair):
    _, client = care_pair
    assert _as(client.user).get("/tools/breathe/pmr/").status_code == 404
    assert _as(client.user).get("/tools/breathe/fast/").status_code == 404


def test_holds_come_with_the_skip_note_and_paced_breathing_has_none(care_pair):
    _, client = care_pair
    http = _as(client.user)
    note = "If holding your breath makes you dizzy or panicky, skip the holds."

    assert note in http.get("/tools/breathe/box/").content.decode()
    assert note in http.get("/tools/breathe/478/").content.decode()
    assert note not in http.get("/tools/breathe/paced/").content.decode()


def test_pacer_gets_its_timings_and_a_test_length_only_within_bounds(care_pair):
    _, client = care_pair
    http = _as(client.user)

    html = http.get("/tools/breathe/478/?seconds=6").content.decode()
    assert 'data-in="4" data-hold-in="7"' in html
    assert 'data-out="8" data-hold-out="0"' in html
    assert 'data-test-seconds="6"' in html
    assert 'data-api-url="/api/v1/relaxation-sessions"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "data-test-seconds" not in http.get("/tools/breathe/478/?seconds=4").content.decode()
    assert "data-test-seconds" not in http.get("/tools/breathe/478/?seconds=601").content.decode()


def test_plain_form_logs_a_session_with_observations_and_says_so(care_pair):
    _, client = care_pair
    http = _as(client.user)
    data = {"minutes": "3", "distress_before": "6", "distress_after": "3", "idempotency_key": KEY}

    response = http.post("/tools/breathe/box/", data)

    assert response.status_code == 302
    assert response["Location"] == "/tools/breathe/box/"
    session = RelaxationSession.objects.get(client=client)
    assert (session.kind, session.seconds_practised) == ("box", 180)
    assert (session.distress_before, session.distress_after) == (6, 3)
    assert dict(Observation.objects.filter(client=client).values_list("kind", "value")) == {
        ObservationKind.RELAXATION_MINUTES: 3.0,
        ObservationKind.DISTRESS_BEFORE: 6.0,
        ObservationKind.DISTRESS_AFTER: 3.0,
    }
    page = http.get(response["Location"]).content.decode()
    assert "Saved: 3 minutes of practice." in page


def test_submitting_the_same_form_twice_stores_one_session(care_pair):
    _, client = care_pair
    http = _as(client.user)
    data = {"minutes": "12", "distress_before": "", "idempotency_key": KEY}

    http.post("/tools/relax/muscles/", data)
    http.post("/tools/relax/muscles/", data)

    session = RelaxationSession.objects.get(client=client)
    assert (session.kind, session.seconds_practised) == ("pmr", 720)
    assert session.distress_before is None


def test_grounding_logs_a_grounding_session(care_pair):
    _, client = care_pair

    _as(client.user).post("/tools/grounding/", {"minutes": "5", "idempotency_key": KEY})

    assert RelaxationSession.objects.get(client=client).kind == "grounding"


@pytest.mark.parametrize(
    ("minutes", "message"),
    [
        ("", "Enter how many minutes you practised, like 5."),
        ("0", "Enter at least 1 minute."),
        ("181", "Enter 180 minutes or fewer."),
        ("lots", "Enter the minutes as a whole number, like 5."),
    ],
)
def test_bad_minutes_show_the_error_and_store_nothing(care_pair, minutes, message):
    _, client = care_pair

    response = _as(client.user).post(
        "/tools/breathe/paced/", {"minutes": minutes, "idempotency_key": KEY}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert f'<a href="#id_minutes">{message}</a>' in html
    assert RelaxationSession.objects.count() == 0


def test_out_of_range_rating_is_refused(care_pair):
    _, client = care_pair

    response = _as(client.user).post(
        "/tools/grounding/", {"minutes": "5", "distress_after": "11", "idempotency_key": KEY}
    )

    assert response.status_code == 400
    assert RelaxationSession.objects.count() == 0


def test_grounding_notes_are_never_submitted(care_pair):
    _, client = care_pair

    html = _as(client.user).get("/tools/grounding/").content.decode()

    textareas = re.findall(r"<textarea[^>]*>", html)
    assert len(textareas) == 5
    assert all(" name=" not in t for t in textareas)
    assert "is not saved or sent anywhere" in html


def test_muscle_relaxation_has_twelve_groups_and_a_finish(care_pair):
    _, client = care_pair

    html = _as(client.user).get("/tools/relax/muscles/").content.decode()

    assert len(re.findall(r'class="relax-step-count">Step \d+ of 13<', html)) == 13
    assert "Well done" in html


def test_non_client_without_membership_gets_404():
    assert _as(UserFactory()).get("/tools/grounding/").status_code == 404
