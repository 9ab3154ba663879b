"""The caseload read from the per-client summary: paged and filtered on the server, the same rows
as before, a fixed number of queries, and a summary that is missing or computed in another time
zone rebuilt before it is read."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from interlude.alerts.models import AlertStatus, Severity
from interlude.clinic.views import clinician as clinician_views
from interlude.consents.access import Category, access_caseload
from interlude.consents.models import ClientPrivacy
from interlude.consents.rules import SWITCHABLE
from interlude.core.hooks import client_changed
from interlude.exercises.relaxation_services import relaxation_session_create
from interlude.insights import selectors_caseload
from interlude.insights.models import ClientSummary
from interlude.insights.selectors_caseload import (
    CaseloadFilters,
    Need,
    caseload_overview,
    caseload_page,
)
from interlude.insights.tests.test_caseload import (
    CASELOAD_QUERIES,
    _caseload_with_data,
    _need_world,
    add_client,
    alert,
    checkin,
    clinician,
    http_for,
    names,
    overview,
    scored,
    text,
)
from interlude.measures.models import QuestionnaireResponse
from interlude.practices.models import Client, Membership

pytestmark = pytest.mark.django_db

# The overview's own statements (selectors_caseload's module docstring): definitions 2, alert
# settings, the summaries' narrow columns, the page's summary rows, its questionnaire occasions.
OVERVIEW_QUERIES = 6


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> int:
    """Pages of 3 rows, so paging shows with a handful of clients."""
    monkeypatch.setattr(selectors_caseload, "PAGE_SIZE", 3)
    monkeypatch.setattr(clinician_views, "PAGE_SIZE", 3)
    return 3


def _page(me: Membership, **filters) -> selectors_caseload.CaseloadPage:
    return caseload_page(
        accesses=access_caseload(user=me.user, membership=me),
        practice=me.practice,
        filters=CaseloadFilters(**filters),
    )


# --- a fixed number of queries --------------------------------------------------------------------
@pytest.mark.parametrize("size", [5, 30])
def test_the_page_makes_the_same_queries_at_5_and_at_30_clients(size, django_assert_num_queries):
    http = _caseload_with_data(size)
    http.get("/clinic/")  # the session settles

    with django_assert_num_queries(CASELOAD_QUERIES):
        response = http.get("/clinic/")

    assert len(response.context["rows"]) == size
    assert response.context["rows"][0].need is Need.CRITICAL_ALERT


@pytest.mark.parametrize("size", [5, 30])
def test_the_overview_reads_6_statements_at_5_and_at_30_clients(size):
    http = _caseload_with_data(size)
    me = Membership.objects.get(user_id=http.session["_auth_user_id"])
    accesses = access_caseload(user=me.user, membership=me)

    with CaptureQueriesContext(connection) as ctx:
        result = caseload_page(accesses=accesses, practice=me.practice, filters=CaseloadFilters())

    assert len(ctx.captured_queries) == OVERVIEW_QUERIES
    assert (result.matched, len(result.rows), result.pages) == (size, size, 1)


def test_a_later_page_reads_the_same_statements(small_pages, django_assert_num_queries):
    me, _ = _need_world()
    http = http_for(me)
    http.get("/clinic/", {"page": "3"})

    with django_assert_num_queries(CASELOAD_QUERIES):
        response = http.get("/clinic/", {"page": "3"})

    assert names(response) == ["Tess Gap", "Abe Fine", "Bea Invited"]


# --- paging ---------------------------------------------------------------------------------------
def test_pages_keep_the_most_need_first_order(small_pages):
    me, _ = _need_world()
    http = http_for(me)

    pages = [names(http.get("/clinic/", {"page": str(n)})) for n in (1, 2, 3, 4)]

    assert pages == [
        ["Zed Critical", "Yara High", "Xavier Worse"],
        ["Wanda Risk", "Victor Medium", "Uma Overdue"],
        ["Tess Gap", "Abe Fine", "Bea Invited"],
        ["Sam Fine"],
    ]
    page2 = http.get("/clinic/", {"page": "2"})
    assert "Showing 4\u20136 of 10 clients." in text(page2)
    assert '<span aria-current="page" class="pager-current">2</span>' in page2.content.decode()
    # The need count covers every page, not just this one.
    assert page2.context["attention_count"] == 7


def test_filters_and_paging_combine(small_pages):
    me, _ = _need_world()

    first = _page(me, attention=True)
    last = _page(me, attention=True, page=3)

    assert [r.full_name for r in first.rows] == ["Zed Critical", "Yara High", "Xavier Worse"]
    assert [r.full_name for r in last.rows] == ["Tess Gap"]
    assert (last.matched, last.pages, last.first, last.last) == (7, 3, 7, 7)


def test_show_all_puts_every_matching_client_on_one_page(small_pages):
    me, _ = _need_world()

    response = http_for(me).get("/clinic/", {"show": "all"})

    assert len(names(response)) == 10
    assert "Show 3 a page" in text(response)


def test_a_caseload_that_fits_one_page_looks_as_before():
    me, _ = _need_world()

    body = http_for(me).get("/clinic/").content.decode()

    assert "data-table-filter" in body  # the in-browser name filter
    assert 'id="caseload-search"' not in body
    assert "caseload-pager" not in body
    assert "caseload-count" not in body


def test_htmx_gets_the_table_and_pager_of_the_page_asked_for(small_pages):
    me, _ = _need_world()

    response = http_for(me).get("/clinic/", {"page": "2"}, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="caseload-table"')
    assert "<html" not in body
    assert names(response) == ["Wanda Risk", "Victor Medium", "Uma Overdue"]
    assert 'href="?page=3"' in body and 'href="?show=all"' in body


# --- filters --------------------------------------------------------------------------------------
def test_no_checkin_for_n_days_keeps_clients_with_an_account_quiet_that_long():
    me = clinician()
    now = timezone.now()
    checkin(add_client(me, "Ann Recent"), now - timedelta(days=2))
    checkin(add_client(me, "Ben Quiet"), now - timedelta(days=8))
    add_client(me, "Cat Never")
    add_client(me, "Dan Invited", user=None)
    hidden = add_client(me, "Eve Hidden")
    checkin(hidden, now - timedelta(days=20))
    ClientPrivacy.objects.filter(client=hidden).update(
        categories={c.value: c is not Category.CHECKINS for c in SWITCHABLE}
    )

    response = http_for(me).get("/clinic/", {"quiet": "7", "sort": "name"})

    assert names(response) == ["Ben Quiet", "Cat Never"]
    assert '<option value="7" selected>' in response.content.decode()


def test_name_search_is_sent_in_the_body_and_finds_across_pages(small_pages):
    me, _ = _need_world()
    http = http_for(me)

    response = http.post("/clinic/", {"q": "fine", "sort": "name"})

    assert response.status_code == 200
    assert names(response) == ["Abe Fine", "Sam Fine"]
    assert "Showing 1\u20132 of 2 clients matching \u201cfine\u201d." in text(response)
    partial = http.post("/clinic/", {"q": "ZED"}, HTTP_HX_REQUEST="true")
    assert names(partial) == ["Zed Critical"]
    assert partial.content.decode().lstrip().startswith('<div id="caseload-table"')


def test_name_search_pages_through_buttons_of_the_search_form(small_pages):
    me = clinician()
    for i in range(5):
        add_client(me, f"Kim {i}")
    add_client(me, "Lou 9")

    response = http_for(me).post("/clinic/", {"q": "kim", "sort": "name", "page": "2"})

    assert names(response) == ["Kim 3", "Kim 4"]
    assert 'form="caseload-search" name="page" value="1"' in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"page": "0"}, "The page is a whole number from 1."),
        ({"page": "two"}, "The page is a whole number from 1."),
        ({"page": "5"}, "There is no page 5: this list has 4 pages."),
        ({"quiet": "5"}, "No check-in for: choose 7, 14, 30 days."),
        ({"status": "sleeping"}, "Unknown status: choose one from the list."),
        ({"attention": "yes"}, "The attention filter is 1 or absent."),
        ({"show": "everything"}, 'Show is "all" or absent.'),
    ],
)
def test_bad_filter_values_answer_400_naming_the_problem(small_pages, query, message):
    me, _ = _need_world()

    response = http_for(me).get("/clinic/", query)

    assert response.status_code == 400
    assert message in text(response)
    assert response.context["rows"] == []


# --- the summary as the caseload reads it ---------------------------------------------------------
def test_a_missing_summary_is_rebuilt_before_it_is_read():
    me = clinician()
    client = add_client(me, "Alma Brook")
    alert(client, Severity.HIGH)
    scored(client, 14, days_ago=2, band="Moderate")
    ClientSummary.objects.filter(client=client).delete()

    (row,) = overview(me)

    assert (row.need, row.alerts_open, row.scores[0].summary) == (
        Need.HIGH_ALERT,
        1,
        "14 moderate, first answer",
    )
    assert ClientSummary.objects.get(client=client).alerts_open == 1


def test_a_summary_computed_in_another_time_zone_is_rebuilt_in_the_clients():
    me = clinician()
    client = add_client(me, "Alma Brook", time_zone="Pacific/Auckland")
    los_angeles = ZoneInfo("America/Los_Angeles")
    day = timezone.localdate(timezone=los_angeles) - timedelta(days=3)
    # 01:00 and 23:00 on one Los Angeles day fall on two days in Auckland.
    assert client.user is not None
    for i, hour in enumerate((1, 23)):
        relaxation_session_create(
            client=client,
            actor=client.user,
            kind="box",
            started_at=datetime.combine(day, time(hour), tzinfo=los_angeles),
            seconds_practised=120,
            idempotency_key=f"r{i}",
        )
    assert overview(me)[0].active_days == 2
    # The client moved; update() skips the services (as a data fix might), so the summary still
    # holds Auckland days.
    Client.objects.filter(pk=client.pk).update(time_zone="America/Los_Angeles")

    (row,) = overview(me)

    assert row.active_days == 1
    assert ClientSummary.objects.get(client=client).zone == "America/Los_Angeles"


def test_progress_counts_only_the_three_instruments_shown():
    me = clinician()
    client = add_client(me, "Alma Brook")
    scored(client, 8, code="phq9", days_ago=5)
    scored(client, 6, code="gad7", days_ago=5)
    # A fourth instrument, entered before who5: not shown, so its progress does not count
    # towards the need or the order.
    scored(client, 20, code="isi", days_ago=3, track="not_on_track", reason="Worse.")
    scored(client, 30, code="who5", days_ago=1)

    (row,) = overview(me)

    assert [c.code for c in row.scores] == ["phq9", "gad7", "who5"]
    assert (row.track.value, row.need) == ("on_track", Need.NONE)


def test_the_newest_answer_of_either_origin_is_the_latest_score():
    me = clinician()
    client = add_client(me, "Alma Brook")
    scored(client, 18, days_ago=10, track="on_track")
    imported = scored(client, 21, days_ago=1, change=3, track="not_on_track", reason="Worse.")
    QuestionnaireResponse.objects.filter(pk=imported.pk).update(entered_by="import")
    client_changed(client_id=client.pk, parts={"scores"})

    (row,) = overview(me)

    assert row.scores[0].values == (18, 21)
    assert (row.need, row.need_text) == (Need.NOT_ON_TRACK, "Not on track")


def test_an_unscored_newest_answer_leaves_the_latest_scored_one_shown():
    me = clinician()
    client = add_client(me, "Alma Brook")
    scored(client, 16, days_ago=9, track="at_risk", reason="No change.")
    unscored = scored(client, 0, days_ago=1)
    QuestionnaireResponse.objects.filter(pk=unscored.pk).update(total=None)
    client_changed(client_id=client.pk, parts={"scores"})

    (row,) = overview(me)

    assert row.scores[0].values == (16,)
    assert row.need is Need.AT_RISK


def test_a_category_not_shared_never_counts_towards_the_order():
    me = clinician()
    hidden = add_client(me, "Abe Hidden")
    scored(hidden, 20, days_ago=1, change=8, track="not_on_track", reason="Worse.")
    ClientPrivacy.objects.filter(client=hidden).update(
        categories={c.value: c is not Category.MEASURES for c in SWITCHABLE}
    )
    shown = add_client(me, "Zoe Shown")
    scored(shown, 14, days_ago=1, track="at_risk", reason="No change.")
    alert(add_client(me, "Mia Alert"), Severity.LOW, AlertStatus.ACKNOWLEDGED)

    rows = _page(me).rows

    assert [(r.full_name, r.need) for r in rows] == [
        ("Zoe Shown", Need.AT_RISK),
        ("Mia Alert", Need.OTHER_ALERT),
        ("Abe Hidden", Need.NONE),
    ]
    assert rows[2].scores == [] and rows[2].track is None


def test_the_overview_and_the_page_agree_row_for_row():
    me, _ = _need_world()
    accesses = access_caseload(user=me.user, membership=me)

    whole = caseload_overview(accesses=accesses, practice=me.practice)
    paged = _page(me, status="all", show_all=True).rows

    by_name = {r.full_name: r for r in whole}
    for row in paged:
        other = by_name[row.full_name]
        assert (row.need, row.need_text, row.track, row.alerts_open, row.overdue) == (
            other.need,
            other.need_text,
            other.track,
            other.alerts_open,
            other.overdue,
        )
        assert [c.summary for c in row.scores] == [c.summary for c in other.scores]
