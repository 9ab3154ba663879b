"""The thought record, step by step over HTTP: a draft is stored at every step, finishing shows the
before/after change, and errors appear beside the field without storing anything."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from interlude.exercises.models import ThoughtRecord
from interlude.exercises.schemas import ThoughtRecordContent
from interlude.exercises.worksheets_selectors import client_local_today
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db

BASE = "/tools/thought-records/"


@pytest.fixture
def person():
    _, client = clinician_with_client()
    http = HttpClient()
    http.force_login(client.user)
    return http, client


def step_url(record: ThoughtRecord, slug: str) -> str:
    return f"{BASE}{record.public_id}/steps/{slug}/"


def content_of(record: ThoughtRecord) -> ThoughtRecordContent:
    record.refresh_from_db()
    return ThoughtRecordContent.from_stored(record.content)


def start(http: HttpClient, key: str = "web-key-1") -> ThoughtRecord:
    response = http.post(
        f"{BASE}new/",
        {
            "situation": "Team meeting; my manager frowned at my slides",
            "happened_on": "2026-03-02",
            "happened_at": "10:30",
            "idempotency_key": key,
        },
    )
    record = ThoughtRecord.objects.get(idempotency_key=key)
    assert response.status_code == 302
    assert response["Location"] == step_url(record, "thoughts")
    return record


def test_each_step_stores_the_draft_and_finishing_shows_before_and_after(person):
    http, client = person
    page = http.get(f"{BASE}new/")
    assert page.status_code == 200
    assert "Step 1 of 11" in page.content.decode()

    record = start(http)
    assert record.client == client
    assert record.is_complete is False
    assert content_of(record).situation == "Team meeting; my manager frowned at my slides"
    assert record.occurred_at.isoformat() == "2026-03-02T15:30:00+00:00"  # 10:30 New York

    def post(slug: str, data: dict, next_slug: str | None) -> None:
        page = http.get(step_url(record, slug))
        assert page.status_code == 200
        response = http.post(step_url(record, slug), data)
        assert response.status_code == 302, response.content.decode()[:2000]
        if next_slug:
            assert response["Location"] == step_url(record, next_slug)
        record.refresh_from_db()

    post(
        "thoughts", {"thought_1": "She thinks I'm useless", "thought_2": "I'll be fired"}, "belief"
    )
    assert [t.text for t in content_of(record).automatic_thoughts] == [
        "She thinks I'm useless",
        "I'll be fired",
    ]
    post("belief", {"belief_0": "90", "belief_1": "60", "hot": "0"}, "feelings")
    c = content_of(record)
    assert [(t.belief, t.hot) for t in c.automatic_thoughts] == [(90, True), (60, False)]
    assert record.belief_before == 90

    post("feelings", {"feelings": ["Anxious", "Ashamed"], "other_feeling": "small"}, "strength")
    assert [e.label for e in content_of(record).emotions] == ["Anxious", "Ashamed", "Small"]
    post("strength", {"emotion_0": "80", "emotion_1": "50", "emotion_2": "40"}, "evidence-for")
    assert record.emotion_before == 80
    post("evidence-for", {"evidence_for": "She frowned twice"}, "evidence-against")
    post("evidence-against", {"evidence_against": "She thanked me after"}, "traps")
    post("traps", {"distortions": ["mind_reading", "fortune_telling"]}, "balanced")
    assert record.distortions == ["mind_reading", "fortune_telling"]
    post(
        "balanced",
        {
            "balanced_thought": "She may have been thinking about something else",
            "balanced_belief": "70",
        },
        "now",
    )
    post(
        "now",
        {"emotion_0": "45", "emotion_1": "30", "emotion_2": "20", "hot_belief_after": "40"},
        "action",
    )
    record.refresh_from_db()
    assert record.is_complete is False  # not until the last step is sent

    response = http.post(step_url(record, "action"), {"action_plan": "Ask her in our 1:1"})
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}{record.public_id}/"

    record.refresh_from_db()
    assert record.is_complete is True
    assert (record.belief_before, record.belief_after) == (90, 40)
    assert (record.emotion_before, record.emotion_after) == (80, 45)
    c = content_of(record)
    assert c.balanced_thought.text == "She may have been thinking about something else"
    assert c.action_plan == "Ask her in our 1:1"
    assert c.emotion_changes() == [("Anxious", 80, 45), ("Ashamed", 50, 30), ("Small", 40, 20)]

    detail = http.get(response["Location"]).content.decode()
    changes = re.findall(r'<li class="change">([^<]+)</li>', detail)
    assert changes == [
        "Anxious 80 → 45",
        "Ashamed 50 → 30",
        "Small 40 → 20",
        "Belief in the hot thought 90 → 40",
    ]
    assert "Mind reading, Fortune telling" in detail


def test_a_finished_record_can_no_longer_be_changed_through_the_steps(person):
    http, _ = person
    record = start(http)
    record.is_complete = True
    record.save()

    response = http.post(step_url(record, "thoughts"), {"thought_1": "changed"})

    assert response.status_code == 302
    assert response["Location"] == f"{BASE}{record.public_id}/"
    assert content_of(record).automatic_thoughts == []


def test_missing_situation_is_shown_beside_the_field_and_nothing_is_stored(person):
    http, _ = person

    response = http.post(
        f"{BASE}new/", {"situation": "  ", "happened_on": "2026-03-02", "idempotency_key": "k"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(
        r'<p class="field-error" id="id_situation_error">'
        r'<span class="visually-hidden">Error:</span> Describe what happened, in a few words.</p>',
        html,
    )
    assert '<a href="#id_situation">Describe what happened, in a few words.</a>' in html
    assert ThoughtRecord.objects.count() == 0


def test_a_day_in_the_future_is_refused_beside_the_date(person):
    http, _ = person

    response = http.post(
        f"{BASE}new/",
        {"situation": "Later", "happened_on": "2999-01-01", "idempotency_key": "k"},
    )

    assert response.status_code == 200
    assert 'id="id_happened_on_error"' in response.content.decode()
    assert "This is in the future. Check the date and time." in response.content.decode()
    assert ThoughtRecord.objects.count() == 0


def test_without_a_time_today_counts_as_midday_or_now_whichever_is_earlier(person):
    http, client = person
    today = client_local_today(client=client)

    response = http.post(
        f"{BASE}new/",
        {"situation": "Earlier today", "happened_on": today.isoformat(), "idempotency_key": "k"},
    )

    assert response.status_code == 302
    record = ThoughtRecord.objects.get()
    local = timezone.localtime(record.occurred_at, timezone=ZoneInfo(client.time_zone))
    assert local.date() == today
    assert record.occurred_at <= timezone.now()
    assert local.hour <= 12


def test_a_rating_out_of_range_is_refused_beside_it_and_the_draft_keeps_its_last_state(person):
    http, _ = person
    record = start(http)
    http.post(step_url(record, "thoughts"), {"thought_1": "I'll mess it up"})
    before = content_of(record)

    response = http.post(step_url(record, "belief"), {"belief_0": "150"})

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(
        r'id="id_belief_0_error"><span class="visually-hidden">Error:</span> '
        r"Enter a whole number from 0 to 100.</p>",
        html,
    )
    assert 'aria-describedby="id_belief_0_helptext id_belief_0_error"' in html
    assert content_of(record) == before
    assert before.automatic_thoughts[0].belief is None


def test_a_single_thought_is_the_hot_thought_without_asking(person):
    http, _ = person
    record = start(http)
    http.post(step_url(record, "thoughts"), {"thought_1": "I'll mess it up"})

    page = http.get(step_url(record, "belief")).content.decode()
    assert 'name="hot"' not in page
    http.post(step_url(record, "belief"), {"belief_0": "85"})

    thought = content_of(record).automatic_thoughts[0]
    assert (thought.text, thought.belief, thought.hot) == ("I'll mess it up", 85, True)


def test_with_several_thoughts_the_hot_one_must_be_chosen(person):
    http, _ = person
    record = start(http)
    http.post(step_url(record, "thoughts"), {"thought_1": "A", "thought_2": "B"})

    response = http.post(step_url(record, "belief"), {"belief_0": "50", "belief_1": "60"})

    assert response.status_code == 200
    assert "Choose the thought that upset you most." in response.content.decode()


def test_a_later_step_before_its_earlier_ones_sends_you_to_the_first_open_step(person):
    http, _ = person
    record = start(http)

    response = http.get(step_url(record, "strength"))

    assert response.status_code == 302
    assert response["Location"] == step_url(record, "thoughts")


def test_choosing_no_feeling_is_an_error(person):
    http, _ = person
    record = start(http)
    http.post(step_url(record, "thoughts"), {"thought_1": "X"})
    http.post(step_url(record, "belief"), {"belief_0": "50"})

    response = http.post(step_url(record, "feelings"), {"other_feeling": ""})

    assert response.status_code == 200
    assert "Choose at least one feeling, or write one in your words." in response.content.decode()
    assert content_of(record).emotions == []


def test_the_same_start_sent_twice_makes_one_draft(person):
    http, _ = person
    start(http, key="double-tap")
    http.post(
        f"{BASE}new/",
        {"situation": "Again", "happened_on": "2026-03-02", "idempotency_key": "double-tap"},
    )

    assert ThoughtRecord.objects.count() == 1


def test_save_and_finish_later_keeps_the_step_and_lists_the_draft(person):
    http, _ = person
    record = start(http)

    response = http.post(
        step_url(record, "thoughts"), {"thought_1": "Nobody likes me", "stop": "1"}
    )

    assert response.status_code == 302
    assert response["Location"] == BASE
    assert content_of(record).automatic_thoughts[0].text == "Nobody likes me"
    listing = http.get(BASE).content.decode()
    assert "Not finished yet" in listing
    assert "Team meeting; my manager frowned at my slides" in listing
    detail = http.get(f"{BASE}{record.public_id}/").content.decode()
    assert f'href="{step_url(record, "belief")}"' in detail


def test_changing_a_thought_keeps_the_ratings_of_the_unchanged_ones(person):
    http, _ = person
    record = start(http)
    http.post(step_url(record, "thoughts"), {"thought_1": "A", "thought_2": "B"})
    http.post(step_url(record, "belief"), {"belief_0": "50", "belief_1": "60", "hot": "1"})

    http.post(step_url(record, "thoughts"), {"thought_1": "A", "thought_2": "C"})

    thoughts = content_of(record).automatic_thoughts
    assert [(t.text, t.belief, t.hot) for t in thoughts] == [("A", 50, False), ("C", None, False)]


def test_an_unfinished_record_can_be_deleted_but_a_finished_one_stays(person):
    http, _ = person
    draft = start(http, key="a")
    finished = start(http, key="b")
    finished.is_complete = True
    finished.save()

    assert http.post(f"{BASE}{draft.public_id}/delete/").status_code == 302
    assert http.post(f"{BASE}{finished.public_id}/delete/").status_code == 302

    assert list(ThoughtRecord.objects.values_list("idempotency_key", flat=True)) == ["b"]


def test_another_clients_thought_record_is_not_found(person):
    http, _ = person
    other_http = HttpClient()
    _, other = clinician_with_client()
    other_http.force_login(other.user)
    record = start(other_http)

    assert http.get(f"{BASE}{record.public_id}/").status_code == 404
    assert http.get(step_url(record, "thoughts")).status_code == 404
    assert http.post(step_url(record, "thoughts"), {"thought_1": "x"}).status_code == 404
    assert content_of(record).automatic_thoughts == []


def test_clinicians_cannot_open_the_clients_tool_pages(care_pair):
    membership, _ = care_pair
    http = HttpClient()
    http.force_login(membership.user)

    for path in (BASE, f"{BASE}new/", "/tools/sleep/", "/tools/journal/", "/tools/activities/"):
        assert http.get(path).status_code == 404, path
