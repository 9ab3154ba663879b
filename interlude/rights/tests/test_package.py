"""The export's pure parts: spreadsheet-safe text, CSV cells and files, names, the JSON."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest

from interlude.rights import package
from interlude.rights.package import SECTIONS, cell, csv_bytes, spreadsheet_safe

DANGEROUS = ["=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20"]


# --- spreadsheet_safe ----------------------------------------------------------------------------
@pytest.mark.parametrize("first", DANGEROUS)
def test_text_starting_with_a_formula_sign_gets_a_quote(first):
    assert spreadsheet_safe(first) == "'" + first
    assert spreadsheet_safe(first + "SUM(A1:A9)") == "'" + first + "SUM(A1:A9)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+1 555 0100", "'+1 555 0100"),
        ("-3", "'-3"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("", ""),
        ("a=1", "a=1"),
        (" =1", " =1"),  # a leading space: no spreadsheet runs it
        ("'=1", "'=1"),  # already quoted: starts with a quote, left alone
        ("Felt calm", "Felt calm"),
        ("\n=1", "\n=1"),
        ("1+1", "1+1"),
    ],
)
def test_spreadsheet_safe_examples(text, expected):
    assert spreadsheet_safe(text) == expected


def test_every_first_character_exhaustively():
    """Every character of the Basic Multilingual Plane as the first of a cell: exactly the ten
    dangerous ones get a quote, and the rest of the text is never changed."""
    quoted = []
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue  # surrogates are not text
        ch = chr(code)
        out = spreadsheet_safe(ch + "x=1")
        if out != ch + "x=1":
            assert out == "'" + ch + "x=1"
            quoted.append(ch)
    assert sorted(quoted) == sorted(DANGEROUS)


# --- cells and files -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (True, "yes"),
        (False, "no"),
        (-3, -3),  # numbers stay numbers: a negative score is not a formula
        (7.5, 7.5),
        ("-text", "'-text"),
        (["-a", "b"], "'-a; b"),
        (["a", "=b"], "a; =b"),
        ([{"label": "calm", "intensity": 2}], "calm 2"),
        ({"label": "calm", "intensity": None}, "label: calm, intensity: "),
        ([{"text": "Thought", "belief": 80, "hot": True}], "Thought 80 yes"),
    ],
)
def test_cell(value, expected):
    assert cell(value) == expected


def test_csv_has_the_column_keys_then_safe_rows():
    section = package.SECTIONS_BY_KEY["sharing"]
    data = csv_bytes(section, [{"what": "journal", "description": "=1+1", "shared": False}])
    assert data == "\ufeffwhat,description,shared\r\njournal,'=1+1,no\r\n".encode()


def test_every_section_has_a_distinct_csv_and_documented_keys():
    names = [s.file_name for s in SECTIONS]
    assert len(set(names)) == len(names) == 20
    for s in SECTIONS:
        assert s.file_name.endswith(".csv")
        assert len(set(s.keys)) == len(s.keys)
        assert all(c.description.endswith(".") for c in s.columns), s.key


def test_json_has_documented_keys_for_every_section():
    data = json.loads(
        package.json_bytes(
            generated_at="2026-11-25T10:00:00-05:00",
            time_zone="America/New_York",
            profile={"full_name": "Jordan"},
            session_notes={"included": True},
            records={"checkins": [{"id": "1"}]},
        )
    )
    assert list(data) == [
        "format",
        "format_version",
        "generated_at",
        "time_zone",
        "about",
        "profile",
        "session_notes",
        "records",
        "documentation",
    ]
    assert data["format"] == "interlude-client-export"
    assert list(data["records"]) == [s.key for s in SECTIONS]
    assert data["records"]["checkins"] == [{"id": "1"}]
    assert data["records"]["journal"] == []
    assert data["documentation"]["journal"]["csv_file"] == "journal.csv"
    assert list(data["documentation"]["journal"]["fields"]) == [
        "id",
        "written_at",
        "local_day",
        "title",
        "body",
        "shared",
        "shared_at",
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Jordan Ellis", "Interlude export - Jordan Ellis - 2026-11-25.pdf"),
        ("A/B: C*D?", "Interlude export - A B C D - 2026-11-25.pdf"),
        ("..", "Interlude export - client - 2026-11-25.pdf"),
        ("Zoë\x00 Ünal", "Interlude export - Zoë Ünal - 2026-11-25.pdf"),
    ],
)
def test_pdf_name(name, expected):
    assert package.pdf_name(full_name=name, day=date(2026, 11, 25)) == expected


def test_download_name_has_no_client_name():
    assert package.download_name(date(2026, 11, 25)) == "interlude-export-2026-11-25.zip"


def test_zip_keeps_the_order_and_owner_only_modes():
    out = io.BytesIO()
    package.zip_write(out, [("b.txt", b"B"), ("a.txt", b"A")], local_time=(2026, 11, 25, 10, 0, 0))
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == ["b.txt", "a.txt"]
        info = archive.getinfo("a.txt")
        assert info.date_time == (2026, 11, 25, 10, 0, 0)
        assert info.external_attr >> 16 == 0o600
        assert archive.read("a.txt") == b"A"
