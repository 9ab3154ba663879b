"""Apple Health export: mindful sessions, nights of sleep, days of steps, exact values."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from interlude.interop.canonical import ParseOptions, Reading, Skipped, Unreadable
from interlude.interop.enums import ImportSource, StagedKind
from interlude.interop.importers import parse_file
from interlude.interop.importers.apple_health import parse, pick_export_xml

SAMPLES = Path(__file__).parent / "samples"
SAMPLE = SAMPLES / "apple_small.xml"
PST = timezone(timedelta(hours=-8))
ROOT = Path(__file__).resolve().parents[3]


def _items(path: Path, **options):
    return list(parse(path, options=ParseOptions(**options)))


def _readings(items, kind):
    return {item.key: item for item in items if isinstance(item, Reading) and item.kind == kind}


SLEEP = "HKCategoryTypeIdentifierSleepAnalysis"
STEPS = "HKQuantityTypeIdentifierStepCount"


def _rec(kind: str, source: str, start: str, end: str, value: str) -> str:
    return (
        f'<Record type="{kind}" sourceName="{source}" startDate="{start}" endDate="{end}" '
        f'value="{value}"/>'
    )


def _xml(*records: str) -> str:
    """An export with each record on its own line, the first on line 6."""
    body = "".join(f"{record}\n" for record in records)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE HealthData [\n'
        "<!ELEMENT HealthData (ExportDate,Me,(Record)*)>\n]>\n"
        f'<HealthData locale="en_GB">\n{body}</HealthData>\n'
    )


def _zip(tmp_path: Path, xml: bytes | str, name="apple_health_export/export.xml") -> Path:
    path = tmp_path / "upload.bin"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("apple_health_export/export_cda.xml", "<ClinicalDocument/>")
        archive.writestr(name, xml)
        archive.writestr("apple_health_export/workout-routes/route_1.gpx", "<gpx/>")
    return path


def test_sample_mindful_sessions_are_minutes_and_counted_once_across_sources():
    mindful = _readings(_items(SAMPLE), StagedKind.MINDFUL)
    assert sorted(mindful) == [
        "mindful:2024-01-05T16:00:00Z|2024-01-05T16:12:30Z",
        "mindful:2024-01-07T04:00:00Z|2024-01-07T04:05:00Z",
    ]
    first = mindful["mindful:2024-01-05T16:00:00Z|2024-01-05T16:12:30Z"]
    assert first.value == 12.5
    assert first.observation_kind == "mindful_minutes"
    assert first.when == datetime(2024, 1, 5, 8, 0, tzinfo=PST)
    assert first.original == "Headspace: 12.50 min"
    assert mindful["mindful:2024-01-07T04:00:00Z|2024-01-07T04:05:00Z"].value == 5.0


def test_sample_nights_use_one_source_by_priority():
    nights = _readings(_items(SAMPLE), StagedKind.SLEEP)
    assert sorted(nights) == ["night:2024-01-05", "night:2024-01-06", "night:2024-01-07"]
    # The watch's stages (core 2 h, deep 1.5 h, REM and an overlapping core 3 h 25 min; the 15
    # minutes awake left out) win over the phone's 8 hours in bed.
    watch = nights["night:2024-01-05"]
    assert round(watch.value, 2) == 6.92
    assert watch.observation_kind == "sleep_hours"
    assert watch.when == datetime(2024, 1, 6, 6, 10, tzinfo=PST)
    assert watch.original == "Sam\u2019s Apple Watch: 6 h 55 min asleep; 1 other source not counted"
    assert watch.label == ""
    # In bed only (value written as the number 0).
    in_bed = nights["night:2024-01-06"]
    assert in_bed.value == 7.5
    assert in_bed.label == "in bed"
    assert in_bed.original == "Sam\u2019s iPhone: 7 h 30 min in bed (no asleep time recorded)"
    assert in_bed.when == datetime(2024, 1, 7, 7, 45, tzinfo=PST)
    # "Asleep" and "AsleepUnspecified" overlapping by 15 minutes: 6.5 h + 1.5 h - 0.25 h.
    phone = nights["night:2024-01-07"]
    assert phone.value == 7.75
    assert phone.when == datetime(2024, 1, 8, 7, 0, tzinfo=PST)


def test_sample_steps_take_the_largest_source_per_day_not_the_sum():
    steps = _readings(_items(SAMPLE), StagedKind.STEPS)
    assert sorted(steps) == ["steps:2024-01-05", "steps:2024-01-06"]
    day = steps["steps:2024-01-05"]
    assert day.value == 2075  # watch 1150 + 900 + 25 over the phone's 1200 + 800
    assert day.when == datetime(2024, 1, 5, 12, 0, tzinfo=PST)
    assert day.original == "Sam\u2019s Apple Watch: 2,075 steps (the largest of 2 sources)"
    assert steps["steps:2024-01-06"].value == 3456


def test_sample_other_types_are_one_skipped_each_and_bad_dates_unreadable():
    items = _items(SAMPLE)
    assert [item.reason for item in items if isinstance(item, Skipped)] == [
        '"BloodPressureDiastolic" is not needed',
        '"BloodPressureSystolic" is not needed',
        '"HeartRate" is not needed',
    ]
    assert [item for item in items if isinstance(item, Unreadable)] == [
        Unreadable(line=67, message="A mindful session has a date Interlude cannot read.")
    ]


def test_keys_are_stable_and_zip_gives_the_same_items(tmp_path):
    first = _items(SAMPLE)
    assert _items(SAMPLE) == first
    assert _items(_zip(tmp_path, SAMPLE.read_bytes())) == first


def test_detected_by_content_not_extension(tmp_path):
    as_zip_name = tmp_path / "export.zip"
    as_zip_name.write_bytes(SAMPLE.read_bytes())
    archive = _zip(tmp_path, SAMPLE.read_bytes())
    as_xml_name = tmp_path / "export.xml"
    as_xml_name.write_bytes(archive.read_bytes())
    via_registry = list(
        parse_file(source=ImportSource.APPLE_HEALTH, path=as_xml_name, options=ParseOptions())
    )
    assert _items(as_zip_name) == via_registry == _items(SAMPLE)


def test_pick_export_xml_ignores_cda_and_prefers_the_shallowest():
    assert pick_export_xml(["a/export_cda.xml", "a/export.xml", "a/b/export.xml"]) == "a/export.xml"
    assert pick_export_xml(["export_cda.xml", "route.gpx"]) is None


def test_progress_is_reported_up_to_the_file_size(tmp_path):
    calls: list[tuple[int, int]] = []
    _items(SAMPLE, on_progress=lambda done, total: calls.append((done, total)))
    size = SAMPLE.stat().st_size
    assert calls[-1] == (size, size)
    assert all(done <= total == size for done, total in calls)


def test_stage_source_wins_then_most_asleep_then_name(tmp_path):
    xml = _xml(
        _rec(
            SLEEP,
            "Phone",
            "2024-03-01 22:00:00 +0100",
            "2024-03-02 08:00:00 +0100",
            "HKCategoryValueSleepAnalysisAsleepUnspecified",
        ),
        _rec(SLEEP, "Ring", "2024-03-01 23:00:00 +0100", "2024-03-02 01:00:00 +0100", "3"),
        _rec(SLEEP, "Ring", "2024-03-02 01:00:00 +0100", "2024-03-02 02:00:00 +0100", "2"),
        _rec(SLEEP, "Ring", "2024-03-02 02:00:00 +0100", "2024-03-02 06:20:00 +0100", "4"),
        _rec(SLEEP, "Zed", "2024-03-02 23:00:00 +0100", "2024-03-03 06:00:00 +0100", "1"),
        _rec(SLEEP, "Alpha", "2024-03-02 23:30:00 +0100", "2024-03-03 06:30:00 +0100", "1"),
        _rec(SLEEP, "Beta", "2024-03-02 22:00:00 +0100", "2024-03-03 04:00:00 +0100", "1"),
        _rec(SLEEP, "Beta", "2024-03-04 11:30:00 +0100", "2024-03-04 12:15:00 +0100", "1"),
    )
    path = tmp_path / "export.xml"
    path.write_text(xml, encoding="utf-8")
    nights = _readings(_items(path), StagedKind.SLEEP)
    # The ring's stages (6 h 20 min, the hour awake excluded) beat the phone's 10 hours.
    ring = nights["night:2024-03-01"]
    assert (ring.value, ring.original) == (
        6.33,
        "Ring: 6 h 20 min asleep; 1 other source not counted",
    )
    assert ring.when == datetime(2024, 3, 2, 6, 20, tzinfo=timezone(timedelta(hours=1)))
    # Zed and Alpha tie at 7 hours, above Beta's 6: the name decides.
    assert (
        nights["night:2024-03-02"].original
        == "Alpha: 7 h 00 min asleep; 2 other sources not counted"
    )
    # A nap at 11:30 belongs to the night before (start - 12 h).
    assert nights["night:2024-03-03"].value == 0.75


def test_steps_in_two_offsets_and_bad_values(tmp_path):
    xml = _xml(
        _rec(STEPS, "Phone", "2024-06-01 09:00:00 +0200", "2024-06-01 09:05:00 +0200", "100"),
        _rec(STEPS, "Phone", "2024-06-01 23:59:00 -0400", "2024-06-02 00:04:00 -0400", "50"),
        _rec(STEPS, "Phone", "2024-06-02 10:00:00 -0400", "2024-06-02 10:05:00 -0400", "abc"),
        _rec(STEPS, "Phone", "2024-06-02", "2024-06-02 10:05:00 -0400", "5"),
    )
    path = tmp_path / "export.xml"
    path.write_text(xml, encoding="utf-8")
    items = _items(path)
    steps = _readings(items, StagedKind.STEPS)
    assert list(steps) == ["steps:2024-06-01"]
    assert steps["steps:2024-06-01"].value == 150
    assert steps["steps:2024-06-01"].when == datetime(
        2024, 6, 1, 12, tzinfo=timezone(timedelta(hours=2))
    )
    assert [item for item in items if isinstance(item, Unreadable)] == [
        Unreadable(line=8, message="A step count has a value Interlude cannot read."),
        Unreadable(line=9, message="A step count has a date Interlude cannot read."),
    ]


MEMORY_SCRIPT = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from interlude.interop.canonical import ParseOptions
from interlude.interop.importers.apple_health import _parse
from interlude.interop.importers.archive import ArchiveLimits
path = Path(sys.argv[1])
day = ('<Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Watch" unit="count/min" '
       'creationDate="2024-01-05 10:05:00 -0800" startDate="2024-01-05 10:05:00 -0800" '
       'endDate="2024-01-05 10:05:00 -0800" value="72">'
       '<MetadataEntry key="k" value="0"/></Record>\\n'
       '<Record type="HKQuantityTypeIdentifierStepCount" sourceName="Watch" unit="count" '
       'startDate="{d} 10:00:00 -0800" endDate="{d} 10:05:00 -0800" value="7"/>\\n')
with path.open("w") as handle:
    handle.write('<?xml version="1.0"?>\\n<!DOCTYPE HealthData [\\n')
    handle.write('<!ELEMENT HealthData ANY>\\n]>\\n<HealthData>\\n')
    for index in range(110_000):
        handle.write(day.format(d=f"2024-{index % 12 + 1:02d}-{index % 28 + 1:02d}"))
    handle.write('</HealthData>\\n')
assert path.stat().st_size > 30 * 1024 * 1024, path.stat().st_size
limits = ArchiveLimits(max_archive_bytes=2**40, max_unpacked_bytes=2**40, max_ratio=200)
count = sum(1 for _ in _parse(path, options=ParseOptions(), limits=limits))
# VmHWM: this process's own peak (ru_maxrss would carry over the parent's peak from before exec).
status = open("/proc/self/status").read().splitlines()
peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(count, peak_kb // 1024)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_memory_stays_flat_on_a_30_mb_export(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", MEMORY_SCRIPT, str(tmp_path / "export.xml"), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    count, peak_mb = (int(part) for part in result.stdout.split())
    assert count == 84 + 1  # 84 distinct days of steps (lcm of 12 and 28) + one Skipped
    assert peak_mb < 100, peak_mb


@pytest.mark.parametrize("offset", ["+0000", "+0530", "-1000"])
def test_mindful_key_is_the_instant_whatever_the_offset(tmp_path, offset):
    start = datetime(2024, 2, 1, 12, 0, tzinfo=UTC)
    zone = timezone(timedelta(hours=int(offset[:3]), minutes=int(offset[0] + offset[3:])))
    local = start.astimezone(zone)
    stamp = local.strftime("%Y-%m-%d %H:%M:%S ") + offset
    end = (local + timedelta(minutes=10)).strftime("%Y-%m-%d %H:%M:%S ") + offset
    path = tmp_path / "export.xml"
    path.write_text(
        _xml(
            f'<Record type="HKCategoryTypeIdentifierMindfulSession" sourceName="Calm" '
            f'startDate="{stamp}" endDate="{end}"/>\n'
        )
    )
    (reading,) = _readings(_items(path), StagedKind.MINDFUL).values()
    assert reading.key == "mindful:2024-02-01T12:00:00Z|2024-02-01T12:10:00Z"
    assert reading.value == 10.0
    assert reading.when == local
