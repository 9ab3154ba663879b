"""Pages that combine several apps' data (the client record and its timeline, the brief, the
progress report and its PDF, patterns, the caseload, alerts) show a clinician only what the
client shares: each category turned off in turn leaves no trace of its content on any of them,
and says "Not shared" instead; turned back on, the content is there on the next request."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, time, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client as HttpClient
from django.utils import timezone

from interlude.alerts.models import Alert, AlertKind
from interlude.consents.access import Category
from interlude.consents.models import ClientPrivacy
from interlude.consents.rules import SWITCHABLE
from interlude.exercises.relaxation_services import relaxation_session_create
from interlude.exercises.schemas import ExposurePracticeIn, ExposureStepIn, JournalEntryIn
from interlude.exercises.worksheets_services import (
    exposure_practice_create,
    exposure_step_create,
    journal_entry_create,
)
from interlude.insights import report
from interlude.measures.services import response_submit
from interlude.practices.models import Client, Membership
from interlude.tracking.services import CheckInValues, checkin_create
from tests.factories import (
    CareTeamMemberFactory,
    ClientFactory,
    MembershipFactory,
    PracticeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
PHQ9_RISK = [2, 2, 2, 2, 2, 2, 2, 2, 1]  # 17, moderately severe; item 9 endorsed
# The record with nothing shared: 18 reads fewer than RECORD_QUERIES (64). Not read at all: the
# daily series (1), patterns (2), seven of the timeline's reads (the answer sets stay, for scores
# entered from paper, and the sessions, safety plan versions and alerts, which always reach the
# care team), the worksheets summary (7), the client's latest recorded day (1).
NOTHING_SHARED_QUERIES = 46

# What each category puts on the pages, and must never show when it is not shared.
CANARIES: dict[Category, tuple[str, ...]] = {
    Category.CHECKINS: ("Mood 3/10",),
    Category.JOURNAL: ("CANARY-NOTE", "CANARY-JOURNAL"),
    Category.WORKSHEETS: ("CANARY-EXPOSURE",),
    Category.MEASURES: (
        "PHQ-9 17",
        "17 (moderately severe)",
        "moderately severe",
        "item 9 answered",
    ),
    Category.RELAXATION: ("Box breathing",),
}


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=True):
        yield


def local(days_ago: int, hour: int) -> datetime:
    day = timezone.localdate(timezone=ZONE) - timedelta(days=days_ago)
    return datetime.combine(day, time(hour, 0), tzinfo=ZONE)


def share(client: Client, *, off: tuple[Category, ...] = ()) -> None:
    """The client's Sharing page: everything on except `off`."""
    ClientPrivacy.objects.filter(client=client).update(
        categories={c.value: c not in off for c in SWITCHABLE}
    )


@pytest.fixture
def pair() -> tuple[Membership, Client]:
    """A clinician and a client with something of every category in the last few days."""
    practice = PracticeFactory(time_zone="Europe/Berlin")
    me = MembershipFactory(practice=practice, user=UserFactory(mfa_exempt=True))
    client = ClientFactory(
        practice=practice,
        full_name="Jonah Whitfield",
        preferred_name="",
        time_zone="Europe/Berlin",
        user=UserFactory(),
        started_on=timezone.localdate(timezone=ZONE) - timedelta(days=60),
    )
    CareTeamMemberFactory(client=client, membership=me)
    share(client)
    actor = client.user
    checkin_create(
        client=client,
        actor=actor,
        values=CheckInValues(mood=3, anxiety=6, note="CANARY-NOTE", note_shared=True),
        idempotency_key="c1",
        recorded_at=local(1, 20),
    )
    journal_entry_create(
        client=client,
        actor=actor,
        values=JournalEntryIn(title="CANARY-JOURNAL-TITLE", body="CANARY-JOURNAL", shared=True),
    )
    step = exposure_step_create(
        client=client,
        actor=actor,
        values=ExposureStepIn(description="CANARY-EXPOSURE", suds_anticipated=60),
    )
    exposure_practice_create(
        client=client,
        step=step,
        actor=actor,
        values=ExposurePracticeIn(
            practiced_at=local(2, 11), duration_minutes=20, suds_pre=50, suds_peak=70, suds_post=30
        ),
    )
    relaxation_session_create(
        client=client,
        actor=actor,
        kind="box",
        started_at=local(3, 21),
        seconds_practised=180,
        idempotency_key="r1",
    )
    response_submit(
        client=client,
        actor=actor,
        instrument_code="phq9",
        answers=PHQ9_RISK,
        idempotency_key=str(uuid.uuid4()),
        submitted_at=local(1, 9),
    )
    return me, client


def http_for(me: Membership) -> HttpClient:
    http = HttpClient()
    http.force_login(me.user)
    return http


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def page(http: HttpClient, url: str) -> str:
    response = http.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _urls(client: Client) -> dict[str, str]:
    base = f"/clinic/clients/{client.public_id}"
    return {"record": f"{base}/", "brief": f"{base}/brief/", "report": f"{base}/report/"}


# --- every combined page, one category off at a time --------------------------------------------
# Where each category's content shows when it is shared (a canary it shows there).
SHOWN_ON: dict[Category, dict[str, str]] = {
    Category.CHECKINS: {"record": "Mood 3/10"},
    Category.JOURNAL: {"record": "CANARY-NOTE", "brief": "CANARY-JOURNAL-TITLE"},
    Category.WORKSHEETS: {"record": "CANARY-EXPOSURE"},
    Category.MEASURES: {
        "record": "PHQ-9 17",
        "brief": "moderately severe",
        "report": "17 (moderately severe)",
    },
    Category.RELAXATION: {"record": "Box breathing"},
}


@pytest.mark.parametrize("category", list(CANARIES), ids=lambda c: c.value)
def test_a_category_not_shared_leaves_no_trace_and_says_not_shared(pair, category):
    me, client = pair
    http = http_for(me)
    urls = _urls(client)
    shared = {name: page(http, url) for name, url in urls.items()}
    for name, canary in SHOWN_ON[category].items():
        assert canary in text(shared[name]), (name, canary)

    share(client, off=(category,))  # takes effect on the clinician's next request

    hidden = {name: page(http, url) for name, url in urls.items()}
    for name, html in hidden.items():
        for canary in CANARIES[category]:
            assert canary not in html, (name, canary)
    for name in SHOWN_ON[category]:
        assert f'data-not-shared="{category.value}"' in hidden[name], name
        assert "Not shared by Jonah" in text(hidden[name]), name
    # What is still shared is still there.
    for other, canaries in CANARIES.items():
        if other is category or (category is Category.CHECKINS and other is Category.JOURNAL):
            continue  # check-in notes ride on check-ins
        for canary in canaries:
            if canary == "item 9 answered" or other is Category.MEASURES:
                continue  # the alert's wording is tested below; scores are on the record
            assert canary in text(hidden["record"]), (other, canary)

    share(client)  # and back on
    again = page(http, urls["record"])
    assert SHOWN_ON[category]["record"] in text(again)


def test_the_record_panels_each_say_not_shared_for_their_category(pair):
    me, client = pair
    share(client, off=(Category.CHECKINS, Category.WORKSHEETS, Category.MEASURES))

    response = http_for(me).get(_urls(client)["record"])

    names = [p.name for p in response.context["panels"]]
    assert names == [
        "alerts",
        "questionnaires",
        "messages",
        "schedules",
        "appointments",
        "treatment_plan",
        "session_notes",
        "assignments",
        "recommendations",
        "series",
        "timeline",
        "patterns",
        "worksheets",
        "readiness",
        "modules",
        "suitability",
        "reaching",
    ]
    html = response.content.decode()
    for section in ("questionnaires", "series", "patterns", "worksheets"):
        block = html.split(f'<div id="{section}"', 1)[1].split('<div id="', 1)[0]
        assert "Not shared by Jonah" in text(block), section
    # The alert is still listed (risk answers always reach the care team), in a few words.
    alerts = html.split('<div id="alerts"', 1)[1].split('<div id="', 1)[0]
    assert "Risk item endorsed" in text(alerts)
    assert "A risk answer was given on a questionnaire." in text(alerts)
    assert "item 9" not in alerts


def test_the_timeline_lists_what_is_not_shared(pair):
    me, client = pair
    share(client, off=(Category.JOURNAL, Category.RELAXATION))

    timeline = http_for(me).get(_urls(client)["record"]).context["timeline"]

    assert [m.category for m in timeline.not_shared] == [Category.JOURNAL, Category.RELAXATION]
    kinds = {e.kind for d in timeline.days for e in d.entries}
    assert kinds == {"checkin", "questionnaire", "exposure", "alert"}
    (checkin,) = [e for d in timeline.days for e in d.entries if e.kind == "checkin"]
    # The note's own switch is on, but the category is off: the text never shows.
    assert (checkin.text, checkin.private_note) == ("", True)


def test_report_pdf_text_has_no_scores_when_questionnaires_are_not_shared(
    pair, monkeypatch, django_capture_on_commit_callbacks
):
    me, client = pair
    seen: list[str] = []
    original = report.pdf_document

    def spy(html: str, *, base_url: str):
        seen.append(html)
        return original(html, base_url=base_url)

    monkeypatch.setattr(report, "pdf_document", spy)
    http = http_for(me)
    url = f"/clinic/clients/{client.public_id}/report.pdf"
    with django_capture_on_commit_callbacks(execute=True):
        assert http.post(url).status_code == 303  # the worker builds it as the request commits
    shared = _layout_text(report.pdf_document(seen[-1], base_url="http://testserver/"))
    assert "17 (moderately severe)" in shared and "PHQ-9" in shared

    share(client, off=(Category.MEASURES,))
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(url)

    assert response.status_code == 303
    laid_out = _layout_text(report.pdf_document(seen[-1], base_url="http://testserver/"))
    assert "17 (moderately severe)" not in laid_out
    assert "PHQ-9" not in laid_out
    assert "Not shared by Jonah" in laid_out


def _layout_text(document) -> str:
    """The text WeasyPrint laid out on the pages, in order (as test_report.py reads it)."""
    words: list[str] = []

    def walk(box) -> None:
        value = getattr(box, "text", None)
        if isinstance(value, str):
            words.append(value)
        for child in getattr(box, "children", None) or []:
            walk(child)

    for pdf_page in document.pages:
        walk(pdf_page._page_box)
    return " ".join(" ".join(words).split())


def test_paper_scores_stay_on_the_record_and_report_when_questionnaires_are_not_shared(pair):
    me, client = pair
    response_submit(
        client=client,
        actor=me.user,
        instrument_code="gad7",
        answers=[1, 1, 1, 1, 1, 1, 1],
        idempotency_key="paper",
        submitted_at=local(3, 10),
        entered_by="clinician",
    )
    share(client, off=(Category.MEASURES,))
    http = http_for(me)

    record = text(page(http, _urls(client)["record"]))
    preview = text(page(http, _urls(client)["report"]))

    assert "GAD-7 7" in record and "PHQ-9 17" not in record
    assert "entered from paper" in record
    assert "GAD-7" in preview and "PHQ-9" not in preview


# --- the caseload ---------------------------------------------------------------------------------
def test_caseload_says_not_shared_instead_of_scores_and_check_ins(pair):
    me, client = pair
    http = http_for(me)
    before = text(page(http, "/clinic/"))
    assert "PHQ-9 17" in before and "Check-in" in before

    share(client, off=(Category.MEASURES, Category.CHECKINS))
    response = http.get("/clinic/")

    (row,) = response.context["rows"]
    assert row.scores == [] and row.track is None and row.last_checkin_at is None
    assert (row.dues_total, row.no_checkin_text) == (0, "")
    # Only the relaxation session and the exposure practice count as activity now.
    assert row.active_days == 1 + 1
    html = response.content.decode()
    shown = text(html)
    assert "PHQ-9" not in shown and "Check-in" not in shown
    assert shown.count("Not shared") == 2
    assert "the client does not share questionnaires with you" in shown
    # The alert still counts, and still puts the client first.
    assert row.alerts_open == 1 and row.need_text == "Critical alert"


def test_caseload_queries_stay_the_same_whatever_the_sharing(pair, django_assert_num_queries):
    from interlude.insights.tests.test_caseload import CASELOAD_QUERIES

    me, _client = pair
    other = ClientFactory(practice=me.practice, user=UserFactory())
    CareTeamMemberFactory(client=other, membership=me)
    share(other, off=(Category.MEASURES, Category.CHECKINS, Category.WORKSHEETS))
    http = http_for(me)
    http.get("/clinic/")  # the session settles
    with django_assert_num_queries(CASELOAD_QUERIES):
        assert http.get("/clinic/").status_code == 200


# --- patterns -------------------------------------------------------------------------------------
def test_patterns_say_not_shared_without_check_ins(pair):
    me, client = pair
    share(client, off=(Category.CHECKINS,))

    response = http_for(me).get(_urls(client)["record"])

    (patterns,) = [p for p in response.context["panels"] if p.name == "patterns"]
    assert patterns.context["patterns"] is None
    assert patterns.context["not_shared"].category == Category.CHECKINS
    assert "Not shared by Jonah" in text(response.content.decode().split('<div id="patterns"')[1])


# --- alerts ---------------------------------------------------------------------------------------
@pytest.fixture
def risk(pair) -> tuple[Membership, Client, Alert]:
    me, client = pair
    return me, client, Alert.objects.get(client=client, kind=AlertKind.CRITICAL_ITEM)


def test_a_risk_answer_raises_an_alert_even_when_questionnaires_are_not_shared(pair):
    _me, client = pair
    share(client, off=(Category.MEASURES,))

    response_submit(
        client=client,
        actor=client.user,
        instrument_code="phq9",
        answers=PHQ9_RISK,
        idempotency_key="again",
        submitted_at=local(0, 9),
    )

    assert Alert.objects.filter(client=client, kind=AlertKind.CRITICAL_ITEM).count() == 2


def test_alert_page_inbox_and_api_say_only_that_a_risk_answer_was_given(risk):
    me, client, alert = risk
    http = http_for(me)
    detail = f"/clinic/alerts/{alert.public_id}/"
    assert "item 9 answered" in text(page(http, detail))
    assert "item 9 answered" in http.get("/api/v1/alerts").json()[0]["reason"]

    share(client, off=(Category.MEASURES,))

    for url in (detail, "/clinic/alerts/"):
        shown = page(http, url)
        assert "item 9" not in shown, url
        assert "A risk answer was given on a questionnaire." in text(shown), url
    (body,) = http.get("/api/v1/alerts").json()
    assert body["reason"] == "A risk answer was given on a questionnaire."
    assert body["kind"] == "critical_item" and body["severity"] == "critical"


def test_a_mood_drop_alert_says_not_shared_without_check_ins(pair):
    from interlude.alerts.services import alert_raise
    from interlude.practices.enums import ShareScope

    me, client = pair
    alert_raise(
        client=client,
        kind=AlertKind.MOOD_DROP,
        severity="medium",
        reason="Mood averaged 3.0 over the last 3 days against 6.5 before.",
        dedupe_key="drop",
        actor=client.user,
    )
    share(client, off=(ShareScope.CHECKINS,))

    shown = text(page(http_for(me), "/clinic/alerts/"))

    assert "Mood averaged" not in shown
    assert (
        "Not shared: the details come from check-ins, which the client does not share with you."
    ) in shown


def test_the_record_reads_less_not_more_when_nothing_is_shared(pair):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from interlude.insights.tests.test_record import RECORD_QUERIES

    me, client = pair
    http = http_for(me)
    url = _urls(client)["record"]
    http.get(url)  # the session settles
    with CaptureQueriesContext(connection) as everything:
        http.get(url)
    share(client, off=SWITCHABLE)
    with CaptureQueriesContext(connection) as nothing:
        http.get(url)

    assert len(everything) == RECORD_QUERIES
    assert len(nothing) == NOTHING_SHARED_QUERIES == RECORD_QUERIES - 18
