# ruff: noqa: E501, RUF001 -- the export's DTD and device strings are quoted as Apple writes them
"""Benchmark the Apple Health importer's parser (goal: peak RSS < 100 MB whatever the export's
size, and at least 3x the throughput of `healthkit-to-sqlite` on the same file).

Generates a synthetic but realistic export.zip (`--mb` of XML, default 200): Apple's internal
DTD, then two years of step counts from an iPhone and an Apple Watch, heart-rate records (with
a MetadataEntry child, as real ones have) filling most of the size, sleep stages from the watch
and in-bed time from the phone each night, and a mindful session most days. Then, in the same
run, each in its own process (wall time and peak RSS from os.wait4):

(a) `interlude.interop.importers.apple_health.parse` consuming the zip fully;
(b) `healthkit-to-sqlite` (the floor: the usual open-source converter) on the same zip;
(c) unless `--parser-only`: the whole import, `manage.py import_file --source apple_health` into
    a fresh SQLite database with the demo seeded (reading, staging, the loader, the audit row),
    as a client would run it.

    .venv/bin/python bench/apple_health.py            # 200 MB of XML
    .venv/bin/python bench/apple_health.py --mb 30    # quicker

Prints one JSON line: {"bench": "apple_health", "mb", "rss_mb", "seconds", "floor_seconds",
"floor_rss_mb", "ratio", "import_seconds", "import_rss_mb", "import_ratio"}, ratio =
floor_seconds / seconds and import_ratio = floor_seconds / import_seconds (higher is better).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent

DTD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 14 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary|ClinicalRecord|Audiogram|VisionPrescription)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
<!ELEMENT ExportDate EMPTY>
<!ATTLIST ExportDate
  value CDATA #REQUIRED
>
<!ELEMENT Me EMPTY>
<!ATTLIST Me
  HKCharacteristicTypeIdentifierDateOfBirth         CDATA #REQUIRED
  HKCharacteristicTypeIdentifierBiologicalSex       CDATA #REQUIRED
  HKCharacteristicTypeIdentifierBloodType           CDATA #REQUIRED
  HKCharacteristicTypeIdentifierFitzpatrickSkinType CDATA #REQUIRED
>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record
  type          CDATA #REQUIRED
  unit          CDATA #IMPLIED
  value         CDATA #IMPLIED
  sourceName    CDATA #REQUIRED
  sourceVersion CDATA #IMPLIED
  device        CDATA #IMPLIED
  creationDate  CDATA #IMPLIED
  startDate     CDATA #REQUIRED
  endDate       CDATA #REQUIRED
>
<!-- Note: Any Records that appear as children of a correlation also appear as top-level records in this document. -->
<!ELEMENT MetadataEntry EMPTY>
<!ATTLIST MetadataEntry
  key   CDATA #REQUIRED
  value CDATA #REQUIRED
>
<!ELEMENT Correlation ((MetadataEntry|Record)*)>
<!ATTLIST Correlation
  type          CDATA #REQUIRED
  sourceName    CDATA #REQUIRED
  sourceVersion CDATA #IMPLIED
  device        CDATA #IMPLIED
  creationDate  CDATA #IMPLIED
  startDate     CDATA #REQUIRED
  endDate       CDATA #REQUIRED
>
<!ELEMENT Workout ((MetadataEntry|WorkoutEvent|WorkoutRoute|WorkoutStatistics)*)>
<!ATTLIST Workout
  workoutActivityType   CDATA #REQUIRED
  duration              CDATA #IMPLIED
  durationUnit          CDATA #IMPLIED
  sourceName            CDATA #REQUIRED
  startDate             CDATA #REQUIRED
  endDate               CDATA #REQUIRED
>
<!ELEMENT ActivitySummary EMPTY>
<!ATTLIST ActivitySummary
  dateComponents           CDATA #IMPLIED
  activeEnergyBurned       CDATA #IMPLIED
>
]>
<HealthData locale="en_US">
 <ExportDate value="2026-01-01 09:00:00 -0800"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="" HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexNotSet" HKCharacteristicTypeIdentifierBloodType="HKBloodTypeNotSet" HKCharacteristicTypeIdentifierFitzpatrickSkinType="HKFitzpatrickSkinTypeNotSet"/>
"""

PHONE = 'sourceName="Sam’s iPhone" sourceVersion="17.2" device="&lt;&lt;HKDevice: 0x283&gt;, name:iPhone, manufacturer:Apple Inc., model:iPhone, hardware:iPhone14,5, software:17.2&gt;"'
WATCH = 'sourceName="Sam’s Apple Watch" sourceVersion="10.2" device="&lt;&lt;HKDevice: 0x281&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch6,2, software:10.2&gt;"'
ZONE = timezone(timedelta(hours=-8))


def _d(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S -0800")


def _record(
    kind: str, source: str, start: datetime, end: datetime, value: str, unit: str = ""
) -> str:
    unit_text = f' unit="{unit}"' if unit else ""
    return (
        f' <Record type="{kind}" {source}{unit_text} creationDate="{_d(end)}" '
        f'startDate="{_d(start)}" endDate="{_d(end)}" value="{value}"/>\n'
    )


def _day(day: datetime, rng: random.Random, heart_rates: int) -> str:
    parts = []
    for source in (PHONE, WATCH):
        for slot in range(96):  # every 10 minutes from 07:00 to 23:00
            start = day + timedelta(hours=7, minutes=10 * slot)
            parts.append(
                _record(
                    "HKQuantityTypeIdentifierStepCount",
                    source,
                    start,
                    start + timedelta(minutes=9),
                    str(rng.randint(0, 180)),
                    "count",
                )
            )
    for index in range(heart_rates):
        at = day + timedelta(seconds=int(86400 * index / max(heart_rates, 1)))
        parts.append(
            f' <Record type="HKQuantityTypeIdentifierHeartRate" {WATCH} unit="count/min" '
            f'creationDate="{_d(at)}" startDate="{_d(at)}" endDate="{_d(at)}" '
            f'value="{rng.randint(52, 120)}">\n'
            '  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="0"/>\n'
            " </Record>\n"
        )
    bed = day + timedelta(hours=22, minutes=rng.randint(0, 90))
    parts.append(
        _record(
            "HKCategoryTypeIdentifierSleepAnalysis",
            PHONE,
            bed,
            bed + timedelta(hours=8),
            "HKCategoryValueSleepAnalysisInBed",
        )
    )
    at = bed + timedelta(minutes=15)
    for _ in range(5):
        for stage in ("AsleepCore", "AsleepDeep", "AsleepCore", "AsleepREM", "Awake"):
            length = timedelta(minutes=rng.randint(5, 30))
            parts.append(
                _record(
                    "HKCategoryTypeIdentifierSleepAnalysis",
                    WATCH,
                    at,
                    at + length,
                    f"HKCategoryValueSleepAnalysis{stage}",
                )
            )
            at += length
    if rng.random() < 0.7:
        start = day + timedelta(hours=7, minutes=rng.randint(0, 59))
        parts.append(
            _record(
                "HKCategoryTypeIdentifierMindfulSession",
                WATCH,
                start,
                start + timedelta(minutes=rng.randint(3, 20)),
                "HKCategoryValueNotApplicable",
            )
        )
    return "".join(parts)


def generate(path: Path, *, mb: int, days: int = 730, seed: int = 7) -> int:
    """Write export.zip with about `mb` MB of export.xml; returns the XML's size in bytes."""
    rng = random.Random(seed)
    target = mb * 1024 * 1024
    start = datetime(2024, 1, 1, tzinfo=ZONE)
    base = len(_day(start, random.Random(0), 0).encode())
    heart = len(_day(start, random.Random(0), 1).encode()) - base
    heart_rates = max(0, int((target / days - base) / heart))
    written = 0
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive,
        archive.open("apple_health_export/export.xml", "w", force_zip64=True) as member,
    ):
        for text in (DTD,):
            data = text.encode()
            member.write(data)
            written += len(data)
        for index in range(days):
            data = _day(start + timedelta(days=index), rng, heart_rates).encode()
            member.write(data)
            written += len(data)
        data = b"</HealthData>\n"
        member.write(data)
        written += len(data)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("apple_health_export/export_cda.xml", "<ClinicalDocument/>")
    return written


PARSER = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
from interlude.interop.canonical import ParseOptions
from interlude.interop.importers.apple_health import _parse
from interlude.interop.importers.archive import ArchiveLimits
limits = ArchiveLimits(max_archive_bytes=4 * 1024**3, max_unpacked_bytes=16 * 1024**3, max_ratio=200)
counts = {{}}
for item in _parse(Path(sys.argv[1]), options=ParseOptions(), limits=limits):
    name = type(item).__name__ + ":" + str(getattr(item, "staged_kind", ""))
    counts[name] = counts.get(name, 0) + 1
print(counts, file=sys.stderr)
# This process's own peak: ru_maxrss from wait4 can carry over the parent's peak from before exec.
print(next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")))
"""


def measure(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB, from wait4) and standard output of one child process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, cwd=ROOT, text=True)
    assert process.stdout is not None
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{command[0]} failed with status {status}")
    return seconds, usage.ru_maxrss / 1024, output


def whole_import(path: Path, data: Path, floor_seconds: float) -> dict[str, float]:
    """(c): migrate and seed a fresh SQLite database, then time `manage.py import_file`."""
    env = {**os.environ, "INTERLUDE_DATA_DIR": str(data)}
    for name in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    python = str(VENV_BIN / "python")
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    seed = "from interlude.clinic.demo import demo_seed; demo_seed()"
    subprocess.run([python, "manage.py", "shell", "-c", seed], cwd=ROOT, env=env, check=True)
    command = [
        python,
        "manage.py",
        "import_file",
        "--client-email",
        "client2@demo.interlude.test",
        "--source",
        "apple_health",
        str(path),
    ]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, cwd=ROOT, env=env, text=True)
    assert process.stdout is not None
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"import_file failed with status {status}")
    print(output.strip().splitlines()[-1], file=sys.stderr)
    return {
        "import_seconds": round(seconds, 2),
        "import_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "import_ratio": round(floor_seconds / seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=200, help="size of export.xml in MB")
    parser.add_argument("--keep", type=Path, help="write the zip here and keep it")
    parser.add_argument("--parser-only", action="store_true", help="skip the whole import (c)")
    args = parser.parse_args()
    full: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = args.keep or Path(folder) / "export.zip"
        started = time.perf_counter()
        xml_bytes = generate(path, mb=args.mb)
        print(
            f"generated {xml_bytes / 1024**2:.0f} MB of XML, zip {path.stat().st_size / 1024**2:.0f} MB "
            f"in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
        env_python = str(VENV_BIN / "python")
        seconds, _rss, output = measure(
            [env_python, "-c", PARSER.format(root=str(ROOT)), str(path)]
        )
        rss = int(output.split()[-1]) / 1024  # the parser's own VmHWM
        floor_seconds, floor_rss, _output = measure(
            [str(VENV_BIN / "healthkit-to-sqlite"), str(path), str(Path(folder) / "floor.db"), "-s"]
        )
        if not args.parser_only:
            full = whole_import(path, Path(folder) / "data", floor_seconds)
    print(
        json.dumps(
            {
                "bench": "apple_health",
                "mb": round(xml_bytes / 1024**2),
                "rss_mb": round(rss, 1),
                "seconds": round(seconds, 2),
                "floor_seconds": round(floor_seconds, 2),
                "floor_rss_mb": round(floor_rss, 1),
                "ratio": round(floor_seconds / seconds, 2),
                **full,
            }
        )
    )


if __name__ == "__main__":
    main()
