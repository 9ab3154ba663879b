"""The client answers a questionnaire on their phone: one question per screen, answers kept between
steps, sent once, and their own result explained kindly (with crisis resources first when a risk
item is endorsed)."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from interlude.alerts.models import Alert, AlertKind
from interlude.core.clock import client_date
from interlude.measures.models import (
    DueStatus,
    Frequency,
    QuestionnaireDraft,
    QuestionnaireDue,
    QuestionnaireResponse,
)
from interlude.measures.services import response_submit, schedule_create
from interlude.practices.models import CrisisResource
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db

PHQ9_MILD = [1, 1, 1, 1, 1, 1, 1, 0, 0]  # 7, mild
PHQ9_RISK = [1, 1, 1, 1, 1, 1, 1, 0, 1]  # 8, item 9 endorsed


def _setup(code: str = "phq9"):
    membership, client = clinician_with_client()
    schedule_create(
        actor=membership.user, client=client, instrument_code=code, frequency=Frequency.ONCE
    )
    due = QuestionnaireDue.objects.get(client=client, instrument_code=code)
    http = HttpClient()
    http.force_login(client.user)
    return membership, client, due, http


def _answer_all(http: HttpClient, due: QuestionnaireDue, answers: list[int]) -> None:
    response = http.post(f"/questionnaires/{due.public_id}/")
    assert response.status_code == 302
    assert response["Location"] == f"/questionnaires/{due.public_id}/1/"
    for step, value in enumerate(answers, start=1):
        response = http.post(f"/questionnaires/{due.public_id}/{step}/", {"answer": str(value)})
        assert response.status_code == 302
        expected = (
            f"/questionnaires/{due.public_id}/review/"
            if step == len(answers)
            else f"/questionnaires/{due.public_id}/{step + 1}/"
        )
        assert response["Location"] == expected


def _crisis_lines(practice) -> None:
    CrisisResource.objects.create(
        practice=practice,
        country="US",
        name="Emergency services",
        phone="911",
        hours="24/7",
        is_emergency=True,
    )
    CrisisResource.objects.create(
        practice=practice,
        country="US",
        name="988 Suicide & Crisis Lifeline",
        phone="988",
        sms="988",
        hours="24/7",
        position=1,
    )


def _text(html: bytes) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode())).strip()


# --- Today and the list ---------------------------------------------------------------------------
def test_today_shows_the_due_questionnaire_with_time_due_date_and_start_button():
    _m, _client, due, http = _setup()
    page = http.get("/today/")
    html = page.content.decode()
    assert page.context["questionnaires"][0]["due"] == due
    assert page.context["questionnaires"][0]["minutes"] == 2
    text = _text(page.content)
    closes = timezone.localtime(due.closes_at, timezone=ZoneInfo(due.client.time_zone))
    assert "Questionnaires to answer" in text
    assert "Patient Health Questionnaire-9" in text
    assert "Takes about 2 minutes" in text
    assert f"please answer by {closes:%A} {closes.day} {closes:%B}" in text
    assert f'href="/questionnaires/{due.public_id}/">Start' in html
    assert 'href="/questionnaires/"' in html


def test_today_has_no_questionnaire_block_when_nothing_is_due_or_only_paper_forms_are():
    _m, _client, _due, http = _setup("isi")
    page = http.get("/today/")
    assert page.context["questionnaires"] == []
    assert "Questionnaires to answer" not in page.content.decode()


def test_tools_page_links_to_the_questionnaires():
    _m, _client, _due, http = _setup()
    assert 'href="/questionnaires/"' in http.get("/tools/").content.decode()


def test_list_shows_what_is_due_and_past_results_with_date_total_and_band():
    _m, client, due, http = _setup()
    earlier, _ = response_submit(
        client=client,
        actor=client.user,
        instrument_code="gad7",
        answers=[2, 2, 2, 2, 2, 1, 1],
        idempotency_key="old",
        submitted_at=timezone.now() - timedelta(days=20),
    )
    page = http.get("/questionnaires/")
    text = _text(page.content)
    assert [d.due for d in page.context["dues"]] == [due]
    assert "To answer Patient Health Questionnaire-9 9 questions · takes about 2 minutes" in text
    day = client_date(earlier.submitted_at, client).strftime("%-d %B %Y")  # the client's day
    assert f"Generalized Anxiety Disorder 7-item scale {day} · score 12, moderate" in text
    assert f'href="/questionnaires/result/{earlier.public_id}/"' in page.content.decode()


# --- the flow -------------------------------------------------------------------------------------
def test_intro_says_what_to_expect():
    _m, _client, due, http = _setup()
    page = http.get(f"/questionnaires/{due.public_id}/")
    text = _text(page.content)
    assert page.status_code == 200
    assert "Patient Health Questionnaire-9 9 questions · takes about 2 minutes" in text
    assert "Think about: Over the last 2 weeks…" in text
    assert "There are no right or wrong answers." in text
    assert "Your answers are shared with your care team" in text
    assert ">Start</button>" in page.content.decode()


def test_start_by_instrument_code_only_for_a_questionnaire_that_is_due():
    _m, _client, due, http = _setup()
    response = http.get("/questionnaires/start/phq9/")
    assert (response.status_code, response["Location"]) == (
        302,
        f"/questionnaires/{due.public_id}/",
    )
    assert http.get("/questionnaires/start/gad7/").status_code == 404


def test_one_question_per_screen_with_progress_and_full_option_labels():
    _m, _client, due, http = _setup()
    http.post(f"/questionnaires/{due.public_id}/")
    page = http.get(f"/questionnaires/{due.public_id}/3/")
    html = page.content.decode()
    text = _text(page.content)
    assert "Question 3 of 9" in text
    assert '<progress class="q-bar" max="9" value="3"' in html
    assert (
        '<h1 class="q-question">Trouble falling or staying asleep, or sleeping too much</h1>'
        in html
    )
    assert html.count('type="radio" name="answer"') == 4
    for label in ("Not at all", "Several days", "More than half the days", "Nearly every day"):
        assert f"<span>{label}</span>" in html
    assert ">Next</button>" in html and ">Back</button>" in html


def test_answering_every_step_and_sending_stores_once_and_shows_the_result():
    _m, client, due, http = _setup()
    _answer_all(http, due, PHQ9_MILD)
    review = http.get(f"/questionnaires/{due.public_id}/review/")
    text = _text(review.content)
    assert "Check your answers" in text
    assert "Question 9 Thoughts that you would be better off dead" in text
    assert text.count("Several days") == 7 and text.count("Not at all") == 2
    sent = http.post(f"/questionnaires/{due.public_id}/review/")
    stored = QuestionnaireResponse.objects.get(client=client)
    assert (sent.status_code, sent["Location"]) == (
        302,
        f"/questionnaires/result/{stored.public_id}/",
    )
    assert stored.answers == PHQ9_MILD
    assert stored.total == 7.0
    assert stored.due_id == due.pk
    assert stored.idempotency_key.startswith("web-")
    due.refresh_from_db()
    assert due.status == DueStatus.COMPLETED
    # The same answers sent again (a double tap, or the back button) are stored once.
    again = http.post(f"/questionnaires/{due.public_id}/review/")
    assert again["Location"] == f"/questionnaires/result/{stored.public_id}/"
    assert QuestionnaireResponse.objects.filter(client=client).count() == 1
    # The finished questionnaire's pages lead to the result, not to a new answer set.
    assert http.get(f"/questionnaires/{due.public_id}/")["Location"] == sent["Location"]


def test_a_double_submit_stores_once_and_both_taps_lead_to_the_same_result():
    _m, client, due, http = _setup()
    _answer_all(http, due, PHQ9_MILD)
    # The second device read the draft (and its idempotency key) before the first one sent it.
    other = HttpClient()
    other.force_login(client.user)
    first = http.post(f"/questionnaires/{due.public_id}/review/")
    second = other.post(f"/questionnaires/{due.public_id}/review/")
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert QuestionnaireResponse.objects.filter(client=client).count() == 1


def test_missing_answer_shows_an_error_summary_and_the_message_by_the_field_and_keeps_answers():
    _m, _client, due, http = _setup()
    http.post(f"/questionnaires/{due.public_id}/")
    http.post(f"/questionnaires/{due.public_id}/1/", {"answer": "2"})
    http.post(f"/questionnaires/{due.public_id}/2/", {"answer": "1"})
    page = http.post(f"/questionnaires/{due.public_id}/3/", {"answer": ""})
    html = page.content.decode()
    assert page.status_code == 200
    assert '<div class="error-summary" role="alert"' in html
    assert '<a href="#id_answer_0">Choose one answer for question 3</a>' in html
    assert (
        '<p class="field-error" id="id_answer_error"><span class="visually-hidden">Error:</span> '
        "Choose one answer for question 3</p>"
    ) in html
    assert "<title>Error: Question 3 of 9" in html
    assert QuestionnaireDraft.objects.get(due=due).answers[:3] == [2, 1, None]
    # An answer that is not one of the options is the same error, not a crash.
    bad = http.post(f"/questionnaires/{due.public_id}/3/", {"answer": "7"})
    assert "Choose one answer for question 3" in bad.content.decode()
    # The review is not reachable with a question unanswered.
    review = http.get(f"/questionnaires/{due.public_id}/review/")
    assert review["Location"] == f"/questionnaires/{due.public_id}/3/"


def test_back_keeps_the_answers_and_shows_the_earlier_choice():
    _m, _client, due, http = _setup()
    http.post(f"/questionnaires/{due.public_id}/")
    http.post(f"/questionnaires/{due.public_id}/1/", {"answer": "2"})
    back = http.post(f"/questionnaires/{due.public_id}/2/", {"answer": "3", "action": "back"})
    assert back["Location"] == f"/questionnaires/{due.public_id}/1/"
    page = http.get(f"/questionnaires/{due.public_id}/1/")
    assert 'value="2" id="id_answer_2" required checked' in page.content.decode()
    step2 = http.get(f"/questionnaires/{due.public_id}/2/")
    assert 'value="3" id="id_answer_3" required checked' in step2.content.decode()
    # Back from the first question goes to the intro, which offers to carry on.
    first = http.post(f"/questionnaires/{due.public_id}/1/", {"action": "back"})
    assert first["Location"] == f"/questionnaires/{due.public_id}/"
    intro = http.get(f"/questionnaires/{due.public_id}/")
    assert "Carry on where you left off" in intro.content.decode()
    carry_on = http.post(f"/questionnaires/{due.public_id}/")
    assert carry_on["Location"] == f"/questionnaires/{due.public_id}/3/"


def test_changing_an_answer_from_the_review_returns_to_the_review():
    _m, client, due, http = _setup()
    _answer_all(http, due, PHQ9_MILD)
    page = http.get(f"/questionnaires/{due.public_id}/4/?change=1")
    assert ">Check your answers</button>" in page.content.decode()
    changed = http.post(
        f"/questionnaires/{due.public_id}/4/", {"answer": "3", "return_to_review": "True"}
    )
    assert changed["Location"] == f"/questionnaires/{due.public_id}/review/"
    http.post(f"/questionnaires/{due.public_id}/review/")
    assert QuestionnaireResponse.objects.get(client=client).answers == [1, 1, 1, 3, 1, 1, 1, 0, 0]


def test_no_answer_or_score_ever_appears_in_a_url():
    _m, _client, due, http = _setup()
    http.post(f"/questionnaires/{due.public_id}/")
    locations = []
    for step, value in enumerate(PHQ9_RISK, start=1):
        locations.append(
            http.post(f"/questionnaires/{due.public_id}/{step}/", {"answer": str(value)})[
                "Location"
            ]
        )
    locations.append(http.post(f"/questionnaires/{due.public_id}/review/")["Location"])
    uuid = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    allowed = re.compile(rf"^/questionnaires/({uuid}/(\d+/|review/)|result/{uuid}/)$")
    assert all(allowed.match(loc) for loc in locations), locations


def test_paper_only_instruments_are_not_offered_to_the_client():
    _m, _client, due, http = _setup("isi")
    page = http.get(f"/questionnaires/{due.public_id}/")
    html = page.content.decode()
    assert "This one is done on paper" in html
    assert "<form" not in html.split('<main id="main"')[1].split("</main>")[0]
    assert http.post(f"/questionnaires/{due.public_id}/").status_code == 200
    assert "questionnaires" not in http.session
    step = http.get(f"/questionnaires/{due.public_id}/1/")
    assert step["Location"] == f"/questionnaires/{due.public_id}/"
    listing = _text(http.get("/questionnaires/").content)
    assert "This one is done on paper with your therapist at your next session." in listing


# --- the result -----------------------------------------------------------------------------------
def test_result_explains_the_score_kindly_with_change_since_last_time():
    _m, client, due, http = _setup()
    before, _ = response_submit(
        client=client,
        actor=client.user,
        instrument_code="phq9",
        answers=[2, 2, 2, 2, 2, 1, 1, 1, 0],  # 13, moderate
        idempotency_key="before",
        submitted_at=timezone.now() - timedelta(days=14),
    )
    _answer_all(http, due, PHQ9_MILD)
    result = http.post(f"/questionnaires/{due.public_id}/review/", follow=True)
    text = _text(result.content)
    when = client_date(before.submitted_at, client).strftime("%-d %B")  # the client's day
    assert "Your Patient Health Questionnaire-9 result 7 out of 27" in text
    assert "Your answers suggest some low mood, at a milder level." in text
    assert "Scores go from 0 to 27; a lower score means fewer difficulties." in text
    assert f"That is 6 points lower than last time, on {when}: a step in a good direction." in text
    assert "Since your first answers, this is a real improvement" in text
    assert "Your therapist will see this and talk it through with you." in text
    assert "care-card" not in result.content.decode()


def test_first_result_says_there_is_nothing_to_compare_yet_and_a_rise_is_not_alarming():
    _m, client, due, http = _setup()
    _answer_all(http, due, PHQ9_MILD)
    text = _text(http.post(f"/questionnaires/{due.public_id}/review/", follow=True).content)
    assert "This is the first time you have answered this questionnaire here." in text
    later, _ = response_submit(
        client=client,
        actor=client.user,
        instrument_code="phq9",
        answers=[1, 1, 1, 1, 1, 1, 1, 1, 0],
        idempotency_key="later",
    )
    text = _text(http.get(f"/questionnaires/result/{later.public_id}/").content)
    assert "That is 1 point higher than last time" in text
    assert "Ups and downs are a normal part of getting better" in text


def test_critical_answer_puts_the_care_card_first_with_crisis_lines_and_the_safety_plan():
    _m, client, due, http = _setup()
    _crisis_lines(client.practice)
    _answer_all(http, due, PHQ9_RISK)
    page = http.post(f"/questionnaires/{due.public_id}/review/", follow=True)
    html = page.content.decode()
    main = html.split('<main id="main"')[1]
    assert Alert.objects.filter(client=client, kind=AlertKind.CRITICAL_ITEM).count() == 1
    # The care card comes straight after the page heading, before the score.
    assert main.index('class="care-card q-care-card"') < main.index('class="card q-result"')
    assert main.index("<h1") < main.index('class="care-card')
    card = main.split('class="care-card q-care-card"')[1].split("</section>")[0]
    assert '<h2 id="danger-title">If you are in danger now</h2>' in card
    assert '<a class="tel" href="tel:911">911</a>' in card
    assert '<a class="button button-primary" href="tel:988">Call 988</a>' in card
    assert '<a class="button button-secondary" href="sms:988">Text 988</a>' in card
    assert '<a class="q-plan-link" href="/safety-plan/">Open your safety plan</a>' in card
    assert "Your therapist has been told about this answer and will follow up with you." in card
    assert "is not watched around the clock" in card


# --- who may see what -----------------------------------------------------------------------------
def test_someone_elses_due_and_result_are_not_found():
    _m, other_client, other_due, other_http = _setup()
    _answer_all(other_http, other_due, PHQ9_MILD)
    other_http.post(f"/questionnaires/{other_due.public_id}/review/")
    theirs = QuestionnaireResponse.objects.get(client=other_client)
    _m2, _me, _my_due, http = _setup()
    for path in (
        f"/questionnaires/{other_due.public_id}/",
        f"/questionnaires/{other_due.public_id}/1/",
        f"/questionnaires/{other_due.public_id}/review/",
        f"/questionnaires/result/{theirs.public_id}/",
    ):
        assert http.get(path).status_code == 404, path
    assert http.post(f"/questionnaires/{other_due.public_id}/review/").status_code == 404


def test_clinicians_do_not_get_the_client_pages():
    membership, _client, due, _http = _setup()
    http = HttpClient()
    http.force_login(membership.user)
    assert http.get("/questionnaires/").status_code == 404
    assert http.get(f"/questionnaires/{due.public_id}/").status_code == 404


def test_a_due_not_open_yet_is_not_found():
    membership, client = clinician_with_client()
    schedule_create(
        actor=membership.user,
        client=client,
        instrument_code="phq9",
        frequency=Frequency.ONCE,
        starts_at=timezone.now() + timedelta(days=2),
    )
    due = QuestionnaireDue.objects.get(client=client)
    http = HttpClient()
    http.force_login(client.user)
    assert http.get(f"/questionnaires/{due.public_id}/").status_code == 404


def test_list_charts_a_questionnaire_once_it_has_two_answers_with_one_plain_sentence():
    _m, client, _due, http = _setup()
    zone = ZoneInfo(client.time_zone)
    first_at = timezone.now() - timedelta(days=28)
    response_submit(
        client=client,
        actor=client.user,
        instrument_code="gad7",
        answers=[2, 2, 2, 2, 2, 1, 1],
        idempotency_key="first",
        submitted_at=first_at,
    )
    only_one = http.get("/questionnaires/")
    assert only_one.context["trends"] == []
    assert "How your scores have moved" not in _text(only_one.content)

    second, _ = response_submit(
        client=client,
        actor=client.user,
        instrument_code="gad7",
        answers=[1, 1, 1, 1, 1, 1, 0],
        idempotency_key="second",
    )
    page = http.get("/questionnaires/")
    (trend,) = page.context["trends"]
    first_day = first_at.astimezone(zone).strftime("%-d %B")
    second_day = second.submitted_at.astimezone(zone).strftime("%-d %B")
    assert trend.definition.code == "gad7"
    assert trend.count == 2
    assert trend.sentence == (
        f"From 12 on {first_day} to 6 on {second_day}, over 2 answers. "
        "Scores go from 0 to 21; a lower score means fewer difficulties."
    )
    html = page.content.decode()
    assert 'class="chart chart-narrow instrument-chart"' in html
    assert "Your GAD-7 scores over time" in html
    # No clinical markers for the client: words on each result page instead.
    assert "marker-improved" not in html and "marker-recovered" not in html
