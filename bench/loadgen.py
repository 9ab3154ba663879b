"""A realistic mix of requests against any running Interlude, with throughput and p50/p95/p99
per request type.

    python -m bench.loadgen --base http://127.0.0.1:8000 --seconds 30          # the demo accounts
    python -m bench.loadgen --base http://127.0.0.1:8001 --clients 6 --clinicians 2 \\
        --clinician-email bench-1234abcd@example.org --clinician-password bench-password-1234

Virtual people, each on its own keep-alive connection, in a closed loop (the next request when
the last one answered, plus `--think-ms` if given):
- clients (`--clients`, signed in once as `--client-email`): four check-ins
  (POST /api/v1/checkins, fresh idempotency key) for each PHQ-9 answered
  (POST /api/v1/responses);
- clinicians (`--clinicians`, signed in as `--clinician-email`): open the caseload
  (GET /clinic/), then a client's record (GET /clinic/clients/<id>/, a client taken from the
  caseload), in turn.

Point it at one web process and then at two to see what the second buys: `--base` may be given
more than once (two web servers without a proxy, as scripts/topology-local.sh starts them), and
the virtual people are dealt out over the bases in turn, each signed in on its own base.
The API's per-user write limits apply (a server started for a benchmark should raise
API_WRITE_RATE_BURST and API_WRITE_RATE_SUSTAINED, as bench/checkin.py does); 429s are counted as
errors.
Prints a table to standard error and one JSON line to standard output.

Uses the standard library only (bench/wire.py): httpx is not among the project's dependencies.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.wire import Session, percentile, sign_in

DEMO_PASSWORD = "interlude-demo"  # noqa: S105 - the documented demo password (not production)


class Tally:
    def __init__(self) -> None:
        self.ms: dict[str, list[float]] = {}
        self.errors: dict[str, dict[int, int]] = {}

    def add(self, kind: str, status: int, ms: float, ok: bool) -> None:
        self.ms.setdefault(kind, []).append(ms)
        if not ok:
            bucket = self.errors.setdefault(kind, {})
            bucket[status] = bucket.get(status, 0) + 1


async def client_loop(
    signed_in: Session, tally: Tally, deadline: float, think: float, seed: int
) -> None:
    session = signed_in.copy()
    rng = random.Random(seed)
    headers = {
        "Content-Type": "application/json",
        "X-CSRFToken": signed_in.cookies.get("csrftoken", ""),
    }
    step = 0
    try:
        while time.perf_counter() < deadline:
            step += 1
            if step % 5:
                kind, path = "checkin", "/api/v1/checkins"
                body = {
                    "mood": rng.randint(0, 10),
                    "anxiety": rng.randint(0, 10),
                    "sleep_hours": 7.0,
                    "idempotency_key": uuid.uuid4().hex,
                }
            else:
                kind, path = "phq9", "/api/v1/responses"
                body = {
                    "instrument": "phq9",
                    "answers": [rng.randint(0, 2) for _ in range(8)] + [0],
                    "idempotency_key": uuid.uuid4().hex,
                }
            answer = await session.request(
                "POST", path, body=json.dumps(body).encode(), headers=headers
            )
            tally.add(kind, answer.status, answer.ms, answer.status in (200, 201))
            if think:
                await asyncio.sleep(think)
    finally:
        await session.close()


async def clinician_loop(
    signed_in: Session, tally: Tally, deadline: float, think: float, seed: int
) -> None:
    session = signed_in.copy()
    rng = random.Random(seed)
    records: list[str] = []
    try:
        while time.perf_counter() < deadline:
            answer = await session.request("GET", "/clinic/")
            tally.add("caseload", answer.status, answer.ms, answer.status == 200)
            if answer.status == 200:
                records = sorted(
                    set(re.findall(r'href="(/clinic/clients/[0-9a-f-]{36}/)"', answer.text))
                )
            if think:
                await asyncio.sleep(think)
            if records and time.perf_counter() < deadline:
                answer = await session.request("GET", rng.choice(records))
                tally.add("record", answer.status, answer.ms, answer.status == 200)
                if think:
                    await asyncio.sleep(think)
    finally:
        await session.close()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    bases = args.base or ["http://127.0.0.1:8000"]
    # Sessions live in the shared database, but signing in on each base checks each one answers.
    clients = [await sign_in(b, args.client_email, args.client_password) for b in bases]
    clinicians = [await sign_in(b, args.clinician_email, args.clinician_password) for b in bases]
    tally = Tally()
    think = args.think_ms / 1000
    deadline = time.perf_counter() + args.seconds
    started = time.perf_counter()
    await asyncio.gather(
        *(
            client_loop(clients[i % len(bases)], tally, deadline, think, i)
            for i in range(args.clients)
        ),
        *(
            clinician_loop(clinicians[i % len(bases)], tally, deadline, think, 1000 + i)
            for i in range(args.clinicians)
        ),
    )
    elapsed = time.perf_counter() - started
    types = {}
    for kind in ("checkin", "phq9", "caseload", "record"):
        ms = tally.ms.get(kind, [])
        types[kind] = {
            "requests": len(ms),
            "rps": round(len(ms) / elapsed, 1),
            "p50_ms": round(percentile(ms, 0.50), 1),
            "p95_ms": round(percentile(ms, 0.95), 1),
            "p99_ms": round(percentile(ms, 0.99), 1),
            "errors": tally.errors.get(kind, {}),
        }
    return {
        "bench": "mix",
        "base": " ".join(bases),
        "seconds": round(elapsed, 1),
        "clients": args.clients,
        "clinicians": args.clinicians,
        "rps": round(sum(len(v) for v in tally.ms.values()) / elapsed, 1),
        "types": types,
    }


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--base",
        action="append",
        default=[],
        help="a web server's URL (repeatable; default http://127.0.0.1:8000)",
    )
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=6, help="virtual clients")
    parser.add_argument("--clinicians", type=int, default=2, help="virtual clinicians")
    parser.add_argument("--think-ms", type=float, default=0)
    parser.add_argument("--client-email", default="client@demo.interlude.test")
    parser.add_argument("--client-password", default=DEMO_PASSWORD)
    parser.add_argument("--clinician-email", default="therapist@demo.interlude.test")
    parser.add_argument("--clinician-password", default=DEMO_PASSWORD)
    return parser


def table(result: dict[str, Any]) -> str:
    lines = [f"{result['base']}: {result['rps']} requests/s over {result['seconds']} s"]
    lines.append(f"{'type':10} {'requests':>8} {'rps':>7} {'p50':>8} {'p95':>8} {'p99':>8}  errors")
    for kind, row in result["types"].items():
        lines.append(
            f"{kind:10} {row['requests']:8d} {row['rps']:7.1f} {row['p50_ms']:8.1f} "
            f"{row['p95_ms']:8.1f} {row['p99_ms']:8.1f}  {row['errors'] or ''}"
        )
    return "\n".join(lines)


def main() -> None:
    result = asyncio.run(run(parser().parse_args()))
    print(table(result), file=sys.stderr)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
