"""What a practice sees in its catalog, each filter, one entry with its evaluation, review due,
and a query count that stays the same as the catalog grows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from interlude.catalog.catalog_selectors import (
    CatalogFilters,
    catalog_app_get,
    catalog_apps,
    catalog_copy_of,
    evaluation_by_step,
    review_due,
)
from interlude.catalog.enums import Step
from interlude.catalog.tests.test_catalog_helpers import clear_catalog, make_app
from interlude.core.errors import ApplicationError
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _only_our_rows(db):
    clear_catalog()


def _names(practice, **filters) -> list[str]:
    return [a.name for a in catalog_apps(practice=practice, filters=CatalogFilters(**filters))]


@pytest.fixture
def world():
    p1, p2 = PracticeFactory(), PracticeFactory()
    daylio = make_app(name="Daylio", answers={"goals": ["mood"]})
    make_app(name="Calm")
    make_app(name="Retired starter", archived=True)
    make_app(name="Daylio", practice=p1, based_on=daylio)
    make_app(name="Own app", practice=p1)
    make_app(name="Old own app", practice=p1, archived=True)
    make_app(name="Other practice app", practice=p2)
    return p1, p2, daylio


def test_practice_sees_starters_its_own_and_its_copy_in_place_of_the_starter(world):
    p1, _p2, daylio = world
    seen = catalog_apps(practice=p1)

    assert [(a.name, a.practice_id == p1.pk) for a in seen] == [
        ("Calm", False),
        ("Daylio", True),
        ("Own app", True),
    ]
    assert daylio.pk not in [a.pk for a in seen]


def test_another_practice_sees_the_starter_not_the_copy_nor_anyone_elses_entries(world):
    _p1, p2, daylio = world

    assert [(a.name, a.pk == daylio.pk) for a in catalog_apps(practice=p2)] == [
        ("Calm", False),
        ("Daylio", True),
        ("Other practice app", False),
    ]


def test_an_archived_copy_keeps_the_starter_entry_out_of_the_catalog():
    practice = PracticeFactory()
    calm = make_app(name="Calm")
    make_app(name="Calm", practice=practice, based_on=calm, archived=True)

    assert _names(practice) == []
    assert catalog_copy_of(practice=practice, app=calm).archived_at is not None


@pytest.fixture
def facets():
    practice = PracticeFactory()
    make_app(
        name="Sleepwell",
        summary="A bedtime routine coach.",
        answers={
            "goals": ["sleep", "relaxation"],
            "platforms": ["ios"],
            "cost": "subscription",
            "evidence": "trials",
            "privacy_policy": "yes",
            "sells_or_advertises": "no",
            "data_deletable": "yes",
        },
        importer="apple_health",
    )
    make_app(
        name="Moodnotes",
        summary="Track your MOOD daily.",
        answers={
            "goals": ["mood"],
            "platforms": ["ios", "android"],
            "cost": "free",
            "sells_or_advertises": "yes",
        },
        importer="daylio",
    )
    make_app(name="Gone app", answers={"available": "no", "goals": ["mood"], "cost": "free"})
    make_app(name="Unchecked")
    return practice


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["Moodnotes", "Sleepwell", "Unchecked"]),
        ({"goal": "mood"}, ["Moodnotes"]),
        ({"goal": "sleep"}, ["Sleepwell"]),
        ({"cost": "free"}, ["Moodnotes"]),
        ({"cost": "unknown"}, ["Unchecked"]),
        ({"platform": "android"}, ["Moodnotes"]),
        ({"platform": "ios"}, ["Moodnotes", "Sleepwell"]),
        ({"privacy": "clear"}, ["Sleepwell"]),
        ({"privacy": "concerns"}, ["Moodnotes"]),
        ({"privacy": "unknown"}, ["Unchecked"]),
        ({"evidence": "trials"}, ["Sleepwell"]),
        ({"evidence": "unknown"}, ["Moodnotes", "Unchecked"]),
        ({"importable": True}, ["Moodnotes", "Sleepwell"]),
        ({"importable": False}, ["Unchecked"]),
        ({"q": "bedtime"}, ["Sleepwell"]),
        ({"q": "mood"}, ["Moodnotes"]),
        ({"q": "MOODN"}, ["Moodnotes"]),
        ({"include_unavailable": True}, ["Gone app", "Moodnotes", "Sleepwell", "Unchecked"]),
        ({"include_unavailable": True, "goal": "mood"}, ["Gone app", "Moodnotes"]),
    ],
)
def test_each_filter_narrows_the_catalog(facets, filters, expected):
    assert _names(facets, **filters) == expected


def test_filters_parse_from_query_parameters():
    parsed = CatalogFilters.parse(
        {"goal": "sleep", "importable": "true", "include_unavailable": "1", "q": "  calm "}
    )

    assert parsed == CatalogFilters(
        goal="sleep", importable=True, include_unavailable=True, q="calm"
    )
    assert CatalogFilters.parse({"importable": "no"}).importable is False
    assert CatalogFilters.parse({}) == CatalogFilters()


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"goal": "happiness"},
            "goal",
            "'happiness' is not a goal filter: use one of mood, low_mood, anxiety, sleep, "
            "relaxation, trauma, symptoms, cbt_skills, safety, habits.",
        ),
        (
            {"cost": "cheap"},
            "cost",
            "'cheap' is not a cost filter: use one of free, freemium, subscription, paid, unknown.",
        ),
        (
            {"platform": "windows"},
            "platform",
            "'windows' is not a platform filter: use one of ios, android, web.",
        ),
        (
            {"privacy": "good"},
            "privacy",
            "'good' is not a privacy filter: use one of clear, concerns, unknown.",
        ),
        (
            {"evidence": "lots"},
            "evidence",
            "'lots' is not a evidence filter: use one of trials, studies, method_only, "
            "none_found, unknown.",
        ),
        (
            {"importable": "maybe"},
            "importable",
            "'maybe' is not a yes or no value for importable: use true or false.",
        ),
        ({"q": "x" * 101}, "q", "Keep the search under 100 characters."),
    ],
)
def test_a_bad_filter_value_is_refused_naming_the_parameter(params, field, message):
    with pytest.raises(ApplicationError) as caught:
        CatalogFilters.parse(params)

    assert (caught.value.field, caught.value.message) == (field, message)


def test_the_catalog_is_one_query_however_many_entries_and_filters(
    django_assert_num_queries, facets
):
    with django_assert_num_queries(1):
        catalog_apps(practice=facets, filters=CatalogFilters(goal="mood", q="mood"))
    for n in range(20):
        make_app(name=f"Extra {n}", answers={"goals": ["mood"]})
    with django_assert_num_queries(1):
        assert len(catalog_apps(practice=facets, filters=CatalogFilters(goal="mood"))) == 21


def test_an_entry_of_another_practice_or_archived_is_not_found(world):
    p1, p2, daylio = world
    other = catalog_apps(practice=p2)[-1]
    archived = make_app(name="Archived own", practice=p1, archived=True)

    assert catalog_app_get(practice=p1, public_id=other.public_id) is None
    assert catalog_app_get(practice=p1, public_id=archived.public_id) is None
    assert catalog_app_get(practice=p1, public_id=archived.public_id, include_archived=True) == (
        archived
    )
    # A starter entry stays readable by its id, even once the practice has its copy.
    assert catalog_app_get(practice=p1, public_id=daylio.public_id) == daylio


def test_review_is_due_when_never_reviewed_or_older_than_a_year():
    app = make_app(name="Dated", answers={"cost": "free"}, reviewed_on=date(2025, 3, 11))
    today = date(2026, 3, 11)

    assert review_due(app, today) is False  # exactly 365 days
    assert review_due(app, today + timedelta(days=1)) is True
    app.reviewed_on = None
    assert review_due(app, today) is True


def test_evaluation_by_step_gives_the_five_steps_in_order_with_answers(
    django_assert_num_queries,
):
    practice = PracticeFactory()
    made = make_app(
        name="Stepper",
        practice=practice,
        answers={
            "platforms": ["android", "ios"],
            "sells_or_advertises": "yes",
            "developer": None,
            "goals": ["sleep"],
        },
    )
    app = catalog_app_get(practice=practice, public_id=made.public_id)

    with django_assert_num_queries(0):
        steps = evaluation_by_step(app)

    assert [(s.number, s.step, s.label, len(s.answers)) for s in steps] == [
        (1, Step.ACCESS, "Access and background", 9),
        (2, Step.PRIVACY, "Privacy and security", 5),
        (3, Step.CLINICAL, "Clinical foundation", 3),
        (4, Step.USABILITY, "Engagement and usability", 3),
        (5, Step.INTEGRATION, "Therapeutic goal and data integration", 3),
    ]
    by_code = {a.question.code: a for s in steps for a in s.answers}
    platforms = by_code["platforms"]
    assert (platforms.value_label, platforms.unknown, platforms.links, platforms.reviewed_on) == (
        "Android, iPhone and iPad",
        False,
        ["https://example.org/app-store-page"],
        date(2026, 1, 10),
    )
    assert (by_code["sells_or_advertises"].value_label, by_code["sells_or_advertises"].concern) == (
        "Yes",
        True,
    )
    developer = by_code["developer"]
    assert (developer.unknown, developer.answered, developer.reviewer_name) == (
        True,
        True,
        "Interlude starter set",
    )
    cost = by_code["cost"]
    assert (cost.unknown, cost.answered, cost.value_label) == (True, False, "")
    assert by_code["goals"].value_label == "Sleep"
