"""The client's homework page and Today panel, the clinician's homework page, feedback reaching
the client, linked records following their own sharing category, and query counts."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from interlude.consents.models import ClientPrivacy
from interlude.consents.sharing_services import sharing_update
from interlude.exercises.worksheets_services import thought_record_create
from interlude.homework.models import Assignment, AssignmentOccurrence
from interlude.homework.services import assignment_complete, assignment_feedback_add
from interlude.homework.tests.helpers import assign, thought_record_values
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)  # Wednesday 11 March, 11:00 in New York
TODAY = date(2026, 3, 11)


@pytest.fixture
def pair():
    with time_machine.travel(NOW, tick=False):
        yield clinician_with_client()


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _queries(http: HttpClient, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert http.get(url).status_code == 200
    return len(ctx)


def test_client_page_lists_overdue_before_today_then_upcoming(pair):
    membership, client = pair
    assign(membership, client, title="Daily check-in")
    assign(
        membership,
        client,
        tool_kind="custom",
        title="Call your sister",
        instructions="Just ten minutes.",
        schedule="once",
        due_on=date(2026, 3, 9),
    )
    response = _as(client.user).get("/homework/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Call your sister") < html.index("Daily check-in")
    assert "Was due Monday 9 March" in html
    assert "Just ten minutes." in html
    assert "I couldn&#x27;t do it" in html or "I couldn't do it" in html


def test_client_page_is_404_when_homework_is_switched_off(pair):
    _, client = pair
    ClientPrivacy.objects.filter(client=client).update(modules_off=["homework"])
    assert _as(client.user).get("/homework/").status_code == 404


def test_mark_as_done_and_couldnt_do_it_from_the_page(pair):
    membership, client = pair
    task = assign(
        membership, client, tool_kind="custom", instructions="Walk", schedule="once", due_on=TODAY
    )
    daily = assign(membership, client)
    http = _as(client.user)
    done = http.post(f"/homework/{task.public_id}/done/", {"occurrence": "2026-03-11"})
    assert done.status_code == 302
    form = http.get(f"/homework/{daily.public_id}/not-possible/?occurrence=2026-03-11")
    assert form.status_code == 200
    sent = http.post(
        f"/homework/{daily.public_id}/not-possible/",
        {"occurrence": "2026-03-11", "reason": "Night shift"},
    )
    assert sent.status_code == 302
    assert list(
        AssignmentOccurrence.objects.order_by("assignment_id").values_list(
            "assignment_id", "status"
        )
    ) == [(task.pk, "done"), (daily.pk, "not_possible")]
    assert AssignmentOccurrence.objects.get(assignment=daily).reason == "Night shift"


def test_a_check_in_cannot_be_marked_done_by_hand(pair):
    membership, client = pair
    daily = assign(membership, client)
    response = _as(client.user).post(
        f"/homework/{daily.public_id}/done/", {"occurrence": "2026-03-11"}
    )
    assert response.status_code == 404


def test_client_page_queries_stay_constant_as_homework_grows(pair):
    membership, client = pair
    assign(membership, client)
    http = _as(client.user)
    http.get("/homework/")
    few = _queries(http, "/homework/")
    for n in range(5):
        a = assign(membership, client, tool_kind="custom", instructions=f"Task {n}")
        o, _ = assignment_complete(
            assignment=a, occurrence=date(2026, 3, 10), status="done", actor=client.user
        )
        assignment_feedback_add(
            occurrence=o, membership=membership, actor=membership.user, text=f"Nice {n}"
        )
    assert _queries(http, "/homework/") == few


def test_clinician_sets_homework_with_plain_recurrence_words(pair):
    membership, client = pair
    http = _as(membership.user)
    url = f"/clinic/clients/{client.public_id}/homework/"
    assert http.get(url).status_code == 200
    response = http.post(
        url,
        {
            "tool_kind": "worksheet",
            "worksheet": "thought_record",
            "starts_on": "2026-03-11",
            "repeat": "weekly",
            "weekdays": ["MO", "WE"],
            "until": "2026-04-30",
            "instructions": "When the dread comes",
            "reminder": "on",
            "reminder_time": "19:00",
        },
    )
    assert response.status_code == 302
    a = Assignment.objects.get(client=client)
    assert (a.rrule, a.reminder_time.isoformat(), a.instructions) == (
        "FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20260430",
        "19:00:00",
        "When the dread comes",
    )
    page = http.get(url).content.decode()
    assert "Every Monday, Wednesday until 30 Apr 2026" in page


def test_clinician_form_errors_name_the_field(pair):
    membership, client = pair
    response = _as(membership.user).post(
        f"/clinic/clients/{client.public_id}/homework/",
        {
            "tool_kind": "worksheet",
            "starts_on": "2026-03-11",
            "repeat": "weekly",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Choose at least one day." in html
    assert Assignment.objects.count() == 0


def test_clinician_page_404_for_another_practice(pair):
    _, client = pair
    stranger, _ = clinician_with_client()
    assert (
        _as(stranger.user).get(f"/clinic/clients/{client.public_id}/homework/").status_code == 404
    )


def test_feedback_from_the_clinician_reaches_the_client(pair):
    membership, client = pair
    a = assign(
        membership,
        client,
        tool_kind="worksheet",
        tool_ref="thought_record",
        schedule="once",
        due_on=date(2026, 3, 12),
    )
    _record, _ = thought_record_create(
        client=client, actor=client.user, values=thought_record_values()
    )
    occurrence = AssignmentOccurrence.objects.get(assignment=a)
    http = _as(membership.user)
    page = http.get(f"/clinic/clients/{client.public_id}/homework/").content.decode()
    # The linked worksheet opens its section of the client's worksheets page.
    assert (
        f'<a href="/clinic/clients/{client.public_id}/worksheets/#thought-records">'
        "Thought record</a>"
    ) in page
    sent = http.post(
        f"/clinic/clients/{client.public_id}/homework/feedback/{occurrence.public_id}/",
        {f"fb-{occurrence.public_id}-feedback": "Great catch on the mind reading."},
    )
    assert sent.status_code == 302
    client_page = _as(client.user).get("/homework/").content.decode()
    assert "Great catch on the mind reading." in client_page
    today = _as(client.user).get("/today/").content.decode()
    assert "Great catch on the mind reading." in today


def test_a_linked_worksheet_is_not_shown_when_worksheets_are_not_shared(pair):
    membership, client = pair
    assign(
        membership,
        client,
        tool_kind="worksheet",
        tool_ref="thought_record",
        schedule="once",
        due_on=TODAY,
    )
    thought_record_create(client=client, actor=client.user, values=thought_record_values())
    sharing_update(client=client, actor=client.user, categories={"worksheets": False})
    page = (
        _as(membership.user).get(f"/clinic/clients/{client.public_id}/homework/").content.decode()
    )
    assert 'Thought record: <span class="muted">Not shared</span>' in page
    assert "see worksheets" not in page


def test_clinician_page_queries_stay_constant_as_homework_grows(pair):
    membership, client = pair
    assign(membership, client)
    http = _as(membership.user)
    url = f"/clinic/clients/{client.public_id}/homework/"
    http.get(url)
    few = _queries(http, url)
    for n in range(5):
        a = assign(membership, client, tool_kind="custom", instructions=f"Task {n}")
        assignment_complete(
            assignment=a, occurrence=date(2026, 3, 10), status="done", actor=client.user
        )
    assert _queries(http, url) == few


def test_today_page_shows_due_homework(pair):
    membership, client = pair
    assign(membership, client, title="Evening check-in")
    html = _as(client.user).get("/today/").content.decode()
    assert "Evening check-in" in html
