"""Hostile or broken uploads for the Apple Health importer: entities, external DTDs, path
traversal, zip bombs, lying headers, truncation, wrong formats, size caps."""

from __future__ import annotations

import io
import os
import socket
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from interlude.interop.canonical import ImportFileError, ParseOptions, Reading
from interlude.interop.importers.apple_health import ENDS_EARLY, MISSING_XML, NOT_AN_EXPORT, parse
from interlude.interop.importers.archive import DAMAGED, MemberStream, unsafe_member_name

SAMPLE = Path(__file__).parent / "samples" / "apple_small.xml"
ROOT = Path(__file__).resolve().parents[3]
RECORD = (
    '<Record type="HKCategoryTypeIdentifierMindfulSession" sourceName="{name}" '
    'startDate="2024-01-05 08:00:00 -0800" endDate="2024-01-05 08:10:00 -0800"/>'
)


def _write(tmp_path: Path, content: bytes | str, name="upload") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def _refused(path: Path) -> str:
    with pytest.raises(ImportFileError) as caught:
        list(parse(path, options=ParseOptions()))
    return caught.value.message


def _zip_bytes(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


BILLION_LAUGHS = (
    """<?xml version="1.0"?>
<!DOCTYPE HealthData [
 <!ELEMENT HealthData ANY>
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<HealthData>"""
    + RECORD.format(name="&lol3;")
    + "</HealthData>"
)


def test_billion_laughs_is_refused_before_parsing(tmp_path):
    message = _refused(_write(tmp_path, BILLION_LAUGHS))
    assert "declares XML entities" in message
    assert "lol" not in message


def test_billion_laughs_inside_a_zip_is_refused(tmp_path):
    path = _write(tmp_path, _zip_bytes({"apple_health_export/export.xml": BILLION_LAUGHS.encode()}))
    assert "declares XML entities" in _refused(path)


def test_external_entity_is_refused_and_the_file_never_read(tmp_path):
    secret = _write(tmp_path, "TOPSECRET", name="secret.txt")
    xml = (
        f'<?xml version="1.0"?>\n<!DOCTYPE HealthData [\n <!ENTITY xxe SYSTEM "file://{secret}">\n]>\n'
        f"<HealthData>{RECORD.format(name='&xxe;')}</HealthData>"
    )
    message = _refused(_write(tmp_path, xml))
    assert "declares XML entities" in message
    assert "TOPSECRET" not in message


def test_parameter_entity_in_lowercase_or_spaced_is_refused(tmp_path):
    xml = (
        '<?xml version="1.0"?>\n<!DOCTYPE HealthData [ <!-- x --> <!ELEMENT HealthData ANY>\n'
        ' <!  entity % remote SYSTEM "http://127.0.0.1:9/x.dtd"> ]>\n<HealthData/>'
    )
    assert "declares XML entities" in _refused(_write(tmp_path, xml))


def test_an_internal_dtd_with_brackets_and_quotes_is_allowed(tmp_path):
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE HealthData [\n'
        "<!-- <NotRoot> ]> -->\n"
        '<!ATTLIST HealthData locale CDATA "x]>y">\n'
        "<!ELEMENT HealthData (Record)*>\n]>\n"
        f'<HealthData locale="en_US">{RECORD.format(name="Calm")}</HealthData>'
    )
    items = list(parse(_write(tmp_path, xml), options=ParseOptions()))
    assert [item.value for item in items if isinstance(item, Reading)] == [10.0]


def test_an_external_dtd_is_never_fetched_from_the_network(tmp_path):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.3)
    port = listener.getsockname()[1]
    try:
        xml = (
            f'<?xml version="1.0"?>\n<!DOCTYPE HealthData SYSTEM "http://127.0.0.1:{port}/x.dtd">\n'
            f"<HealthData>{RECORD.format(name='Calm')}</HealthData>"
        )
        items = list(parse(_write(tmp_path, xml), options=ParseOptions()))
        assert [item.value for item in items if isinstance(item, Reading)] == [10.0]
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()


NO_FILE_READ = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from interlude.interop.canonical import ParseOptions, Reading
from interlude.interop.importers.apple_health import _parse
from interlude.interop.importers.archive import ArchiveLimits
limits = ArchiveLimits(max_archive_bytes=2**30, max_unpacked_bytes=2**30, max_ratio=200)
items = list(_parse(Path(sys.argv[1]), options=ParseOptions(), limits=limits))
print([item.original for item in items if isinstance(item, Reading)])
"""


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a named pipe")
def test_an_external_dtd_file_is_never_opened(tmp_path):
    # A named pipe blocks whoever opens it for reading: if the parser tried to load the DTD,
    # the process would hang and the timeout would fail the test.
    pipe = tmp_path / "trap.dtd"
    os.mkfifo(pipe)
    xml = (
        f'<?xml version="1.0"?>\n<!DOCTYPE HealthData SYSTEM "file://{pipe}">\n'
        f"<HealthData>{RECORD.format(name='Calm')}</HealthData>"
    )
    path = _write(tmp_path, xml, name="export.xml")
    result = subprocess.run(
        [sys.executable, "-c", NO_FILE_READ, str(path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert result.stdout.strip() == "['Calm: 10 min']"


@pytest.mark.parametrize(
    "name",
    [
        "../export.xml",
        "apple_health_export/../../etc/cron.d/x",
        "/etc/passwd",
        "C:\\Windows\\system.ini",
        "c:evil",
        "apple_health_export\\..\\..\\x",
    ],
)
def test_zip_path_traversal_is_refused(tmp_path, name):
    assert unsafe_member_name(name)
    data = _zip_bytes({"apple_health_export/export.xml": SAMPLE.read_bytes(), name: b"x"})
    assert "points outside the archive" in _refused(_write(tmp_path, data))


def test_ordinary_member_names_are_safe():
    assert not unsafe_member_name("apple_health_export/export.xml")
    assert not unsafe_member_name("apple_health_export/workout-routes/route_2024-01-05.gpx")
    assert not unsafe_member_name("apple_health_export/a..b.csv")


def test_zip_bomb_is_refused_by_its_ratio(tmp_path):
    body = b"<HealthData>" + b" " * (20 * 1024 * 1024) + b"</HealthData>"
    data = _zip_bytes({"apple_health_export/export.xml": body})
    assert len(data) < 200 * 1024
    assert "compressed far more" in _refused(_write(tmp_path, data))


def test_declared_size_above_the_unpacked_limit_is_refused(tmp_path, settings):
    settings.IMPORT_MAX_UNPACKED_BYTES = 1000
    data = _zip_bytes({"apple_health_export/export.xml": SAMPLE.read_bytes()})
    assert "larger than Interlude accepts" in _refused(_write(tmp_path, data))


def test_a_header_that_understates_the_size_cannot_smuggle_more(tmp_path):
    data = bytearray(_zip_bytes({"export.xml": SAMPLE.read_bytes()}))
    # Local header: uncompressed size at offset 22; central directory entry: at offset 24.
    struct.pack_into("<I", data, 22, 500)
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 500)
    message = _refused(_write(tmp_path, bytes(data)))
    assert message == DAMAGED  # unpacking stops at the declared size and the CRC fails


def test_the_stream_counts_what_it_unpacks():
    stream = MemberStream(io.BytesIO(), io.BytesIO(b"x" * 5000), limit=4096)
    assert len(stream.read(4000)) == 4000
    with pytest.raises(ImportFileError, match="unpacks to more"):
        stream.read(4000)


def test_truncated_zip_is_refused(tmp_path):
    data = _zip_bytes({"apple_health_export/export.xml": SAMPLE.read_bytes() * 3})
    assert _refused(_write(tmp_path, data[: len(data) // 2])) == DAMAGED


def test_zip_with_corrupt_member_data_is_refused(tmp_path):
    data = bytearray(_zip_bytes({"apple_health_export/export.xml": SAMPLE.read_bytes() * 3}))
    start = 30 + len("apple_health_export/export.xml")
    for index in range(start + 200, start + 400):
        data[index] ^= 0x5A
    assert _refused(_write(tmp_path, bytes(data))) == DAMAGED


def test_zip_without_export_xml_is_refused(tmp_path):
    data = _zip_bytes({"apple_health_export/export_cda.xml": b"<ClinicalDocument/>"})
    assert _refused(_write(tmp_path, data)) == MISSING_XML


def test_truncated_xml_is_refused_with_nothing_yielded(tmp_path):
    text = SAMPLE.read_bytes()
    path = _write(tmp_path, text[: int(len(text) * 0.8)])
    yielded = []
    with pytest.raises(ImportFileError) as caught:
        yielded.extend(parse(path, options=ParseOptions()))
    assert caught.value.message == ENDS_EARLY
    assert yielded == []


def test_xml_cut_inside_the_prolog_ends_early(tmp_path):
    assert _refused(_write(tmp_path, SAMPLE.read_bytes()[:300])) == ENDS_EARLY


def test_truncated_xml_inside_a_zip_is_refused(tmp_path):
    text = SAMPLE.read_bytes()
    data = _zip_bytes({"apple_health_export/export.xml": text[: len(text) // 2]})
    assert _refused(_write(tmp_path, data)) == ENDS_EARLY


def test_broken_xml_names_the_line(tmp_path):
    text = SAMPLE.read_text(encoding="utf-8").replace("<ActivitySummary", "<ActivitySummary <<")
    message = _refused(_write(tmp_path, text))
    assert message.startswith("The file is not a readable Apple Health export: its XML is broken")
    assert "line 73" in message


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        b'{"resourceType": "Bundle"}',
        b"full_date,date,weekday,time,mood\n",
        b"\x00\x01\x02\x03" * 100,
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
    ],
)
def test_not_an_export_is_refused(tmp_path, content):
    assert _refused(_write(tmp_path, content)) == NOT_AN_EXPORT


def test_empty_file_and_empty_zip_are_refused(tmp_path):
    assert "empty" in _refused(_write(tmp_path, b"", name="empty"))
    assert _refused(_write(tmp_path, _zip_bytes({}), name="empty.zip")) == MISSING_XML


def test_file_above_the_archive_cap_is_refused_before_reading(tmp_path, settings):
    settings.IMPORT_MAX_ARCHIVE_BYTES = 100
    assert "larger than Interlude accepts" in _refused(_write(tmp_path, SAMPLE.read_bytes()))


def test_huge_prolog_is_refused(tmp_path):
    comment = "<!-- " + "x" * (1024 * 1024 + 10) + " -->"
    xml = f'<?xml version="1.0"?>\n<!DOCTYPE HealthData [ {comment} ]>\n<HealthData/>'
    assert "header is far too long" in _refused(_write(tmp_path, xml))


def test_password_protected_member_is_refused(tmp_path):
    data = bytearray(_zip_bytes({"export.xml": SAMPLE.read_bytes()}))
    struct.pack_into("<H", data, 6, 0x1)  # local header: encrypted flag
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<H", data, central + 8, 0x1)
    assert "password-protected" in _refused(_write(tmp_path, bytes(data)))
