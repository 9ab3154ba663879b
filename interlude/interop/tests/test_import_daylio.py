"""Daylio's CSV export: every header generation, BOM, 12- and 24-hour times, localised and custom
mood names, activities, HTML notes, stable keys (CLINICAL.md 7.1)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from interlude.interop.canonical import (
    ImportFileError,
    MoodEntry,
    ParseOptions,
    Unreadable,
    record_from_json,
    record_to_json,
)
from interlude.interop.enums import ImportSource, StagedKind
from interlude.interop.importers import daylio, parse_file
from interlude.interop.importers.csvfile import DAYLIO_GENERATIONS

SAMPLES = Path(__file__).parent / "samples"
OPTIONS = ParseOptions()


def _read(name: str) -> list:
    return list(daylio.parse(SAMPLES / name, options=OPTIONS))


def _entries(name: str) -> list[MoodEntry]:
    items = _read(name)
    assert all(isinstance(item, MoodEntry) for item in items), items
    return items


def _write(tmp_path: Path, text: str, name: str = "daylio_export.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


CURRENT = "full_date,date,weekday,time,mood,activities,scales,note_title,note\n"


def test_oldest_generation_reads_year_and_localised_day():
    entries = _entries("daylio_oldest.csv")
    assert [e.line for e in entries] == [2, 3, 4, 5]
    assert [e.when for e in entries] == [
        datetime(2018, 5, 18, 23, 54),
        datetime(2018, 5, 17, 22, 21),
        datetime(2018, 5, 16, 23, 41),
        datetime(2018, 5, 16, 8, 5),
    ]
    assert [e.mood_label for e in entries] == ["happy", "average", "horrible", "sad"]
    assert [e.activities for e in entries] == [
        ("clean", "cook", "music"),
        ("cook", "stressed"),
        (),
        ("work",),
    ]
    assert [e.note for e in entries] == ["Went to a party", "", "Did nothing today.", ""]
    assert all(e.note_title == "" for e in entries)
    assert entries[3].original["mood"] == "sad "  # as written, trailing space and all
    assert entries[0].original["year"] == "2018"


def test_2019_generation_with_bom_and_12_hour_times():
    entries = _entries("daylio_2019.csv")
    assert (SAMPLES / "daylio_2019.csv").read_bytes()[:3] == b"\xef\xbb\xbf"
    assert [e.line for e in entries] == [2, 3, 4, 5, 6]
    assert [e.when for e in entries] == [
        datetime(2020, 2, 14, 21, 12),
        datetime(2020, 2, 14, 12, 3),  # 12:03 pm is just after noon
        datetime(2020, 2, 13, 7, 45),
        datetime(2020, 2, 12, 23, 30),  # "11:30 PM"
        datetime(2020, 2, 12, 0, 15),  # "12:15 AM" is just after midnight
    ]
    assert [e.mood_label for e in entries] == ["rad", "good", "meh", "awful", "bad"]
    # Names may contain "/": only " | " separates.
    assert entries[0].activities == ("friends", "movies / tv", "date night")
    assert entries[0].note == "Dinner with S. & the kids\nGreat evening"
    assert "full_date" in entries[0].original  # the BOM is not part of the first column name


def test_2021_generation_note_title_html_and_formula_like_text():
    entries = _entries("daylio_2021.csv")
    assert [e.line for e in entries] == [2, 3, 4, 5, 6]  # CRLF line endings
    first = entries[0]
    assert first.when == datetime(2021, 11, 7, 22, 41)
    assert first.note_title == "Sunday"
    assert first.note == 'Made soup with mum.\nFelt "okay", actually good.'
    assert first.activities == ("family", "cooking", "reading")
    # Mood names with trailing spaces are stripped; custom names are kept as written.
    assert [e.mood_label for e in entries] == ["good", "meh", "sad", "good", "tired af"]
    # Text that starts like a spreadsheet formula is data, kept exactly.
    assert entries[2].note == "=SUM(A1:A3)"
    assert entries[3].note == "+1 more week till payday"
    assert entries[3].note_title == "Budget"
    assert entries[4].note == "-2 degrees outside, @home all evening"


def test_current_generation_with_scales_and_a_note_over_two_lines():
    entries = _entries("daylio_current.csv")
    # The quoted note of line 5 runs over two physical lines, so the next entry is on line 7.
    assert [e.line for e in entries] == [2, 3, 4, 5, 7]
    assert [(e.when, e.mood_label) for e in entries] == [
        (datetime(2026, 3, 2, 20, 30), "good"),
        (datetime(2026, 3, 2, 9, 10), "meh"),
        (datetime(2026, 3, 1, 22, 5), "awful"),
        (datetime(2026, 2, 28, 18, 45), "rad"),
        (datetime(2026, 2, 27, 23, 54), "bad"),
    ]
    assert entries[0].note == 'Felt calmer after the walk, "finally"'
    assert entries[0].note_title == "Evening"
    assert entries[0].activities == ("work", "walk", "good sleep")
    assert entries[1].activities == ()
    assert entries[3].note == "Line one\nline two"
    assert entries[3].activities == ("friends", "movies / tv")
    # `scales` is unverified: kept as written in `original`, nowhere else.
    assert entries[3].original["scales"] == "Energy:\u00a04 | Stress:\u00a02"
    assert entries[3].energy_value is None
    for entry in entries:
        assert entry.mood_value is None
        assert (entry.scale_min, entry.scale_max) == (1, 5)
        assert entry.kind == StagedKind.CHECKIN
        assert entry.when.tzinfo is None  # the client's local time; the zone comes later


def test_german_export_with_24_hour_times():
    entries = _entries("daylio_german_24h.csv")
    assert [(e.when, e.mood_label) for e in entries] == [
        (datetime(2025, 2, 17, 21, 35), "Gut"),
        (datetime(2025, 2, 17, 7, 5), "Ok"),
        (datetime(2025, 2, 16, 18, 20), "Super"),
        (datetime(2025, 2, 15, 23, 50), "Schlecht"),
        (datetime(2025, 2, 14, 0, 15), "Lausig"),
    ]
    assert [daylio.default_level(e.mood_label) for e in entries] == [4, 3, 5, 2, 1]
    assert entries[0].activities == ("Arbeit", "Sport", "Freunde")
    assert entries[0].note == "Nach dem Training müde, aber zufrieden."
    assert entries[2].note_title == "Sonntag"
    assert entries[0].original["date"] == "17. Februar"  # localised, kept, not used


def test_tab_separated_variant_is_sniffed():
    entries = _entries("daylio_tab.csv")
    assert [(e.line, e.when, e.mood_label, e.activities) for e in entries] == [
        (2, datetime(2023, 6, 10, 16, 20), "good", ("gaming", "friends")),
        (3, datetime(2023, 6, 9, 9, 0), "meh", ("work",)),
        (4, datetime(2023, 6, 8, 22, 45), "bad", ("bad sleep", "work")),
    ]
    assert entries[2].note_title == "Late"
    assert entries[2].note == "Deadline tomorrow"


def test_semicolon_separated_file_is_sniffed(tmp_path):
    path = _write(
        tmp_path,
        "full_date;date;weekday;time;mood;activities;note_title;note\n"
        '2026-03-02;2. März;Montag;21:35;Gut;"Arbeit | Sport";"";"Müde; aber gut"\n',
    )
    [entry] = list(daylio.parse(path, options=OPTIONS))
    assert entry.when == datetime(2026, 3, 2, 21, 35)
    assert entry.activities == ("Arbeit", "Sport")
    assert entry.note == "Müde; aber gut"


def test_header_generations_are_recognised_by_name_not_position(tmp_path):
    # Columns in another order (and in capitals, with spaces): still read by name.
    path = _write(
        tmp_path,
        ' Mood ,TIME,Full_Date,note,activities\ngood,8:30 pm,2026-03-02,"Walked home","walk"\n',
    )
    [entry] = list(daylio.parse(path, options=OPTIONS))
    assert entry.when == datetime(2026, 3, 2, 20, 30)
    assert entry.mood_label == "good"
    assert entry.activities == ("walk",)
    assert entry.note == "Walked home"


@pytest.mark.parametrize("header", [",".join(columns) for columns in DAYLIO_GENERATIONS])
def test_every_generation_header_alone_yields_nothing(tmp_path, header):
    path = _write(tmp_path, "\ufeff" + header + "\n")
    assert list(daylio.parse(path, options=OPTIONS)) == []


def test_default_mood_levels():
    assert daylio.DEFAULT_MOOD_LEVELS == {
        "rad": 5,
        "good": 4,
        "meh": 3,
        "bad": 2,
        "awful": 1,
        "super": 5,
        "gut": 4,
        "ok": 3,
        "schlecht": 2,
        "lausig": 1,
        "happy": 4,
        "average": 3,
        "sad": 2,
        "horrible": 1,
    }
    assert daylio.default_level("RAD") == 5
    assert daylio.default_level(" sad ") == 2
    assert daylio.default_level("Lausig") == 1
    assert daylio.default_level("tired af") is None


def test_keys_are_stable_and_distinct_across_all_samples():
    keys: list[str] = []
    for sample in sorted(SAMPLES.glob("daylio_*.csv")):
        first = [item.key for item in _read(sample.name)]
        again = [item.key for item in _read(sample.name)]
        assert first == again
        keys += first
    assert len(keys) == 4 + 5 + 5 + 5 + 5 + 3
    assert len(set(keys)) == len(keys)


def test_key_format():
    entries = _entries("daylio_current.csv")
    assert entries[1].key == "2026-03-02 09:10|meh|e3b0c44298fc1c14"  # sha256("")[:16]
    assert entries[0].key.startswith("2026-03-02 20:30|good|")
    assert len(entries[0].key.rsplit("|", 1)[1]) == 16


def test_notes_differ_so_keys_differ(tmp_path):
    path = _write(
        tmp_path,
        CURRENT
        + '2026-03-02,March 2,Monday,8:30 pm,good,"","","","one"\n'
        + '2026-03-02,March 2,Monday,8:30 pm,good,"","","","two"\n',
    )
    first, second = list(daylio.parse(path, options=OPTIONS))
    assert first.key != second.key


def test_html_is_made_plain_and_safe(tmp_path):
    path = _write(
        tmp_path,
        CURRENT + '2026-03-02,March 2,Monday,8:30 pm,good,"","","<i>Day</i>",'
        '"a<br/>b<BR>c <script>alert(1)</script><a href=""javascript:x"">link</a> &lt;3 &amp; '
        'caf&eacute;"\n',
    )
    [entry] = list(daylio.parse(path, options=OPTIONS))
    assert entry.note == "a\nb\nc link <3 & café"
    assert entry.note_title == "Day"
    assert "<script" not in entry.note


def test_unreadable_lines_name_the_column_and_never_the_note(tmp_path):
    path = _write(
        tmp_path,
        CURRENT
        + '2026-13-02,March 2,Monday,8:30 pm,good,"","","","secret note one"\n'
        + '2026-03-02,March 2,Monday,25:10,good,"","","","secret note two"\n'
        + '2026-03-02,March 2,Monday,13:10 pm,good,"","","","secret note three"\n'
        + '2026-03-02,March 2,Monday,8:30 pm,"  ","","","","secret note four"\n'
        + '2026-03-02,March 2,Monday,8:30 pm,good,"","secret note five"\n'
        + '2026-03-01,March 1,Sunday,7:00 pm,meh,"","","",""\n',
    )
    items = list(daylio.parse(path, options=OPTIONS))
    assert [type(item).__name__ for item in items] == ["Unreadable"] * 5 + ["MoodEntry"]
    assert [item.line for item in items] == [2, 3, 4, 5, 6, 7]
    assert items[0].message == "full_date “2026-13-02” is not a date written as YYYY-MM-DD."
    assert items[1].message == "time “25:10” is not a time like “8:30 pm” or “21:35”."
    assert items[2].message == "time “13:10 pm” is not a time like “8:30 pm” or “21:35”."
    assert items[3].message == "mood is empty."
    assert items[4].message == "This line has 7 columns; the first line of the file has 9."
    for item in items[:5]:
        assert isinstance(item, Unreadable)
        assert "secret" not in item.message


def test_trailing_empty_column_is_tolerated(tmp_path):
    path = _write(tmp_path, CURRENT + '2026-03-02,March 2,Monday,8:30 pm,good,"","","","",\n')
    [entry] = list(daylio.parse(path, options=OPTIONS))
    assert entry.mood_label == "good"


def test_blank_lines_are_skipped_and_do_not_shift_line_numbers(tmp_path):
    path = _write(
        tmp_path,
        CURRENT + "\n" + '2026-03-02,March 2,Monday,8:30 pm,good,"","","",""\n\n',
    )
    [entry] = list(daylio.parse(path, options=OPTIONS))
    assert entry.line == 3


def test_bearable_file_is_refused_by_name():
    with pytest.raises(ImportFileError) as caught:
        list(daylio.parse(SAMPLES / "bearable_2021.csv", options=OPTIONS))
    message = caught.value.message
    assert message.startswith("This looks like a Bearable export, not a Daylio export.")
    for columns in DAYLIO_GENERATIONS:
        assert ",".join(columns) in message


def test_other_csv_is_refused_naming_the_expected_headers():
    with pytest.raises(ImportFileError) as caught:
        list(daylio.parse(SAMPLES / "generic_steps.csv", options=OPTIONS))
    message = caught.value.message
    assert message.startswith("This does not look like a Daylio export")
    assert "full_date,date,weekday,time,mood,activities,scales,note_title,note" in message
    assert "year,date,weekday,time,mood,activities,note" in message


def test_records_survive_the_json_round_trip():
    for entry in _entries("daylio_current.csv"):
        assert record_from_json(record_to_json(entry)) == entry


def test_parse_file_dispatches_to_daylio():
    items = list(
        parse_file(source=ImportSource.DAYLIO, path=SAMPLES / "daylio_tab.csv", options=OPTIONS)
    )
    assert len(items) == 3


def test_progress_is_reported_up_to_the_whole_file():
    calls: list[tuple[int, int]] = []
    path = SAMPLES / "daylio_current.csv"
    list(daylio.parse(path, options=ParseOptions(on_progress=lambda a, b: calls.append((a, b)))))
    size = path.stat().st_size
    assert calls[-1] == (size, size)
    assert all(total == size for _, total in calls)
