"""FHIR Bundle import: PHQ-9 and GAD-7 answers, steps, sleep and mood, skipped and unreadable
entries, and files that are not Bundles."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from interlude.interop.canonical import (
    Answers,
    ImportFileError,
    ParseOptions,
    Reading,
    Skipped,
    Unreadable,
)
from interlude.interop.enums import ImportSource, StagedKind
from interlude.interop.importers import parse_file
from interlude.interop.importers.fhir_bundle import MOOD_CODE_SYSTEM, parse

SAMPLE = Path(__file__).parent / "samples" / "fhir_bundle.json"
CET = timezone(timedelta(hours=1))


def _items(path: Path = SAMPLE):
    return list(parse(path, options=ParseOptions()))


def _write(tmp_path: Path, data) -> Path:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return path


def _bundle(*resources) -> dict:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": resource} for resource in resources],
    }


def _refused(path: Path) -> str:
    with pytest.raises(ImportFileError) as caught:
        list(parse(path, options=ParseOptions()))
    return caught.value.message


def test_sample_bundle_items_in_order():
    items = _items()
    assert [type(item).__name__ for item in items] == [
        "Skipped",
        "Answers",
        "Answers",
        "Skipped",
        "Answers",
        "Unreadable",
        "Unreadable",
        "Reading",
        "Reading",
        "Reading",
        "Skipped",
        "Unreadable",
        "Skipped",
    ]
    assert [item.line for item in items] == list(range(1, 14))


def test_phq9_by_panel_in_the_canonical_with_loinc_answer_codes():
    answers = _items()[1]
    assert answers == Answers(
        line=2,
        key="qr-phq-1|2026-02-03T09:30:00+01:00",
        when=datetime(2026, 2, 3, 9, 30, tzinfo=CET),
        instrument_code="phq9",
        answers=(1, 2, 0, 3, 1, 0, 2, 1, 1),
        original="qr-phq-1",
    )


def test_gad7_by_position_with_integer_answers():
    answers = _items()[2]
    assert answers.instrument_code == "gad7"
    assert answers.answers == (3, 2, 2, 1, 0, 1, 3)
    assert answers.when == datetime(2026, 2, 3, 9, 35, tzinfo=UTC)
    assert answers.key == "qr-gad-1|2026-02-03T09:35:00Z"


def test_phq9_through_the_bundles_questionnaire_codes_and_item_weights():
    answers = _items()[4]
    assert answers.instrument_code == "phq9"
    # The questionnaire lists the items in reverse order; the codes put them back.
    assert answers.answers == (0, 3, 3, 2, 2, 1, 1, 0, 0)
    assert answers.when == datetime(2026, 2, 17, 20, 0, tzinfo=timezone(timedelta(hours=-5)))


def test_unfinished_and_undated_responses_are_unreadable():
    items = _items()
    assert items[5] == Unreadable(
        line=6, message="Entry 6 is a questionnaire that was not finished (status in-progress)."
    )
    assert items[6] == Unreadable(
        line=7,
        message="Entry 7 has no time with a time zone (authored), so it cannot be dated.",
    )


def test_steps_sleep_and_mood_observations():
    steps, sleep, mood = _items()[7:10]
    assert steps == Reading(
        line=8,
        key="steps-1|2026-02-03T23:59:59+01:00",
        when=datetime(2026, 2, 3, 23, 59, 59, tzinfo=CET),
        staged_kind=StagedKind.STEPS,
        observation_kind="steps",
        value=8042.0,
        original="8042",
    )
    assert (sleep.kind, sleep.observation_kind, sleep.value, sleep.original) == (
        StagedKind.SLEEP,
        "sleep_hours",
        7.25,
        "435 min",
    )
    assert (mood.kind, mood.observation_kind, mood.value) == (StagedKind.MEASUREMENT, "mood", 6.0)
    assert mood.when == datetime(2026, 2, 4, 21, 0, tzinfo=CET)


def test_skipped_reasons():
    assert [item.reason for item in _items() if isinstance(item, Skipped)] == [
        "Patient",
        "Questionnaire",
        "Score without its answers",
        "Other observation",
    ]


def test_invalid_resource_names_the_entry_and_field_not_the_value():
    bad = _items()[11]
    assert bad == Unreadable(
        line=12,
        message="Entry 12 (Observation) is not valid FHIR: valueQuantity.value has the wrong form.",
    )
    assert "lots" not in bad.message


def test_invalid_questionnaire_response_field(tmp_path):
    response = {
        "resourceType": "QuestionnaireResponse",
        "id": "x",
        "questionnaire": "http://loinc.org/q/69737-5",
        "status": "completed",
        "authored": "2026-02-03T09:35:00Z",
        "item": [{"linkId": "1", "answer": [{"valueInteger": "three"}]}],
        "secretNote": "I feel awful",
    }
    (item,) = _items(_write(tmp_path, _bundle(response)))
    assert isinstance(item, Unreadable)
    assert item.line == 1
    assert item.message.startswith("Entry 1 (QuestionnaireResponse) is not valid FHIR: ")
    assert "awful" not in item.message and "three" not in item.message


def test_keys_are_stable_and_the_registry_finds_the_parser():
    assert _items() == list(
        parse_file(source=ImportSource.FHIR, path=SAMPLE, options=ParseOptions())
    )


def _phq(answers, **changes):
    resource = {
        "resourceType": "QuestionnaireResponse",
        "id": "r1",
        "questionnaire": "http://loinc.org/q/44249-1",
        "status": "completed",
        "authored": "2026-02-03T09:30:00+01:00",
        "item": [
            {"linkId": str(n), "answer": [{"valueInteger": v}]} for n, v in enumerate(answers, 1)
        ],
    }
    resource.update(changes)
    return resource


def test_out_of_scale_answer_is_unreadable(tmp_path):
    (item,) = _items(_write(tmp_path, _bundle(_phq([0, 1, 2, 3, 4, 0, 0, 0, 0]))))
    assert item == Unreadable(
        line=1, message="Entry 1, question 5: an answer outside the questionnaire's scale."
    )


def test_phq9_with_its_tenth_difficulty_item_and_numeric_codes(tmp_path):
    resource = _phq([1, 1, 1, 1, 1, 1, 1, 1, 0, 2])
    for item in resource["item"]:
        value = item["answer"][0].pop("valueInteger")
        item["answer"][0]["valueCoding"] = {"system": "https://example.org/s", "code": str(value)}
    (item,) = _items(_write(tmp_path, _bundle(resource)))
    assert item.answers == (1, 1, 1, 1, 1, 1, 1, 1, 0)


def test_wrong_number_of_items_is_unreadable(tmp_path):
    (item,) = _items(_write(tmp_path, _bundle(_phq([0, 1, 2]))))
    assert item == Unreadable(
        line=1, message="Entry 1: its items could not be matched to the PHQ9 questions."
    )


def test_unknown_questionnaire_is_skipped(tmp_path):
    resource = _phq([0, 1], questionnaire="https://example.org/Questionnaire/diet")
    (item,) = _items(_write(tmp_path, _bundle(resource)))
    assert item == Skipped(line=1, reason="Questionnaire Interlude does not score")


def test_mood_out_of_range_and_sleep_in_hours(tmp_path):
    mood = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": MOOD_CODE_SYSTEM, "code": "mood"}]},
        "effectiveDateTime": "2026-02-04T21:00:00+01:00",
        "valueQuantity": {"value": 11},
    }
    sleep = {
        "resourceType": "Observation",
        "id": "s",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "93832-4"}]},
        "effectiveDateTime": "2026-02-05",
        "valueQuantity": {"value": 6.5, "unit": "h"},
    }
    cancelled = copy.deepcopy(sleep) | {"status": "entered-in-error"}
    items = _items(_write(tmp_path, _bundle(mood, sleep, cancelled)))
    assert items[0] == Unreadable(line=1, message="Entry 1: a mood outside 0-10.")
    assert items[1].value == 6.5
    assert items[1].when == datetime(2026, 2, 5, 12, 0)  # a bare date: its noon, local
    assert items[2] == Skipped(line=3, reason="Cancelled or entered in error")


def test_entry_without_resource_is_unreadable(tmp_path):
    path = _write(tmp_path, {"resourceType": "Bundle", "type": "collection", "entry": [{"x": 1}]})
    assert _items(path) == [Unreadable(line=1, message="Entry 1 has no resource.")]


def test_wrong_resource_type_is_named(tmp_path):
    message = _refused(_write(tmp_path, {"resourceType": "Patient", "id": "p"}))
    assert message == "The file is a FHIR Patient, not a Bundle. Export a Bundle and upload that."


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[1, 2]", "The file is JSON but not a FHIR Bundle."),
        ('{"a": 1}', "The file is JSON but not a FHIR Bundle (it has no resourceType Bundle)."),
        (
            '{"resourceType": "<script>"}',
            "The file is JSON but not a FHIR Bundle (it has no resourceType Bundle).",
        ),
        (
            '{"resourceType": "Bundle",\n "entry": [',
            "The file is not a FHIR Bundle: its JSON is broken (line 2).",
        ),
        ("", "The file is empty."),
        (
            '{"resourceType": "Bundle", "entry": {}}',
            "The Bundle's entries are not a list, so it cannot be read.",
        ),
    ],
)
def test_not_a_bundle_is_refused(tmp_path, content, expected):
    assert _refused(_write(tmp_path, content)) == expected


def test_not_utf8_is_refused(tmp_path):
    path = tmp_path / "bundle.json"
    path.write_bytes(b'{"resourceType": "Bundle", "id": "\xff\xfe"}')
    assert _refused(path) == "The file is not a FHIR Bundle: it is not UTF-8 text."


def test_file_above_the_text_cap_is_refused(tmp_path, settings):
    settings.IMPORT_MAX_TEXT_BYTES = 100
    assert _refused(SAMPLE).startswith("The file is larger than Interlude accepts")
