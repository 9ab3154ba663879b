"""The starter set of the app catalog: no fact without a source, every question answered.

The acceptance test of issue [8] ("no catalog fact is filled without a source or an 'unknown'
mark") reads both the shipped file and the entries the data migration wrote to the database.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from interlude.catalog.models import STARTER_REVIEWER, CatalogApp, EvaluationAnswer
from interlude.catalog.questions import QUESTIONS
from interlude.catalog.starter import STARTER_FILE, starter_load, starter_parse, starter_sync
from interlude.interop.enums import ImportSource

CODES = {q.code for q in QUESTIONS}
REVIEWED_ON = date(2026, 12, 3)
SLUGS = [
    "daylio",
    "bearable",
    "headspace",
    "calm",
    "mindshift-cbt",
    "ptsd-coach",
    "cbt-i-coach",
    "insight-timer",
    "woebot",
    "stay-alive",
    "calm-harm",
    "emoods",
    "apple-health",
]


def raw_file() -> dict[str, Any]:
    with STARTER_FILE.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def sync() -> int:
    return starter_sync(app_model=CatalogApp, answer_model=EvaluationAnswer)


# --- (a) the acceptance test ---------------------------------------------------------------------
def test_every_fact_in_the_file_has_a_https_source_or_is_marked_unknown():
    apps = raw_file()["apps"]
    assert [a["slug"] for a in apps] == SLUGS
    for app in apps:
        assert set(app["answers"]) == CODES, app["slug"]
        for code, answer in app["answers"].items():
            where = f"{app['slug']} {code}"
            if answer.get("unknown") is True:
                assert "value" not in answer, where
            else:
                assert answer["value"] not in (None, "", []), where
                assert answer["links"], where
                assert all(link.startswith("https://") for link in answer["links"]), where
                assert answer["evidence"].strip(), where


@pytest.mark.django_db
def test_every_fact_in_the_database_has_a_https_source_or_is_marked_unknown():
    starters = CatalogApp.objects.filter(practice__isnull=True).order_by("slug")
    assert sorted(starters.values_list("slug", flat=True)) == sorted(SLUGS)
    for app in starters:
        answers = list(app.answers.all())
        assert sorted(a.question for a in answers) == sorted(CODES), app.slug
        for answer in answers:
            where = f"{app.slug} {answer.question}"
            assert answer.reviewer_name == STARTER_REVIEWER, where
            assert answer.reviewer_id is None, where
            assert answer.reviewed_on == REVIEWED_ON, where
            if answer.unknown:
                assert answer.value is None, where
            else:
                assert answer.value is not None, where
                assert answer.links, where
                assert all(link.startswith("https://") for link in answer.links), where
                assert answer.evidence.strip(), where
        assert app.reviewed_on == REVIEWED_ON


def test_the_file_loads():
    entries = starter_load()
    assert [e["slug"] for e in entries] == SLUGS
    assert all(set(e["answers"]) == CODES for e in entries)


# --- (b) what the loader refuses --------------------------------------------------------------
def one_app(**answers: Any) -> dict[str, Any]:
    data = raw_file()
    app = copy.deepcopy(data["apps"][0])  # Daylio
    app["answers"].update(answers)
    return {"reviewed_on": "2026-12-03", "apps": [app]}


def test_a_filled_answer_without_a_link_is_refused():
    data = one_app(platforms={"value": ["ios"], "evidence": "Seen in the store.", "links": []})
    with pytest.raises(ValueError) as error:
        starter_parse(data)
    assert str(error.value) == (
        "Starter app 'daylio', question 'platforms': a filled answer needs at least one https link."
    )


def test_a_link_that_is_not_https_is_refused():
    data = one_app(
        platforms={"value": ["ios"], "evidence": "Seen.", "links": ["http://example.org/app"]}
    )
    with pytest.raises(ValueError) as error:
        starter_parse(data)
    assert str(error.value) == (
        "Starter app 'daylio', question 'platforms': links must be a list of https addresses."
    )


def test_a_filled_answer_without_an_evidence_note_is_refused():
    data = one_app(platforms={"value": ["ios"], "links": ["https://example.org/app"]})
    with pytest.raises(ValueError) as error:
        starter_parse(data)
    assert str(error.value) == (
        "Starter app 'daylio', question 'platforms': a filled answer needs an evidence note."
    )


def test_an_unknown_answer_with_a_value_is_refused():
    data = one_app(evidence={"unknown": True, "value": "trials"})
    with pytest.raises(ValueError) as error:
        starter_parse(data)
    assert str(error.value) == (
        "Starter app 'daylio', question 'evidence': an answer marked unknown has no value."
    )


def test_a_missing_question_is_refused():
    data = one_app()
    del data["apps"][0]["answers"]["languages"]
    with pytest.raises(ValueError) as error:
        starter_parse(data)
    assert str(error.value) == "Starter app 'daylio', question 'languages': not answered."


def test_an_invalid_value_is_refused():
    data = one_app(cost={"value": "cheap", "evidence": "Seen.", "links": ["https://example.org"]})
    with pytest.raises(ValueError) as error:
        starter_parse(data)
    assert str(error.value) == (
        "Starter app 'daylio', question 'cost': What does it cost?: 'cheap' is not one of "
        "free, freemium, subscription, paid, unknown."
    )


def test_choosing_unknown_as_a_filled_value_is_refused():
    data = one_app(cost={"value": "unknown", "evidence": "Seen.", "links": ["https://example.org"]})
    with pytest.raises(ValueError) as error:
        starter_parse(data)
    assert str(error.value) == (
        "Starter app 'daylio', question 'cost': mark the answer unknown instead of choosing "
        "'unknown'."
    )


def test_a_question_that_does_not_exist_is_refused():
    data = one_app(stars={"value": "5", "evidence": "Seen.", "links": ["https://example.org"]})
    with pytest.raises(ValueError) as error:
        starter_parse(data)
    assert str(error.value) == "Starter app 'daylio': 'stars' is not a question."


def test_a_slug_used_twice_is_refused():
    data = one_app()
    data["apps"].append(copy.deepcopy(data["apps"][0]))
    with pytest.raises(ValueError) as error:
        starter_parse(data)
    assert str(error.value) == "Starter app 'daylio': the slug is used twice."


def test_a_file_with_a_wrong_value_is_refused_by_starter_load(tmp_path: Path):
    path = tmp_path / "starter.json"
    data = one_app(goals={"value": ["flying"], "evidence": "Seen.", "links": ["https://x.org"]})
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError) as error:
        starter_load(path)
    assert str(error.value) == (
        "Starter app 'daylio', question 'goals': Which therapeutic goals does it support?: "
        "'flying' is not one of mood, low_mood, anxiety, sleep, relaxation, trauma, symptoms, "
        "cbt_skills, safety, habits."
    )


# --- (c) idempotent ----------------------------------------------------------------------------
@pytest.mark.django_db
def test_syncing_again_changes_nothing():
    starters = CatalogApp.objects.filter(practice__isnull=True)
    before_apps = {a.slug: (a.pk, a.updated_at) for a in starters}
    before_answers = sorted(
        EvaluationAnswer.objects.filter(app__practice__isnull=True).values_list("pk", flat=True)
    )
    assert len(before_apps) == 13
    assert len(before_answers) == 13 * 23

    assert sync() == 0
    assert sync() == 0

    assert {a.slug: (a.pk, a.updated_at) for a in starters.all()} == before_apps
    assert (
        sorted(
            EvaluationAnswer.objects.filter(app__practice__isnull=True).values_list("pk", flat=True)
        )
        == before_answers
    )


@pytest.mark.django_db
def test_sync_repairs_what_differs_from_the_file_and_creates_no_duplicates():
    daylio = CatalogApp.objects.get(practice__isnull=True, slug="daylio")
    daylio.name = "Daylio (edited)"
    daylio.platforms = []
    daylio.save()
    daylio.answers.filter(question="platforms").delete()
    CatalogApp.objects.filter(practice__isnull=True, slug="woebot").delete()

    assert sync() == 2

    daylio.refresh_from_db()
    assert daylio.name == "Daylio"
    assert daylio.platforms == ["ios", "android"]
    assert daylio.answers.get(question="platforms").value == ["ios", "android"]
    assert CatalogApp.objects.filter(practice__isnull=True).count() == 13
    assert EvaluationAnswer.objects.filter(app__practice__isnull=True).count() == 13 * 23
    assert sync() == 0


@pytest.mark.django_db
def test_sync_follows_a_changed_file(tmp_path: Path):
    data = raw_file()
    data["apps"][0]["summary"] = "A mood diary."
    data["apps"][0]["answers"]["languages"] = {
        "value": "English and others",
        "evidence": "Seen in the store listing.",
        "links": ["https://example.org/daylio"],
    }
    path = tmp_path / "starter.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    assert starter_sync(app_model=CatalogApp, answer_model=EvaluationAnswer, path=path) == 1

    daylio = CatalogApp.objects.get(practice__isnull=True, slug="daylio")
    assert daylio.summary == "A mood diary."
    languages = daylio.answers.get(question="languages")
    assert (languages.value, languages.unknown, languages.links) == (
        "English and others",
        False,
        ["https://example.org/daylio"],
    )
    assert daylio.answers.count() == 23
    assert starter_sync(app_model=CatalogApp, answer_model=EvaluationAnswer, path=path) == 0


# --- (d) facets follow the answers ------------------------------------------------------------
@pytest.mark.django_db
def test_daylio_facets():
    daylio = CatalogApp.objects.get(practice__isnull=True, slug="daylio")
    assert (
        daylio.name,
        daylio.importer,
        daylio.available,
        daylio.platforms,
        daylio.cost,
        daylio.goals,
        daylio.evidence,
        daylio.privacy,
        daylio.reviewed_on,
    ) == (
        "Daylio",
        "daylio",
        True,
        ["ios", "android"],
        "freemium",
        ["mood", "habits"],
        "unknown",
        "unknown",  # policy readable and no account, but selling and deletion not confirmed
        REVIEWED_ON,
    )


@pytest.mark.django_db
def test_calm_facets():
    calm = CatalogApp.objects.get(practice__isnull=True, slug="calm")
    assert (
        calm.importer,
        calm.available,
        calm.platforms,
        calm.cost,
        calm.goals,
        calm.evidence,
        calm.privacy,
    ) == (
        "",
        True,
        ["ios", "android", "web"],
        "unknown",
        ["sleep", "relaxation"],
        "trials",
        "concerns",
    )


@pytest.mark.django_db
def test_woebot_is_marked_unavailable_with_its_source():
    woebot = CatalogApp.objects.get(practice__isnull=True, slug="woebot")
    assert woebot.available is False
    answer = woebot.answers.get(question="available")
    assert (answer.value, answer.unknown) == ("no", False)
    assert answer.links == [
        "https://healthcare-url.blogspot.com/2025/07/what-therapy-bot-shutdown-says-about-ai.html",
        "https://scitke.com/therapy-shock-groundbreaking-mental-health-chatbot-to-shut-down",
    ]


# --- (e) importers ----------------------------------------------------------------------------
def test_every_importer_is_an_import_source():
    importers = {e["slug"]: e["importer"] for e in starter_load() if e["importer"]}
    assert importers == {
        "daylio": ImportSource.DAYLIO.value,
        "bearable": ImportSource.BEARABLE.value,
        "apple-health": ImportSource.APPLE_HEALTH.value,
    }
    assert set(importers.values()) <= set(ImportSource.values)
