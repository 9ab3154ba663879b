"""Answers in progress live in an encrypted draft on the server, not in the session table: they
survive signing out, can be finished on another device, and go when the due does."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client as HttpClient

from interlude.accounts.models import User
from interlude.measures.models import (
    DueStatus,
    Frequency,
    QuestionnaireDraft,
    QuestionnaireDue,
    QuestionnaireResponse,
)
from interlude.measures.services import due_mark_missed, schedule_create, schedule_end
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db


def _setup():
    membership, client = clinician_with_client()
    schedule = schedule_create(
        actor=membership.user, client=client, instrument_code="phq9", frequency=Frequency.ONCE
    )
    due = QuestionnaireDue.objects.get(client=client, instrument_code="phq9")
    return membership, client, schedule, due


def _signed_in(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _answer_three(http: HttpClient, due: QuestionnaireDue) -> None:
    assert http.post(f"/questionnaires/{due.public_id}/")["Location"].endswith("/1/")
    for step, value in ((1, 2), (2, 1), (3, 3)):
        response = http.post(f"/questionnaires/{due.public_id}/{step}/", {"answer": str(value)})
        assert response["Location"] == f"/questionnaires/{due.public_id}/{step + 1}/"


def test_answers_in_progress_are_in_an_encrypted_draft_not_the_session_and_resume_elsewhere():
    _m, client, _s, due = _setup()
    phone = _signed_in(client.user)
    _answer_three(phone, due)

    sessions = [s.get_decoded() for s in Session.objects.all()]
    assert sessions  # the phone's session is in the table
    for decoded in sessions:
        assert "questionnaires" not in decoded
        assert str(due.public_id) not in repr(decoded)
        assert "[2, 1, 3" not in repr(decoded)

    table = QuestionnaireDraft._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT answers, idempotency_key FROM {table}")  # noqa: S608
        rows = cursor.fetchall()
    assert len(rows) == 1
    assert rows[0][0].startswith("v2:")
    assert QuestionnaireDraft.objects.get().answers == [2, 1, 3, None, None, None, None, None, None]

    # Signed out on the phone; signed in on a laptop: a new session, the same place.
    phone.logout()
    laptop = _signed_in(client.user)
    intro = laptop.get(f"/questionnaires/{due.public_id}/")
    assert intro.context["resuming"] is True
    resume = laptop.post(f"/questionnaires/{due.public_id}/")
    assert resume["Location"] == f"/questionnaires/{due.public_id}/4/"
    step_two = laptop.get(f"/questionnaires/{due.public_id}/2/")
    assert step_two.context["form"].initial["answer"] == "1"

    # Finishing there stores one answer set under the draft's key and deletes the draft.
    key = QuestionnaireDraft.objects.get().idempotency_key
    for step in range(4, 10):
        laptop.post(f"/questionnaires/{due.public_id}/{step}/", {"answer": "0"})
    sent = laptop.post(f"/questionnaires/{due.public_id}/review/")
    stored = QuestionnaireResponse.objects.get(client=client)
    assert sent["Location"] == f"/questionnaires/result/{stored.public_id}/"
    assert (stored.answers, stored.idempotency_key) == ([2, 1, 3, 0, 0, 0, 0, 0, 0], key)
    assert QuestionnaireDraft.objects.count() == 0
    # The phone, signed in again, is taken to the result rather than a new answer set.
    again = _signed_in(client.user)
    assert again.post(f"/questionnaires/{due.public_id}/review/")["Location"] == sent["Location"]


def test_a_draft_goes_when_its_due_is_missed_or_its_schedule_ends():
    membership, client, schedule, due = _setup()
    _answer_three(_signed_in(client.user), due)
    assert QuestionnaireDraft.objects.filter(due=due).exists()
    due_mark_missed(due=due, actor=membership.user)
    assert QuestionnaireDraft.objects.count() == 0

    # A repeating schedule: the open occasion's draft goes when the clinician ends it.
    weekly = schedule_create(
        actor=membership.user,
        client=client,
        instrument_code="gad7",
        frequency=Frequency.EVERY_N_DAYS,
        interval_days=7,
    )
    gad = QuestionnaireDue.objects.get(schedule=weekly, status=DueStatus.DUE)
    http = _signed_in(client.user)
    http.post(f"/questionnaires/{gad.public_id}/")
    http.post(f"/questionnaires/{gad.public_id}/1/", {"answer": "1"})
    assert QuestionnaireDraft.objects.filter(due=gad).exists()
    schedule_end(actor=membership.user, schedule=weekly)
    assert QuestionnaireDraft.objects.count() == 0
    assert schedule.pk != weekly.pk


def test_answers_left_in_a_session_by_the_old_version_are_removed_on_the_next_visit():
    _m, client, _s, due = _setup()
    http = _signed_in(client.user)
    session = http.session
    session["questionnaires"] = {str(due.public_id): {"code": "phq9", "answers": [3] * 9}}
    session.save()
    http.get(f"/questionnaires/{due.public_id}/")
    assert "questionnaires" not in http.session
