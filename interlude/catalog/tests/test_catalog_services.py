"""Saving an evaluation (sourced-or-unknown answers, facets and review date recomputed, one audit
event naming the changed questions), copying a starter entry, adding and archiving entries."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.catalog.catalog_selectors import catalog_apps
from interlude.catalog.catalog_services import (
    MSG_STARTER,
    AnswerInput,
    EvaluationErrors,
    catalog_app_archive,
    catalog_app_copy,
    catalog_app_create,
    evaluation_save,
)
from interlude.catalog.models import EvaluationAnswer
from interlude.catalog.tests.test_catalog_helpers import NOTE, NOW, SOURCE, clear_catalog, make_app
from interlude.core.errors import ApplicationError
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _only_our_rows(db):
    clear_catalog()
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def staff():
    return MembershipFactory(user=UserFactory(full_name="Dana Reviewer"))


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def test_a_starter_entry_cannot_be_edited(staff):
    starter = make_app(name="Calm")

    with pytest.raises(ApplicationError) as caught:
        evaluation_save(app=starter, actor=staff.user, answers={"cost": AnswerInput("free")})

    assert caught.value.message == (
        "This entry belongs to the starter set that every practice shares, so it cannot be "
        "changed here. Make your practice's own copy first, then review that."
    )
    assert caught.value.message == MSG_STARTER


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            {"cost": AnswerInput("cheap", evidence="x")},
            "What does it cost?: 'cheap' is not one of free, freemium, subscription, paid, "
            "unknown.",
        ),
        (
            {"cost": AnswerInput("free")},
            "What does it cost?: add a source link or an evidence note, or mark it unknown.",
        ),
        (
            {"cost": AnswerInput("free", links=["http://example.org/pricing"])},
            "What does it cost?: 'http://example.org/pricing' is not a web address starting "
            "with https://.",
        ),
        (
            {"cost": AnswerInput("free", links=[f"https://example.org/{n}" for n in range(6)])},
            "What does it cost?: give at most 5 source links.",
        ),
        (
            {"cost": AnswerInput("free", links=["https://example.org/" + "a" * 490])},
            "What does it cost?: a source link is longer than 500 characters.",
        ),
        (
            {"cost": AnswerInput("free", unknown=True)},
            "What does it cost?: give an answer or mark it unknown, not both.",
        ),
        (
            {"developer": AnswerInput("", evidence="The store page")},
            "Who makes it, and who pays for it?: write an answer or mark it unknown.",
        ),
        (
            {"goals": AnswerInput(["sleep", "joy"], evidence="x")},
            "Which therapeutic goals does it support?: 'joy' is not one of mood, low_mood, "
            "anxiety, sleep, relaxation, trauma, symptoms, cbt_skills, safety, habits.",
        ),
        ({"nonsense": AnswerInput("yes")}, "'nonsense' is not a question of the evaluation."),
    ],
)
def test_each_answer_is_validated_with_a_message_naming_the_question(staff, given, message):
    app = make_app(name="Own", practice=staff.practice)

    with pytest.raises(EvaluationErrors) as caught:
        evaluation_save(app=app, actor=staff.user, answers=given)

    assert (caught.value.field, caught.value.message) == (next(iter(given)), message)
    assert EvaluationAnswer.objects.filter(app=app).count() == 0


def test_every_problem_is_listed_and_nothing_is_saved(staff):
    app = make_app(name="Own", practice=staff.practice)

    with pytest.raises(EvaluationErrors) as caught:
        evaluation_save(
            app=app,
            actor=staff.user,
            answers={
                "available": AnswerInput("yes", evidence="Store page"),
                "cost": AnswerInput("free"),
                "crisis_help": AnswerInput("maybe", evidence="x"),
            },
        )

    assert caught.value.errors == {
        "cost": "What does it cost?: add a source link or an evidence note, or mark it unknown.",
        "crisis_help": "Does it point to crisis help?: 'maybe' is not one of yes, partly, no.",
    }
    assert EvaluationAnswer.objects.filter(app=app).count() == 0
    assert _events(AuditAction.CATALOG_APP_SAVED) == []


def test_saving_writes_the_reviewer_recomputes_facets_and_audits_the_changed_questions(staff):
    app = make_app(
        name="Own",
        practice=staff.practice,
        answers={"cost": "free", "goals": ["mood"]},
        reviewed_on=date(2024, 6, 1),
    )

    written = evaluation_save(
        app=app,
        actor=staff.user,
        answers={
            "cost": AnswerInput(
                "free", evidence=NOTE, links=[SOURCE]
            ),  # the same as saved: not rewritten
            "goals": AnswerInput(["sleep", "mood"], evidence="Its store listing"),
            "sells_or_advertises": AnswerInput("yes", links=["https://example.org/privacy"]),
            "platforms": AnswerInput(["web"], links=["https://example.org/"]),
            "developer": AnswerInput(unknown=True, evidence="The site names no company"),
            "evidence": AnswerInput(),  # never answered, left blank: stays unanswered
        },
    )

    assert written == ["developer", "goals", "platforms", "sells_or_advertises"]
    goals = EvaluationAnswer.objects.get(app=app, question="goals")
    assert (
        goals.value,
        goals.unknown,
        goals.evidence,
        goals.links,
        goals.reviewer,
        goals.reviewer_name,
        goals.reviewed_on,
    ) == (
        ["mood", "sleep"],
        False,
        "Its store listing",
        [],
        staff.user,
        "Dana Reviewer",
        date(2026, 3, 11),
    )
    developer = EvaluationAnswer.objects.get(app=app, question="developer")
    assert (developer.value, developer.unknown, developer.evidence) == (
        None,
        True,
        "The site names no company",
    )
    cost = EvaluationAnswer.objects.get(app=app, question="cost")
    assert (cost.reviewer_name, cost.reviewed_on) == ("Interlude starter set", date(2024, 6, 1))
    assert not EvaluationAnswer.objects.filter(app=app, question="evidence").exists()
    app.refresh_from_db()
    assert (
        app.goals,
        app.platforms,
        app.cost,
        app.privacy,
        app.evidence,
        app.available,
        app.reviewed_on,
    ) == (["mood", "sleep"], ["web"], "free", "concerns", "unknown", True, date(2024, 6, 1))
    (event,) = _events(AuditAction.CATALOG_APP_SAVED)
    assert (event.actor, event.practice, event.object_type, event.object_id, event.detail) == (
        staff.user,
        staff.practice,
        "catalog_app",
        str(app.public_id),
        {"questions": ["developer", "goals", "platforms", "sells_or_advertises"]},
    )


def test_nothing_changed_saves_nothing_unless_the_reviewer_confirms_every_answer(staff):
    app = make_app(
        name="Own", practice=staff.practice, answers={"cost": "free"}, reviewed_on=date(2024, 6, 1)
    )
    same = {"cost": AnswerInput("free", evidence=NOTE, links=[SOURCE])}

    assert evaluation_save(app=app, actor=staff.user, answers=same) == []
    assert _events(AuditAction.CATALOG_APP_SAVED) == []

    assert evaluation_save(app=app, actor=staff.user, answers=same, confirm_unchanged=True) == [
        "cost"
    ]
    app.refresh_from_db()
    assert app.reviewed_on == date(2026, 3, 11)
    assert [e.detail for e in _events(AuditAction.CATALOG_APP_SAVED)] == [{"questions": ["cost"]}]


def test_an_answer_once_given_cannot_be_blanked_only_marked_unknown(staff):
    app = make_app(name="Own", practice=staff.practice, answers={"cost": "free"})

    with pytest.raises(EvaluationErrors) as caught:
        evaluation_save(app=app, actor=staff.user, answers={"cost": AnswerInput()})
    assert caught.value.errors == {
        "cost": "What does it cost?: choose an answer or mark it unknown."
    }

    evaluation_save(app=app, actor=staff.user, answers={"cost": AnswerInput(unknown=True)})
    app.refresh_from_db()
    assert app.cost == "unknown"


def test_answering_available_no_hides_the_app_from_the_default_list(staff):
    app = make_app(name="Own", practice=staff.practice)

    evaluation_save(
        app=app,
        actor=staff.user,
        answers={"available": AnswerInput("no", evidence="Removed from both stores in 2025")},
    )

    assert catalog_apps(practice=staff.practice) == []


def test_copying_a_starter_entry_copies_every_answer_and_replaces_it_in_the_catalog(staff):
    starter = make_app(
        name="Calm", answers={"cost": "subscription", "developer": None}, importer="apple_health"
    )

    copy = catalog_app_copy(practice=staff.practice, actor=staff.user, app=starter)

    assert (copy.practice, copy.based_on, copy.slug, copy.name, copy.importer, copy.cost) == (
        staff.practice,
        starter,
        "calm",
        "Calm",
        "apple_health",
        "subscription",
    )
    assert sorted(
        (a.question, a.value, a.unknown, a.links, a.reviewer_name, a.reviewed_on)
        for a in copy.answers.all()
    ) == [
        ("cost", "subscription", False, [SOURCE], "Interlude starter set", date(2026, 1, 10)),
        ("developer", None, True, [], "Interlude starter set", date(2026, 1, 10)),
    ]
    assert [a.pk for a in catalog_apps(practice=staff.practice)] == [copy.pk]
    (event,) = _events(AuditAction.CATALOG_APP_SAVED)
    assert (event.object_id, event.detail) == (
        str(copy.public_id),
        {"questions": ["cost", "developer"]},
    )
    # Copying again hands back the same copy; the copy can be edited, the starter cannot.
    assert catalog_app_copy(practice=staff.practice, actor=staff.user, app=starter) == copy
    evaluation_save(app=copy, actor=staff.user, answers={"cost": AnswerInput(unknown=True)})
    starter.refresh_from_db()
    assert starter.cost == "subscription"


def test_only_starter_entries_are_copied(staff):
    own = make_app(name="Own", practice=staff.practice)

    with pytest.raises(ApplicationError) as caught:
        catalog_app_copy(practice=staff.practice, actor=staff.user, app=own)

    assert caught.value.message == "Only starter entries are copied: this one is already yours."


def test_adding_an_app_gives_it_a_slug_and_no_answers(staff):
    app = catalog_app_create(
        practice=staff.practice,
        actor=staff.user,
        name="  Mood Garden ",
        website="https://moodgarden.example.org",
        summary="A gentle mood diary.",
        importer="csv",
    )

    assert (app.slug, app.name, app.website, app.importer, app.reviewed_on, app.cost) == (
        "mood-garden",
        "Mood Garden",
        "https://moodgarden.example.org",
        "csv",
        None,
        "unknown",
    )
    assert app.answers.count() == 0
    (event,) = _events(AuditAction.CATALOG_APP_SAVED)
    assert event.detail == {"questions": []}


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"name": " "}, "name", "Give the app's name."),
        (
            {"name": "X", "website": "http://x.example.org"},
            "website",
            "Give the app's web address starting with https://, or leave it empty.",
        ),
        (
            {"name": "X", "importer": "myfitnesspal"},
            "importer",
            "'myfitnesspal' is not an importer: use one of daylio, bearable, apple_health, fhir, "
            "csv, or none.",
        ),
        (
            {"name": "calm"},
            "name",
            "Calm is already in the starter set: open it and make your practice's own copy "
            "instead.",
        ),
        ({"name": "OWN APP"}, "name", "Your catalog already has an app called OWN APP."),
    ],
)
def test_adding_an_app_refuses_bad_values(staff, values, field, message):
    make_app(name="Calm")
    make_app(name="Own app", practice=staff.practice)

    with pytest.raises(ApplicationError) as caught:
        catalog_app_create(practice=staff.practice, actor=staff.user, **values)

    assert (caught.value.field, caught.value.message) == (field, message)


def test_archiving_takes_an_entry_out_and_is_audited_once(staff):
    app = make_app(name="Own", practice=staff.practice)

    catalog_app_archive(practice=staff.practice, actor=staff.user, app=app)
    catalog_app_archive(practice=staff.practice, actor=staff.user, app=app)

    assert catalog_apps(practice=staff.practice) == []
    assert [e.object_id for e in _events(AuditAction.CATALOG_APP_ARCHIVED)] == [str(app.public_id)]
    with pytest.raises(ApplicationError) as caught:
        evaluation_save(app=app, actor=staff.user, answers={"cost": AnswerInput(unknown=True)})
    assert caught.value.message == "Own is archived, so it cannot be changed."


def test_a_starter_entry_cannot_be_archived_by_a_practice(staff):
    starter = make_app(name="Calm")

    with pytest.raises(ApplicationError) as caught:
        catalog_app_archive(practice=staff.practice, actor=staff.user, app=starter)

    assert caught.value.message == (
        "Starter entries are shared by every practice and cannot be archived. Make your "
        "practice's own copy, then archive that."
    )


def test_the_importer_list_matches_interludes_importers():
    from interlude.catalog.catalog_services import IMPORTERS
    from interlude.interop.enums import ImportSource

    assert {v: str(label) for v, label in ImportSource.choices} == IMPORTERS
