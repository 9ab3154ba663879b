"""Setting homework, what is due and overdue, recording a day, adherence, and doing the tool
completing the homework (core.hooks)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from interlude.audit.models import AuditEvent
from interlude.core.errors import ApplicationError
from interlude.exercises.worksheets_services import thought_record_create
from interlude.homework.models import AssignmentOccurrence
from interlude.homework.selectors import (
    adherence_for_assignment,
    assignments_due_for_client,
)
from interlude.homework.services import assignment_complete, assignment_end
from interlude.homework.tests.helpers import assign, thought_record_values
from interlude.tracking.services import CheckInValues, checkin_create
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db
# Wednesday 11 March 2026, 11:00 in New York (the factory's zone; three days after the US DST
# change on 8 March).
NOW = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)
TODAY = date(2026, 3, 11)


@pytest.fixture
def pair():
    with time_machine.travel(NOW, tick=False):
        yield clinician_with_client()


def test_due_lists_overdue_first_then_today_then_open_one_offs_and_leaves_out_done(pair):
    membership, client = pair
    daily = assign(membership, client, title="Daily check-in")
    one_off_late = assign(
        membership,
        client,
        tool_kind="custom",
        instructions="Call your sister",
        schedule="once",
        due_on=date(2026, 3, 9),
    )
    weekdays = assign(
        membership,
        client,
        tool_kind="worksheet",
        tool_ref="thought_record",
        rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    )
    # A one-off is open from its start to its due day: to do now, after what is due today.
    later = assign(
        membership,
        client,
        tool_kind="custom",
        instructions="Later",
        schedule="once",
        due_on=date(2026, 3, 20),
    )
    assignment_complete(assignment=weekdays, occurrence=TODAY, status="done", actor=client.user)

    entries = assignments_due_for_client(client=client, today=TODAY)

    assert [(e.assignment.pk, e.due_on, e.status) for e in entries] == [
        (one_off_late.pk, date(2026, 3, 9), "overdue"),
        (daily.pk, TODAY, "due"),
        (later.pk, date(2026, 3, 20), "due"),
    ]


def test_a_repeat_whose_last_day_was_missed_is_overdue_until_its_next_day(pair):
    membership, client = pair
    mon_thu = assign(
        membership, client, rrule="FREQ=WEEKLY;BYDAY=MO,TH", starts_on=date(2026, 3, 2)
    )
    [entry] = assignments_due_for_client(client=client, today=TODAY)
    assert (entry.assignment.pk, entry.due_on, entry.status) == (
        mon_thu.pk,
        date(2026, 3, 9),
        "overdue",
    )


def test_completing_the_same_day_twice_stores_one_row_and_one_audit_event(pair):
    membership, client = pair
    a = assign(membership, client)
    with time_machine.travel(NOW, tick=False):
        first, changed_first = assignment_complete(
            assignment=a, occurrence=TODAY, status="done", actor=client.user
        )
        again, changed_again = assignment_complete(
            assignment=a, occurrence=TODAY, status="done", actor=client.user
        )
    assert (changed_first, changed_again) == (True, False)
    assert first.pk == again.pk
    assert AssignmentOccurrence.objects.filter(assignment=a).count() == 1
    assert AuditEvent.objects.filter(action="homework.completed").count() == 1


def test_not_possible_keeps_the_reason_encrypted_and_done_later_replaces_it(pair):
    membership, client = pair
    a = assign(membership, client)
    with time_machine.travel(NOW, tick=False):
        row, _ = assignment_complete(
            assignment=a,
            occurrence=TODAY,
            status="not_possible",
            actor=client.user,
            reason="I was in hospital",
        )
        assert row.reason == "I was in hospital"
        raw = AssignmentOccurrence.objects.filter(pk=row.pk).values_list("reason", flat=True)[0]
        assert "hospital" not in raw
        row, changed = assignment_complete(
            assignment=a, occurrence=TODAY, status="done", actor=client.user
        )
    assert (row.status, row.reason, changed) == ("done", None, True)


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (date(2026, 3, 1), "2026-03-01 is not a day this homework is due."),
        (date(2026, 3, 12), "That day has not come yet."),
    ],
)
def test_a_day_that_is_no_occurrence_is_refused_naming_the_field(pair, day, message):
    membership, client = pair
    a = assign(membership, client)
    with time_machine.travel(NOW, tick=False), pytest.raises(ApplicationError) as exc:
        assignment_complete(assignment=a, occurrence=day, status="done", actor=client.user)
    assert (exc.value.field, exc.value.message) == ("occurrence", message)


def test_a_record_of_another_client_cannot_be_linked(pair):
    membership, client = pair
    _, other = clinician_with_client()
    with time_machine.travel(NOW, tick=False):
        checkin, _ = checkin_create(
            client=other, actor=other.user, values=CheckInValues(mood=5), idempotency_key="o1"
        )
        a = assign(membership, client)
        with pytest.raises(ApplicationError) as exc:
            assignment_complete(
                assignment=a,
                occurrence=TODAY,
                status="done",
                actor=client.user,
                record_type="tracking.checkin",
                record_id=str(checkin.public_id),
            )
    assert exc.value.field == "record.id"


def test_a_real_check_in_completes_todays_check_in_homework_and_links_it(pair):
    membership, client = pair
    a = assign(membership, client)
    with time_machine.travel(NOW, tick=False):
        checkin, _ = checkin_create(
            client=client, actor=client.user, values=CheckInValues(mood=6), idempotency_key="c1"
        )
    [row] = AssignmentOccurrence.objects.filter(assignment=a)
    assert (row.due_on, row.status, row.record_type, row.record_id) == (
        TODAY,
        "done",
        "tracking.checkin",
        str(checkin.public_id),
    )


def test_a_real_thought_record_completes_the_most_recent_overdue_weekday(pair):
    membership, client = pair
    a = assign(
        membership,
        client,
        tool_kind="worksheet",
        tool_ref="thought_record",
        rrule="FREQ=WEEKLY;BYDAY=MO,TU",
        starts_on=date(2026, 3, 2),
    )
    with time_machine.travel(NOW, tick=False):
        record, _ = thought_record_create(
            client=client, actor=client.user, values=thought_record_values()
        )
    [row] = AssignmentOccurrence.objects.filter(assignment=a)
    assert (row.due_on, row.record_type, row.record_id) == (
        date(2026, 3, 10),
        "exercises.thought_record",
        str(record.public_id),
    )


def test_a_check_in_costs_one_query_more_when_no_homework_matches(pair, django_assert_num_queries):
    _, client = pair
    from interlude.homework.services import homework_record_done

    with django_assert_num_queries(1):
        homework_record_done(
            client=client,
            kind="checkin",
            ref="",
            record_type="tracking.checkin",
            record_id="x",
            at=NOW,
        )


def test_adherence_counts_done_late_missed_and_not_possible_exactly(pair):
    membership, client = pair
    # Daily from Monday 2 March: 9 past days (2..10 March) and today.
    a = assign(membership, client, starts_on=date(2026, 3, 2))

    def at(day: int) -> datetime:
        return datetime(2026, 3, day, 17, 0, tzinfo=UTC)  # 12:00 or 13:00 in New York

    with time_machine.travel(NOW, tick=False):
        for day in (2, 3, 4, 5):
            assignment_complete(
                assignment=a,
                occurrence=date(2026, 3, day),
                status="done",
                actor=client.user,
                at=at(day),
            )
        assignment_complete(
            assignment=a, occurrence=date(2026, 3, 6), status="done", actor=client.user, at=at(8)
        )  # two days late
        assignment_complete(
            assignment=a,
            occurrence=date(2026, 3, 7),
            status="not_possible",
            actor=client.user,
            reason="Ill",
        )
    result = adherence_for_assignment(assignment=a, today=TODAY)
    # 8, 9, 10 March missed; today pending, not counted.
    assert (
        result.done,
        result.late,
        result.missed,
        result.not_possible,
        result.n,
        result.pending,
    ) == (4, 1, 3, 1, 9, 1)
    assert result.percent == 56


def test_weekly_count_adherence_counts_slots_per_finished_week(pair):
    membership, client = pair
    a = assign(
        membership,
        client,
        tool_kind="relaxation",
        tool_ref="box",
        schedule="weekly_count",
        times_per_week=3,
        rrule="",
        starts_on=date(2026, 2, 25),
    )
    with time_machine.travel(NOW, tick=False):
        for day in (date(2026, 2, 26), date(2026, 2, 28), date(2026, 3, 5), date(2026, 3, 11)):
            assignment_complete(assignment=a, occurrence=day, status="done", actor=client.user)
        with pytest.raises(ApplicationError):
            for day in (date(2026, 2, 25), date(2026, 2, 27)):
                assignment_complete(assignment=a, occurrence=day, status="done", actor=client.user)
    result = adherence_for_assignment(assignment=a, today=TODAY)
    # Week 25 Feb-3 Mar: 3 of 3 (the fourth refused); week 4-10 Mar: 1 done, 2 missed;
    # this week (11-17 Mar): 1 done so far, 2 pending.
    assert (result.done, result.missed, result.n, result.pending) == (5, 2, 7, 2)


def test_ended_homework_is_no_longer_due(pair):
    membership, client = pair
    a = assign(membership, client)
    with time_machine.travel(datetime(2026, 3, 9, 15, 0, tzinfo=UTC), tick=False):
        assignment_end(assignment=a, actor=membership.user)
    assert assignments_due_for_client(client=client, today=TODAY) == []
    result = adherence_for_assignment(assignment=a, today=TODAY)
    assert result.missed == 8  # 2..9 March


def test_a_relaxation_session_counts_toward_n_times_a_week(pair):
    from datetime import timedelta

    from interlude.exercises.relaxation_services import relaxation_session_create

    membership, client = pair
    a = assign(
        membership,
        client,
        tool_kind="relaxation",
        tool_ref="paced",
        schedule="weekly_count",
        times_per_week=3,
        rrule="",
        starts_on=date(2026, 3, 9),
    )
    session, _ = relaxation_session_create(
        client=client,
        actor=client.user,
        kind="paced",
        started_at=NOW - timedelta(minutes=5),
        seconds_practised=300,
        idempotency_key="r1",
    )
    [row] = AssignmentOccurrence.objects.filter(assignment=a)
    assert (row.due_on, row.record_type, row.record_id) == (
        TODAY,
        "exercises.relaxation_session",
        str(session.public_id),
    )
