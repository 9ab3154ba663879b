"""A one-off is open from its start to its due day: the client sees it on Today and under "To do
now" from the day it starts, as "Due tomorrow" or "Due by ...", not only once the day comes; a
one-off that has not started yet waits under "Coming up" on the homework page."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.test import Client as HttpClient

from interlude.homework.tests.helpers import assign
from interlude.homework.views_client import homework_items
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)  # Wednesday 11 March, 11:00 in New York
TODAY = date(2026, 3, 11)


@pytest.fixture
def pair():
    with time_machine.travel(NOW, tick=False):
        yield clinician_with_client()


def _one_off(membership, client, title: str, starts_on: date, due_on: date):
    return assign(
        membership,
        client,
        tool_kind="custom",
        title=title,
        instructions="Ten minutes.",
        schedule="once",
        starts_on=starts_on,
        due_on=due_on,
    )


def _html(user, path: str) -> str:
    http = HttpClient()
    http.force_login(user)
    response = http.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_a_one_off_due_tomorrow_is_to_do_now_from_its_start(pair):
    membership, client = pair
    _one_off(membership, client, "Write the letter", TODAY, date(2026, 3, 12))
    _one_off(membership, client, "Plan the weekend", date(2026, 3, 10), date(2026, 3, 20))
    _one_off(membership, client, "Visit the pool", date(2026, 3, 14), date(2026, 3, 16))

    items = homework_items(client=client, today=TODAY)

    assert [(it["assignment"].title, it["when"], it["actionable"]) for it in items["due"]] == [
        ("Write the letter", "Due tomorrow", True),
        ("Plan the weekend", "Due by Friday 20 March", True),
    ]
    assert [(it["assignment"].title, it["when"], it["actionable"]) for it in items["upcoming"]] == [
        ("Visit the pool", "Starts Saturday 14 March, due by Monday 16 March", False),
    ]


def test_today_shows_open_one_offs_but_not_one_that_has_not_started(pair):
    membership, client = pair
    _one_off(membership, client, "Write the letter", TODAY, date(2026, 3, 12))
    _one_off(membership, client, "Visit the pool", date(2026, 3, 14), date(2026, 3, 16))

    today = _html(client.user, "/today/")

    assert "Write the letter" in today
    assert "Due tomorrow" in today
    assert "Visit the pool" not in today
    homework = _html(client.user, "/homework/")
    assert homework.index("To do now") < homework.index("Write the letter")
    assert homework.index("Coming up") < homework.index("Visit the pool")
    assert "Starts Saturday 14 March, due by Monday 16 March" in homework


def test_a_one_off_is_due_today_on_its_due_day_and_overdue_after(pair):
    membership, client = pair
    _one_off(membership, client, "Write the letter", date(2026, 3, 9), date(2026, 3, 12))

    on_the_day = homework_items(client=client, today=date(2026, 3, 12))["due"]
    after = homework_items(client=client, today=date(2026, 3, 13))["due"]

    assert [it["when"] for it in on_the_day] == ["Due today"]
    assert [it["when"] for it in after] == ["Was due Thursday 12 March"]


def test_today_has_no_homework_panel_when_only_a_later_one_off_exists(pair):
    membership, client = pair
    _one_off(membership, client, "Visit the pool", date(2026, 3, 14), date(2026, 3, 16))

    today = _html(client.user, "/today/")

    assert 'id="today-homework-title"' not in today
