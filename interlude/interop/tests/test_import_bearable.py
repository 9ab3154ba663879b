"""Bearable's CSV export: both header generations, ordinal dates, part-of-day tokens and what each
category becomes (CLINICAL.md 7.2)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest

from interlude.interop.canonical import (
    ImportFileError,
    MoodEntry,
    ParseOptions,
    Reading,
    Skipped,
    Unreadable,
)
from interlude.interop.enums import StagedKind
from interlude.interop.importers import bearable
from interlude.interop.importers.csvfile import BEARABLE_GENERATIONS

SAMPLES = Path(__file__).parent / "samples"
OPTIONS = ParseOptions()
OLD = "date,weekday,time of day,category,rating/amount,detail,notes\n"
NEW = "date,date formatted,weekday,time of day,category,rating/amount,detail,notes\n"


def _read(name: str, options: ParseOptions = OPTIONS) -> list:
    return list(bearable.parse(SAMPLES / name, options=options))


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bearable-export-05-01-2024.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_older_generation_sample():
    items = _read("bearable_2021.csv")
    assert Counter(type(item).__name__ for item in items) == {
        "MoodEntry": 5,
        "Reading": 9,  # 4 symptoms + 5 factor labels
        "Skipped": 3,
    }
    moods = [item for item in items if isinstance(item, MoodEntry)]
    assert [(m.line, m.when, m.mood_value, m.activities) for m in moods] == [
        (2, datetime(2021, 3, 14, 3, 0), 6.0, ("Meh", "Anxious")),
        (11, datetime(2021, 3, 15, 9, 53), 5.0, ("Anxious", "Hopeful")),
        (12, datetime(2021, 3, 15, 23, 20), 8.0, ("Happy", "Grateful")),
        (13, datetime(2021, 4, 1, 12, 30), 7.0, ()),
        (15, datetime(2021, 4, 3, 0, 44), 4.0, ("Bored", "Meh")),
    ]
    assert all((m.scale_min, m.scale_max) == (1, 10) for m in moods)
    assert moods[0].mood_label == "6"
    assert moods[1].note == "Exam in an hour"
    assert moods[0].original["time of day"] == "03:00"

    symptoms = [i for i in items if isinstance(i, Reading) and i.observation_kind == "symptom"]
    assert [(s.line, s.when, s.label, s.value) for s in symptoms] == [
        (3, datetime(2021, 3, 14, 6, 0), "Headache", 1.0),  # pre
        (4, datetime(2021, 3, 14, 13, 0), "Back (lower) pain", 2.0),  # mid
        (5, datetime(2021, 3, 14, 19, 0), "Anxiety", 3.0),  # pm
        (14, datetime(2021, 4, 2, 19, 0), "Depression", 1.0),
    ]
    assert symptoms[0].original == "1 Headache (Mild) (pre)"
    assert all(s.staged_kind == StagedKind.MEASUREMENT for s in symptoms)

    factors = [i for i in items if isinstance(i, Reading) and i.observation_kind == "factor"]
    assert [(f.line, f.when, f.label, f.value) for f in factors] == [
        (6, datetime(2021, 3, 14, 9, 0), "Low screen time", 1.0),  # am
        (6, datetime(2021, 3, 14, 9, 0), "With family", 1.0),
        (6, datetime(2021, 3, 14, 9, 0), "Walk", 1.0),
        (7, datetime(2021, 3, 14, 12, 0), "Quiet day", 1.0),  # all day
        (7, datetime(2021, 3, 14, 12, 0), "Little social contact", 1.0),
    ]
    assert factors[3].original == "Quiet day (all day)"

    skipped = [item for item in items if isinstance(item, Skipped)]
    assert [(s.line, s.reason) for s in skipped] == [
        (8, "Meds/Supplements"),
        (9, "Food Diary factors"),
        (10, "Gratitudes"),
    ]


def test_newer_generation_sample_with_every_category():
    items = _read("bearable_2024.csv")
    by_line: dict[int, list] = {}
    for item in items:
        by_line.setdefault(item.line, []).append(item)
    assert sorted(by_line) == list(range(2, 19))

    [mood] = by_line[2]
    assert isinstance(mood, MoodEntry)
    assert (mood.when, mood.mood_value, mood.activities, mood.note) == (
        datetime(2024, 1, 5, 8, 12),
        7.0,
        ("Calm", "Hopeful"),
        "Slept well for once",
    )
    assert mood.original["date formatted"] == "2024-01-05"

    [energy] = by_line[3]
    assert (energy.staged_kind, energy.observation_kind, energy.value, energy.original) == (
        StagedKind.MEASUREMENT,
        "energy",
        8.0,  # 4 on 1-5 is 7.5 on 0-10, halves rounded up
        "4 (am)",
    )
    assert energy.when == datetime(2024, 1, 5, 9, 0)

    [sleep] = by_line[4]
    assert (sleep.staged_kind, sleep.observation_kind, sleep.value) == (
        StagedKind.SLEEP,
        "sleep_hours",
        7.5,  # "7h 30m"
    )
    assert sleep.when == datetime(2024, 1, 5, 6, 0)
    assert sleep.original == "7h 30m (pre)"

    [quality] = by_line[5]
    assert (quality.observation_kind, quality.value) == ("sleep_quality", 4.0)

    [migraine] = by_line[6]
    # "(Unbearable)" with a 2 beside it: the suffix wins.
    assert (migraine.label, migraine.value) == ("Migraine", 3.0)
    [nausea] = by_line[7]
    assert (nausea.label, nausea.value, nausea.when) == ("Nausea", 1.0, datetime(2024, 1, 5, 19))

    assert [(f.label, f.value, f.when) for f in by_line[8]] == [
        ("Exercise", 1.0, datetime(2024, 1, 5, 12, 0)),
        ("Sunlight", 1.0, datetime(2024, 1, 5, 12, 0)),
        ("Work", 1.0, datetime(2024, 1, 5, 12, 0)),
    ]
    assert [by_line[line][0] for line in range(9, 15)] == [
        Skipped(line=9, reason="Meds/Supplements"),
        Skipped(line=10, reason="Food Diary factors"),
        Skipped(line=11, reason="Gratitudes"),
        Skipped(line=12, reason="Bowel movements"),
        Skipped(line=13, reason="Health measurements"),
        Skipped(line=14, reason="Water intake"),  # the client's own tracker
    ]
    assert by_line[15][0].value == 6.75  # "6:45"
    assert by_line[16][0].value == 3.0  # energy 2 on 1-5 → 2.5 → 3
    assert by_line[17][0].mood_value == 3.0
    assert by_line[18][0].value == 8.5
    assert by_line[18][0].when == datetime(2024, 1, 7, 6, 0)


def test_scales_come_from_the_options():
    options = ParseOptions(scales={"mood": (0, 10), "energy": (1, 10)})
    items = _read("bearable_2024.csv", options)
    mood = next(item for item in items if isinstance(item, MoodEntry))
    assert (mood.scale_min, mood.scale_max) == (0, 10)
    energy = next(i for i in items if isinstance(i, Reading) and i.observation_kind == "energy")
    assert energy.value == 3.0  # 4 on 1-10 → 3.33 → 3


def test_keys_are_stable_and_distinct():
    for name in ("bearable_2021.csv", "bearable_2024.csv"):
        keys = [item.key for item in _read(name) if not isinstance(item, Skipped | Unreadable)]
        assert keys == [item.key for item in _read(name) if hasattr(item, "key")]
        assert len(keys) == len(set(keys))
    first = _read("bearable_2021.csv")[0]
    assert first.key == "2021-03-14|03:00|Mood|Meh | Anxious|6"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("22nd Sep 2020", date(2020, 9, 22)),
        ("1st Dec 2020", date(2020, 12, 1)),
        ("3rd Apr 2021", date(2021, 4, 3)),
        ("11th Nov 2020", date(2020, 11, 11)),
        ("5 September 2021", date(2021, 9, 5)),
        ("31st Feb 2021", None),
        ("Sep 22 2020", None),
        ("", None),
    ],
)
def test_ordinal_dates(written, expected):
    assert bearable.parse_ordinal_date(written) == expected


@pytest.mark.parametrize(
    ("written", "hours"),
    [("7.5", 7.5), ("7,5", 7.5), ("7:30", 7.5), ("7h 30m", 7.5), ("8h", 8.0), ("45m", 0.75)],
)
def test_sleep_hours(written, hours):
    assert bearable.parse_hours(written) == hours


def test_part_of_day_tokens_and_clock_times(tmp_path):
    rows = [
        ("pre", datetime(2020, 9, 22, 6, 0)),
        ("AM", datetime(2020, 9, 22, 9, 0)),
        ("mid", datetime(2020, 9, 22, 13, 0)),
        ("pm", datetime(2020, 9, 22, 19, 0)),
        ("all day", datetime(2020, 9, 22, 12, 0)),
        ("3:04", datetime(2020, 9, 22, 3, 4)),
        ("23:21", datetime(2020, 9, 22, 23, 21)),
    ]
    text = OLD + "".join(
        f'"22nd Sep 2020","Tuesday","{token}","Mood","{n}","",""\n'
        for n, (token, _) in enumerate(rows, start=1)
    )
    items = list(bearable.parse(_write(tmp_path, text), options=OPTIONS))
    assert [item.when for item in items] == [when for _, when in rows]
    assert bearable.PART_OF_DAY["all day"].hour == 12


def test_iso_date_formatted_is_preferred_and_ordinal_is_the_fallback(tmp_path):
    text = (
        NEW
        + '"22nd Sep 2020","2020-09-22","Tuesday","21:00","Mood","5","",""\n'
        + '"23rd Sep 2020","","Wednesday","21:00","Mood","5","",""\n'
        + '"24th Sep 2020","24/09/2020","Thursday","21:00","Mood","5","",""\n'
    )
    items = list(bearable.parse(_write(tmp_path, text), options=OPTIONS))
    assert [item.when.date() for item in items] == [
        date(2020, 9, 22),
        date(2020, 9, 23),
        date(2020, 9, 24),
    ]


def test_unreadable_lines(tmp_path):
    text = (
        OLD
        + '"32nd Sep 2020","Tuesday","21:00","Mood","5","","private words"\n'
        + '"22nd Sep 2020","Tuesday","evening","Mood","5","",""\n'
        + '"22nd Sep 2020","Tuesday","21:00","Mood","11","",""\n'
        + '"22nd Sep 2020","Tuesday","21:00","Energy","0","",""\n'
        + '"22nd Sep 2020","Tuesday","pre","Sleep","30","",""\n'
        + '"22nd Sep 2020","Tuesday","pre","Sleep quality","7","",""\n'
        + '"22nd Sep 2020","Tuesday","pm","Symptom","5","Stress",""\n'
        + '"22nd Sep 2020","Tuesday","pm","","","",""\n'
        + '"22nd Sep 2020","Tuesday","pm","Symptom","2","Stress"\n'
    )
    items = list(bearable.parse(_write(tmp_path, text), options=OPTIONS))
    assert all(isinstance(item, Unreadable) for item in items)
    assert [(item.line, item.message) for item in items] == [
        (2, "date “32nd Sep 2020” is not a date like “22nd Sep 2020”."),
        (
            3,
            "time of day “evening” is neither a time like “23:21” nor one of pre, am, mid, pm, "
            "all day.",
        ),
        (4, "rating/amount “11” of a Mood line is not a number from 1 to 10."),
        (5, "rating/amount “0” of an Energy line is not a number from 1 to 5."),
        (
            6,
            "rating/amount “30” of a Sleep line is not a number of hours from 0 to 24 (like "
            "“7.5”, “7:30” or “7h 30m”).",
        ),
        (7, "rating/amount “7” of a Sleep quality line is not a number from 1 to 5."),
        (
            8,
            "the detail of a Symptom line has no severity (Mild, Moderate, Severe or "
            "Unbearable) and rating/amount “5” is not 1, 2 or 3.",
        ),
        (9, "category is empty."),
        (10, "This line has 6 columns; the first line of the file has 7."),
    ]


def test_symptom_without_suffix_uses_a_number_from_1_to_3(tmp_path):
    text = OLD + '"22nd Sep 2020","Tuesday","pm","Symptom","2","Fatigue",""\n'
    [item] = list(bearable.parse(_write(tmp_path, text), options=OPTIONS))
    assert (item.label, item.value) == ("Fatigue", 2.0)


@pytest.mark.parametrize("columns", BEARABLE_GENERATIONS)
def test_header_only_yields_nothing(tmp_path, columns):
    assert list(bearable.parse(_write(tmp_path, ",".join(columns) + "\n"), options=OPTIONS)) == []


def test_daylio_file_is_refused_by_name():
    with pytest.raises(ImportFileError) as caught:
        list(bearable.parse(SAMPLES / "daylio_current.csv", options=OPTIONS))
    message = caught.value.message
    assert message.startswith("This looks like a Daylio export, not a Bearable export.")
    for columns in BEARABLE_GENERATIONS:
        assert ",".join(columns) in message


def test_other_csv_is_refused_naming_the_expected_headers():
    with pytest.raises(ImportFileError) as caught:
        list(bearable.parse(SAMPLES / "generic_sleep.csv", options=OPTIONS))
    assert caught.value.message.startswith("This does not look like a Bearable export")
    assert "date,weekday,time of day,category,rating/amount,detail,notes" in caught.value.message
