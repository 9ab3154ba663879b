"""Crisis help shows at a risk item as soon as it is answered above its threshold, before the
questionnaire is sent: on the item's own screen and the screens after it (the review too), with
the client's country's crisis lines. Without JavaScript this is the screen after answering; with
it, crisis_item.js shows the card the moment the answer is chosen (tests/e2e)."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from interlude.alerts.models import Alert
from interlude.measures.models import Frequency, QuestionnaireDue
from interlude.measures.services import schedule_create
from interlude.practices.models import CrisisResource
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db


def _setup(code: str = "phq9"):
    membership, client = clinician_with_client()
    schedule_create(
        actor=membership.user, client=client, instrument_code=code, frequency=Frequency.ONCE
    )
    due = QuestionnaireDue.objects.get(client=client, instrument_code=code)
    CrisisResource.objects.create(
        practice=client.practice, country="US", name="Emergency services", phone="911",
        hours="24/7", is_emergency=True,
    )  # fmt: skip
    CrisisResource.objects.create(
        practice=client.practice, country="US", name="988 Suicide & Crisis Lifeline",
        phone="988", sms="988", hours="24/7", position=1,
    )  # fmt: skip
    http = HttpClient()
    http.force_login(client.user)
    assert http.post(f"/questionnaires/{due.public_id}/").status_code == 302
    return client, due, http


def _card(html: str) -> str:
    return html.split('class="care-card q-care-card"')[1].split("</section>")[0]


def test_the_review_after_a_risk_answer_shows_crisis_help_before_anything_is_sent():
    client, due, http = _setup()
    for step, value in enumerate([1, 1, 1, 1, 1, 1, 1, 0, 2], start=1):
        http.post(f"/questionnaires/{due.public_id}/{step}/", {"answer": str(value)})

    html = http.get(f"/questionnaires/{due.public_id}/review/").content.decode()

    assert not Alert.objects.filter(client=client).exists()  # nothing sent yet
    card = _card(html)
    assert '<a class="tel" href="tel:911">911</a>' in card
    assert '<a class="button button-primary" href="tel:988">Call 988</a>' in card
    assert '<a class="button button-secondary" href="sms:988">Text 988</a>' in card
    assert "Your therapist will see this answer when you send your answers" in card
    # Before the list of answers, where it is seen first.
    assert html.index('class="care-card') < html.index('class="q-review"')


def test_the_risk_items_screen_carries_the_card_hidden_until_answered_above_zero():
    _client, due, http = _setup()
    url = f"/questionnaires/{due.public_id}/9/"
    first = http.get(url).content.decode()
    assert 'data-crisis-above="0"' in first
    assert '<div id="crisis-help" hidden>' in first
    assert "js/crisis_item.js" in first
    assert "<script>" not in first  # no inline script (strict CSP)

    http.post(url, {"answer": "1"})
    again = http.get(url).content.decode()
    assert '<div id="crisis-help">' in again
    assert "Help is available: crisis lines are shown below." in again


def test_a_zero_on_the_risk_item_and_other_items_show_no_card():
    _client, due, http = _setup()
    http.post(f"/questionnaires/{due.public_id}/1/", {"answer": "3"})
    assert "care-card" not in http.get(f"/questionnaires/{due.public_id}/2/").content.decode()
    for step, value in enumerate([1, 1, 1, 1, 1, 1, 1, 0, 0], start=1):
        http.post(f"/questionnaires/{due.public_id}/{step}/", {"answer": str(value)})
    review = http.get(f"/questionnaires/{due.public_id}/review/").content.decode()
    assert "care-card" not in review
    assert (
        '<div id="crisis-help" hidden>'
        in http.get(f"/questionnaires/{due.public_id}/9/").content.decode()
    )
