"""CORE-10 definition version 2: the published bands (11-14 mild, 15-19 moderate, 20-24
moderate-to-severe, 25+ severe), one missing item prorated (mean of the other nine x 10, rounded
half up to a whole point), and stored version-1 results re-banded by a recorded migration."""

from __future__ import annotations

import importlib
import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from interlude.measures.instruments import shipped_definition
from interlude.measures.models import QuestionnaireResponse
from interlude.measures.scoring import score
from tests.factories import clinician_with_client

# Items 2 and 3 are reverse-scored: answering them 4 scores 0.
REVERSED = (2, 3)


def answers_for(total: int) -> list[int | None]:
    """Ten answers whose CORE-10 total (after reverse scoring) is `total`."""
    answers: list[int | None] = [0] * 10
    for number in REVERSED:
        answers[number - 1] = 4
    left = total
    for index in range(10):
        step = min(4, left)
        if index + 1 in REVERSED:
            answers[index] = 4 - step
        else:
            answers[index] = step
        left -= step
    assert left == 0
    return answers


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (10, "low"),
        (11, "mild"),
        (14, "mild"),
        (15, "moderate"),
        (19, "moderate"),
        (20, "moderately_severe"),
        (24, "moderately_severe"),
        (25, "severe"),
    ],
)
def test_every_band_boundary(total, band):
    result = score(shipped_definition("core10"), answers_for(total))
    assert (result.total, result.band.code if result.band else None) == (float(total), band)


@pytest.mark.parametrize(
    ("nine_sum", "prorated_total", "band"),
    [
        (13, 14.0, "mild"),  # 13 x 10 / 9 = 14.44 -> 14
        (14, 16.0, "moderate"),  # 15.56 -> 16
        (18, 20.0, "moderately_severe"),  # exactly 20
        (0, 0.0, "healthy"),
        (36, 40.0, "severe"),
    ],
)
def test_one_missing_item_is_prorated_from_the_other_nine_rounded_half_up(
    nine_sum, prorated_total, band
):
    # Item 10 missing; items 2 and 3 answered 4 (scoring 0), the other seven carry the sum.
    answers: list[int | None] = [0, 4, 4, 0, 0, 0, 0, 0, 0, None]
    left = nine_sum
    for index in (0, 3, 4, 5, 6, 7, 8, 1, 2):
        step = min(4, left)
        answers[index] = (4 - step) if index + 1 in REVERSED else step
        left -= step
    assert left == 0
    result = score(shipped_definition("core10"), answers)
    assert result.prorated is True
    assert result.complete is False
    assert result.missing_items == (10,)
    assert result.total == prorated_total
    assert result.band is not None and result.band.code == band


def test_two_missing_items_give_no_score():
    answers: list[int | None] = [2, 2, 2, 2, 2, 2, 2, 2, None, None]
    result = score(shipped_definition("core10"), answers)
    assert (result.total, result.band, result.scorable, result.prorated) == (
        None,
        None,
        False,
        False,
    )
    assert result.missing_items == (9, 10)


def _stored_v1(client, total: float | None, band_code: str, band_label: str, model=None):
    model = model or QuestionnaireResponse
    return model.objects.create(
        public_id=uuid.uuid4(),
        practice_id=client.practice_id,
        client_id=client.pk,
        created_by_id=client.user_id,
        updated_by_id=client.user_id,
        instrument_code="core10",
        instrument_version="1",
        answers=[0] * 10,
        idempotency_key=uuid.uuid4().hex,
        total=total,
        band_code=band_code,
        band_label=band_label,
        complete=total is not None,
        scoring_meta={"definition_version": "1", "band_preset": ""},
    )


@pytest.mark.django_db
def test_the_reband_function_gives_an_old_moderate_15_its_new_band_and_records_it():
    migration = importlib.import_module("interlude.measures.migrations.0005_core10_reband")
    _m, client = clinician_with_client()
    row = _stored_v1(client, 15.0, "mild", "Mild")
    assert migration.reband_row(row) is True
    assert (row.band_code, row.band_label, row.instrument_version) == ("moderate", "Moderate", "2")
    assert row.scoring_meta["definition_version"] == "2"
    assert row.scoring_meta["rebanded_from"]["band_code"] == "mild"
    assert row.scoring_meta["rebanded_from"]["definition_version"] == "1"
    assert migration.reband_row(row) is False  # version 2 already: nothing to do


@pytest.mark.django_db(transaction=True)
def test_the_migration_rebands_stored_version_1_results_and_leaves_others():
    executor = MigrationExecutor(connection)
    before = [("measures", "0004_questionnaire_draft")]
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    Old = old_apps.get_model("measures", "QuestionnaireResponse")
    _m, client = clinician_with_client()
    old_bands = {
        10: ("low", "Low"),
        11: ("mild", "Mild"),
        14: ("mild", "Mild"),
        15: ("mild", "Mild"),
        16: ("moderate", "Moderate"),
        19: ("moderate", "Moderate"),
        20: ("moderate", "Moderate"),
        24: ("moderately_severe", "Moderately severe"),
        25: ("moderately_severe", "Moderately severe"),
        26: ("severe", "Severe"),
    }
    ids = {
        total: _stored_v1(client, float(total), *band, model=Old).public_id
        for total, band in old_bands.items()
    }
    incomplete = _stored_v1(client, None, "", "", model=Old).public_id

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("measures"))

    new = {
        total: QuestionnaireResponse.objects.get(public_id=public_id)
        for total, public_id in ids.items()
    }
    assert {total: r.band_code for total, r in new.items()} == {
        10: "low",
        11: "mild",
        14: "mild",
        15: "moderate",
        16: "moderate",
        19: "moderate",
        20: "moderately_severe",
        24: "moderately_severe",
        25: "severe",
        26: "severe",
    }
    assert {r.instrument_version for r in new.values()} == {"2"}
    assert new[15].band_label == "Moderate"
    assert new[15].scoring_meta["rebanded_from"]["band_code"] == "mild"
    assert new[15].scoring_meta["rebanded_from"]["by"] == "measures.0005_core10_reband"
    assert new[15].total == 15.0  # totals stay
    assert new[15].answers == [0] * 10  # the encrypted answers still decrypt
    gone = QuestionnaireResponse.objects.get(public_id=incomplete)
    assert (gone.band_code, gone.instrument_version) == ("", "2")
