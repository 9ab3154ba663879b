"""The clinician's recommend form and record panel, and the client's suggested-apps page, Today
panel and Tools link."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from interlude.catalog.models import Recommendation
from interlude.catalog.recommend_services import HomeworkChoice
from interlude.catalog.tests.test_recommend_helpers import KNOWN, make_app, recommend
from interlude.consents.modules_services import client_modules_set
from interlude.homework.models import Assignment
from tests.factories import CareTeamMemberFactory, PracticeFactory, clinician_with_client

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)  # Wednesday 11 March 2026, 11:00 in New York
REASON = "It makes noticing your mood a two-second habit."


@pytest.fixture
def pair():
    with time_machine.travel(NOW, tick=False):
        yield clinician_with_client()


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _url(app) -> str:
    return reverse("catalog_recommend", args=[app.public_id])


def _post(http, app, **data):
    body = {"client": "", "reason": REASON, "how_often": "weekly", "times_per_week": "3"}
    body.update(data)
    return http.post(_url(app), body)


# --- the clinician's form -------------------------------------------------------------------------
def test_the_form_offers_only_the_clinicians_own_clients_and_preselects_one(pair):
    membership, client = pair
    client.full_name = "Alex Rivera"
    client.save(update_fields=["full_name"])
    _, colleagues_client = clinician_with_client(practice=client.practice)
    app = make_app()

    html = _as(membership.user).get(_url(app) + f"?client={client.public_id}").content.decode()

    assert f'<option value="{client.public_id}" selected>Alex Rivera</option>' in html
    assert str(colleagues_client.public_id) not in html
    assert "Recommend Moodlog to a client" in html
    assert (
        '<legend>Homework schedule <span class="hint">(if set as homework)</span></legend>' in html
    )


def test_loaded_into_the_entrys_page_the_form_comes_back_there(pair):
    membership, client = pair
    app = make_app()
    detail = reverse("catalog_detail", args=[app.public_id]) + f"?client={client.public_id}"
    response = _as(membership.user).get(
        _url(app) + f"?client={client.public_id}",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver" + detail},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert f'name="next" value="{detail}"' in html.replace("&amp;", "&")

    posted = _post(_as(membership.user), app, client=str(client.public_id), next=detail)
    assert (posted.status_code, posted["Location"]) == (302, detail)


def test_recommending_redirects_to_the_record_with_a_confirmation(pair):
    membership, client = pair
    client.full_name = "Alex Rivera"
    client.save(update_fields=["full_name"])
    app = make_app()
    http = _as(membership.user)

    response = _post(http, app, client=str(client.public_id))

    record = reverse("client_record", args=[client.public_id])
    assert (response.status_code, response["Location"]) == (302, record + "#recommendations")
    rec = Recommendation.objects.get()
    assert (rec.client_id, rec.reason, rec.assignment) == (client.pk, REASON, None)
    page = http.get(record).content.decode()
    assert (
        "You recommended Moodlog to Alex Rivera. They see it in their app under Tools, "
        "Apps your therapist suggested." in page
    )


def test_recommending_as_homework_from_the_form(pair):
    membership, client = pair
    app = make_app()
    response = _post(
        _as(membership.user),
        app,
        client=str(client.public_id),
        as_homework="on",
        how_often="weekly",
        times_per_week="2",
        until="2026-04-08",
    )
    assert response.status_code == 302
    a = Assignment.objects.get()
    assert Recommendation.objects.get().assignment == a
    assert (a.title, a.times_per_week, a.until) == ("Try Moodlog", 2, date(2026, 4, 8))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": ""}, "Say why you recommend this app, in your words. The client reads this."),
        ({"reason": "x" * 1001}, "Keep the reason to 1,000 characters or fewer."),
        (
            {"as_homework": "on", "how_often": "weekly", "times_per_week": "3", "until": ""},
            "Enter the last day to try it.",
        ),
        (
            {"as_homework": "on", "how_often": "once", "due_on": ""},
            "Enter the date it is due.",
        ),
    ],
)
def test_form_errors_show_beside_their_field_and_store_nothing(pair, data, message):
    membership, client = pair
    app = make_app()
    response = _post(_as(membership.user), app, client=str(client.public_id), **data)
    html = response.content.decode()
    assert response.status_code == 422
    assert f'<span class="visually-hidden">Error:</span> {message}</p>' in html
    assert "There is a problem" in html
    assert not Recommendation.objects.exists()


def test_a_client_off_the_caseload_cannot_be_chosen(pair):
    membership, client = pair
    _, colleagues_client = clinician_with_client(practice=client.practice)
    response = _post(_as(membership.user), make_app(), client=str(colleagues_client.public_id))
    assert response.status_code == 422
    assert "Choose one of your clients." in response.content.decode()
    assert not Recommendation.objects.exists()


def test_homework_switched_off_is_said_on_the_form(pair):
    membership, client = pair
    client_modules_set(client=client, actor=membership.user, modules_off=["homework"])
    response = _post(
        _as(membership.user),
        make_app(),
        client=str(client.public_id),
        as_homework="on",
        how_often="once",
        due_on="2026-03-18",
    )
    assert response.status_code == 422
    assert "Homework is switched off for this client." in response.content.decode()


def test_a_duplicate_names_the_date(pair):
    membership, client = pair
    app = make_app()
    recommend(membership, client, app)
    response = _post(_as(membership.user), app, client=str(client.public_id))
    assert response.status_code == 422
    assert (
        "You already recommended Moodlog to this client on 11 March 2026."
        in response.content.decode()
    )


def test_another_practices_app_is_not_found(pair):
    membership, client = pair
    app = make_app(practice=PracticeFactory(), slug="theirs")
    http = _as(membership.user)
    assert http.get(_url(app)).status_code == 404
    assert _post(http, app, client=str(client.public_id)).status_code == 404


def test_a_client_cannot_open_the_form(pair):
    _, client = pair
    assert _as(client.user).get(_url(make_app())).status_code == 404


# --- the record panel -----------------------------------------------------------------------------
def test_the_record_panel_lists_open_recommendations_with_withdraw(pair):
    membership, client = pair
    rec = recommend(
        membership,
        client,
        make_app(),
        homework=HomeworkChoice(schedule="once", due_on=date(2026, 3, 18)),
    )
    http = _as(membership.user)
    record = reverse("client_record", args=[client.public_id])

    html = http.get(record).content.decode()

    assert '<h2 id="record-recommendations-title">Apps recommended</h2>' in html
    assert REASON in html
    assert "Try Moodlog" in html
    assert "Not yet" in html
    withdraw = reverse("client_recommendation_withdraw", args=[client.public_id, rec.public_id])
    assert f'action="{withdraw}"' in html
    assert f'href="{reverse("catalog")}?client={client.public_id}">Recommend an app</a>' in html

    response = http.post(withdraw)
    assert (response.status_code, response["Location"]) == (302, record + "#recommendations")
    rec.refresh_from_db()
    assert rec.withdrawn_at == NOW
    assert rec.assignment.ended_at == NOW
    html = http.get(record).content.decode()
    assert "Recommendation of Moodlog withdrawn. The client no longer sees it." in html
    assert "No apps recommended yet." in html


def test_another_clinician_cannot_withdraw(pair):
    membership, client = pair
    rec = recommend(membership, client, make_app())
    outsider, _ = clinician_with_client(practice=client.practice)
    url = reverse("client_recommendation_withdraw", args=[client.public_id, rec.public_id])
    assert _as(outsider.user).post(url).status_code == 404
    rec.refresh_from_db()
    assert rec.withdrawn_at is None


# --- the client's page ----------------------------------------------------------------------------
def test_the_client_sees_the_reason_the_facts_and_the_privacy_summary(pair):
    membership, client = pair
    membership.user.full_name = "Dr Sam Lee"
    membership.user.save(update_fields=["full_name"])
    recommend(membership, client, make_app(answers=KNOWN, importer="daylio"))

    html = _as(client.user).get(reverse("client_apps")).content.decode()

    assert "<h1>Apps your therapist suggested</h1>" in html
    assert "Suggested by Dr Sam Lee on 11 March 2026" in html
    assert f"<p>{REASON}</p>" in html
    assert "<dt>What it is for</dt><dd>Tracking mood, Habits and routines</dd>" in html
    assert "<dt>Cost</dt><dd>Free, with paid extras</dd>" in html
    assert "<dt>Works on</dt><dd>iPhone and iPad, Android</dd>" in html
    assert "Your privacy in Moodlog</h3>" in html
    assert "<li>We found no sign that it sells your data or uses it for advertising.</li>" in html
    assert "<li>We last checked this in February 2026.</li>" in html
    assert (
        '<a class="button button-primary" href="https://moodlog.example.org/" '
        'rel="noopener noreferrer" target="_blank">' in html
    )
    assert "(leaves Interlude, opens in a new tab)" in html
    assert (
        f'<a href="{reverse("imports")}?source=daylio">Already use Moodlog? Bring your data in</a>'
        in html
    )

    # The import page opens with that app chosen (and with nothing chosen without the link).
    def daylio_radio(query: dict[str, str]) -> str:
        page = _as(client.user).get(reverse("imports"), query).content.decode()
        found = re.search(r'<input[^>]*name="source"[^>]*value="daylio"[^>]*>', page)
        assert found is not None
        return found.group(0)

    assert " checked" in daylio_radio({"source": "daylio"})
    assert " checked" not in daylio_radio({})
    assert " checked" not in daylio_radio({"source": "<script>"})
    assert 'href="/crisis/"' in html or f'href="{reverse("crisis")}"' in html


def test_no_import_link_without_an_importer(pair):
    membership, client = pair
    recommend(membership, client, make_app(importer=""))
    html = _as(client.user).get(reverse("client_apps")).content.decode()
    assert "Bring your data in" not in html


def test_no_import_link_when_imports_are_switched_off(pair):
    membership, client = pair
    recommend(membership, client, make_app(importer="daylio"))
    client_modules_set(client=client, actor=membership.user, modules_off=["imports"])
    html = _as(client.user).get(reverse("client_apps")).content.decode()
    assert "Bring your data in" not in html
    assert "Moodlog" in html


def test_opening_the_page_marks_them_seen_and_the_today_panel_goes(pair):
    membership, client = pair
    rec = recommend(membership, client, make_app())
    http = _as(client.user)

    today = http.get(reverse("client_today")).content.decode()
    assert "Your therapist suggested an app" in today
    assert f'href="{reverse("client_apps")}">See suggested apps</a>' in today
    rec.refresh_from_db()
    assert rec.seen_at is None

    first = http.get(reverse("client_apps")).content.decode()
    assert '<span class="badge badge-new">New</span>' in first
    rec.refresh_from_db()
    assert rec.seen_at == NOW
    assert (
        '<span class="badge badge-new">New</span>'
        not in http.get(reverse("client_apps")).content.decode()
    )
    assert "Your therapist suggested" not in http.get(reverse("client_today")).content.decode()


def test_withdrawn_recommendations_and_other_clients_ones_are_not_shown(pair):
    membership, client = pair
    from interlude.catalog.recommend_services import recommendation_withdraw
    from interlude.catalog.tests.test_recommend_helpers import care_of

    gone = recommend(membership, client, make_app(slug="gone", name="Goneapp"))
    recommendation_withdraw(care=care_of(membership, client), recommendation=gone)
    other_membership, other_client = clinician_with_client(practice=client.practice)
    recommend(other_membership, other_client, make_app(slug="theirs", name="Theirapp"))
    html = _as(client.user).get(reverse("client_apps")).content.decode()
    assert "Goneapp" not in html
    assert "Theirapp" not in html
    assert "Your therapist has not suggested any apps yet." in html


def test_the_tools_page_links_to_suggested_apps(pair):
    _, client = pair
    html = _as(client.user).get(reverse("client_tools")).content.decode()
    assert f'href="{reverse("client_apps")}"><strong>Apps your therapist suggested</strong>' in html


def test_a_clinician_gets_no_client_page(pair):
    membership, _ = pair
    assert _as(membership.user).get(reverse("client_apps")).status_code == 404


def _queries(http, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert http.get(url).status_code == 200
    return len(ctx)


def test_the_client_page_reads_a_fixed_number_of_queries(pair):
    membership, client = pair
    second, _ = clinician_with_client(practice=client.practice)
    CareTeamMemberFactory(client=client, membership=second, is_primary=False)
    http = _as(client.user)
    recommend(membership, client, make_app(slug="a1", name="App one", answers=KNOWN))
    http.get(reverse("client_tools"))  # warm the session
    one = _queries(http, reverse("client_apps"))  # the first opening: one unseen to note
    for n in range(2, 5):
        recommend(
            second if n % 2 else membership,
            client,
            make_app(slug=f"a{n}", name=f"App {n}", answers=KNOWN, importer="daylio"),
            homework=HomeworkChoice(schedule="once", due_on=date(2026, 3, 18)),
        )
    many = _queries(http, reverse("client_apps"))  # three unseen to note, two recommenders
    assert many == one
    assert _queries(http, reverse("client_apps")) == one - 1  # nothing left to note
