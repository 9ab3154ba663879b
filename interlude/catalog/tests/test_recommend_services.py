"""Recommending an app: the catalog and reason rules, one open recommendation per app, homework
set in the same transaction, homework switched off, withdrawing, seeing, and the audit rows."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.utils import timezone

from interlude.audit.models import AuditEvent
from interlude.catalog import recommend_services
from interlude.catalog.models import Recommendation
from interlude.catalog.recommend_services import (
    MSG_HOMEWORK_OFF,
    MSG_REASON_LONG,
    MSG_REASON_MISSING,
    DuplicateRecommendation,
    HomeworkChoice,
    recommendation_create,
    recommendation_seen,
    recommendation_withdraw,
)
from interlude.catalog.tests.test_recommend_helpers import care_of, make_app, recommend
from interlude.consents.access import access_own
from interlude.consents.modules_services import client_modules_set
from interlude.core.errors import ApplicationError
from interlude.core.validation import MSG_BAD_TEXT
from interlude.homework.models import Assignment
from tests.factories import PracticeFactory, clinician_with_client

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)  # Wednesday 11 March 2026, 11:00 in New York
TODAY = date(2026, 3, 11)
REASON = "It makes noticing your mood a two-second habit."


@pytest.fixture
def pair():
    with time_machine.travel(NOW, tick=False):
        yield clinician_with_client()


def _error(membership, client, app, **kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as info:
        recommend(membership, client, app, **kwargs)
    return info.value


def _audit(client, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(client=client, action=action).order_by("seq"))


def test_recommending_stores_the_reason_the_recommender_and_an_audit_row(pair):
    membership, client = pair
    app = make_app()

    rec = recommend(membership, client, app, reason="  " + REASON + "\n")

    rec.refresh_from_db()
    assert (rec.client_id, rec.practice_id, rec.app_id) == (client.pk, client.practice_id, app.pk)
    assert rec.reason == REASON
    assert rec.recommended_by == membership
    assert (rec.assignment, rec.seen_at, rec.withdrawn_at) == (None, None, None)
    assert rec.created_at == NOW
    [event] = _audit(client, "catalog.recommended")
    assert (event.actor_id, event.object_type, event.object_id) == (
        membership.user_id,
        "recommendation",
        str(rec.public_id),
    )
    assert event.detail == {"app": "moodlog-test", "homework": False}


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", MSG_REASON_MISSING),
        ("   \n ", MSG_REASON_MISSING),
        ("x" * 1001, MSG_REASON_LONG),
        ("Try it\x00 daily", MSG_BAD_TEXT),
    ],
)
def test_the_reason_is_required_short_and_storable(pair, reason, message):
    membership, client = pair
    error = _error(membership, client, make_app(), reason=reason)
    assert (error.field, error.message) == ("reason", message)
    assert not Recommendation.objects.exists()


def test_the_messages_read_as_plain_sentences():
    assert MSG_REASON_MISSING == (
        "Say why you recommend this app, in your words. The client reads this."
    )
    assert MSG_REASON_LONG == "Keep the reason to 1,000 characters or fewer."


def test_a_reason_of_exactly_1000_characters_is_kept(pair):
    membership, client = pair
    rec = recommend(membership, client, make_app(), reason="y" * 1000)
    assert len(rec.reason) == 1000


def test_only_apps_in_the_clients_practice_catalog_can_be_recommended(pair):
    membership, client = pair
    other = make_app(practice=PracticeFactory(), slug="elsewhere", name="Elsewhere")
    archived = make_app(
        practice=client.practice, slug="old", name="Oldapp", archived_at=timezone.now()
    )
    gone = make_app(slug="gone", name="Goneapp", available=False)
    starter = make_app(slug="starter", name="Starter")
    make_app(practice=client.practice, slug="starter", name="Starter (ours)", based_on=starter)

    assert (_error(membership, client, other).field, _error(membership, client, other).message) == (
        "app_id",
        "Choose an app from your practice's catalog.",
    )
    assert _error(membership, client, starter).message == (
        "Choose an app from your practice's catalog."
    )
    assert _error(membership, client, archived).message == (
        "Oldapp has been archived from the catalog, so it cannot be recommended."
    )
    assert _error(membership, client, gone).message == (
        "Goneapp can no longer be downloaded, so it cannot be recommended."
    )
    assert not Recommendation.objects.exists()
    assert not AuditEvent.objects.filter(action="catalog.recommended").exists()


def test_the_practices_own_entry_can_be_recommended(pair):
    membership, client = pair
    own = make_app(practice=client.practice, slug="ours", name="Ours")
    assert recommend(membership, client, own).app == own


def test_one_open_recommendation_per_app_names_the_date_of_the_open_one(pair):
    membership, client = pair
    app = make_app()
    first = recommend(membership, client, app)
    later = time_machine.travel(datetime(2026, 3, 20, 15, 0, tzinfo=UTC), tick=False)
    with later, pytest.raises(DuplicateRecommendation) as info:
        recommend(membership, client, app, reason="Again")
    assert info.value.field == "app_id"
    assert info.value.message == (
        "You already recommended Moodlog to this client on 11 March 2026. "
        "Withdraw that recommendation first to recommend it again."
    )
    assert list(Recommendation.objects.values_list("pk", flat=True)) == [first.pk]

    recommendation_withdraw(care=care_of(membership, client), recommendation=first)
    again = recommend(membership, client, app, reason="Again")
    assert Recommendation.objects.filter(withdrawn_at__isnull=True).get() == again


def test_the_same_app_can_be_recommended_to_two_clients(pair):
    membership, client = pair
    _, other_client = clinician_with_client(practice=client.practice)
    from tests.factories import CareTeamMemberFactory

    CareTeamMemberFactory(client=other_client, membership=membership, is_primary=False)
    app = make_app()
    recommend(membership, client, app)
    recommend(membership, other_client, app)
    assert Recommendation.objects.count() == 2


def test_homework_a_number_of_times_a_week_is_set_with_the_app_and_linked(pair):
    membership, client = pair
    app = make_app()

    rec = recommend(
        membership,
        client,
        app,
        homework=HomeworkChoice(schedule="weekly", times_per_week=3, until=date(2026, 4, 8)),
    )

    a = Assignment.objects.get()
    assert rec.assignment == a
    assert (a.client_id, a.assigned_by_id, a.created_by_id) == (
        client.pk,
        membership.pk,
        membership.user_id,
    )
    assert (a.tool_kind, a.tool_ref, a.title, a.instructions) == (
        "app",
        "Moodlog",
        "Try Moodlog",
        REASON,
    )
    assert (a.app_url, a.catalog_app_id) == ("https://moodlog.example.org/", app.pk)
    assert (a.schedule, a.times_per_week, a.until, a.due_on) == (
        "weekly_count",
        3,
        date(2026, 4, 8),
        None,
    )
    assert a.starts_on == TODAY
    [event] = _audit(client, "catalog.recommended")
    assert event.detail == {"app": "moodlog-test", "homework": True}
    assert len(_audit(client, "homework.assigned")) == 1


def test_homework_once_by_a_date(pair):
    membership, client = pair
    rec = recommend(
        membership,
        client,
        make_app(),
        homework=HomeworkChoice(schedule="once", due_on=date(2026, 3, 18)),
    )
    a = rec.assignment
    assert (a.schedule, a.due_on, a.times_per_week, a.until, a.starts_on) == (
        "once",
        date(2026, 3, 18),
        None,
        None,
        TODAY,
    )


@pytest.mark.parametrize(
    ("choice", "field", "message"),
    [
        (
            HomeworkChoice(schedule="daily"),
            "homework.schedule",
            "Choose how often: weekly (a number of times a week) or once (by a date).",
        ),
        (
            HomeworkChoice(schedule="weekly", times_per_week=3),
            "homework.until",
            "Enter the last day to try it.",
        ),
        (
            HomeworkChoice(schedule="weekly", times_per_week=9, until=date(2026, 4, 8)),
            "homework.times_per_week",
            "Choose from 1 to 7 times a week.",
        ),
        (
            HomeworkChoice(schedule="weekly", times_per_week=2, until=date(2026, 3, 1)),
            "homework.until",
            "The last day is before the start.",
        ),
        (HomeworkChoice(schedule="once"), "homework.due_on", "Enter the date it is due."),
    ],
)
def test_a_bad_homework_schedule_stores_nothing(pair, choice, field, message):
    membership, client = pair
    error = _error(membership, client, make_app(), homework=choice)
    assert (error.field, error.message) == (field, message)
    assert not Recommendation.objects.exists()
    assert not Assignment.objects.exists()
    assert not AuditEvent.objects.filter(
        action__in=["catalog.recommended", "homework.assigned"]
    ).exists()


def test_homework_switched_off_for_the_client_is_refused_with_the_reason(pair):
    membership, client = pair
    client_modules_set(client=client, actor=membership.user, modules_off=["homework"])
    error = _error(
        membership,
        client,
        make_app(),
        homework=HomeworkChoice(schedule="once", due_on=date(2026, 3, 18)),
    )
    assert (error.field, error.message) == ("homework", MSG_HOMEWORK_OFF)
    assert MSG_HOMEWORK_OFF == (
        "Homework is switched off for this client. Switch it on under Parts of the app on their "
        "record, or recommend the app without homework."
    )
    assert not Recommendation.objects.exists()
    assert not Assignment.objects.exists()
    # Without homework the recommendation itself is fine.
    assert recommend(membership, client, make_app(slug="other", name="Other")).assignment is None


def test_the_homework_and_the_recommendation_are_one_transaction(pair, monkeypatch):
    membership, client = pair

    def fail(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(recommend_services, "event_app_recommended", fail)
    with pytest.raises(RuntimeError):
        recommend(
            membership,
            client,
            make_app(),
            homework=HomeworkChoice(schedule="once", due_on=date(2026, 3, 18)),
        )
    assert not Assignment.objects.exists()
    assert not Recommendation.objects.exists()
    assert not AuditEvent.objects.filter(action="homework.assigned").exists()


def test_only_the_care_team_recommends(pair):
    membership, client = pair
    with pytest.raises(ApplicationError) as info:
        recommendation_create(
            care=access_own(user=client.user),
            membership=membership,
            app=make_app(),
            reason=REASON,
        )
    assert info.value.message == "Only the client's care team can recommend an app."


def test_withdrawing_ends_its_homework_and_is_audited_once(pair):
    membership, client = pair
    rec = recommend(
        membership,
        client,
        make_app(),
        homework=HomeworkChoice(schedule="once", due_on=date(2026, 3, 18)),
    )
    care = care_of(membership, client)

    recommendation_withdraw(care=care, recommendation=rec)
    recommendation_withdraw(care=care, recommendation=rec)

    rec.refresh_from_db()
    assert rec.withdrawn_at == NOW
    assert rec.assignment.ended_at == NOW
    [event] = _audit(client, "catalog.recommendation_withdrawn")
    assert (event.actor_id, event.object_id) == (membership.user_id, str(rec.public_id))
    [ended] = _audit(client, "homework.changed")
    assert ended.detail == {"change": "ended"}


def test_seeing_notes_the_first_opening_only_and_only_by_the_client(pair):
    membership, client = pair
    rec = recommend(membership, client, make_app())

    assert recommendation_seen(care=care_of(membership, client), recommendations=[rec]) == 0
    assert recommendation_seen(care=access_own(user=client.user), recommendations=[rec]) == 1
    rec.refresh_from_db()
    assert rec.seen_at == NOW
    with time_machine.travel(datetime(2026, 3, 12, 15, 0, tzinfo=UTC), tick=False):
        assert recommendation_seen(care=access_own(user=client.user), recommendations=[rec]) == 0
    rec.refresh_from_db()
    assert rec.seen_at == NOW
