"""The benchmark suite of issue [9]: every benchmark against its floor, on SQLite and (when
DATABASE_URL points at PostgreSQL) on PostgreSQL.

    python -m bench                          # 250 and 2,000 clients x 2 years (long: seeding)
    python -m bench --quick                  # a fresh clone's check: a few minutes
    python -m bench --clients 250 --keep     # keep the seeded databases and reuse them next time
    make bench BENCH_ARGS="--quick"

Each figure is a ratio to a floor measured in the same run on the same machine, because absolute
times move with the machine's load (bench/RESULTS.md, "Suite runs"). Per database:

- caseload, record, brief, report_pdf (bench/pages.py): the page through the Django test client
  with the real middleware, alternating with a hand-written SQL statement over the same rows;
- checkin (bench/checkin.py): POST /api/v1/checkins end to end through gunicorn (serve's
  settings, `--workers`), signed in, CSRF header, fresh idempotency key, at 1 and 8 connections,
  alternating with the floor view (bench/floor) under the same gunicorn;
- mix (bench/loadgen.py): clients checking in and answering a PHQ-9, clinicians opening the
  caseload and a record, against one web worker and then two;

and once, independent of the database: apple_health (bench/apple_health.py: the importer against
healthkit-to-sqlite on the same generated export).

Databases: SQLite in a temporary data directory (or var/bench/ with --keep); PostgreSQL in
bench_suite_<clients>c_<years>y on the server DATABASE_URL names (created, and dropped at the end
unless --keep; the role needs CREATEDB). A kept database is reused as it is (not reseeded).

Prints progress to standard error, then one JSON object per benchmark as the last lines of
standard output, and appends a row per benchmark to bench/RESULTS.md ("Suite runs") unless
--no-record.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
KEEP_DIR = ROOT / "var" / "bench"
PAGES = ("caseload", "record", "brief", "report_pdf")
ALL = (*PAGES, "checkin", "mix", "apple_health")
CASELOAD_P95_MS = 150
CASELOAD_FLOOR_RATIO = 3
CHECKIN_RATIO = 0.5
CHECKIN_P99_MS = 50
APPLE_RATIO = 3

SECTION = """
## Suite runs

`python -m bench` (`make bench`; bench/suite.py). One row per benchmark and run; each figure
beside its floor measured in the same run, alternating with it. Floors: caseload, one SQL
statement over the same rows (per client: latest PHQ-9 and GAD-7, last check-in, open alerts);
record, brief and report_pdf, one SQL statement over the same client's data (last 12 PHQ-9 and
GAD-7 totals, 90 days of moods, open alerts); checkin and mix, a bare Django view inserting one
row (no middleware) under the same gunicorn; apple_health, healthkit-to-sqlite on the same file.
Goals: DESIGN.md's budgets and issue [9]'s ratios; "-" where none is set. The date cell carries
the one-minute load average when the run ended.

| date | db | bench | size | figure | floor | ratio | goal met |
|---|---|---|---|---|---|---|---|
"""


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- databases ----------------------------------------------------------------------------------
class Database:
    """One bench database (SQLite file or PostgreSQL database) with its own data directory."""

    def __init__(self, *, vendor: str, clients: int, years: int, keep: bool, pg_url: str) -> None:
        self.vendor = vendor
        self.keep = keep
        self.name = f"bench_suite_{clients}c_{years}y"
        if keep:
            self.data_dir = KEEP_DIR / f"{vendor}-{self.name}"
            self.data_dir.mkdir(parents=True, exist_ok=True)
        else:
            self.data_dir = Path(tempfile.mkdtemp(prefix=f"interlude-{self.name}-"))
        self.url = ""
        if vendor == "postgresql":
            parts = urlsplit(pg_url)
            self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
            self.admin_url = urlunsplit(parts._replace(path="/postgres"))
            self._create()

    def _admin(self, statement: str) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            rows = connection.execute(statement)
            return rows.fetchall() if rows.description else []

    def _create(self) -> None:
        exists = self._admin(f"SELECT 1 FROM pg_database WHERE datname = '{self.name}'")  # noqa: S608
        if exists and not self.keep:
            self._admin(f'DROP DATABASE "{self.name}" WITH (FORCE)')
            exists = []
        if not exists:
            self._admin(f'CREATE DATABASE "{self.name}"')

    def env(self) -> dict[str, str]:
        env = {**os.environ, "INTERLUDE_DATA_DIR": str(self.data_dir), "LOG_LEVEL": "WARNING"}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        if self.url:
            env["DATABASE_URL"] = self.url
        else:
            env.pop("DATABASE_URL", None)
        return env

    def close(self) -> None:
        if self.keep:
            return
        if self.vendor == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        shutil.rmtree(self.data_dir, ignore_errors=True)


# --- running the parts --------------------------------------------------------------------------
def collect(command: list[str], env: dict[str, str]) -> list[dict[str, Any]]:
    """Run a part, pass its output through to standard error, return its '@@bench' results."""
    results: list[dict[str, Any]] = []
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("@@bench "):
            results.append(json.loads(line[len("@@bench ") :]))
        elif "UserWarning: No directory at" not in line and "mw_instance = middleware" not in line:
            print("    " + line.rstrip(), file=sys.stderr)
    if process.wait() != 0:
        raise SystemExit(f"{' '.join(command[:4])} failed ({process.returncode})")
    return results


def run_mix(
    env: dict[str, str], *, db: str, clinician: str, workers: int, seconds: float, logs: Path
) -> dict[str, Any]:
    from bench.checkin import UNTHROTTLED
    from bench.loadgen import parser, run
    from bench.server import Gunicorn

    with Gunicorn(env={**env, **UNTHROTTLED}, workers=workers, log_dir=logs) as server:
        args = parser().parse_args(
            [
                "--base",
                server.base,
                "--seconds",
                str(seconds),
                "--clinician-email",
                clinician,
                "--clinician-password",
                "bench-password-1234",
            ]
        )
        result = asyncio.run(run(args))
    result.update(db=db, workers=workers)
    result.pop("base")
    return result


def apple_health(mb: int) -> dict[str, Any]:
    log(f"apple_health: {mb} MB of XML, the importer against healthkit-to-sqlite")
    process = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "apple_health.py"), "--mb", str(mb)],
        cwd=ROOT,
        env={**os.environ, "LOG_LEVEL": "WARNING"},
        capture_output=True,
        text=True,
        check=False,
    )
    for line in process.stderr.splitlines()[-8:]:
        print("    " + line, file=sys.stderr)
    if process.returncode != 0:
        raise SystemExit(f"bench/apple_health.py failed ({process.returncode})")
    raw = json.loads(process.stdout.strip().splitlines()[-1])
    return {
        "bench": "apple_health",
        "db": "sqlite",
        **{k: v for k, v in raw.items() if k != "bench"},
    }


# --- goals and the results file -----------------------------------------------------------------
def goal(result: dict[str, Any]) -> str:
    bench = result["bench"]
    if bench == "caseload":
        parts = [
            f"ratio <= {CASELOAD_FLOOR_RATIO}: {_yes(result['ratio'] <= CASELOAD_FLOOR_RATIO)}"
        ]
        if result["clients"] == 250:
            parts.insert(
                0, f"p95 < {CASELOAD_P95_MS} ms: {_yes(result['p95_ms'] < CASELOAD_P95_MS)}"
            )
        return "; ".join(parts)
    if bench == "checkin":
        return (
            f"ratio >= {CHECKIN_RATIO}: {_yes(result['ratio'] >= CHECKIN_RATIO)}; "
            f"p99 < {CHECKIN_P99_MS} ms: {_yes(result['p99_ms'] < CHECKIN_P99_MS)}"
        )
    if bench == "apple_health":  # issue [7]'s goal is the parser's; the whole import is shown
        return f"parser ratio >= {APPLE_RATIO}: {_yes(result['ratio'] >= APPLE_RATIO)}"
    return "-"


def _yes(flag: bool) -> str:
    return "yes" if flag else "**no**"


def row(result: dict[str, Any], stamp: str) -> str:
    bench, db = result["bench"], result["db"]
    if bench in PAGES or bench == "caseload_page1":
        size = f"{result['clients']:,} clients x {result['years']} y"
        figure = (
            f"p95 {result['p95_ms']:g} ms (p50 {result['p50_ms']:g}, {result['queries']} queries)"
        )
        if "rows_shown" in result:
            figure += f", {result['rows_shown']:,} rows"
        floor = f"p95 {result['floor_p95_ms']:g} ms"
        ratio = f"{result['ratio']:g}"
    elif bench == "checkin":
        size = f"{result['workers']} worker(s)"
        figure = (
            f"8 conn {result['rps']:g} rps (p99 {result['p99_ms_8']:g} ms); "
            f"1 conn {result['rps_1']:g} rps, p99 {result['p99_ms']:g} ms"
        )
        floor = (
            f"8 conn {result['floor_rps']:g} rps; 1 conn {result['floor_rps_1']:g} rps, "
            f"p99 {result['floor_p99_ms']:g} ms"
        )
        ratio = f"{result['ratio']:g} (1 conn {result['ratio_1']:g})"
    elif bench == "mix":
        size = f"{result['workers']} worker(s), {result['clients']}+{result['clinicians']} users"
        types = result["types"]
        figure = f"{result['rps']:g} rps; " + ", ".join(
            f"{kind} p95 {types[kind]['p95_ms']:g}" for kind in types
        )
        floor = "-"
        ratio = "-"
    else:  # apple_health
        size = f"{result['mb']} MB XML"
        figure = f"parser {result['seconds']:g} s ({result['rss_mb']:g} MB)"
        if "import_seconds" in result:
            figure += f"; import {result['import_seconds']:g} s"
        floor = f"healthkit-to-sqlite {result['floor_seconds']:g} s"
        ratio = f"{result['ratio']:g}"
        if "import_ratio" in result:
            ratio += f" (import {result['import_ratio']:g})"
    return f"| {stamp} | {db} | {bench} | {size} | {figure} | {floor} | {ratio} | {goal(result)} |"


def record(results: list[dict[str, Any]]) -> None:
    stamp = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC (load {os.getloadavg()[0]:.1f})"
    rows = [row(r, stamp) for r in results]
    text = RESULTS.read_text()
    if "\n## Suite runs\n" not in text:
        text = text.rstrip("\n") + "\n" + SECTION
        text += "\n".join(rows) + "\n"
    else:
        head, _, tail = text.partition("\n## Suite runs\n")
        # Only this section's table: later sections have tables of their own.
        section, heading, rest = tail.partition("\n## ")
        lines = section.split("\n")
        last = max(i for i, line in enumerate(lines) if line.startswith("|"))
        lines[last + 1 : last + 1] = rows
        text = head + "\n## Suite runs\n" + "\n".join(lines) + heading + rest
    RESULTS.write_text(text)
    log(f"{len(rows)} rows appended to {RESULTS.relative_to(ROOT)}")


# --- main ---------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--clients", default="250,2000", help="caseload sizes (comma-separated)")
    parser.add_argument("--years", type=int, default=2, help="years of data per client")
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page")
    parser.add_argument("--pdf-runs", type=int, default=5, help="timed PDF reports")
    parser.add_argument("--seconds", type=float, default=5, help="seconds per check-in run")
    parser.add_argument("--rounds", type=int, default=3, help="A/B rounds per concurrency")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers (check-in)")
    parser.add_argument("--mix-seconds", type=float, default=15, help="seconds per mix run")
    parser.add_argument(
        "--apple-mb", type=int, default=60, help="MB of Apple Health XML (57 at least: 2 years)"
    )
    parser.add_argument("--db", default="", help="sqlite,postgresql (default: what is available)")
    parser.add_argument("--only", default=",".join(ALL), help="benchmarks to run")
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) seeded databases")
    parser.add_argument("--quick", action="store_true", help="small sizes, short runs")
    parser.add_argument("--no-record", action="store_true", help="do not write bench/RESULTS.md")
    if "--quick" in sys.argv:  # smaller defaults; options given explicitly still win
        parser.set_defaults(
            clients="50", years=1, runs=10, pdf_runs=2, seconds=2, rounds=2, mix_seconds=5
        )
    args = parser.parse_args()
    sizes = [int(size) for size in args.clients.split(",") if size]
    wanted = [name for name in args.only.split(",") if name]
    unknown = set(wanted) - set(ALL)
    if unknown:
        raise SystemExit(
            f"Unknown benchmark(s): {', '.join(sorted(unknown))}. Known: {', '.join(ALL)}"
        )
    pg_url = os.environ.get("DATABASE_URL", "")
    vendors = [v for v in args.db.split(",") if v] or (
        ["sqlite", "postgresql"] if pg_url.startswith("postgres") else ["sqlite"]
    )
    if "postgresql" in vendors and not pg_url.startswith("postgres"):
        raise SystemExit("--db postgresql needs DATABASE_URL=postgres://user@host:5432/any")
    python = sys.executable
    results: list[dict[str, Any]] = []
    logs = Path(tempfile.mkdtemp(prefix="interlude-bench-logs-"))
    began = time.monotonic()
    for vendor in vendors:
        for index, clients in enumerate(sizes):
            database = Database(
                vendor=vendor, clients=clients, years=args.years, keep=args.keep, pg_url=pg_url
            )
            try:
                env = database.env()
                log(f"{vendor}, {clients} clients x {args.years} years: preparing and timing pages")
                pages = [p for p in PAGES if p in wanted]
                # The record, brief and PDF read one client: the same at every caseload size.
                if index > 0:
                    pages = [p for p in pages if p == "caseload"]
                found = collect(
                    [
                        python,
                        "-m",
                        "bench.pages",
                        "--clients",
                        str(clients),
                        "--years",
                        str(args.years),
                        "--runs",
                        str(args.runs),
                        "--pdf-runs",
                        str(args.pdf_runs),
                        "--only",
                        ",".join(pages) or "none",
                    ],
                    env,
                )
                meta = next(r for r in found if r.get("prepared"))
                log(
                    f"prepared: {meta['rows_seeded']:,} rows seeded in {meta['seed_s']} s "
                    "(0: reused)"
                )
                for result in found:
                    if "bench" in result:
                        log(json.dumps(result))
                        results.append(result)
                if index == 0 and "checkin" in wanted:
                    from bench.checkin import run as checkin_run

                    log(f"{vendor}: check-in against the floor, {args.workers} worker(s)")
                    result = checkin_run(
                        env=env,
                        db=vendor,
                        workers=args.workers,
                        seconds=args.seconds,
                        rounds=args.rounds,
                        log_dir=logs,
                    )
                    log(json.dumps(result))
                    results.append(result)
                if index == 0 and "mix" in wanted:
                    for workers in (1, 2):
                        log(f"{vendor}: the mix against {workers} worker(s)")
                        result = run_mix(
                            env,
                            db=vendor,
                            clinician=meta["clinician"],
                            workers=workers,
                            seconds=args.mix_seconds,
                            logs=logs,
                        )
                        result["clients_in_caseload"] = clients
                        log(json.dumps(result))
                        results.append(result)
            finally:
                database.close()
    if "apple_health" in wanted:
        results.append(apple_health(args.apple_mb))
    log(f"done in {time.monotonic() - began:.0f} s; gunicorn logs in {logs}")
    if not args.no_record:
        record(results)
    print("--- results (one JSON object per benchmark) ---")
    for result in results:
        print(json.dumps(result))
