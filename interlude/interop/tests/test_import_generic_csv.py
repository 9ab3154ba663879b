"""A spreadsheet from any app, read through the client's column mapping (CLINICAL.md 7.3)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from interlude.interop.canonical import (
    ImportFileError,
    MoodEntry,
    ParseOptions,
    Reading,
    Unreadable,
)
from interlude.interop.enums import StagedKind
from interlude.interop.importers import generic_csv

SAMPLES = Path(__file__).parent / "samples"

MOODLOG = {
    "date": "Datum",
    "date_format": "%d.%m.%Y",
    "time": "Uhrzeit",
    "value": "Stimmung",
    "value_kind": "mood",
    "scale_min": 1,
    "scale_max": 10,
    "tags": "Tags",
    "tag_separator": ",",
    "note": "Notiz",
}
STEPS = {"date": "Date", "date_format": "%m/%d/%Y", "value": "Steps", "value_kind": "steps"}
SLEEP = {
    "date": "start",
    "date_format": "%Y-%m-%d %H:%M",
    "value": "hours",
    "value_kind": "sleep_hours",
}


def _parse(name: str | Path, mapping: dict) -> list:
    path = name if isinstance(name, Path) else SAMPLES / name
    return list(generic_csv.parse(path, options=ParseOptions(mapping=mapping)))


def test_read_columns_gives_headers_and_sample_rows():
    headers, rows = generic_csv.read_columns(SAMPLES / "generic_moodlog.csv", max_rows=2)
    assert headers == ["Datum", "Uhrzeit", "Stimmung", "Tags", "Notiz"]  # BOM removed
    assert rows == [
        ["02.03.2026", "08:15", "6", "Arbeit, Kaffee", "Ganz okay"],
        ["02.03.2026", "21:40", "7,5", "Sport, Freunde", ""],
    ]
    headers, rows = generic_csv.read_columns(SAMPLES / "generic_steps.csv")
    assert headers == ["Date", "Steps", "Distance (km)"]
    assert len(rows) == 4
    assert generic_csv.read_columns(SAMPLES / "generic_steps.csv", max_rows=0)[1] == []


def test_mood_log_with_semicolons_decimal_comma_and_tags():
    items = _parse("generic_moodlog.csv", MOODLOG)
    assert [type(item).__name__ for item in items] == ["MoodEntry"] * 3 + ["Unreadable"] * 2
    first, second, third = items[:3]
    assert (first.line, first.when, first.mood_value, first.activities, first.note) == (
        2,
        datetime(2026, 3, 2, 8, 15),
        6.0,
        ("Arbeit", "Kaffee"),
        "Ganz okay",
    )
    assert (first.scale_min, first.scale_max, first.mood_label) == (1, 10, "6")
    assert (second.mood_value, second.mood_label) == (7.5, "7,5")
    assert second.activities == ("Sport", "Freunde")
    # No time written: noon, local time (an assumption).
    assert third.when == datetime(2026, 3, 3, 12, 0)
    assert third.activities == ()
    assert first.original == {
        "Datum": "02.03.2026",
        "Uhrzeit": "08:15",
        "Stimmung": "6",
        "Tags": "Arbeit, Kaffee",
        "Notiz": "Ganz okay",
    }
    assert items[3] == Unreadable(line=5, message="Stimmung “11” is outside the scale 1 to 10.")
    assert items[4] == Unreadable(
        line=6, message="Datum “31.02.2026” is not a date written as 02.03.2026."
    )


def test_steps():
    items = _parse("generic_steps.csv", STEPS)
    readings = [item for item in items if isinstance(item, Reading)]
    assert [(r.line, r.when, r.value, r.staged_kind, r.observation_kind) for r in readings] == [
        (2, datetime(2026, 3, 1, 12, 0), 8532.0, StagedKind.STEPS, "steps"),
        (3, datetime(2026, 3, 2, 12, 0), 12044.0, StagedKind.STEPS, "steps"),
        (5, datetime(2026, 3, 4, 12, 0), 3120.0, StagedKind.STEPS, "steps"),
    ]
    assert readings[0].original == "8532"
    assert items[2] == Unreadable(
        line=4, message="Steps “-5” is not a whole number of steps from 0 to 200,000."
    )
    # A day's steps are identified by the day: a later export of the same day is a duplicate.
    assert readings[0].key == "2026-03-01T12:00|steps"


def test_sleep_with_time_in_the_date_column():
    items = _parse("generic_sleep.csv", SLEEP)
    assert [(i.line, i.when, i.value, i.staged_kind) for i in items[:2]] == [
        (2, datetime(2026, 3, 1, 23, 10), 7.25, StagedKind.SLEEP),
        (3, datetime(2026, 3, 2, 23, 45), 6.5, StagedKind.SLEEP),
    ]
    assert items[2] == Unreadable(
        line=4, message="hours “25” is not a number of hours from 0 to 24."
    )


@pytest.mark.parametrize(("kind", "expected"), [("energy", 3.0), ("anxiety", 3.0)])
def test_energy_and_anxiety_become_0_to_10(tmp_path, kind, expected):
    path = tmp_path / "levels.csv"
    path.write_text("day,level\n2026-03-02,2\n2026-03-03,5\n2026-03-04,0\n", encoding="utf-8")
    mapping = {
        "date": "day",
        "date_format": "%Y-%m-%d",
        "value": "level",
        "value_kind": kind,
        "scale_min": 1,
        "scale_max": 5,
    }
    items = _parse(path, mapping)
    assert [(item.observation_kind, item.value, item.original) for item in items[:2]] == [
        (kind, expected, "2"),
        (kind, 10.0, "5"),
    ]
    assert all(item.staged_kind == StagedKind.MEASUREMENT for item in items[:2])
    assert items[2] == Unreadable(line=4, message="level “0” is outside the scale 1 to 5.")


def test_keys_are_stable_and_distinct():
    for name, mapping in (
        ("generic_moodlog.csv", MOODLOG),
        ("generic_steps.csv", STEPS),
        ("generic_sleep.csv", SLEEP),
    ):
        keys = [item.key for item in _parse(name, mapping) if not isinstance(item, Unreadable)]
        assert keys == [i.key for i in _parse(name, mapping) if not isinstance(i, Unreadable)]
        assert len(keys) == len(set(keys))


def test_column_names_match_ignoring_case_and_spaces(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(" DATE ,Mood Score\n2026-03-02,4\n", encoding="utf-8")
    mapping = {
        "date": "date",
        "date_format": "%Y-%m-%d",
        "value": "mood score",
        "value_kind": "mood",
        "scale_min": 1,
        "scale_max": 5,
    }
    assert generic_csv.mapping_errors(mapping, [" DATE ", "Mood Score"]) == {}
    [entry] = _parse(path, mapping)
    assert isinstance(entry, MoodEntry)
    assert entry.mood_value == 4.0


def test_twelve_hour_time_column(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Date,Time,Mood\n03/02/2026,8:30 PM,3\n", encoding="utf-8")
    mapping = {
        "date": "Date",
        "date_format": "%m/%d/%Y",
        "time": "Time",
        "value": "Mood",
        "value_kind": "mood",
        "scale_min": 1,
        "scale_max": 5,
    }
    [entry] = _parse(path, mapping)
    assert entry.when == datetime(2026, 3, 2, 20, 30)


def test_mapping_errors_valid_mapping():
    headers = ["Datum", "Uhrzeit", "Stimmung", "Tags", "Notiz"]
    assert generic_csv.mapping_errors(MOODLOG, headers) == {}
    assert generic_csv.mapping_errors(STEPS, ["Date", "Steps", "Distance (km)"]) == {}


def test_mapping_errors_name_each_field():
    headers = ["Date", "Date", "Mood", "Note"]
    errors = generic_csv.mapping_errors(
        {
            "date": "Date",
            "date_format": "%Y/%d",
            "time": "Clock",
            "value": "",
            "value_kind": "happiness",
            "tags": "Tags",
            "note": "Note",
        },
        headers,
    )
    assert errors == {
        "date": "This file has 2 columns called “Date”: rename one of them.",
        "value": "Choose a column.",
        "date_format": "Choose how the dates are written.",
        "time": "This file has no column called “Clock”.",
        "tags": "This file has no column called “Tags”.",
        "value_kind": "Choose what the numbers are (mood, energy, anxiety, sleep, steps).",
    }


def test_mapping_errors_scales_and_time_in_date():
    headers = ["When", "Time", "Mood"]
    base = {"date": "When", "date_format": "%Y-%m-%d", "value": "Mood", "value_kind": "mood"}
    assert generic_csv.mapping_errors(base, headers) == {
        "scale_min": "Give the lowest number of the scale.",
        "scale_max": "Give the highest number of the scale.",
    }
    assert generic_csv.mapping_errors({**base, "scale_min": 5, "scale_max": 5}, headers) == {
        "scale_max": "The highest number must be above the lowest."
    }
    assert generic_csv.mapping_errors({**base, "scale_min": True, "scale_max": 5}, headers) == {
        "scale_min": "Give the lowest number of the scale."
    }
    with_time = {**base, "date_format": "%Y-%m-%d %H:%M", "time": "Time", "scale_min": 1}
    assert generic_csv.mapping_errors({**with_time, "scale_max": 5}, headers) == {
        "time": "The dates already include the time: leave the time column empty."
    }
    same = {**base, "scale_min": 1, "scale_max": 5, "note": "Mood"}
    assert generic_csv.mapping_errors(same, headers) == {
        "value": "Each column can be used for one thing only."
    }
    tags = {**base, "scale_min": 1, "scale_max": 5, "tags": "Time", "tag_separator": ""}
    assert generic_csv.mapping_errors(tags, headers) == {}  # "" or None: the default ","
    tags = {**tags, "tag_separator": ["|"]}
    assert generic_csv.mapping_errors(tags, headers) == {
        "tag_separator": "Give the character that separates the tags, like “,”."
    }


def test_every_documented_date_format_reads_its_example():
    for date_format, example in generic_csv.DATE_FORMATS.items():
        assert datetime.strptime(example, date_format).date() == datetime(2026, 3, 2).date()


def test_parse_without_a_mapping_is_refused():
    with pytest.raises(ImportFileError) as caught:
        _parse("generic_steps.csv", {})
    assert caught.value.message.startswith("Match the spreadsheet's columns first")


def test_a_mapping_for_another_file_is_refused():
    with pytest.raises(ImportFileError) as caught:
        _parse("generic_sleep.csv", STEPS)
    assert caught.value.message == (
        "The column matching does not fit this file. This file has no column called “Date”. "
        "Match the columns again."
    )
