"""Benchmark the audit trail: append rate (each event its own transaction, as in production),
the first signed checkpoint and `audit_verify` time, then extrapolate verification to 1M events
(SECURITY.md SR-32).

    .venv/bin/python bench/bench_audit.py --events 20000            # SQLite in a temp dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/interlude_bench \
        .venv/bin/python bench/bench_audit.py --events 20000        # PostgreSQL (fresh DB)

Prints a Markdown row to paste into bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20000)
    args = parser.parse_args()
    os.environ.setdefault("INTERLUDE_DATA_DIR", tempfile.mkdtemp(prefix="interlude-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from interlude.audit.models import AuditEvent
    from interlude.audit.services import event_login_failed

    before = AuditEvent.objects.count()
    start = time.perf_counter()
    for i in range(args.events):
        event_login_failed(attempted_login=f"bench{i}@example.org")
    append_s = time.perf_counter() - start
    total = AuditEvent.objects.count()
    assert total == before + args.events

    # The first checkpoint verifies every event (later ones only those since the last), then
    # audit_verify walks the whole chain against it.
    start = time.perf_counter()
    call_command("audit_checkpoint", stdout=open(os.devnull, "w"))  # noqa: SIM115
    checkpoint_s = time.perf_counter() - start
    start = time.perf_counter()
    call_command("audit_verify", stdout=open(os.devnull, "w"))  # noqa: SIM115
    verify_s = time.perf_counter() - start
    per_million = verify_s / total * 1_000_000
    print(
        f"| {connection.vendor} | {args.events:,} | {args.events / append_s:,.0f} | "
        f"{total:,} | {checkpoint_s:.2f} | {verify_s:.2f} | {per_million:.0f} |"
    )


if __name__ == "__main__":
    main()
