"""The pre-session brief: sentences from plain values (exact strings), and the page for a client
with data since the last session, through the gate, in a fixed number of queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from interlude.alerts.models import AlertKind, Severity
from interlude.alerts.services import alert_raise
from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.care.models import AppointmentStatus
from interlude.care.services import appointment_create, appointment_set_status, safety_plan_save
from interlude.consents.access import Viewer, care_access_for
from interlude.consents.models import ClientPrivacy
from interlude.exercises.relaxation_services import relaxation_session_create
from interlude.exercises.schemas import JournalEntryIn, ThoughtRecordIn
from interlude.exercises.worksheets_services import journal_entry_create, thought_record_create
from interlude.insights import brief as b
from interlude.insights.selectors_brief import brief_inputs
from interlude.measures.services import response_submit
from interlude.practices.models import Client, CrisisResource
from interlude.tracking.services import CheckInValues, checkin_create
from tests.factories import MembershipFactory, UserFactory, clinician_with_client

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # Wed 25 Nov 2026, 10:00 in New York
TODAY = date(2026, 11, 25)


def _period(start: date, *, session: bool = True) -> b.PeriodIn:
    return b.PeriodIn(start_day=start, today=TODAY, session_day=start if session else None)


def _score(**changes) -> b.ScoreIn:
    values = {
        "code": "phq9",
        "short_name": "PHQ-9",
        "total": 9.0,
        "band": "Mild",
        "answered_on": date(2026, 11, 20),
        "answers_in_period": 1,
        "previous_total": 12.0,
        "previous_day": date(2026, 10, 28),
        "baseline_total": 16.0,
        "baseline_day": date(2026, 10, 1),
        "classification": "recovered",
        "track_status": "on_track",
        "track_reason": "PHQ-9 is outside the clinical range now.",
        "critical": False,
    }
    values.update(changes)
    return b.ScoreIn(**values)


def _days(*pairs: tuple[int, float]) -> list[b.DayValue]:
    return [b.DayValue(day=date(2026, 11, d), value=v) for d, v in pairs]


# --- pure: numbers, dates, words -----------------------------------------------------------------
def test_numbers_are_whole_or_one_decimal():
    assert [b.number(v) for v in (9.0, 5.75, 5.84, 6.0, 0.05, 48)] == [
        "9",
        "5.8",
        "5.8",
        "6",
        "0.1",
        "48",
    ]


def test_day_label_adds_the_year_only_when_it_is_not_this_year():
    assert b.day_label(date(2026, 11, 4), today=TODAY) == "Wed 4 Nov"
    assert b.day_label(date(2025, 12, 30), today=TODAY) == "Tue 30 Dec 2025"


def test_change_words_say_the_direction_on_the_scale():
    assert b.change_words(-3) == "down 3"
    assert b.change_words(2.5) == "up 2.5"
    assert b.change_words(0) == "no change"


def test_headline_is_the_first_line_cut_at_a_word():
    assert b.headline("Sister cancelled our plans\nand then I...") == "Sister cancelled our plans"
    long = "word " * 30
    assert b.headline(long, 22) == "word word word word…"
    assert b.headline("   ") == ""


# --- pure: the period ----------------------------------------------------------------------------
def test_period_since_the_last_session():
    assert b.period_sentence(_period(date(2026, 11, 11))) == (
        "Since the last session on Wed 11 Nov (14 days ago)."
    )
    assert b.period_sentence(_period(date(2026, 11, 24))) == (
        "Since the last session on Tue 24 Nov (1 day ago)."
    )
    assert b.period_sentence(_period(TODAY)) == "Since the last session, today (Wed 25 Nov)."


def test_period_without_a_session_says_it_is_the_last_14_days():
    assert b.period_sentence(_period(date(2026, 11, 11), session=False)) == (
        "No attended session on record, so this covers the last 14 days (since Wed 11 Nov)."
    )


# --- pure: scores ------------------------------------------------------------------------------
def test_score_sentence_since_last_session_and_intake_with_classification():
    assert b.score_sentence(_score(), fallback=False, today=TODAY) == (
        "PHQ-9 9 (mild), down 3 since last session; down 7 since intake (16): recovered."
    )


def test_score_sentence_in_the_fallback_period_names_the_day_of_the_earlier_answer():
    assert b.score_sentence(_score(), fallback=True, today=TODAY) == (
        "PHQ-9 9 (mild), down 3 since Wed 28 Oct; down 7 since intake (16): recovered."
    )


def test_score_sentence_without_an_answer_before_the_period():
    sentence = b.score_sentence(
        _score(
            previous_total=None,
            previous_day=None,
            total=14,
            band="Moderate",
            classification="no_reliable_change",
        ),
        fallback=False,
        today=TODAY,
    )
    assert sentence == "PHQ-9 14 (moderate); down 2 since intake (16): no reliable change."


def test_score_sentence_for_the_first_answer_ever():
    sentence = b.score_sentence(
        _score(
            total=16,
            band="Moderately severe",
            previous_total=None,
            baseline_total=None,
            classification="baseline",
        ),
        fallback=False,
        today=TODAY,
    )
    assert sentence == "PHQ-9 16 (moderately severe): first answer, the baseline for later change."


def test_score_sentence_for_worse_scores_and_no_bands():
    deteriorated = b.score_sentence(
        _score(
            short_name="PCL-5",
            total=52,
            band="",
            previous_total=52,
            baseline_total=38,
            classification="reliably_deteriorated",
        ),
        fallback=False,
        today=TODAY,
    )
    assert deteriorated == (
        "PCL-5 52, no change since last session; up 14 since intake (38): reliable deterioration."
    )
    untracked = b.score_sentence(
        _score(
            short_name="eHEALS",
            total=30,
            band="",
            previous_total=None,
            baseline_total=28,
            classification="not_available",
        ),
        fallback=False,
        today=TODAY,
    )
    assert untracked == (
        "eHEALS 30; up 2 since intake (28): no reliable-change threshold for this instrument."
    )


def test_track_sentence_gives_status_and_reason():
    assert b.track_sentence(_score()) == "On track: PHQ-9 is outside the clinical range now."
    assert b.track_sentence(_score(track_status="at_risk", track_reason="")) == "At risk."


# --- pure: mood, anxiety and sleep ---------------------------------------------------------------
def test_mood_sentence_with_average_days_lowest_and_highest():
    mood = _days(
        (12, 6), (13, 3), (16, 8), (17, 5), (19, 4.5), (20, 7), (21, 6), (22, 6), (23, 6.5)
    )
    assert b.series_sentence(mood, b.MOOD, today=TODAY) == (
        "Mood averaged 5.8 on 9 days with a check-in; lowest 3 on Fri 13 Nov, "
        "highest 8 on Mon 16 Nov."
    )


def test_sleep_sentence_has_hours_shortest_and_longest():
    sleep = _days((12, 7), (13, 5), (16, 8.5))
    assert b.series_sentence(sleep, b.SLEEP, today=TODAY) == (
        "Sleep averaged 6.8 hours on 3 days logged; shortest 5 hours on Fri 13 Nov, "
        "longest 8.5 hours on Mon 16 Nov."
    )


def test_series_sentence_with_one_day_none_or_all_the_same():
    assert b.series_sentence(_days((13, 4)), b.MOOD, today=TODAY) == (
        "Mood was 4 on Fri 13 Nov, the only day with a check-in."
    )
    assert b.series_sentence([], b.MOOD, today=TODAY) == "No mood values in this period."
    assert b.series_sentence(_days((13, 5), (14, 5)), b.ANXIETY, today=TODAY) == (
        "Anxiety was 5 on each of the 2 days with a check-in."
    )


def test_lowest_days_carry_shared_notes_and_say_when_a_note_was_private():
    mood = _days((12, 6), (13, 3), (16, 8), (19, 4))
    notes = [b.NoteIn(day=date(2026, 11, 13), text="Awful day at work\nmore")]
    lows = b.low_days(mood, notes, [date(2026, 11, 19)], today=TODAY)
    assert lows == [
        b.Notable(day="Fri 13 Nov", text="Mood 3", quote="Awful day at work"),
        b.Notable(day="Thu 19 Nov", text="Mood 4; a note was kept private"),
    ]
    assert b.low_days(_days((13, 3)), notes, [], today=TODAY) == []


# --- pure: notable entries, homework, next session, alerts ----------------------------------------
def test_thought_record_and_journal_lines():
    record = b.ThoughtRecordIn(
        day=date(2026, 11, 14),
        situation="Sister cancelled our plans at the last minute",
        belief_before=90,
        belief_after=40,
        emotion_before=80,
        emotion_after=45,
    )
    assert b.thought_record_line(record, today=TODAY) == b.Notable(
        day="Sat 14 Nov",
        text="Belief 90 → 40; strongest feeling 80 → 45",
        quote="Sister cancelled our plans at the last minute",
    )
    entry = b.JournalIn(day=date(2026, 11, 15), title="", body="After the call I felt calmer.")
    assert b.journal_line(entry, today=TODAY) == b.Notable(
        day="Sun 15 Nov", text="Journal entry shared", quote="After the call I felt calmer."
    )


def test_homework_sentences():
    done = b.HomeworkIn(
        questionnaires_completed=2,
        questionnaires_missed=1,
        questionnaires_open=1,
        thought_records=1,
        activities_planned=6,
        activities_done=4,
        exposure_practices=2,
        sleep_diary_nights=5,
        relaxation_sessions=3,
        relaxation_seconds=1500,
        safety_plan_version=3,
        safety_plan_updated=date(2026, 11, 19),
    )
    assert b.questionnaires_sentence(done) == "4 due: 2 completed, 1 missed, 1 still open."
    assert b.worksheets_sentence(done) == (
        "1 thought record, 4 of 6 planned activities done, 2 exposure practices, "
        "5 sleep diary nights."
    )
    assert b.relaxation_sentence(done) == "3 sessions, 25 minutes in all."
    start = date(2026, 11, 11)
    assert b.safety_plan_sentence(done, period_start=start, today=TODAY) == (
        "Updated on Thu 19 Nov (version 3)."
    )
    older = b.HomeworkIn(safety_plan_version=2, safety_plan_updated=date(2026, 10, 2))
    assert b.safety_plan_sentence(older, period_start=start, today=TODAY) == (
        "Not changed in this period (version 2, Fri 2 Oct)."
    )
    nothing = b.HomeworkIn()
    assert b.questionnaires_sentence(nothing) == "None were due."
    assert b.worksheets_sentence(nothing) == "None completed."
    assert b.relaxation_sentence(nothing) == "No sessions."
    assert b.safety_plan_sentence(nothing, period_start=start, today=TODAY) == (
        "No safety plan yet."
    )


def test_next_session_sentence():
    appointment = b.AppointmentIn(
        starts_at=datetime(2026, 11, 26, 14, 0, tzinfo=UTC), duration_minutes=50, clinician="Ann"
    )
    assert b.next_session_sentence(appointment, today=TODAY) == (
        "Thu 26 Nov, 14:00 (50 minutes) with Ann."
    )
    assert b.next_session_sentence(None, today=TODAY) == "No next session booked."


def _alert(severity="critical", status="open", in_period=True) -> b.AlertIn:
    return b.AlertIn(
        severity=severity,
        severity_label=severity.capitalize(),
        kind_label="Risk item endorsed",
        reason="PHQ-9 item 9 answered.",
        status=status,
        status_label=status.capitalize(),
        raised_at=datetime(2026, 11, 20, 9, 5, tzinfo=UTC),
        in_period=in_period,
    )


def test_alert_lines_and_summary():
    assert b.alert_line(_alert(), today=TODAY) == b.AlertLine(
        severity="critical",
        title="Critical: Risk item endorsed",
        when="raised Fri 20 Nov, 09:05; open",
        reason="PHQ-9 item 9 answered.",
        is_open=True,
        is_critical=True,
    )
    assert (
        b.alerts_summary([], fallback=False) == "No alerts since the last session, and none open."
    )
    assert (
        b.alerts_summary(
            [
                _alert(),
                _alert("medium", "resolved"),
                _alert("high", "acknowledged", in_period=False),
            ],
            fallback=False,
        )
        == "2 alerts raised since the last session; 2 still open (1 critical)."
    )
    assert b.alerts_summary([_alert("low", "resolved")], fallback=True) == (
        "1 alert raised in these 14 days; none open."
    )


def test_brief_build_orders_open_and_severe_alerts_first_and_flags_an_open_critical_one():
    data = b.BriefIn(
        period=_period(date(2026, 11, 11)),
        alerts=[_alert("medium"), _alert("critical", "resolved"), _alert("high")],
        scores=[_score(critical=True)],
        mood=_days((12, 6), (13, 3)),
    )
    built = b.brief_build(data)
    assert [a.title.split(":")[0] for a in built.alerts] == ["High", "Medium", "Critical"]
    assert built.has_open_critical is False
    assert built.scores[0].critical is True
    assert built.series == [
        "Mood averaged 4.5 on 2 days with a check-in; lowest 3 on Fri 13 Nov, "
        "highest 6 on Thu 12 Nov."
    ]
    assert [h[0] for h in built.homework] == [
        "Questionnaires",
        "Worksheets",
        "Relaxation",
        "Safety plan",
    ]
    assert b.brief_build(b.BriefIn(period=data.period, alerts=[_alert()])).has_open_critical


# --- the page ------------------------------------------------------------------------------------
PHQ9_BASELINE = [2, 2, 2, 2, 2, 2, 2, 2, 0]  # 16
PHQ9_BEFORE = [2, 2, 2, 2, 1, 1, 1, 1, 0]  # 12
PHQ9_NOW = [1, 1, 1, 1, 1, 1, 1, 1, 1]  # 9, item 9 endorsed


def _utc(month: int, day: int, hour: int = 15) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _thought_record_in(key: str, occurred_at: datetime, situation: str) -> ThoughtRecordIn:
    return ThoughtRecordIn.model_validate(
        {
            "idempotency_key": key,
            "occurred_at": occurred_at,
            "situation": situation,
            "automatic_thoughts": [{"text": "She doesn't care", "belief": 90}],
            "emotions": [{"label": "Anxious", "intensity": 80}],
            "evidence_for": "She cancelled",
            "evidence_against": "She rang to explain",
            "balanced_thought": {"text": "Something came up", "belief": 60},
            "hot_thought_belief_after": 40,
            "emotions_rerated": [{"label": "Anxious", "intensity": 45}],
        }
    )


def build_client_with_data(extra: int = 0):
    """A clinician and a client whose last session was Wed 11 Nov, with data before and since.

    `extra` adds that many more of each kind of record (for the query-count test)."""
    membership, client = clinician_with_client()
    membership.user.full_name = "Dr Ann Okafor"
    membership.user.save()
    client.full_name = "Jordan Ellis"
    client.save()
    # The client shares everything, journal and check-in notes included (the default leaves
    # them off; test_sharing_pages.py turns categories off).
    ClientPrivacy.objects.filter(client=client).update(categories={"journal": True})
    CrisisResource.objects.create(
        practice=client.practice,
        country="US",
        name="Emergency services",
        phone="911",
        is_emergency=True,
    )
    CrisisResource.objects.create(
        practice=client.practice,
        country="US",
        name="988 Lifeline",
        phone="988",
        hours="24/7",
        position=1,
    )
    actor = client.user
    with time_machine.travel(_utc(10, 1), tick=False):
        appointment_set_status(
            actor=membership.user,
            appointment=appointment_create(
                actor=membership.user, client=client, clinician=membership, starts_at=_utc(11, 11)
            ),
            status=AppointmentStatus.ATTENDED,
        )
        appointment_create(
            actor=membership.user, client=client, clinician=membership, starts_at=_utc(11, 26, 19)
        )
        response_submit(
            client=client,
            actor=actor,
            instrument_code="phq9",
            answers=PHQ9_BASELINE,
            idempotency_key="phq-1",
            submitted_at=_utc(10, 1),
        )
        safety_plan_save(
            client=client,
            actor=membership.user,
            base_version=0,
            content={"reasons_for_living": ["My dog"]},
        )
    with time_machine.travel(_utc(10, 28), tick=False):
        response_submit(
            client=client,
            actor=actor,
            instrument_code="phq9",
            answers=PHQ9_BEFORE,
            idempotency_key="phq-2",
            submitted_at=_utc(10, 28),
        )
    with time_machine.travel(NOW, tick=False):
        for i in range(extra):
            response_submit(
                client=client,
                actor=actor,
                instrument_code="phq9",
                answers=PHQ9_BEFORE,
                idempotency_key=f"phq-x{i}",
                submitted_at=_utc(10, 2 + i),
            )
        response_submit(
            client=client,
            actor=actor,
            instrument_code="phq9",
            answers=PHQ9_NOW,
            idempotency_key="phq-3",
            submitted_at=_utc(11, 20),
        )
        checkins = [
            (_utc(11, 5), CheckInValues(mood=1)),  # before the period: not counted
            (_utc(11, 12), CheckInValues(mood=6, anxiety=4, sleep_hours=Decimal("7"))),
            (
                _utc(11, 13),
                CheckInValues(
                    mood=3,
                    anxiety=7,
                    sleep_hours=Decimal("5"),
                    note="Awful day at work",
                    note_shared=True,
                ),
            ),
            (_utc(11, 16), CheckInValues(mood=8, anxiety=2, sleep_hours=Decimal("8"))),
            (_utc(11, 17), CheckInValues(mood=5)),
            (
                _utc(11, 19),
                CheckInValues(mood=4, anxiety=6, note="PRIVATE-words", note_shared=False),
            ),
        ]
        checkins += [(_utc(11, 16, 20), CheckInValues(mood=8)) for _ in range(extra)]
        for n, (at, values) in enumerate(checkins):
            checkin_create(
                client=client, actor=actor, values=values, idempotency_key=f"c{n}", recorded_at=at
            )
        for n in range(1 + extra):
            thought_record_create(
                client=client,
                actor=actor,
                values=_thought_record_in(
                    f"t{n}", _utc(11, 14), "Sister cancelled our plans at the last minute"
                ),
            )
        journal_entry_create(
            client=client,
            actor=actor,
            values=JournalEntryIn(title="After the call", body="x", shared=True),
        )
        journal_entry_create(
            client=client,
            actor=actor,
            values=JournalEntryIn(title="SECRET-diary", body="y", shared=False),
        )
        for n, seconds in enumerate([300, 600] + [60] * extra):
            relaxation_session_create(
                client=client,
                actor=actor,
                kind="box",
                started_at=_utc(11, 18),
                seconds_practised=seconds,
                idempotency_key=f"r{n}",
            )
        for n in range(extra):
            alert_raise(
                client=client,
                kind=AlertKind.NO_CHECKIN,
                severity=Severity.LOW,
                reason="No check-in.",
                dedupe_key=f"x{n}",
                actor=actor,
            )
    return membership, client


@pytest.mark.django_db
def test_brief_page_says_what_happened_since_the_last_session():
    membership, client = build_client_with_data()

    with time_machine.travel(NOW, tick=False):
        response = _as(membership.user).get(f"/clinic/clients/{client.public_id}/brief/")

    assert response.status_code == 200
    page = response.content.decode()
    brief = response.context["brief"]
    assert brief.period == "Since the last session on Wed 11 Nov (14 days ago)."
    assert brief.alerts_summary == (
        "1 alert raised since the last session; 1 still open (1 critical)."
    )
    assert brief.alerts[0].title == "Critical: Risk item endorsed"
    assert brief.has_open_critical
    assert [s.sentence for s in brief.scores] == [
        "PHQ-9 9 (mild), down 3 since last session; down 7 since intake (16): recovered."
    ]
    assert brief.scores[0].track == "On track: PHQ-9 is outside the clinical range now."
    assert brief.series == [
        "Mood averaged 5.2 on 5 days with a check-in; lowest 3 on Fri 13 Nov, "
        "highest 8 on Mon 16 Nov.",
        "Anxiety averaged 4.8 on 4 days with a check-in; lowest 2 on Mon 16 Nov, "
        "highest 7 on Fri 13 Nov.",
        "Sleep averaged 6.7 hours on 3 days logged; shortest 5 hours on Fri 13 Nov, "
        "longest 8 hours on Mon 16 Nov.",
    ]
    assert brief.low_days == [
        b.Notable(day="Fri 13 Nov", text="Mood 3", quote="Awful day at work"),
        b.Notable(day="Thu 19 Nov", text="Mood 4; a note was kept private"),
    ]
    assert brief.thought_records == [
        b.Notable(
            day="Sat 14 Nov",
            text="Belief 90 → 40; strongest feeling 80 → 45",
            quote="Sister cancelled our plans at the last minute",
        )
    ]
    assert brief.journal == [
        b.Notable(day="Wed 25 Nov", text="Journal entry shared", quote="After the call")
    ]
    assert brief.homework == [
        ("Questionnaires", "None were due."),
        ("Worksheets", "1 thought record."),
        ("Relaxation", "2 sessions, 15 minutes in all."),
        ("Safety plan", "Not changed in this period (version 1, Thu 1 Oct)."),
    ]
    assert brief.next_session == "Thu 26 Nov, 14:00 (50 minutes) with Dr Ann Okafor."
    # What the page shows: the next steps of the open critical alert, with the client's lines.
    assert "Critical alert open: next steps" in page
    assert f'href="/clinic/clients/{client.public_id}/safety-plan/"' in page
    assert 'href="tel:988"' in page
    assert "Risk item endorsed in this period" not in page  # the badge says it shorter
    assert "Risk item endorsed</span>" in page
    assert "data-print hidden" in page
    # Nothing the client kept private.
    assert "PRIVATE-words" not in page
    assert "SECRET-diary" not in page
    event = AuditEvent.objects.filter(action=AuditAction.CLIENT_RECORD_VIEWED).latest("seq")
    assert event.detail == {"scopes": ["measures", "checkins", "journal"]}


@pytest.mark.django_db
def test_without_an_attended_session_the_brief_covers_the_last_14_days():
    membership, client = clinician_with_client()
    with time_machine.travel(_utc(11, 20), tick=False):
        appointment_set_status(
            actor=membership.user,
            appointment=appointment_create(
                actor=membership.user, client=client, clinician=membership, starts_at=_utc(11, 20)
            ),
            status=AppointmentStatus.MISSED,
        )
        checkin_create(
            client=client,
            actor=client.user,
            values=CheckInValues(mood=4),
            idempotency_key="a",
            recorded_at=_utc(11, 5),
        )
        checkin_create(
            client=client,
            actor=client.user,
            values=CheckInValues(mood=7),
            idempotency_key="b",
            recorded_at=_utc(11, 18),
        )

    with time_machine.travel(NOW, tick=False):
        response = _as(membership.user).get(f"/clinic/clients/{client.public_id}/brief/")

    brief = response.context["brief"]
    assert brief.period == (
        "No attended session on record, so this covers the last 14 days (since Wed 11 Nov)."
    )
    assert brief.series == ["Mood was 7 on Wed 18 Nov, the only day with a check-in."]
    assert brief.alerts_summary == "No alerts in these 14 days, and none open."
    assert brief.scores == []
    assert "No questionnaires answered in this period." in response.content.decode()
    assert "next steps" not in response.content.decode()


@pytest.mark.django_db
def test_brief_is_a_404_outside_the_care_team():
    _, client = clinician_with_client()
    stranger = MembershipFactory(user=UserFactory(mfa_exempt=True))

    response = _as(stranger.user).get(f"/clinic/clients/{client.public_id}/brief/")

    assert response.status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.CLIENT_ACCESS_DENIED).count() == 1


@pytest.mark.django_db
def test_brief_is_not_for_the_client_themselves():
    _, client = clinician_with_client()

    response = _as(client.user).get(f"/clinic/clients/{client.public_id}/brief/")

    assert response.status_code == 404


def _page_queries(extra: int) -> int:
    membership, client = build_client_with_data(extra=extra)
    url = f"/clinic/clients/{client.public_id}/brief/"
    with time_machine.travel(NOW, tick=False):
        http = _as(membership.user)  # signed in at NOW, not whenever the suite started
        http.get(url)  # the session settles
        with CaptureQueriesContext(connection) as queries:
            assert http.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("extra", [0, 12])
def test_brief_reads_in_17_queries_whatever_the_amount_of_data(extra, django_assert_num_queries):
    membership, client = build_client_with_data(extra=extra)
    care = care_access_for(
        client=Client.objects.select_related("privacy", "practice__privacy_settings").get(
            pk=client.pk
        ),
        user=membership.user,
        viewer=Viewer.CARE_TEAM,
        membership=membership,
    )
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(17):
        data = brief_inputs(access=care)
    assert len(data.mood) == 5
    assert data.homework.thought_records == 1 + extra


@pytest.mark.django_db
def test_brief_page_makes_the_same_number_of_queries_with_more_data():
    small = _page_queries(extra=0)
    larger = _page_queries(extra=12)
    assert small == larger


def test_the_fallback_period_is_14_days():
    assert b.FALLBACK_DAYS == 14
    assert (TODAY - timedelta(days=b.FALLBACK_DAYS)) == date(2026, 11, 11)


@pytest.mark.django_db
def test_an_old_entry_added_late_is_labelled_not_shown_as_new():
    """Since the last session (Wed 11 Nov) is about when things happened: a thought record about
    2 Nov written up on 20 Nov, and a journal entry from 1 Nov shared on 20 Nov, are labelled as
    old and do not count as homework done since the session."""
    membership, client = build_client_with_data()
    from interlude.exercises.models import JournalEntry, ThoughtRecord
    from interlude.exercises.worksheets_services import journal_entry_share

    ThoughtRecord.objects.filter(client=client).delete()
    with time_machine.travel(_utc(11, 1), tick=False):
        old_entry = journal_entry_create(
            client=client,
            actor=client.user,
            values=JournalEntryIn(title="Halloween", body="z", shared=False),
        )
    with time_machine.travel(_utc(11, 20), tick=False):
        thought_record_create(
            client=client,
            actor=client.user,
            values=_thought_record_in("late", _utc(11, 2), "The call from work"),
        )
        journal_entry_share(
            entry=JournalEntry.objects.get(pk=old_entry.pk), actor=client.user, shared=True
        )

    with time_machine.travel(NOW, tick=False):
        response = _as(membership.user).get(f"/clinic/clients/{client.public_id}/brief/")

    brief = response.context["brief"]
    assert brief.thought_records == [
        b.Notable(
            day="Mon 2 Nov",
            text="Belief 90 → 40; strongest feeling 80 → 45",
            quote="The call from work",
            late="From before this period; added Fri 20 Nov.",
        )
    ]
    assert brief.journal == [
        b.Notable(day="Wed 25 Nov", text="Journal entry shared", quote="After the call"),
        b.Notable(
            day="Sun 1 Nov",
            text="Journal entry shared",
            quote="Halloween",
            late="From before this period; shared Fri 20 Nov.",
        ),
    ]
    assert ("Worksheets", "None completed.") in brief.homework
    page = response.content.decode()
    assert '<strong class="brief-late">From before this period; added Fri 20 Nov.</strong>' in page
