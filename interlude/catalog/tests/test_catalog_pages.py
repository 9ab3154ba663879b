"""The clinician's catalog pages: filtering without JavaScript and with htmx, an entry with its
evaluation, the review form's errors beside each question, adding, copying, archiving, comparing,
and another practice's entry answering 404."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from interlude.catalog.models import CatalogApp, EvaluationAnswer
from interlude.catalog.tests.test_catalog_helpers import NOW, clear_catalog, make_app
from interlude.practices.enums import Role
from tests.factories import MembershipFactory, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _only_our_rows(db):
    clear_catalog()
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def staff():
    return MembershipFactory(user=UserFactory(mfa_exempt=True, full_name="Dana Reviewer"))


def _as(membership) -> HttpClient:
    http = HttpClient()
    http.force_login(membership.user)
    return http


def _rows(html: str) -> list[str]:
    """The app names in the results table, in order."""
    return re.findall(r'<th scope="row" class="catalog-name"><a href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
def catalog(staff):
    make_app(
        name="Sleepwell",
        answers={"goals": ["sleep"], "cost": "subscription"},
        importer="apple_health",
        reviewed_on=date(2024, 12, 1),
    )
    make_app(name="Moodnotes", practice=staff.practice, answers={"goals": ["mood"]})
    make_app(name="Elsewhere", practice=PracticeFactory(), answers={"goals": ["mood"]})
    return staff


def test_the_list_shows_the_practices_catalog_with_its_marks(catalog):
    response = _as(catalog).get("/clinic/catalog/")

    html = response.content.decode()
    assert response.status_code == 200
    assert _rows(html) == ["Moodnotes", "Sleepwell"]
    assert "Interlude can import (Apple Health)" in html
    assert html.count('<span class="badge catalog-due">Review due</span>') == 1
    assert '<a href="/clinic/catalog/" aria-current="page">Apps</a>' in html
    assert "https://www.psychiatry.org/psychiatrists/practice/mental-health-apps/" in html


def test_filtering_works_without_javascript(catalog):
    html = _as(catalog).get("/clinic/catalog/?goal=sleep&cost=").content.decode()

    assert _rows(html) == ["Sleepwell"]
    assert '<option value="sleep" selected>Sleep</option>' in html
    assert "<html" in html


def test_filtering_with_htmx_returns_only_the_results_region(catalog):
    response = _as(catalog).get("/clinic/catalog/?goal=mood", HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="catalog-results"')
    assert _rows(html) == ["Moodnotes"]
    assert "<html" not in html


def test_a_bad_filter_value_is_named_on_the_page(catalog):
    response = _as(catalog).get("/clinic/catalog/?platform=windows")

    assert response.status_code == 422
    html = response.content.decode()
    assert "&#x27;windows&#x27; is not a platform filter: use one of ios, android, web." in html
    assert _rows(html) == []


def test_no_match_and_an_empty_catalog_each_say_so(staff):
    http = _as(staff)

    assert "Your catalog has no apps yet." in http.get("/clinic/catalog/").content.decode()
    make_app(name="Moodnotes", practice=staff.practice)
    html = http.get("/clinic/catalog/?goal=trauma").content.decode()
    assert "No app matches these filters." in html


def test_the_list_takes_the_same_number_of_queries_as_the_catalog_grows(staff):
    http = _as(staff)
    make_app(name="App 0", answers={"goals": ["mood"]})
    http.get("/clinic/catalog/")  # the session's first request does its own housekeeping
    with CaptureQueriesContext(connection) as few:
        http.get("/clinic/catalog/")
    for n in range(1, 15):
        make_app(name=f"App {n}", answers={"goals": ["mood"]}, importer="daylio")
    with CaptureQueriesContext(connection) as many:
        assert len(_rows(http.get("/clinic/catalog/").content.decode())) == 15

    assert len(many) == len(few)


def test_an_entry_shows_its_evaluation_step_by_step(staff):
    app = make_app(
        name="Own",
        practice=staff.practice,
        summary="A mood diary.",
        answers={"sells_or_advertises": "yes", "developer": None},
        reviewed_on=date(2025, 1, 5),
    )

    html = _as(staff).get(f"/clinic/catalog/{app.public_id}/").content.decode()

    assert [m for m in re.findall(r'<h3 id="step-\w+">([^<]+)</h3>', html)] == [
        "1. Access and background",
        "2. Privacy and security",
        "3. Clinical foundation",
        "4. Engagement and usability",
        "5. Therapeutic goal and data integration",
    ]
    assert "<strong>Review due:</strong> last reviewed 5 Jan 2025, more than a year ago." in html
    assert 'Yes <span class="catalog-concern-word">(a concern)</span>' in html
    assert html.count('<span class="catalog-unknown">Unknown</span>') == 23 - 1
    assert "Interlude starter set, 5 Jan 2025" in html
    assert f'href="/clinic/catalog/{app.public_id}/review/"' in html
    assert "Archive Own" in html


def test_a_starter_entry_offers_a_copy_instead_of_a_review(staff):
    starter = make_app(name="Calm", answers={"cost": "subscription"})
    http = _as(staff)

    html = http.get(f"/clinic/catalog/{starter.public_id}/").content.decode()
    assert "Make our own copy to review" in html
    assert "Archive" not in html
    review = http.get(f"/clinic/catalog/{starter.public_id}/review/")
    assert review.status_code == 302

    response = http.post(f"/clinic/catalog/{starter.public_id}/copy/")
    copy = CatalogApp.objects.get(practice=staff.practice, based_on=starter)
    assert response["Location"] == f"/clinic/catalog/{copy.public_id}/review/"
    html = http.get(f"/clinic/catalog/{starter.public_id}/").content.decode()
    assert "Open your practice's copy" in html


def test_another_practices_entry_is_not_found_on_any_page(staff):
    other = make_app(name="Elsewhere", practice=PracticeFactory())
    http = _as(staff)

    for path in ("", "review/"):
        assert http.get(f"/clinic/catalog/{other.public_id}/{path}").status_code == 404
    assert http.post(f"/clinic/catalog/{other.public_id}/archive/").status_code == 404
    assert http.post(f"/clinic/catalog/{other.public_id}/copy/").status_code == 404
    mine = make_app(name="Mine", practice=staff.practice)
    compare = http.get(f"/clinic/catalog/compare/?a={mine.public_id}&b={other.public_id}")
    assert compare.status_code == 404
    other.refresh_from_db()
    assert other.archived_at is None


def test_a_practice_admin_keeps_the_catalog_but_cannot_recommend_and_a_client_cannot_open_it(
    staff,
):
    # DESIGN: owners and admins keep the app catalog; recommending to a client is clinical work.
    admin = MembershipFactory(
        practice=staff.practice, role=Role.ADMIN, user=UserFactory(mfa_exempt=True)
    )
    app = make_app(name="Own", practice=staff.practice)
    client_user = UserFactory()

    assert _as(admin).get("/clinic/catalog/").status_code == 200
    detail = _as(admin).get(f"/clinic/catalog/{app.public_id}/")
    assert detail.status_code == 200
    assert 'id="recommend"' not in detail.content.decode()
    assert _as(admin).get(f"/clinic/catalog/{app.public_id}/recommend/").status_code == 404
    assert 'id="recommend"' in _as(staff).get(f"/clinic/catalog/{app.public_id}/").content.decode()
    http = HttpClient()
    http.force_login(client_user)
    assert http.get("/clinic/catalog/").status_code == 404


def test_the_review_form_shows_each_error_beside_its_question_and_keeps_the_input(staff):
    app = make_app(name="Own", practice=staff.practice)

    response = _as(staff).post(
        f"/clinic/catalog/{app.public_id}/review/",
        {
            "cost-value": "free",
            "cost-evidence": "",
            "cost-links": "",
            "platforms-value": ["ios"],
            "platforms-links": "http://example.org",
            "available-value": "yes",
            "available-evidence": "Both stores list it",
        },
    )

    assert response.status_code == 422
    html = response.content.decode()
    cost_block = html[html.index('id="q-cost"') : html.index('id="q-developer"')]
    assert (
        "What does it cost?: add a source link or an evidence note, or mark it unknown."
        in cost_block
    )
    assert 'value="free" checked' in cost_block
    platforms_block = html[html.index('id="q-platforms"') : html.index('id="q-cost"')]
    assert "is not a web address starting with https://." in platforms_block
    assert "http://example.org</textarea>" in platforms_block
    assert 'href="#cost-value-1"' in html
    assert EvaluationAnswer.objects.filter(app=app).count() == 0


def test_the_review_form_saves_answers_and_unknowns(staff):
    app = make_app(name="Own", practice=staff.practice)
    http = _as(staff)
    assert http.get(f"/clinic/catalog/{app.public_id}/review/").status_code == 200

    response = http.post(
        f"/clinic/catalog/{app.public_id}/review/",
        {
            "cost-value": "freemium",
            "cost-links": "https://example.org/pricing\n\n",
            "developer-unknown": "1",
            "goals-value": ["sleep", "anxiety"],
            "goals-evidence": "Store listing",
            "crisis_help-value": "__unknown__",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"/clinic/catalog/{app.public_id}/"
    saved = {
        a.question: (a.value, a.unknown, a.links, a.reviewer_name)
        for a in EvaluationAnswer.objects.filter(app=app)
    }
    assert saved == {
        "cost": ("freemium", False, ["https://example.org/pricing"], "Dana Reviewer"),
        "crisis_help": (None, True, [], "Dana Reviewer"),
        "developer": (None, True, [], "Dana Reviewer"),
        "goals": (["anxiety", "sleep"], False, [], "Dana Reviewer"),
    }
    html = http.get(response["Location"]).content.decode()
    assert "Review saved: 4 answers updated." in html


def test_adding_an_app_then_reviewing_it(staff):
    http = _as(staff)
    assert http.get("/clinic/catalog/new/").status_code == 200

    bad = http.post("/clinic/catalog/new/", {"name": "Garden", "website": "http://x.org"})
    assert bad.status_code == 422
    assert "Give the app&#x27;s web address starting with https://" in bad.content.decode()

    response = http.post(
        "/clinic/catalog/new/", {"name": "Garden", "website": "https://garden.example.org"}
    )
    app = CatalogApp.objects.get(practice=staff.practice)
    assert response["Location"] == f"/clinic/catalog/{app.public_id}/review/"
    assert (app.name, app.slug, app.importer) == ("Garden", "garden", "")


def test_archiving_returns_to_the_list_without_the_app(staff):
    app = make_app(name="Own", practice=staff.practice)
    http = _as(staff)

    response = http.post(f"/clinic/catalog/{app.public_id}/archive/")

    assert response["Location"] == "/clinic/catalog/"
    html = http.get("/clinic/catalog/").content.decode()
    assert _rows(html) == []
    assert "Own is archived: it no longer shows in your catalog." in html


def test_compare_puts_two_apps_side_by_side_and_marks_differences_in_words(staff):
    a = make_app(name="Alpha", answers={"cost": "free", "goals": ["mood"], "developer": None})
    b = make_app(name="Beta", practice=staff.practice, answers={"cost": "free", "goals": ["sleep"]})
    http = _as(staff)

    picked = http.get(f"/clinic/catalog/compare/?app={a.public_id}&app={b.public_id}")
    assert picked["Location"] == f"/clinic/catalog/compare/?a={a.public_id}&b={b.public_id}"
    response = http.get(picked["Location"])

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Alpha and Beta</h1>" in html
    assert html.count('<span class="catalog-step"') == 0
    assert len(re.findall(r'<table class="data-table catalog-compare-table">', html)) == 5
    assert html.count('<th scope="col">Alpha</th>') == 5
    # goals differ (Tracking mood / Sleep); developer answered unknown vs not answered: same.
    assert html.count('<span aria-hidden="true">≠</span> Differs</span>') == 1
    goals_row = html[html.index("Which therapeutic goals does it support?") :]
    goals_row = goals_row[: goals_row.index("</tr>")]
    assert "Tracking mood" in goals_row and "Sleep" in goals_row and "Differs" in goals_row


@pytest.mark.parametrize("query", ["", "?app=x", "?a=1&b=2"])
def test_compare_asks_for_two_apps(staff, query):
    response = _as(staff).get(f"/clinic/catalog/compare/{query}")

    assert response.status_code == 422
    assert "Choose two apps to compare" in response.content.decode() or (
        "could not be found" in response.content.decode()
    )
