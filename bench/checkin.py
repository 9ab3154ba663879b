"""Check-in end to end through gunicorn, against the floor under the same gunicorn settings.

    python -m bench.checkin --workers 1 --seconds 5 --rounds 3          # uses INTERLUDE_DATA_DIR /
                                                                         # DATABASE_URL as prepared
    python -m bench.checkin --profile 200                                # in-process profile

Load: the demo client (client@demo.interlude.test) signs in once through the real login form;
every request then carries that session cookie and the CSRF token in X-CSRFToken, and POSTs
/api/v1/checkins with a fresh idempotency key: the real middleware, authentication, throttles,
the gate, encryption of nothing (no note) and the audit chain. The floor gets the same body and
headers at /bench-floor/ (bench/floor: a bare Django view inserting one row, no middleware).

At 1 and 8 concurrent connections, real and floor runs alternate (A B A B, `--rounds` of each,
`--seconds` each) after a warm-up of each, so a change in the machine's load hits both. rps is
the requests answered over the time taken, summed over the rounds; p99 is over every request of
that target and concurrency. The API's per-user write limits are raised for the benchmark
(API_WRITE_RATE_BURST / _SUSTAINED in the server's environment) so they do not answer 429; their
bookkeeping still runs.

`--profile N`: N check-ins through the Django test client (same middleware), with the statements
of one check-in listed and cProfile's top costs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.wire import Session, percentile, sign_in  # noqa: E402

CLIENT_EMAIL = "client@demo.interlude.test"
DEMO_PASSWORD = "interlude-demo"  # noqa: S105 - the documented demo password (not production)
UNTHROTTLED = {"API_WRITE_RATE_BURST": "1000000/min", "API_WRITE_RATE_SUSTAINED": "100000000/hour"}


def checkin_body(rng: random.Random) -> bytes:
    return json.dumps(
        {
            "mood": rng.randint(0, 10),
            "anxiety": rng.randint(0, 10),
            "sleep_hours": 7.5,
            "idempotency_key": uuid.uuid4().hex,
        }
    ).encode()


async def drive(signed_in: Session, path: str, connections: int, seconds: float) -> dict[str, Any]:
    """`connections` loops POSTing check-ins for `seconds`. Returns counts and latencies."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.perf_counter() + seconds
    headers = {
        "Content-Type": "application/json",
        "X-CSRFToken": signed_in.cookies.get("csrftoken", ""),
    }

    async def loop(index: int) -> None:
        session = signed_in.copy()
        rng = random.Random(index)
        try:
            while time.perf_counter() < deadline:
                answer = await session.request(
                    "POST", path, body=checkin_body(rng), headers=headers
                )
                statuses[answer.status] = statuses.get(answer.status, 0) + 1
                latencies.append(answer.ms)
        finally:
            await session.close()

    started = time.perf_counter()
    await asyncio.gather(*(loop(i) for i in range(connections)))
    elapsed = time.perf_counter() - started
    return {"elapsed": elapsed, "latencies": latencies, "statuses": statuses}


async def compare(base: str, *, seconds: float, rounds: int) -> dict[str, Any]:
    signed_in = await sign_in(base, CLIENT_EMAIL, DEMO_PASSWORD)
    probe = await drive(signed_in, "/api/v1/checkins", 1, 0.01)
    if set(probe["statuses"]) != {201}:
        raise SystemExit(f"POST /api/v1/checkins answered {probe['statuses']}, not 201")
    figures: dict[str, Any] = {}
    for connections in (1, 8):
        # Warm-up of each (threads started, connections opened, first compile).
        for path in ("/api/v1/checkins", "/bench-floor/"):
            await drive(signed_in, path, connections, min(2.0, seconds))
        runs: dict[str, list[dict[str, Any]]] = {"real": [], "floor": []}
        for _ in range(rounds):
            runs["real"].append(await drive(signed_in, "/api/v1/checkins", connections, seconds))
            runs["floor"].append(await drive(signed_in, "/bench-floor/", connections, seconds))
        for name, results in runs.items():
            latencies = [ms for r in results for ms in r["latencies"]]
            statuses: dict[int, int] = {}
            for r in results:
                for status, count in r["statuses"].items():
                    statuses[status] = statuses.get(status, 0) + count
            good = 201
            if set(statuses) != {good}:
                raise SystemExit(f"{name} at {connections} connections answered {statuses}")
            figures[f"{name}_{connections}"] = {
                "rps": len(latencies) / sum(r["elapsed"] for r in results),
                "p50_ms": percentile(latencies, 0.50),
                "p99_ms": percentile(latencies, 0.99),
                "requests": len(latencies),
                "per_round_rps": [round(len(r["latencies"]) / r["elapsed"], 1) for r in results],
            }
    return figures


def summary(figures: dict[str, Any], *, db: str, workers: int) -> dict[str, Any]:
    real1, real8 = figures["real_1"], figures["real_8"]
    floor1, floor8 = figures["floor_1"], figures["floor_8"]
    return {
        "bench": "checkin",
        "db": db,
        "workers": workers,
        "rps": round(real8["rps"], 1),
        "p99_ms": round(real1["p99_ms"], 1),
        "floor_rps": round(floor8["rps"], 1),
        "ratio": round(real8["rps"] / floor8["rps"], 3),
        "rps_1": round(real1["rps"], 1),
        "p50_ms_1": round(real1["p50_ms"], 1),
        "p99_ms_8": round(real8["p99_ms"], 1),
        "floor_rps_1": round(floor1["rps"], 1),
        "floor_p50_ms_1": round(floor1["p50_ms"], 1),
        "floor_p99_ms": round(floor1["p99_ms"], 1),
        "floor_p99_ms_8": round(floor8["p99_ms"], 1),
        "ratio_1": round(real1["rps"] / floor1["rps"], 3),
        "requests": real1["requests"] + real8["requests"],
        "per_round_rps_8": real8["per_round_rps"],
        "floor_per_round_rps_8": floor8["per_round_rps"],
    }


def run(
    *, env: dict[str, str], db: str, workers: int, seconds: float, rounds: int, log_dir: Path
) -> dict[str, Any]:
    from bench.server import Gunicorn

    with Gunicorn(env={**env, **UNTHROTTLED}, workers=workers, log_dir=log_dir) as server:
        figures = asyncio.run(compare(server.base, seconds=seconds, rounds=rounds))
    return summary(figures, db=db, workers=workers)


def profile(count: int) -> None:
    """Where a check-in's time goes, in process: statements of one, then cProfile over `count`."""
    import cProfile
    import pstats
    from collections import Counter

    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.floor_settings"
    os.environ.update(UNTHROTTLED)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client as HttpClient
    from django.test.utils import CaptureQueriesContext

    from interlude.accounts.models import User

    http = HttpClient()
    http.force_login(User.objects.get(email=CLIENT_EMAIL))
    rng = random.Random(1)

    def post() -> None:
        response = http.post(
            "/api/v1/checkins", data=checkin_body(rng), content_type="application/json"
        )
        assert response.status_code == 201, (response.status_code, response.content[:300])

    for _ in range(5):
        post()
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as ctx:
        post()
    print(f"statements in one check-in request: {len(ctx.captured_queries)}")
    kinds: Counter[str] = Counter()
    for query in ctx.captured_queries:
        sql = query["sql"]
        words = sql.split()
        verb = words[0].upper() if words else "?"
        table = next(
            (w.strip('"') for w in words if w.strip('"').count("_") and '"."' not in w), ""
        )
        for marker in (" FROM ", "INTO ", "UPDATE "):
            if marker in sql:
                table = sql.split(marker, 1)[1].split()[0].strip('"')
                break
        kinds[f"{verb} {table}"] += 1
    for name, number in kinds.most_common():
        print(f"  {number:3d}  {name}")
    for query in ctx.captured_queries:
        print(f"    {query['time']}s  {query['sql'][:160]}")

    timings = []
    profiler = cProfile.Profile()
    for _ in range(count):
        start = time.perf_counter()
        profiler.enable()
        post()
        profiler.disable()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    print(
        f"\n{count} check-ins in process (under cProfile): "
        f"median {timings[len(timings) // 2]:.1f} ms"
    )
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", type=int, metavar="N", help="profile N check-ins in process")
    parser.add_argument("--log-dir", type=Path, help="keep gunicorn's logs here")
    args = parser.parse_args()
    if args.profile:
        profile(args.profile)
        return
    import tempfile

    db = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    with tempfile.TemporaryDirectory() as logs:
        result = run(
            env=dict(os.environ),
            db=db,
            workers=args.workers,
            seconds=args.seconds,
            rounds=args.rounds,
            log_dir=args.log_dir or Path(logs),
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
