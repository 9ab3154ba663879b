"""Hostile and broken CSV files get a clear message naming the problem (SR-22): wrong format,
wrong encoding, empty, NUL bytes, a 2 GB file (refused from its size alone), very long lines;
text that starts like a spreadsheet formula is kept as text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from interlude.interop.canonical import ImportFileError, MoodEntry, ParseOptions, Unreadable
from interlude.interop.importers import bearable, csvfile, daylio, generic_csv

SAMPLES = Path(__file__).parent / "samples"
DAYLIO_HEADER = "full_date,date,weekday,time,mood,activities,scales,note_title,note\n"
DAYLIO_ROW = '2026-03-02,March 2,Monday,8:30 pm,good,"walk","","","{note}"\n'
STEPS = {"date": "Date", "date_format": "%m/%d/%Y", "value": "Steps", "value_kind": "steps"}


def _daylio(path: Path) -> list:
    return list(daylio.parse(path, options=ParseOptions()))


def _bearable(path: Path) -> list:
    return list(bearable.parse(path, options=ParseOptions()))


def _generic(path: Path) -> list:
    return list(generic_csv.parse(path, options=ParseOptions(mapping=STEPS)))


PARSERS = [_daylio, _bearable, _generic]


def _refusal(parser, path: Path) -> str:
    with pytest.raises(ImportFileError) as caught:
        parser(path)
    return caught.value.message


# --- wrong format -------------------------------------------------------------------------------


def test_wrong_format_for_each_parser():
    assert _refusal(_daylio, SAMPLES / "bearable_2024.csv").startswith(
        "This looks like a Bearable export, not a Daylio export."
    )
    assert _refusal(_bearable, SAMPLES / "daylio_oldest.csv").startswith(
        "This looks like a Daylio export, not a Bearable export."
    )
    assert "no column called “Steps”" in _refusal(_generic, SAMPLES / "daylio_2021.csv")


@pytest.mark.parametrize("parser", PARSERS)
def test_apple_health_xml_is_not_csv(parser, tmp_path):
    path = tmp_path / "export.xml"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_GB">\n')
    assert _refusal(parser, path).startswith("This is an XML file")


@pytest.mark.parametrize("parser", PARSERS)
def test_a_zip_is_not_csv(parser, tmp_path):
    path = tmp_path / "backup.daylio"
    path.write_bytes(b"PK\x03\x04" + b"\x14\x00" * 40)
    assert _refusal(parser, path).startswith("This is a zip archive")


def test_fhir_json_is_not_csv(tmp_path):
    path = tmp_path / "bundle.json"
    path.write_text('{"resourceType": "Bundle", "type": "collection", "entry": []}')
    assert _refusal(_daylio, path).startswith("This is a FHIR JSON file")


# --- encoding -----------------------------------------------------------------------------------


@pytest.mark.parametrize("parser", PARSERS)
def test_utf16_with_bom_is_refused(parser, tmp_path):
    path = tmp_path / "daylio_export.csv"
    path.write_bytes((DAYLIO_HEADER + DAYLIO_ROW.format(note="hi")).encode("utf-16"))
    assert path.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    message = _refusal(parser, path)
    assert message.startswith("This file is not UTF-8 text (it is UTF-16")
    assert "save it as “CSV UTF-8" in message


def test_utf16_without_bom_is_refused_as_utf16(tmp_path):
    path = tmp_path / "daylio_export.csv"
    path.write_bytes((DAYLIO_HEADER + DAYLIO_ROW.format(note="hi")).encode("utf-16-le"))
    assert _refusal(_daylio, path).startswith("This file is not UTF-8 text (it looks like UTF-16")


def test_latin1_bytes_are_refused_naming_the_line(tmp_path):
    path = tmp_path / "daylio_export.csv"
    path.write_bytes(
        (DAYLIO_HEADER + DAYLIO_ROW.format(note="ok") + DAYLIO_ROW.format(note="müde")).encode(
            "latin-1"
        )
    )
    message = _refusal(_daylio, path)
    assert message.startswith("This file is not UTF-8 text (line 3 has bytes that are not UTF-8")
    assert "Export it again" in message
    assert "müde" not in message


def test_latin1_in_the_header_is_refused_at_once(tmp_path):
    path = tmp_path / "spreadsheet.csv"
    path.write_bytes("Datum;Größe\n02.03.2026;1\n".encode("cp1252"))
    with pytest.raises(ImportFileError, match="not UTF-8 text"):
        generic_csv.read_columns(path)


def test_utf8_with_and_without_bom_read_the_same(tmp_path):
    text = DAYLIO_HEADER + DAYLIO_ROW.format(note="Café")
    with_bom, without = tmp_path / "a.csv", tmp_path / "b.csv"
    with_bom.write_bytes(b"\xef\xbb\xbf" + text.encode())
    without.write_bytes(text.encode())
    assert _daylio(with_bom) == _daylio(without)
    assert _daylio(with_bom)[0].note == "Café"


# --- empty, header only, NUL -------------------------------------------------------------------


@pytest.mark.parametrize("parser", PARSERS)
def test_empty_file(parser, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert _refusal(parser, path) == (
        "This file is empty. Export it again from the app and upload it."
    )


@pytest.mark.parametrize("parser", PARSERS)
def test_only_blank_lines(parser, tmp_path):
    path = tmp_path / "blank.csv"
    path.write_bytes(b"\xef\xbb\xbf\r\n  \n\n")
    assert _refusal(parser, path) == "This file has no text in it. Export it again from the app."


@pytest.mark.parametrize(
    ("parser", "header"),
    [
        (_daylio, DAYLIO_HEADER),
        (_bearable, "date,weekday,time of day,category,rating/amount,detail,notes\n"),
        (_generic, "Date,Steps\n"),
    ],
)
def test_header_only_yields_nothing(parser, header, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(header)
    assert parser(path) == []


@pytest.mark.parametrize("parser", PARSERS)
def test_nul_bytes_in_the_first_line_are_refused(parser, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(b"full_date\x00,date\n")
    assert _refusal(parser, path).startswith("This file contains NUL bytes")


def test_nul_bytes_later_are_refused_with_their_line(tmp_path):
    path = tmp_path / "export.csv"
    body = DAYLIO_HEADER + "".join(DAYLIO_ROW.format(note=f"n{i}") for i in range(300))
    path.write_bytes(body.encode() + DAYLIO_ROW.format(note="a\x00b").encode())
    message = _refusal(_daylio, path)
    assert message.startswith("This file contains NUL bytes (line 302)")


# --- size ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("parser", PARSERS)
def test_a_2_gb_csv_is_refused_from_its_size_without_reading_it(parser, tmp_path, monkeypatch):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as handle:
        handle.write(DAYLIO_HEADER.encode())
    os.truncate(path, 2 * 1024**3)  # sparse: no 2 GB written

    def no_opening(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(csvfile, "open", no_opening, raising=False)
    message = _refusal(parser, path)
    assert message == (
        "This file is 2,048 MB; Interlude reads CSV files up to the size limit of 50 MB. "
        "Export a shorter date range and upload the parts one by one."
    )


def test_the_size_limit_comes_from_settings(tmp_path, settings):
    settings.IMPORT_MAX_TEXT_BYTES = 100
    path = tmp_path / "export.csv"
    path.write_text(DAYLIO_HEADER + DAYLIO_ROW.format(note="x" * 100))
    assert "size limit of 100 bytes" in _refusal(_daylio, path)
    settings.IMPORT_MAX_TEXT_BYTES = path.stat().st_size
    assert len(_daylio(path)) == 1


def test_read_columns_checks_the_size_too(tmp_path, settings):
    settings.IMPORT_MAX_TEXT_BYTES = 10
    path = tmp_path / "export.csv"
    path.write_text("Date,Steps\n03/01/2026,1\n")
    with pytest.raises(ImportFileError, match="size limit"):
        generic_csv.read_columns(path)


# --- long lines, formulas -----------------------------------------------------------------------


def test_a_very_long_field_is_one_unreadable_line_and_the_rest_is_read(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        DAYLIO_HEADER
        + DAYLIO_ROW.format(note="x" * 500_000)
        + DAYLIO_ROW.format(note="after").replace("8:30 pm", "9:30 pm")
    )
    items = _daylio(path)
    assert items[0] == Unreadable(
        line=2,
        message="This line could not be read as CSV (a field is far too long or its quotes are "
        "not closed).",
    )
    assert isinstance(items[1], MoodEntry)
    assert (items[1].line, items[1].note) == (3, "after")


def test_a_long_line_without_any_newline(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(DAYLIO_HEADER + "y" * 1_000_000)
    items = _daylio(path)
    assert [type(item) for item in items] == [Unreadable]
    assert items[0].line == 2


def test_a_long_but_reasonable_note_is_kept_whole(tmp_path):
    note = "word " * 20_000  # 100 000 characters
    path = tmp_path / "export.csv"
    path.write_text(DAYLIO_HEADER + DAYLIO_ROW.format(note=note))
    [entry] = _daylio(path)
    assert entry.note == note


@pytest.mark.parametrize(
    "text",
    [
        "=SUM(A1:A3)",
        "+1 call mum",
        "-2 degrees",
        "@home",
        '=HYPERLINK("http://x.example","y")',
        "=cmd|' /C calc'!A0",
        "\t=1+1",
    ],
)
def test_formula_like_text_is_kept_verbatim(tmp_path, text):
    path = tmp_path / "export.csv"
    escaped = text.replace('"', '""')
    path.write_text(
        DAYLIO_HEADER + DAYLIO_ROW.format(note=escaped).replace('"walk"', f'"{escaped}"')
    )
    [entry] = _daylio(path)
    assert entry.note == text
    assert entry.original["note"] == text
    assert entry.activities == (text.strip(),)


def test_formula_like_mood_names_and_bearable_notes_are_kept(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(DAYLIO_HEADER + DAYLIO_ROW.format(note="").replace(",good,", ",=1+1,"))
    [entry] = _daylio(path)
    assert entry.mood_label == "=1+1"
    path = tmp_path / "bearable.csv"
    path.write_text(
        "date,weekday,time of day,category,rating/amount,detail,notes\n"
        '"22nd Sep 2020","Tuesday","21:00","Mood","5","@mention | =A1","+44 is the code"\n'
    )
    [mood] = _bearable(path)
    assert mood.activities == ("@mention", "=A1")
    assert mood.note == "+44 is the code"


def test_unclosed_quote_at_the_end_is_kept_as_read(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(DAYLIO_HEADER + '2026-03-02,March 2,Monday,8:30 pm,good,"","","","cut off\n')
    [entry] = _daylio(path)
    assert entry.note == "cut off\n"


def test_a_directory_or_missing_file_is_a_clear_error(tmp_path):
    assert _refusal(_daylio, tmp_path / "missing.csv") == (
        "The uploaded file could not be opened. Upload it again."
    )


def test_progress_for_a_bigger_file(tmp_path):
    path = tmp_path / "export.csv"
    rows = "".join(DAYLIO_ROW.format(note=f"note {i:05d} " + "z" * 200) for i in range(3000))
    path.write_text(DAYLIO_HEADER + rows)
    calls: list[tuple[int, int]] = []
    items = list(
        daylio.parse(path, options=ParseOptions(on_progress=lambda a, b: calls.append((a, b))))
    )
    assert len(items) == 3000
    size = path.stat().st_size
    assert len(calls) >= 3
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert calls[-1] == (size, size)
