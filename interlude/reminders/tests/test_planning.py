"""Planning: wall-clock time plus zone across daylight-saving changes, quiet hours, pause, module
switches, the onboarding answer's defaults, and planning twice adding nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
import time_machine

from interlude.consents.models import ClientPrivacy
from interlude.consents.modules_services import client_modules_set
from interlude.practices.enums import Module
from interlude.reminders.models import Channel, Reminder, ReminderPreferences
from interlude.reminders.schedule import out_of_quiet_hours, wall_to_utc
from interlude.reminders.services import reminders_plan
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- pure: wall time + zone -> instant ---
@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        # Europe/Berlin: summer time starts 29 March 2026 and ends 25 October 2026.
        ("Europe/Berlin", date(2026, 3, 28), utc(2026, 3, 28, 19, 0)),
        ("Europe/Berlin", date(2026, 3, 29), utc(2026, 3, 29, 18, 0)),
        ("Europe/Berlin", date(2026, 10, 24), utc(2026, 10, 24, 18, 0)),
        ("Europe/Berlin", date(2026, 10, 25), utc(2026, 10, 25, 19, 0)),
        # America/New_York: 8 March 2026 and 1 November 2026.
        ("America/New_York", date(2026, 3, 7), utc(2026, 3, 8, 1, 0)),
        ("America/New_York", date(2026, 3, 8), utc(2026, 3, 9, 0, 0)),
        ("America/New_York", date(2026, 10, 31), utc(2026, 11, 1, 0, 0)),
        ("America/New_York", date(2026, 11, 1), utc(2026, 11, 2, 1, 0)),
    ],
)
def test_20_00_local_is_a_different_utc_instant_either_side_of_a_dst_change(zone, day, expected):
    assert wall_to_utc(day, time(20, 0), zone) == expected


def test_a_time_in_the_spring_gap_moves_to_the_next_valid_minute():
    # 02:30 does not exist in Berlin on 29 March 2026: clocks go from 02:00 to 03:00 (01:00 UTC).
    assert wall_to_utc(date(2026, 3, 29), time(2, 30), "Europe/Berlin") == utc(2026, 3, 29, 1, 0)
    assert wall_to_utc(date(2026, 3, 8), time(2, 15), "America/New_York") == utc(2026, 3, 8, 7, 0)


def test_an_ambiguous_autumn_time_takes_the_first_occurrence():
    # 02:30 happens twice in Berlin on 25 October 2026: first in summer time (00:30 UTC).
    assert wall_to_utc(date(2026, 10, 25), time(2, 30), "Europe/Berlin") == utc(2026, 10, 25, 0, 30)
    assert wall_to_utc(date(2026, 11, 1), time(1, 30), "America/New_York") == utc(
        2026, 11, 1, 5, 30
    )


@pytest.mark.parametrize(
    ("wall", "start", "end", "expected"),
    [
        (time(6, 0), time(22, 0), time(7, 0), time(7, 0)),  # morning part: to the end
        (time(23, 0), time(22, 0), time(7, 0), time(21, 59)),  # evening: stays on its day
        (time(13, 0), time(12, 0), time(14, 0), time(14, 0)),
        (time(14, 0), time(12, 0), time(14, 0), time(14, 0)),  # the end itself is not quiet
        (time(19, 0), time(22, 0), time(7, 0), time(19, 0)),
        (time(19, 0), None, None, time(19, 0)),
    ],
)
def test_quiet_hours_move_a_time_out_of_them(wall, start, end, expected):
    assert out_of_quiet_hours(wall, start, end) == expected


# --- planning ---
def _client(zone: str = "Europe/Berlin", **prefs):
    _, client = clinician_with_client()
    client.time_zone = zone
    client.save(update_fields=["time_zone"])
    if prefs is not None:
        ReminderPreferences.objects.create(client=client, **prefs)
    return client


def _planned(client) -> list[tuple[date, time, datetime, str]]:
    return list(
        Reminder.objects.filter(client=client)
        .order_by("local_date", "wall_time")
        .values_list("local_date", "wall_time", "due_at", "time_zone")
    )


def test_planning_keeps_20_00_berlin_across_the_spring_change(due):
    client = _client(preferred_time=time(20, 0))
    due.add(client.pk, date(2026, 3, 28))
    due.add(client.pk, date(2026, 3, 29))
    with time_machine.travel(utc(2026, 3, 28, 8, 0), tick=False):
        assert reminders_plan() == 2
    assert _planned(client) == [
        (date(2026, 3, 28), time(20, 0), utc(2026, 3, 28, 19, 0), "Europe/Berlin"),
        (date(2026, 3, 29), time(20, 0), utc(2026, 3, 29, 18, 0), "Europe/Berlin"),
    ]


def test_planning_keeps_the_items_own_time_in_new_york_across_the_autumn_change(due):
    client = _client("America/New_York", preferred_time=time(19, 0))
    due.add(client.pk, date(2026, 10, 31), time(8, 30))
    due.add(client.pk, date(2026, 11, 1), time(8, 30))
    with time_machine.travel(utc(2026, 10, 31, 12, 0), tick=False):
        assert reminders_plan() == 2
    assert [(d, w, u) for d, w, u, _ in _planned(client)] == [
        (date(2026, 10, 31), time(8, 30), utc(2026, 10, 31, 12, 30)),
        (date(2026, 11, 1), time(8, 30), utc(2026, 11, 1, 13, 30)),
    ]


def test_planning_only_today_and_tomorrow_in_the_clients_zone(due):
    # 23:30 UTC on 9 March is already 10 March in Berlin.
    client = _client(preferred_time=time(19, 0))
    for day in (9, 10, 11, 12):
        due.add(client.pk, date(2026, 3, day))
    with time_machine.travel(utc(2026, 3, 9, 23, 30), tick=False):
        reminders_plan()
    assert [d for d, *_ in _planned(client)] == [date(2026, 3, 10), date(2026, 3, 11)]


def test_planning_twice_adds_nothing_and_three_things_due_make_one_reminder(due):
    client = _client(preferred_time=time(19, 0))
    day = date(2026, 5, 4)
    due.add(client.pk, day)
    due.add(client.pk, day)
    due.add(client.pk, day, time(19, 0))
    with time_machine.travel(utc(2026, 5, 4, 6, 0), tick=False):
        assert reminders_plan() == 1
        assert reminders_plan() == 0
    assert Reminder.objects.filter(client=client).count() == 1


def test_an_item_with_its_own_time_gets_its_own_reminder(due):
    client = _client(preferred_time=time(19, 0))
    day = date(2026, 5, 4)
    due.add(client.pk, day)
    due.add(client.pk, day, time(9, 0))
    with time_machine.travel(utc(2026, 5, 4, 6, 0), tick=False):
        assert reminders_plan() == 2
    assert [w for _, w, *_ in _planned(client)] == [time(9, 0), time(19, 0)]


def test_a_time_in_quiet_hours_is_planned_at_their_end(due):
    client = _client(preferred_time=time(6, 0), quiet_start=time(22, 0), quiet_end=time(7, 30))
    due.add(client.pk, date(2026, 5, 4))
    with time_machine.travel(utc(2026, 5, 4, 3, 0), tick=False):
        reminders_plan()
    assert _planned(client) == [
        (date(2026, 5, 4), time(7, 30), utc(2026, 5, 4, 5, 30), "Europe/Berlin")
    ]


@pytest.mark.parametrize("prefs", [{"paused": True}, {"channel": Channel.NONE}])
def test_paused_or_no_channel_plans_nothing(due, prefs):
    client = _client(**prefs)
    due.add(client.pk, date(2026, 5, 4))
    with time_machine.travel(utc(2026, 5, 4, 6, 0), tick=False):
        assert reminders_plan() == 0
    assert _planned(client) == []


def test_module_switched_off_plans_nothing(due):
    membership, client = clinician_with_client()
    ReminderPreferences.objects.create(client=client)
    client_modules_set(client=client, actor=membership.user, modules_off=[Module.REMINDERS])
    due.add(client.pk, date(2026, 5, 4))
    with time_machine.travel(utc(2026, 5, 4, 6, 0), tick=False):
        assert reminders_plan() == 0


@pytest.mark.parametrize(("opted_in", "planned"), [(True, 1), (False, 0)])
def test_without_preferences_the_onboarding_answer_decides(due, opted_in, planned):
    _, client = clinician_with_client()
    ClientPrivacy.objects.filter(client=client).update(reminders_opt_in=opted_in)
    due.add(client.pk, date(2026, 5, 4))
    with time_machine.travel(utc(2026, 5, 4, 6, 0), tick=False):
        assert reminders_plan() == planned
    if planned:
        # Email at 19:00 in the client's zone (New York: 23:00 UTC in May).
        assert list(Reminder.objects.filter(client=client).values_list("wall_time", "due_at")) == [
            (time(19, 0), utc(2026, 5, 4, 23, 0))
        ]
