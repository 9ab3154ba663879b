"""The client record prepares a session: alerts, questionnaire charts with their meaning,
appointments, mood series, a timeline of everything shared, patterns. Fixed number of queries."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, time, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client as HttpClient
from django.utils import timezone

from interlude.alerts.models import Alert, AlertKind, Severity
from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.care.services import appointment_create
from interlude.consents.access import Viewer, care_access_for
from interlude.consents.models import ClientPrivacy
from interlude.exercises.models import LifeArea
from interlude.exercises.relaxation_services import relaxation_session_create
from interlude.exercises.schemas import (
    ActivityLogIn,
    ActivityPlanIn,
    EmotionIn,
    ExposurePracticeIn,
    ExposureStepIn,
    JournalEntryIn,
    SleepDiaryIn,
    ThoughtIn,
    ThoughtRecordIn,
)
from interlude.exercises.worksheets_services import (
    activity_plan_create,
    activity_plan_log,
    exposure_practice_create,
    exposure_step_create,
    journal_entry_create,
    sleep_diary_save,
    thought_record_create,
)
from interlude.insights.selectors_record import parse_before, record_timeline
from interlude.measures.models import Frequency
from interlude.measures.services import response_submit, schedule_create
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
# 23:30 in Berlin: the evening entries the tests make "today" are in the past, and the client's
# day (18 March) differs from the UTC one an hour later, so a UTC date anywhere shows.
NOW = datetime(2026, 3, 18, 22, 30, tzinfo=UTC)  # 23:30 in Berlin


@pytest.fixture(autouse=True)
def _now():
    """Every test here starts at NOW (the data is made relative to "today")."""
    with time_machine.travel(NOW, tick=True):
        yield


PHQ9_16 = [2, 2, 2, 2, 2, 2, 2, 2, 0]
PHQ9_9 = [1, 1, 1, 1, 1, 1, 1, 2, 0]
PHQ9_CRITICAL = [2, 2, 2, 2, 2, 2, 2, 2, 1]
# The record's statements: the request (session, user, membership, the client-profile check: 4;
# the session and allauth's session row are written at most once a minute, not here); the gate
# (clinical memberships, the client with its sharing state in the same query, audit head, event,
# head update: 5); 4 savepoint statements;
# then one read per source, each in the panel its app registered: instrument definitions and
# settings (2), care team, invitation, alerts, answer sets, schedules, appointments, the daily
# series (7); the timeline's eleven reads (check-ins, journal, four worksheets, answer sets,
# relaxation; sessions, safety plan versions and alerts); patterns (2); the worksheets summary
# (7); the top bar's open-alert count (1); the schedules panel's rows (next occasion, last
# answers) and the practice's default window for its form (2 more); the module switches panel
# (consents, 1).
# Categories the client does not share cost no query (their panels say "not shared").
RECORD_QUERIES = 64


# --- data -----------------------------------------------------------------------------------------
def pair() -> tuple[Membership, Client]:
    practice = PracticeFactory(time_zone="Europe/Berlin")
    membership = MembershipFactory(
        practice=practice,
        user=UserFactory(full_name="Dr Ada Lovelace", mfa_exempt=True),
        title="Clinical psychologist",
    )
    client = ClientFactory(
        practice=practice,
        full_name="Jonah Whitfield",
        preferred_name="",
        time_zone="Europe/Berlin",
        user=UserFactory(),
        started_on=timezone.localdate(timezone=ZONE) - timedelta(days=120),
    )
    CareTeamMemberFactory(client=client, membership=membership)
    # These tests are about what the record shows of shared data: the client shares it all,
    # journal and check-in notes included (test_record_sharing.py turns categories off).
    ClientPrivacy.objects.filter(client=client).update(categories={"journal": True})
    return membership, client


def local(days_ago: int, hour: int, minute: int = 0) -> datetime:
    today = timezone.localdate(timezone=ZONE)
    return datetime.combine(today - timedelta(days=days_ago), time(hour, minute), tzinfo=ZONE)


def submit(client: Client, answers: list[int], when: datetime, code: str = "phq9") -> None:
    response_submit(
        client=client,
        actor=client.user,
        instrument_code=code,
        answers=answers,
        idempotency_key=str(uuid.uuid4()),
        submitted_at=when,
    )


def checkin(client: Client, when: datetime, *, note: str | None = None, shared: bool = False):
    checkin_create(
        client=client,
        actor=client.user,
        values=CheckInValues(
            mood=4,
            anxiety=6,
            sleep_hours=None,
            emotions=[{"label": "sad", "intensity": 3}],
            activities=["Walk"],
            note=note,
            note_shared=shared,
        ),
        idempotency_key=str(uuid.uuid4()),
        recorded_at=when,
    )


def thought_record(client: Client, when: datetime) -> None:
    thought_record_create(
        client=client,
        actor=client.user,
        values=ThoughtRecordIn(
            idempotency_key=str(uuid.uuid4()),
            occurred_at=when,
            situation="Meeting",
            automatic_thoughts=[ThoughtIn(text="They think I'm useless", belief=90, hot=True)],
            emotions=[EmotionIn(label="Anxious", intensity=80)],
            evidence_for="F",
            evidence_against="A",
            distortions=["mind_reading"],
            balanced_thought={"text": "B", "belief": 60},
            hot_thought_belief_after=40,
            emotions_rerated=[EmotionIn(label="Anxious", intensity=45)],
        ),
    )


def http_for(membership: Membership) -> HttpClient:
    http = HttpClient()
    http.force_login(membership.user)
    http.get("/clinic/")  # warm up: the session learns its kind on the first request
    return http


def record(client: Client) -> str:
    return f"/clinic/clients/{client.public_id}/"


def text(response) -> str:
    html = response.content.decode()
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


# --- the page -------------------------------------------------------------------------------------
def test_record_is_read_through_the_gate_once_with_the_questionnaires_scope():
    me, client = pair()

    response = http_for(me).get(record(client))

    assert response.status_code == 200
    (event,) = AuditEvent.objects.filter(action=AuditAction.CLIENT_RECORD_VIEWED)
    assert (event.client_id, event.detail) == (
        client.pk,
        {"scopes": ["measures", "checkins", "journal"]},
    )


def test_sections_come_in_the_order_that_prepares_a_session():
    me, client = pair()

    html = http_for(me).get(record(client)).content.decode()

    ids = [
        'id="alerts"',
        'id="questionnaires"',
        'id="appointments"',
        'id="series"',
        'id="timeline"',
        'id="patterns"',
        'id="details"',
    ]
    positions = [html.index(i) for i in ids]
    assert positions == sorted(positions)


def test_header_names_the_client_status_care_team_and_links_brief_and_report():
    me, client = pair()

    response = http_for(me).get(record(client))

    page = text(response)
    assert "Jonah Whitfield Active Care team: Dr Ada Lovelace, Clinical psychologist (primary)" in (
        page
    )
    html = response.content.decode()
    assert f'href="/clinic/clients/{client.public_id}/brief/">Pre-session brief</a>' in html
    assert f'href="/clinic/clients/{client.public_id}/report.pdf">Progress report (PDF)' in html


def test_included_panels_get_their_context():
    me, client = pair()
    schedule_create(actor=me.user, client=client, instrument_code="phq9", frequency=Frequency.ONCE)
    appointment_create(
        actor=me.user, client=client, clinician=me, starts_at=timezone.now() + timedelta(days=2)
    )
    Alert.objects.create(
        practice=client.practice,
        client=client,
        kind=AlertKind.MOOD_DROP,
        severity=Severity.MEDIUM,
        severity_rank=1,
        reason="Mood fell.",
        dedupe_key="x",
        created_by=client.user,
        updated_by=client.user,
    )

    context = http_for(me).get(record(client)).context

    assert [a.reason for a in context["alerts"]] == ["Mood fell."]
    assert [s.instrument_code for s in context["schedules"]] == ["phq9"]
    assert "phq9" in [d.code for d in context["instruments"]]
    assert len(context["appointments"]) == 1
    assert context["patterns"] is not None
    assert context["client"] == client


# --- questionnaires -------------------------------------------------------------------------------
def test_instrument_chart_summary_and_table_say_what_the_numbers_mean():
    me, client = pair()
    first = datetime(2026, 3, 3, 10, 0, tzinfo=ZONE)
    submit(client, PHQ9_16, first)
    submit(client, PHQ9_9, first + timedelta(days=14))

    response = http_for(me).get(record(client))

    (panel,) = response.context["instrument_panels"]
    assert panel.summary == (
        "PHQ-9 9, mild; \u22127 since intake (16, 3 Mar 2026): recovered. Reliable change is 6 "
        "or more; clinical range 10 or more."
    )
    assert (panel.track.label, panel.track_reason) == (
        "On track",
        "PHQ-9 is outside the clinical range now.",
    )
    html = response.content.decode()
    assert 'viewBox="0 0 640 220" class="chart chart-wide instrument-chart" role="img"' in html
    assert 'aria-labelledby="instrument-phq9-title instrument-phq9-desc"' in html
    assert (
        '<g class="chart-point marker-recovered"><title>17 Mar 2026: 9, mild; recovered</title>'
        in html
    )
    assert 'class="chart-cutoff"' in html
    page = text(response)
    assert "Dashed line: clinical cutoff (10 or more)" in page
    assert "Recovered" in [label for _, label, _ in panel.markers]
    assert (
        "17 Mar 2026 9 Mild \u22127 Recovered 3 Mar 2026 16 Moderately severe \u2014 Baseline"
    ) in page


def test_critical_item_gets_its_own_marker_and_a_flag_in_the_table():
    me, client = pair()
    submit(client, PHQ9_16, local(20, 9))
    submit(client, PHQ9_CRITICAL, local(6, 9))

    response = http_for(me).get(record(client))

    (panel,) = response.context["instrument_panels"]
    assert [r.critical for r in panel.rows] == [True, False]
    assert panel.summary.endswith("The latest answer endorsed a critical item.")
    assert 'class="chart-point marker-critical"' in response.content.decode()
    assert "Critical item endorsed" in text(response)


def test_one_panel_per_instrument_phq9_and_gad7_first():
    me, client = pair()
    submit(client, [3, 3, 3, 3, 3], local(10, 9), code="who5")
    submit(client, [1] * 7, local(9, 9), code="gad7")
    submit(client, PHQ9_9, local(8, 9))

    panels = http_for(me).get(record(client)).context["instrument_panels"]

    assert [p.definition.code for p in panels] == ["phq9", "gad7", "who5"]
    day = local(9, 9)
    assert panels[1].summary == (
        f"GAD-7 7, mild; the first answer ({day.day} {day:%b %Y}), so no change to judge yet. "
        "Reliable change is 4 or more; clinical range 8 or more."
    )


def test_no_questionnaires_yet_says_so():
    me, client = pair()

    assert "No questionnaires answered yet." in text(http_for(me).get(record(client)))


# --- mood, anxiety and sleep ----------------------------------------------------------------------
def test_series_shows_30_days_by_default_and_90_on_request():
    me, client = pair()
    checkin(client, local(2, 20))
    checkin(client, local(50, 20))
    http = http_for(me)

    thirty = http.get(record(client)).context["series"]
    ninety = http.get(record(client), {"days": "90"}).context["series"]

    assert (thirty.days, [c.kind for c in thirty.charts]) == (
        30,
        ["mood", "anxiety", "sleep_hours"],
    )
    assert thirty.charts[0].summary == (
        "Mood averaged 4.0 over 1 day with a check-in; lowest 4, highest 4."
    )
    assert ninety.days == 90
    assert ninety.charts[0].summary == (
        "Mood averaged 4.0 over 2 days with a check-in; lowest 4, highest 4."
    )
    assert http.get(record(client), {"days": "7"}).context["series"].days == 30


# --- the timeline ---------------------------------------------------------------------------------
def _full_week(client: Client) -> None:
    today = timezone.localdate(timezone=ZONE)
    checkin(client, local(1, 20, 15), note="Rough day at work", shared=True)
    checkin(client, local(1, 8), note="Secret", shared=False)
    submit(client, PHQ9_16, local(2, 9))
    thought_record(client, local(2, 14))
    step = exposure_step_create(
        client=client,
        actor=client.user,
        values=ExposureStepIn(description="Take the bus two stops", suds_anticipated=60),
    )
    exposure_practice_create(
        client=client,
        step=step,
        actor=client.user,
        values=ExposurePracticeIn(
            practiced_at=local(3, 11), duration_minutes=20, suds_pre=50, suds_peak=70, suds_post=30
        ),
    )
    activity = activity_plan_create(
        client=client,
        actor=client.user,
        values=ActivityPlanIn(
            title="Call Sam",
            life_area=LifeArea.RELATIONSHIPS,
            planned_for=today - timedelta(days=3),
            planned_time=time(18, 0),
        ),
    )
    activity_plan_log(
        activity=activity, actor=client.user, values=ActivityLogIn(done=True, mastery=6, pleasure=8)
    )
    sleep_diary_save(
        client=client,
        actor=client.user,
        values=SleepDiaryIn(
            night_of=today - timedelta(days=4),
            into_bed=time(23, 0),
            tried_to_sleep=time(23, 15),
            minutes_to_fall_asleep=30,
            awakenings=1,
            minutes_awake_after_onset=15,
            final_awakening=time(6, 30),
            out_of_bed=time(7, 0),
            quality=2,
        ),
    )
    relaxation_session_create(
        client=client,
        actor=client.user,
        kind="box",
        started_at=local(4, 21),
        seconds_practised=180,
        idempotency_key="r1",
        distress_before=7,
        distress_after=4,
    )
    journal_entry_create(
        client=client,
        actor=client.user,
        values=JournalEntryIn(
            title="After therapy", body="I noticed the urge to cancel.", shared=True
        ),
    )
    journal_entry_create(
        client=client, actor=client.user, values=JournalEntryIn(title="Private", body="Mine only")
    )


def test_timeline_lists_everything_shared_newest_first_grouped_by_day():
    me, client = pair()
    _full_week(client)

    response = http_for(me).get(record(client))

    timeline = response.context["timeline"]
    today = timezone.localdate(timezone=ZONE)
    night = today - timedelta(days=4)
    assert [d.day for d in timeline.days] == [today - timedelta(days=i) for i in range(5)]
    assert [[(e.kind, e.title) for e in d.entries] for d in timeline.days] == [
        [("journal", "After therapy")],
        [("checkin", "Mood 4/10"), ("checkin", "Mood 4/10")],
        [
            ("thought_record", "Thought record completed"),
            ("questionnaire", "PHQ-9 16, moderately severe"),
        ],
        [("activity", "Call Sam (done)"), ("exposure", "Take the bus two stops")],
        [
            ("relaxation", "Box breathing, 3 min"),
            ("sleep", f"Night of {night:%a} {night.day} {night:%b}"),
        ],
    ]
    evening, morning = timeline.days[1].entries
    assert (evening.text, evening.private_note) == ("Rough day at work", False)
    assert (morning.text, morning.private_note) == ("", True)
    assert evening.detail == "anxiety 6; feelings: Sad; activities: Walk"
    details = {e.kind: e.detail for d in timeline.days for e in d.entries}
    assert details["questionnaire"] == "Baseline"
    assert details["thought_record"] == (
        "strongest emotion 80 \u2192 45; belief in the hot thought 90 \u2192 40; "
        "thinking traps: mind reading"
    )
    assert details["exposure"] == "SUDS 50 before, peak 70, 30 after; 20 min"
    assert details["activity"] == "Relationships, mastery 6/10, pleasure 8/10"
    assert details["relaxation"] == "distress 7 \u2192 4 (0-10)"
    assert details["sleep"] == (
        "total sleep 6h 30m, in bed 8h 0m, sleep efficiency 81.3%, quality: poor"
    )
    page = text(response)
    assert "Rough day at work" in page
    assert "Private note (not shared)" in page
    assert "Secret" not in page
    assert "Mine only" not in page
    assert "I noticed the urge to cancel." in page


def care_of(me: Membership, client: Client):
    """The care team's CareAccess, as the gate builds it (for calling selectors directly)."""
    client = Client.objects.select_related("privacy", "practice__privacy_settings").get(
        pk=client.pk
    )
    return care_access_for(client=client, user=me.user, viewer=Viewer.CARE_TEAM, membership=me)


def test_private_check_in_notes_are_never_decrypted_for_the_timeline():
    me, client = pair()
    checkin(client, local(1, 8), note="Secret", shared=False)

    timeline = record_timeline(access=care_of(me, client))

    (entry,) = timeline.days[0].entries
    assert entry.private_note is True
    assert entry.text == ""


def test_timeline_shows_30_days_and_pages_back_with_before():
    me, client = pair()
    checkin(client, local(3, 9))
    checkin(client, local(40, 9))
    http = http_for(me)
    today = timezone.localdate(timezone=ZONE)

    latest = http.get(record(client)).context["timeline"]
    earlier = http.get(record(client), {"before": latest.earlier.isoformat()}).context["timeline"]

    assert [d.day for d in latest.days] == [today - timedelta(days=3)]
    assert (latest.start, latest.end, latest.is_latest) == (
        today - timedelta(days=29),
        today,
        True,
    )
    assert [d.day for d in earlier.days] == [today - timedelta(days=40)]
    assert (earlier.start, earlier.end, earlier.is_latest, earlier.later) == (
        today - timedelta(days=59),
        today - timedelta(days=30),
        False,
        None,
    )
    html = http.get(record(client), {"before": latest.earlier.isoformat()}).content.decode()
    assert f"?days=30&amp;before={(today - timedelta(days=59)).isoformat()}#timeline" in html
    assert '<a href="?days=30#timeline">Later</a>' in html


def test_timeline_stops_offering_earlier_pages_before_the_client_started():
    me, client = pair()  # started 120 days ago

    old = record_timeline(
        access=care_of(me, client), before=(client.started_on + timedelta(days=10)).isoformat()
    )

    assert old.earlier is None


def test_before_is_read_safely():
    today = date(2026, 3, 10)

    assert parse_before(None, today=today) == date(2026, 3, 11)
    assert parse_before("2026-02-01", today=today) == date(2026, 2, 1)
    assert parse_before("2027-01-01", today=today) == date(2026, 3, 11)
    assert parse_before("yesterday", today=today) == date(2026, 3, 11)


def test_empty_window_says_nothing_was_shared():
    me, client = pair()

    page = text(http_for(me).get(record(client)))

    assert "Nothing shared between" in page


# --- a fixed number of queries --------------------------------------------------------------------
def _fill(client: Client, n: int) -> None:
    """n of every kind of entry, spread over the last 25 days."""
    today = timezone.localdate(timezone=ZONE)
    for i in range(n):
        day = i % 25
        submit(client, PHQ9_16 if i % 2 else PHQ9_9, local(day, 7, i % 60))
        checkin(client, local(day, 20, i % 60), note=f"Note {i}", shared=i % 2 == 0)
        thought_record(client, local(day, 12, i % 60))
        relaxation_session_create(
            client=client,
            actor=client.user,
            kind="paced",
            started_at=local(day, 13, i % 60),
            seconds_practised=120,
            idempotency_key=f"r{i}",
        )
        journal_entry_create(
            client=client,
            actor=client.user,
            values=JournalEntryIn(body=f"Entry {i}", shared=i % 2 == 0),
        )
        activity = activity_plan_create(
            client=client,
            actor=client.user,
            values=ActivityPlanIn(
                title=f"Activity {i}",
                life_area=LifeArea.LEISURE,
                planned_for=today - timedelta(days=day),
            ),
        )
        activity_plan_log(
            activity=activity,
            actor=client.user,
            values=ActivityLogIn(done=True, mastery=5, pleasure=5),
        )
        step = exposure_step_create(
            client=client,
            actor=client.user,
            values=ExposureStepIn(description=f"Step {i}", suds_anticipated=40),
        )
        exposure_practice_create(
            client=client,
            step=step,
            actor=client.user,
            values=ExposurePracticeIn(
                practiced_at=local(day, 15),
                duration_minutes=10,
                suds_pre=40,
                suds_peak=60,
                suds_post=20,
            ),
        )
    for i in range(min(n, 25)):
        sleep_diary_save(
            client=client,
            actor=client.user,
            values=SleepDiaryIn(
                night_of=today - timedelta(days=1 + i),
                into_bed=time(22, 30),
                tried_to_sleep=time(23, 0),
                minutes_to_fall_asleep=15,
                awakenings=1,
                minutes_awake_after_onset=10,
                final_awakening=time(6, 30),
                out_of_bed=time(7, 0),
                quality=3,
            ),
        )


def test_record_makes_the_same_queries_with_5_and_with_50_of_everything(django_assert_num_queries):
    few_me, few = pair()
    many_me, many = pair()
    _fill(few, 5)
    _fill(many, 50)
    for me, client in ((few_me, few), (many_me, many)):
        Alert.objects.create(
            practice=client.practice,
            client=client,
            kind=AlertKind.MOOD_DROP,
            severity=Severity.MEDIUM,
            severity_rank=1,
            reason="Mood fell.",
            dedupe_key="x",
            created_by=client.user,
            updated_by=client.user,
        )
        appointment_create(
            actor=me.user, client=client, clinician=me, starts_at=timezone.now() + timedelta(days=2)
        )
    few_http, many_http = http_for(few_me), http_for(many_me)

    with django_assert_num_queries(RECORD_QUERIES):
        small = few_http.get(record(few))
    with django_assert_num_queries(RECORD_QUERIES):
        large = many_http.get(record(many))

    assert small.context["timeline"].total < large.context["timeline"].total
    assert len(large.context["instrument_panels"][0].rows) == 50
