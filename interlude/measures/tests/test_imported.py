"""Imported answer sets ([7]): scored like any other, marked as history (never compared, no live
alert even for a risk answer), never a live answer's baseline or previous, removed by undo, and
shown to the care team under "imported app data"."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from interlude.alerts.models import Alert
from interlude.consents.access import Category, access_client
from interlude.consents.sharing_services import sharing_update
from interlude.measures.change import Classification
from interlude.measures.models import EnteredBy, QuestionnaireResponse
from interlude.measures.selectors import imported_answers_problem, imported_keys_present
from interlude.measures.services import (
    IMPORTED_REASON,
    ImportedResponse,
    imported_responses_add,
    imported_responses_remove,
    response_submit,
)
from interlude.practices.enums import ShareScope
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)
RISK = [1, 1, 1, 1, 1, 1, 1, 1, 3]  # PHQ-9, total 11, item 9 ("better off dead") at 3


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _import(client, rows, import_id=None):
    return imported_responses_add(
        client=client,
        actor=client.user,
        import_id=import_id or uuid.uuid4(),
        source_app="fhir",
        source_file="bundle.json",
        rows=rows,
    )


def _phq9(key: str, answers, days_ago: int) -> ImportedResponse:
    return ImportedResponse(
        key=key,
        instrument_code="phq9",
        answers=answers,
        submitted_at=NOW - timedelta(days=days_ago),
    )


def test_an_imported_risk_answer_is_scored_flagged_as_history_and_raises_no_alert():
    _membership, client = clinician_with_client()
    import_id = uuid.uuid4()

    assert _import(client, [_phq9("a" * 64, RISK, 400)], import_id) == (1, 0)

    response = QuestionnaireResponse.objects.get(client=client)
    assert (response.entered_by, response.import_id, response.source_app, response.source_file) == (
        EnteredBy.IMPORT,
        import_id,
        "fhir",
        "bundle.json",
    )
    assert (response.total, response.band_code, response.complete) == (11.0, "moderate", True)
    assert response.is_critical
    assert response.flags[0]["item"] == 9
    assert (response.classification, response.classification_reason) == (
        Classification.NOT_AVAILABLE,
        IMPORTED_REASON,
    )
    assert response.baseline_id is None and response.change_from_previous is None
    assert response.submitted_at == NOW - timedelta(days=400)
    assert response.answers == RISK
    assert Alert.objects.count() == 0
    # The same answer set again: nothing new.
    assert _import(client, [_phq9("a" * 64, RISK, 400)]) == (0, 1)
    assert imported_keys_present(client=client, keys=["a" * 64, "b" * 64]) == {"a" * 64}


def test_the_same_risk_answer_given_live_does_raise_an_alert():
    _membership, client = clinician_with_client()
    response_submit(
        client=client, actor=client.user, instrument_code="phq9", answers=RISK, idempotency_key="k"
    )
    assert Alert.objects.filter(client=client).count() == 1


def test_a_live_answer_after_imported_ones_is_the_baseline():
    _membership, client = clinician_with_client()
    _import(
        client,
        [
            _phq9("a" * 64, [3] * 9, 300),
            _phq9("b" * 64, [2] * 9, 200),
        ],
    )
    first, _ = response_submit(
        client=client,
        actor=client.user,
        instrument_code="phq9",
        answers=[1] * 8 + [0],
        idempotency_key="live-1",
    )
    assert first.classification == Classification.BASELINE
    assert (first.baseline_id, first.change_from_previous, first.administration_number) == (
        None,
        None,
        1,
    )
    second, _ = response_submit(
        client=client,
        actor=client.user,
        instrument_code="phq9",
        answers=[0] * 9,
        idempotency_key="live-2",
    )
    assert (second.baseline_id, second.change_from_baseline, second.change_from_previous) == (
        first.pk,
        -8.0,
        -8.0,
    )
    assert second.administration_number == 2


def test_problems_with_imported_answers_are_named():
    _membership, client = clinician_with_client()
    assert imported_answers_problem(client=client, instrument_code="phq9", answers=RISK) == ""
    assert (
        imported_answers_problem(client=client, instrument_code="nope", answers=[1])
        == "This questionnaire is not one Interlude knows."
    )
    assert imported_answers_problem(client=client, instrument_code="phq9", answers=[4] * 9) != ""
    assert imported_answers_problem(client=client, instrument_code="phq9", answers=[1] * 3) != ""


def test_undo_removes_only_that_imports_answers():
    _membership, client = clinician_with_client()
    mine, other = uuid.uuid4(), uuid.uuid4()
    _import(client, [_phq9("a" * 64, RISK, 30), _phq9("b" * 64, RISK, 20)], mine)
    _import(client, [_phq9("c" * 64, RISK, 10)], other)
    response_submit(
        client=client,
        actor=client.user,
        instrument_code="phq9",
        answers=[0] * 9,
        idempotency_key="k",
    )
    assert imported_responses_remove(client=client, import_id=mine) == 2
    assert sorted(QuestionnaireResponse.objects.values_list("idempotency_key", flat=True)) == [
        "import:" + "c" * 64,
        "k",
    ]


def test_the_care_team_sees_imported_answers_only_with_imported_app_data_shared():
    membership, client = clinician_with_client()
    _import(client, [_phq9("a" * 64, [1] * 9, 30)])
    response_submit(
        client=client,
        actor=client.user,
        instrument_code="phq9",
        answers=[0] * 9,
        idempotency_key="k",
    )

    def seen() -> list[str]:
        care = access_client(
            user=membership.user, client_id=client.public_id, scope=Category.MEASURES
        )
        return sorted(
            care.scope(QuestionnaireResponse.objects.all(), Category.MEASURES).values_list(
                "entered_by", flat=True
            )
        )

    assert seen() == ["client", "import"]
    sharing_update(client=client, actor=client.user, categories={ShareScope.IMPORTS: False})
    assert seen() == ["client"]
