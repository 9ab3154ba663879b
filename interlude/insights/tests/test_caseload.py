"""The caseload answers "who needs me?": scores with meaning, progress, alerts, check-ins and
homework per client, ordered by need, in a fixed number of queries whatever the caseload size."""

from __future__ import annotations

import re
import time as py_time
import uuid
from datetime import datetime, time, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from interlude.alerts.models import Alert, AlertKind, AlertStatus, Severity
from interlude.clinic.views.clinician import _ago
from interlude.consents.access import access_caseload
from interlude.core.hooks import client_changed
from interlude.core.templatetags.interlude import ago
from interlude.exercises.relaxation_services import relaxation_session_create
from interlude.exercises.schemas import JournalEntryIn
from interlude.exercises.worksheets_services import journal_entry_create
from interlude.insights.selectors_caseload import (
    ACTIVE_DAYS,
    Need,
    caseload_overview,
)
from interlude.measures.models import (
    DueStatus,
    Frequency,
    QuestionnaireDue,
    QuestionnaireResponse,
    QuestionnaireSchedule,
)
from interlude.measures.services import response_submit
from interlude.practices.enums import ClientStatus
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

PHQ9_16 = [2, 2, 2, 2, 2, 2, 2, 2, 0]
PHQ9_9 = [1, 1, 1, 1, 1, 1, 1, 2, 0]
# The page's statements: the request (session, user, membership: 3), the gate's caseload read
# and its audit event (4), the overview (definitions 2, alert settings, the summaries' narrow
# columns for the order, the page's summary rows, its questionnaire occasions: 6), the top bar's
# open-alert count (1), and 4 savepoint statements around the audited read. The session is
# saved only when a request finds it a while unsaved, so counting requests follow a settled one.
CASELOAD_QUERIES = 18


# --- data -----------------------------------------------------------------------------------------
def overview(me: Membership) -> list:
    """The caseload's rows for this clinician, through the gate (each client's CareAccess)."""
    return caseload_overview(
        accesses=access_caseload(user=me.user, membership=me), practice=me.practice
    )


def clinician() -> Membership:
    return MembershipFactory(
        practice=PracticeFactory(time_zone="America/New_York"),
        user=UserFactory(full_name="Dr Ada Lovelace", mfa_exempt=True),
    )


def add_client(membership: Membership, name: str, **fields) -> Client:
    fields.setdefault("user", UserFactory())
    client = ClientFactory(practice=membership.practice, full_name=name, **fields)
    CareTeamMemberFactory(client=client, membership=membership)
    return client


def scored(
    client: Client,
    total: float,
    *,
    days_ago: float,
    code: str = "phq9",
    band: str = "",
    change: float | None = None,
    classification: str = "baseline",
    track: str = "on_track",
    reason: str = "",
) -> QuestionnaireResponse:
    """A stored answer set with the scoring fields set directly (no alerts raised); the
    caseload summary is told, as every write that changes it does."""
    response = QuestionnaireResponse.objects.create(
        practice=client.practice,
        client=client,
        instrument_code=code,
        instrument_version="1",
        answers=[],
        submitted_at=timezone.now() - timedelta(days=days_ago),
        idempotency_key=str(uuid.uuid4()),
        total=total,
        band_label=band,
        complete=True,
        change_from_baseline=change,
        classification=classification,
        track_status=track,
        track_reason=reason,
        created_by=client.created_by,
        updated_by=client.created_by,
    )
    client_changed(client_id=client.pk, parts={"scores"})
    return response


def alert(client: Client, severity: Severity, status: AlertStatus = AlertStatus.OPEN) -> Alert:
    """An alert stored directly (no notifications), the caseload summary told."""
    stored = Alert.objects.create(
        practice=client.practice,
        client=client,
        kind=AlertKind.MOOD_DROP,
        severity=severity,
        severity_rank=Severity(severity).rank,
        reason="Mood fell sharply.",
        status=status,
        dedupe_key=str(uuid.uuid4()),
        created_by=client.created_by,
        updated_by=client.created_by,
    )
    client_changed(client_id=client.pk, parts={"alerts"})
    return stored


def checkin(client: Client, when: datetime, mood: int = 6) -> None:
    checkin_create(
        client=client,
        actor=client.user,
        values=CheckInValues(mood=mood, anxiety=4),
        idempotency_key=str(uuid.uuid4()),
        recorded_at=when,
    )


def due(
    client: Client,
    status: DueStatus,
    *,
    closed_days_ago: float,
    completed_days_ago: float | None = None,
) -> QuestionnaireDue:
    schedule = QuestionnaireSchedule.objects.filter(client=client).first()
    if schedule is None:
        schedule = QuestionnaireSchedule.objects.create(
            practice=client.practice,
            client=client,
            instrument_code="phq9",
            frequency=Frequency.EVERY_N_DAYS,
            interval_days=7,
            created_by=client.created_by,
            updated_by=client.created_by,
        )
    now = timezone.now()
    closes_at = now - timedelta(days=closed_days_ago)
    return QuestionnaireDue.objects.create(
        practice=client.practice,
        client=client,
        schedule=schedule,
        instrument_code="phq9",
        opens_at=closes_at - timedelta(days=3),
        closes_at=closes_at,
        status=status,
        completed_at=(now - timedelta(days=completed_days_ago))
        if completed_days_ago is not None
        else None,
        created_by=client.created_by,
        updated_by=client.created_by,
    )


def http_for(membership: Membership) -> HttpClient:
    http = HttpClient()
    http.force_login(membership.user)
    http.get("/clinic/")  # warm up: the session learns its kind on the first request
    return http


def text(response) -> str:
    """The page as text, tags removed and whitespace collapsed."""
    html = response.content.decode()
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def names(response) -> list[str]:
    return [row.client.full_name for row in response.context["rows"]]


# --- scores ---------------------------------------------------------------------------------------
def test_latest_score_shows_band_change_since_intake_and_reliable_change():
    me = clinician()
    jonah = add_client(me, "Jonah Whitfield")
    start = timezone.now() - timedelta(days=30)
    for i, answers in enumerate([PHQ9_16, PHQ9_9]):
        response_submit(
            client=jonah,
            actor=jonah.user,
            instrument_code="phq9",
            answers=answers,
            idempotency_key=f"k{i}",
            submitted_at=start + timedelta(days=14 * i),
        )

    response = http_for(me).get("/clinic/")

    row = response.context["rows"][0]
    (cell,) = row.scores
    assert (cell.short_name, cell.total, cell.band_label, cell.change, cell.intake) == (
        "PHQ-9",
        9.0,
        "Mild",
        -7.0,
        16.0,
    )
    assert cell.summary == "9 mild, \u22127 since intake"
    assert cell.reliable_text == "recovered"
    page = text(response)
    assert "PHQ-9 9 mild , \u22127 since intake recovered" in page
    assert 'aria-label="PHQ-9, last 2 totals, oldest first: 16, 9"' in response.content.decode()
    assert row.track.label == "On track"


def test_sparkline_says_the_last_12_totals_oldest_first():
    me = clinician()
    client = add_client(me, "Alma Brook")
    totals = [20, 19, 19, 18, 17, 17, 16, 15, 14, 14, 13, 12, 11, 10]
    for i, total in enumerate(totals):
        scored(client, total, days_ago=100 - 7 * i, change=total - 20)

    (row,) = overview(me)

    (cell,) = row.scores
    assert cell.values == (19, 18, 17, 17, 16, 15, 14, 14, 13, 12, 11, 10)
    assert cell.spark_label == (
        "PHQ-9, last 12 totals, oldest first: 19, 18, 17, 17, 16, 15, 14, 14, 13, 12, 11, 10"
    )
    assert cell.summary == "10, \u221210 since intake"


def test_phq9_and_gad7_come_first_then_the_most_recently_entered_up_to_three():
    me = clinician()
    client = add_client(me, "Alma Brook")
    scored(client, 4, code="auditc", days_ago=2)
    scored(client, 14, code="phq9", days_ago=30)
    scored(client, 8, code="isi", days_ago=3)
    scored(client, 12, code="gad7", days_ago=20)
    scored(client, 30, code="who5", days_ago=1)

    (row,) = overview(me)

    assert [c.code for c in row.scores] == ["phq9", "gad7", "who5"]


def test_first_answer_says_so_instead_of_a_change():
    me = clinician()
    client = add_client(me, "Alma Brook")
    scored(client, 14, band="Moderate", days_ago=1)

    (row,) = overview(me)

    assert row.scores[0].summary == "14 moderate, first answer"
    assert row.scores[0].spark_label == "PHQ-9: one total so far, 14"


def test_worst_progress_across_instruments_is_shown_with_its_reason_as_text():
    me = clinician()
    client = add_client(me, "Alma Brook")
    scored(client, 8, days_ago=1, track="on_track", reason="PHQ-9 has reliably improved.")
    scored(
        client,
        17,
        code="gad7",
        days_ago=2,
        change=8,
        classification="reliably_deteriorated",
        track="not_on_track",
        reason="GAD-7 is reliably worse than at the start.",
    )

    response = http_for(me).get("/clinic/")

    row = response.context["rows"][0]
    assert (row.track.label, row.track_reason) == (
        "Not on track",
        "GAD-7 is reliably worse than at the start.",
    )
    assert "Not on track GAD-7 is reliably worse than at the start." in text(response)


def test_client_without_questionnaires_says_so():
    me = clinician()
    add_client(me, "Alma Brook")

    page = text(http_for(me).get("/clinic/"))

    assert "No questionnaires yet" in page
    assert "Not rated" in page


# --- alerts, check-ins, homework ------------------------------------------------------------------
def test_open_alerts_are_counted_with_the_highest_severity_and_link_to_the_inbox():
    me = clinician()
    client = add_client(me, "Alma Brook")
    alert(client, Severity.LOW)
    alert(client, Severity.HIGH, AlertStatus.ACKNOWLEDGED)
    alert(client, Severity.CRITICAL, AlertStatus.RESOLVED)

    response = http_for(me).get("/clinic/")

    row = response.context["rows"][0]
    assert (row.alerts_open, row.alerts_new, row.alert_severity) == (2, 1, Severity.HIGH)
    assert "2 open alerts, highest High 1 not acknowledged" in text(response)
    assert '<a class="alert-count" href="/clinic/alerts/">2 open' in response.content.decode()


def test_last_checkin_is_said_as_time_ago():
    me = clinician()
    client = add_client(me, "Alma Brook")
    checkin(client, timezone.now() - timedelta(days=3, hours=1))
    checkin(client, timezone.now() - timedelta(days=9))

    response = http_for(me).get("/clinic/")

    assert response.context["rows"][0].last_checkin_at is not None
    assert "Check-in 3 days ago" in text(response)


def test_questionnaires_on_time_counts_answered_of_due_in_the_last_30_days():
    me = clinician()
    client = add_client(me, "Alma Brook")
    due(client, DueStatus.COMPLETED, closed_days_ago=5, completed_days_ago=6)
    due(client, DueStatus.COMPLETED, closed_days_ago=12, completed_days_ago=13)
    due(client, DueStatus.MISSED, closed_days_ago=19)
    due(client, DueStatus.DUE, closed_days_ago=1)  # overdue: counts as due, not answered
    due(client, DueStatus.COMPLETED, closed_days_ago=-2, completed_days_ago=0.5)  # early
    due(client, DueStatus.DUE, closed_days_ago=-2)  # still open: not due yet
    due(client, DueStatus.MISSED, closed_days_ago=40)  # too long ago
    due(client, DueStatus.CANCELLED, closed_days_ago=3)

    (row,) = overview(me)

    assert (row.dues_completed, row.dues_total, row.overdue) == (3, 5, 1)
    assert (row.need, row.need_text) == (Need.OVERDUE, "Questionnaire overdue")


def test_active_days_count_distinct_local_days_with_any_stored_activity():
    me = clinician()
    client = add_client(me, "Alma Brook", time_zone="America/New_York")
    zone = ZoneInfo("America/New_York")
    today = timezone.localdate(timezone=zone)

    def at(days_ago: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(today - timedelta(days=days_ago), time(hour, minute), tzinfo=zone)

    checkin(client, at(1, 9))
    checkin(client, at(1, 21))  # same day: counted once
    checkin(client, at(2, 23, 30))  # late evening in New York, next day in UTC
    relaxation_session_create(
        client=client,
        actor=client.user,
        kind="box",
        started_at=at(4, 12),
        seconds_practised=180,
        idempotency_key="r1",
    )
    checkin(client, at(ACTIVE_DAYS, 12))  # 14 days ago: outside the last 14 (today is one)
    journal_entry_create(  # private writing is not counted
        client=client, actor=client.user, values=JournalEntryIn(body="Private", shared=False)
    )

    (row,) = overview(me)

    assert row.active_days == 3


def test_page_labels_what_homework_adherence_means():
    me = clinician()
    add_client(me, "Alma Brook")

    page = text(http_for(me).get("/clinic/"))

    assert (
        "Questionnaires on time : answered of those due in the last 30 days (a missed or still "
        "unanswered one past its window counts as due). Active days : days out of the last 14 "
        "with a check-in, worksheet, exposure practice, sleep diary entry or relaxation session."
    ) in page
    assert "Questionnaires none due Active 0/14 days" in page


# --- ordering by need -----------------------------------------------------------------------------
def _need_world() -> tuple[Membership, dict[str, Client]]:
    me = clinician()
    long_ago = timezone.localdate() - timedelta(days=60)
    c = {
        "critical": add_client(me, "Zed Critical"),
        "high": add_client(me, "Yara High"),
        "not_on_track": add_client(me, "Xavier Worse"),
        "at_risk": add_client(me, "Wanda Risk"),
        "medium": add_client(me, "Victor Medium"),
        "overdue": add_client(me, "Uma Overdue"),
        "gap": add_client(me, "Tess Gap", started_on=long_ago),
        "fine": add_client(me, "Sam Fine"),
        "fine2": add_client(me, "Abe Fine"),
        "no_account": add_client(me, "Bea Invited", user=None, status=ClientStatus.INVITED),
    }
    alert(c["critical"], Severity.CRITICAL, AlertStatus.ACKNOWLEDGED)
    alert(c["high"], Severity.HIGH)
    scored(c["not_on_track"], 18, days_ago=2, change=7, track="not_on_track", reason="Worse.")
    scored(c["at_risk"], 14, days_ago=2, change=-1, track="at_risk", reason="No change.")
    alert(c["medium"], Severity.MEDIUM)
    due(c["overdue"], DueStatus.DUE, closed_days_ago=1)
    checkin(c["gap"], timezone.now() - timedelta(days=9))
    checkin(c["fine"], timezone.now() - timedelta(days=1))
    return me, c


def test_default_order_is_by_need_then_name():
    me, _ = _need_world()

    response = http_for(me).get("/clinic/")

    assert names(response) == [
        "Zed Critical",
        "Yara High",
        "Xavier Worse",
        "Wanda Risk",
        "Victor Medium",
        "Uma Overdue",
        "Tess Gap",
        "Abe Fine",
        "Bea Invited",
        "Sam Fine",
    ]
    needs = [(r.need, r.need_text) for r in response.context["rows"][:7]]
    assert needs == [
        (Need.CRITICAL_ALERT, "Critical alert"),
        (Need.HIGH_ALERT, "High alert"),
        (Need.NOT_ON_TRACK, "Not on track"),
        (Need.AT_RISK, "At risk of not improving"),
        (Need.OTHER_ALERT, "1 open alert"),
        (Need.OVERDUE, "Questionnaire overdue"),
        (Need.NO_CHECKIN, "No check-in for 9 days"),
    ]
    assert "7 clients need attention" in text(response)


def test_within_a_group_the_more_severe_comes_first_then_the_name():
    me = clinician()
    worse = add_client(me, "Zoe Two")
    add_client(me, "Abe One")
    milder = add_client(me, "Carl One")
    for client in (worse, milder):
        alert(client, Severity.HIGH)
    alert(worse, Severity.MEDIUM)
    scored(worse, 20, days_ago=1, change=8, track="not_on_track")

    response = http_for(me).get("/clinic/")

    assert names(response) == ["Zoe Two", "Carl One", "Abe One"]


def test_needs_attention_filter_keeps_only_those_who_need_it():
    me, _ = _need_world()

    response = http_for(me).get("/clinic/", {"attention": "1"})

    assert names(response) == [
        "Zed Critical",
        "Yara High",
        "Xavier Worse",
        "Wanda Risk",
        "Victor Medium",
        "Uma Overdue",
        "Tess Gap",
    ]
    assert 'id="attention" name="attention" value="1" checked' in response.content.decode()


def test_sorting_by_name_and_by_last_activity_still_works():
    me = clinician()
    now = timezone.now()
    add_client(me, "Bea", last_activity_at=now - timedelta(days=1))
    add_client(me, "Abe", last_activity_at=now - timedelta(hours=1))
    add_client(me, "Cy", last_activity_at=None)
    alert(Client.objects.get(full_name="Cy"), Severity.CRITICAL)
    http = http_for(me)

    assert names(http.get("/clinic/", {"sort": "name"})) == ["Abe", "Bea", "Cy"]
    assert names(http.get("/clinic/", {"sort": "activity"})) == ["Abe", "Bea", "Cy"]
    assert names(http.get("/clinic/")) == ["Cy", "Abe", "Bea"]
    assert names(http.get("/clinic/", {"sort": "bogus"})) == ["Cy", "Abe", "Bea"]


def test_discharged_clients_are_hidden_and_not_counted_as_needing_attention():
    me = clinician()
    gone = add_client(me, "Gone Away", status=ClientStatus.DISCHARGED)
    alert(gone, Severity.HIGH)
    add_client(me, "Still Here")

    response = http_for(me).get("/clinic/")

    assert names(response) == ["Still Here"]
    assert response.context["attention_count"] == 0
    assert names(http_for(me).get("/clinic/", {"status": "all"})) == ["Gone Away", "Still Here"]


def test_paused_client_without_checkins_is_not_flagged_for_the_gap():
    me = clinician()
    long_ago = timezone.localdate(timezone=ZoneInfo("America/New_York")) - timedelta(days=60)
    paused = add_client(me, "Pia Paused", status=ClientStatus.PAUSED, started_on=long_ago)
    never = add_client(me, "Nell Never", started_on=long_ago)

    by_client = {r.client: r for r in overview(me)}
    rows = [by_client[paused], by_client[never]]

    assert [(r.need, r.need_text) for r in rows] == [
        (Need.NONE, ""),
        (Need.NO_CHECKIN, "No check-in yet, 60 days after starting"),
    ]


def test_htmx_request_gets_the_table_with_the_filters_applied():
    me, _ = _need_world()

    response = http_for(me).get("/clinic/", {"attention": "1"}, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="caseload-table"')
    assert "<html" not in body
    assert "Zed Critical" in body
    assert "Sam Fine" not in body


# --- a fixed number of queries --------------------------------------------------------------------
def _caseload_with_data(n: int) -> HttpClient:
    """n clients, each with questionnaire answers, check-ins, an alert, dues and a relaxation
    session, through the real services."""
    me = clinician()
    start = timezone.now() - timedelta(days=40)
    for i in range(n):
        client = add_client(me, f"Client {i:03d}")
        for j, answers in enumerate([PHQ9_16, PHQ9_9, PHQ9_16]):
            response_submit(
                client=client,
                actor=client.user,
                instrument_code="phq9" if j < 2 else "gad7",
                answers=answers if j < 2 else answers[:7],
                idempotency_key=f"q{j}",
                submitted_at=start + timedelta(days=7 * j),
            )
        for j in range(3):
            checkin(client, timezone.now() - timedelta(days=j, hours=2))
        alert(client, [Severity.LOW, Severity.HIGH, Severity.CRITICAL][i % 3])
        due(client, DueStatus.COMPLETED, closed_days_ago=3, completed_days_ago=4)
        due(client, DueStatus.DUE, closed_days_ago=1)
        relaxation_session_create(
            client=client,
            actor=client.user,
            kind="paced",
            started_at=timezone.now() - timedelta(days=5),
            seconds_practised=300,
            idempotency_key="r",
        )
    return http_for(me)


def test_caseload_makes_the_same_queries_with_5_and_with_50_clients(django_assert_num_queries):
    few, many = _caseload_with_data(5), _caseload_with_data(50)
    few.get("/clinic/")  # the session settles (seeding the 50 took a while)

    with django_assert_num_queries(CASELOAD_QUERIES):
        small = few.get("/clinic/")
    with django_assert_num_queries(CASELOAD_QUERIES):
        large = many.get("/clinic/")

    assert (len(small.context["rows"]), len(large.context["rows"])) == (5, 50)
    row = large.context["rows"][0]
    assert (row.need, len(row.scores), row.alerts_open, row.active_days) == (
        Need.CRITICAL_ALERT,
        2,
        1,
        4,
    )
    assert [c.summary for c in row.scores] == [
        "9 mild, \u22127 since intake",
        "14 moderate, first answer",
    ]


@pytest.mark.parametrize(
    "delta",
    [
        timedelta(seconds=30),
        timedelta(minutes=1),
        timedelta(minutes=59, seconds=59),
        timedelta(hours=1),
        timedelta(hours=23, minutes=59),
        timedelta(days=1),
        timedelta(days=6, hours=23),
        timedelta(days=7),
        timedelta(days=13),
        timedelta(days=27, hours=23),
        timedelta(days=28),
        timedelta(days=45),
        timedelta(days=400),
    ],
)
def test_fast_time_ago_says_exactly_what_the_ago_filter_says(delta):
    now = timezone.now()

    assert _ago(now - delta, now) == ago(now - delta)


def test_active_days_do_not_depend_on_the_servers_own_time_zone(monkeypatch):
    me = clinician()
    client = add_client(me, "Alma Brook", time_zone="Europe/Berlin")
    zone = ZoneInfo("Europe/Berlin")
    today = timezone.localdate(timezone=zone)
    # 00:30 and 23:30 Berlin time on the same day two days ago: one day, whatever the server's
    # zone (a naive UTC time read as server-local time would split or shift it).
    for hour, minute in ((0, 30), (23, 30)):
        checkin(
            client,
            datetime.combine(today - timedelta(days=2), time(hour, minute), tzinfo=zone),
        )
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")  # UTC+14
    py_time.tzset()
    try:
        (row,) = overview(me)
    finally:
        monkeypatch.undo()
        py_time.tzset()

    assert row.active_days == 1
