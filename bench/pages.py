"""Prepare a bench database and time the clinician's pages against hand-written SQL floors.

Run by the suite (`python -m bench`) in its own process, with INTERLUDE_DATA_DIR (SQLite) or
DATABASE_URL (PostgreSQL) pointing at the bench database:

    python -m bench.pages --clients 250 --years 2 --runs 30

1. Prepare: `migrate --run-syncdb` under bench.floor_settings (the app's tables plus the floor's),
   the cache table, the demo practice (its client signs in for the check-in and mix benchmarks),
   and, unless already there, `--clients` clients with `--years` of data each, seeded exactly as
   bench/bench_caseload.py does (same generator and random seed). The seed writes with
   bulk_create, past the services that keep each client's caseload summary current, so the
   summaries are then built by `summaries_rebuild` (also on a kept database that lacks them).
   PostgreSQL then gets `VACUUM ANALYZE`, as autovacuum would.
2. Time, through the Django test client with the real middleware (signed in as the clinician):
   - caseload: up to ALL_ROWS_UP_TO clients (250), every row: GET /clinic/?status=all&show=all;
     beyond, the first page of the paged list filtered on the server: GET /clinic/?attention=1
     (PAGE_SIZE rows, "most need first"). caseload_page1 is that first page at every size.
   - record, brief: one client with `--years` of data;
   - report_pdf: the same client's PDF report, timed as the task worker builds it (the job's
     build function, insights.services.report_job_build), not through a request.
   Each against its floor, timed the same way in the same process, alternating request and floor:
   - caseload floor: one SQL statement over the same rows (per client of the clinician: latest
     PHQ-9 and GAD-7 totals, last check-in, open alert count); for a first page, the same
     statement for the current clients with an open alert, ordered by their count, LIMIT 50;
   - record/brief/report_pdf floor: one SQL statement reading the same client's last 12 PHQ-9
     and GAD-7 totals, their last 90 days of check-in moods and their open alert count.
   The floors read what the page must at least read, so ratio = page p95 / floor p95 is what the
   application adds on top of fetching its data.

Prints one line per benchmark starting with "@@bench " followed by a JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CASELOAD_FLOOR_SQL = """
SELECT c.id,
  (SELECT r.total FROM measures_questionnaireresponse r
    WHERE r.client_id = c.id AND r.instrument_code = 'phq9'
    ORDER BY r.submitted_at DESC LIMIT 1) AS phq9,
  (SELECT r.total FROM measures_questionnaireresponse r
    WHERE r.client_id = c.id AND r.instrument_code = 'gad7'
    ORDER BY r.submitted_at DESC LIMIT 1) AS gad7,
  (SELECT k.recorded_at FROM tracking_checkin k
    WHERE k.client_id = c.id ORDER BY k.recorded_at DESC LIMIT 1) AS last_checkin,
  (SELECT COUNT(*) FROM alerts_alert a WHERE a.client_id = c.id AND a.status = 'open') AS alerts
FROM practices_client c
JOIN practices_careteammember m ON m.client_id = c.id
WHERE m.membership_id = %s
ORDER BY c.full_name
"""

# The first page's floor: the same per-client reads, for the clients a "needs attention" page
# starts with (current, with an open alert), the most alerts first, one page of them.
CASELOAD_PAGE_FLOOR_SQL = """
SELECT * FROM (
SELECT c.id, c.full_name,
  (SELECT r.total FROM measures_questionnaireresponse r
    WHERE r.client_id = c.id AND r.instrument_code = 'phq9'
    ORDER BY r.submitted_at DESC LIMIT 1) AS phq9,
  (SELECT r.total FROM measures_questionnaireresponse r
    WHERE r.client_id = c.id AND r.instrument_code = 'gad7'
    ORDER BY r.submitted_at DESC LIMIT 1) AS gad7,
  (SELECT k.recorded_at FROM tracking_checkin k
    WHERE k.client_id = c.id ORDER BY k.recorded_at DESC LIMIT 1) AS last_checkin,
  (SELECT COUNT(*) FROM alerts_alert a WHERE a.client_id = c.id AND a.status = 'open') AS alerts
FROM practices_client c
JOIN practices_careteammember m ON m.client_id = c.id
WHERE m.membership_id = %s AND c.status <> 'discharged'
) x WHERE x.alerts > 0
ORDER BY x.alerts DESC, x.full_name
LIMIT 50
"""
ALL_ROWS_UP_TO = 250

CLIENT_FLOOR_SQL = """
SELECT * FROM (SELECT 'phq9' AS what, r.submitted_at AS at, r.total AS value
  FROM measures_questionnaireresponse r WHERE r.client_id = %s AND r.instrument_code = 'phq9'
  ORDER BY r.submitted_at DESC LIMIT 12) AS phq9
UNION ALL SELECT * FROM (SELECT 'gad7' AS what, r.submitted_at AS at, r.total AS value
  FROM measures_questionnaireresponse r WHERE r.client_id = %s AND r.instrument_code = 'gad7'
  ORDER BY r.submitted_at DESC LIMIT 12) AS gad7
UNION ALL SELECT 'mood', k.recorded_at, k.mood FROM tracking_checkin k
  WHERE k.client_id = %s AND k.recorded_at >= %s
UNION ALL SELECT 'alerts', NULL, COUNT(*) FROM alerts_alert a
  WHERE a.client_id = %s AND a.status = 'open'
"""


def emit(result: dict[str, Any]) -> None:
    print("@@bench " + json.dumps(result), flush=True)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def summaries_ready(clients: int) -> float:
    """Build the caseload summaries a seeded database lacks (bulk_create bypassed the services
    that keep them). Returns the seconds it took (0.0 when they were all there)."""
    from interlude.insights.models import ClientSummary
    from interlude.insights.summary import summaries_rebuild
    from interlude.practices.models import Client

    if ClientSummary.objects.count() >= Client.objects.count():
        return 0.0
    began = time.perf_counter()
    summaries_rebuild()
    return time.perf_counter() - began


def prepare(*, clients: int, years: int) -> tuple[Any, int, float]:
    """Migrate, seed when needed, build the summaries. Returns (clinician user, rows written,
    seconds seeding and summarising)."""
    from django.core.management import call_command
    from django.db import connection

    from interlude.accounts.models import User
    from interlude.clinic.demo import demo_seed
    from interlude.practices.models import CareTeamMember

    call_command("migrate", run_syncdb=True, verbosity=0)
    call_command("createcachetable", verbosity=0)
    demo_seed()
    user = User.objects.filter(full_name="Dr Bench").first()
    if user is not None:
        have = CareTeamMember.objects.filter(membership__user=user).count()
        if have != clients:
            raise SystemExit(
                f"This bench database holds {have} clients, not {clients}: use another "
                "database (the suite names them by size) or drop it."
            )
        return user, 0, summaries_ready(clients)
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_caseload import seed

    began = time.perf_counter()
    user, rows = seed(clients=clients, years=years, rng=random.Random(20261125))
    summaries_ready(clients)
    seconds = time.perf_counter() - began
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return user, rows, seconds


def alternate(
    page: Callable[[], None], floor: Callable[[], None], runs: int
) -> tuple[list[float], list[float]]:
    """Time page and floor in turn (ABAB), so a change in the machine's load hits both."""
    page_ms: list[float] = []
    floor_ms: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        page()
        page_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        floor()
        floor_ms.append((time.perf_counter() - start) * 1000)
    return page_ms, floor_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=250)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--pdf-runs", type=int, default=5)
    parser.add_argument(
        "--only", default="caseload,record,brief,report_pdf", help="comma-separated benchmarks"
    )
    parser.add_argument("--prepare-only", action="store_true")
    args = parser.parse_args()
    wanted = set(args.only.split(","))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.floor_settings"
    import django

    django.setup()
    from django.db import connection
    from django.test import Client as HttpClient
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from interlude.practices.enums import ClientStatus
    from interlude.practices.models import Client, Membership

    user, rows, seeded_s = prepare(clients=args.clients, years=args.years)
    membership = Membership.objects.get(user=user)
    client = (
        Client.objects.filter(care_team__membership=membership, status=ClientStatus.ACTIVE)
        .order_by("id")
        .first()
    )
    assert client is not None
    emit(
        {
            "prepared": True,
            "db": connection.vendor,
            "clients": args.clients,
            "rows_seeded": rows,
            "seed_s": round(seeded_s, 1),
            "clinician": user.email,
            "record_id": str(client.public_id),
        }
    )
    if args.prepare_only:
        return

    http = HttpClient()
    http.force_login(user)
    base = {"db": connection.vendor, "clients": args.clients, "years": args.years}

    def get(path: str) -> Callable[[], None]:
        def run() -> None:
            response = http.get(path)
            assert response.status_code == 200, (path, response.status_code)

        return run

    def sql(statement: str, params: list[Any]) -> Callable[[], None]:
        def run() -> None:
            with connection.cursor() as cursor:
                cursor.execute(statement, params)
                cursor.fetchall()

        return run

    def measure(name: str, path: str, floor: Callable[[], None], runs: int, **extra: Any) -> None:
        response = http.get(path)  # warm-up: caches, first compile
        assert response.status_code == 200, (path, response.status_code)
        floor()
        connection.queries_log.clear()  # a full log (9,000 entries) would count nothing
        with CaptureQueriesContext(connection) as ctx:
            http.get(path)
        queries = len(ctx.captured_queries)  # now: later requests reset the log it slices
        page_ms, floor_ms = alternate(get(path), floor, runs)
        floor_p95 = p95(floor_ms)
        emit(
            {
                "bench": name,
                **base,
                "path": path.replace(str(client.public_id), "<client>"),
                "runs": runs,
                "p50_ms": round(statistics.median(page_ms), 1),
                "p95_ms": round(p95(page_ms), 1),
                "queries": queries,
                "kb": len(response.content) // 1024,
                "floor_p50_ms": round(statistics.median(floor_ms), 2),
                "floor_p95_ms": round(floor_p95, 2),
                "ratio": round(p95(page_ms) / floor_p95, 1),
                **extra,
            }
        )

    if "caseload" in wanted:
        whole_floor = sql(CASELOAD_FLOOR_SQL, [membership.pk])
        page_floor = sql(CASELOAD_PAGE_FLOOR_SQL, [membership.pk])
        first_page = "/clinic/?attention=1"
        if args.clients <= ALL_ROWS_UP_TO:
            path, floor = "/clinic/?status=all&show=all", whole_floor
        else:
            path, floor = first_page, page_floor
        shown = http.get(path).content.decode().count('<tr class="need-row')
        measure("caseload", path, floor, args.runs, rows_shown=shown)
        if path != first_page:
            shown = http.get(first_page).content.decode().count('<tr class="need-row')
            measure("caseload_page1", first_page, page_floor, args.runs, rows_shown=shown)
    since = timezone.now() - timedelta(days=90)
    client_floor = sql(CLIENT_FLOOR_SQL, [client.pk, client.pk, client.pk, since, client.pk])
    record = f"/clinic/clients/{client.public_id}/"
    if "record" in wanted:
        measure("record", record, client_floor, args.runs)
    if "brief" in wanted:
        measure("brief", f"{record}brief/", client_floor, args.runs)
    if "report_pdf" in wanted:
        measure_report_build(user, membership, client, client_floor, args.pdf_runs, base)


def measure_report_build(
    user: Any, membership: Any, client: Any, floor: Callable[[], None], runs: int, base: dict
) -> None:
    """The PDF report is built by the task worker (insights.services), not in a request: time
    the job's build function itself (the client's whole record, default period: first answer to
    today), each run on a new queued job, alternating with the client floor.

    The seeded clients never answered the consent question, so their care team would see none
    of their questionnaires: for the report's runs this client has consented (the practice's
    default sharing), and the consent state is put back afterwards."""
    from interlude.consents.models import ClientPrivacy, ConsentStatus

    before = ClientPrivacy.objects.filter(client=client).first()
    ClientPrivacy.objects.update_or_create(
        client=client, defaults={"consent_status": ConsentStatus.ACCEPTED}
    )
    try:
        _measure_report_build(user, membership, client, floor, runs, base)
    finally:
        if before is None:
            ClientPrivacy.objects.filter(client=client).delete()
        else:
            before.save()


def _measure_report_build(
    user: Any, membership: Any, client: Any, floor: Callable[[], None], runs: int, base: dict
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from interlude.consents.access import Category, Viewer, care_access_for
    from interlude.insights import services
    from interlude.insights.models import ReportJob

    care = care_access_for(client=client, user=user, viewer=Viewer.CARE_TEAM, membership=membership)
    assert care.can_see(Category.MEASURES), care.categories
    period, errors = services.report_range(care=care, raw_from=None, raw_to=None)
    assert not errors, errors

    def queued() -> ReportJob:
        return ReportJob.objects.create(
            practice_id=client.practice_id,
            client=client,
            requested_by=user,
            viewer=Viewer.CARE_TEAM.value,
            membership=membership,
            date_from=period.start,
            date_to=period.end,
        )

    def done(job: ReportJob) -> ReportJob:
        job.refresh_from_db()
        assert job.status == "ready", (job.status, job.error)
        path = services.report_file_path(job.file_name)
        if path is not None:
            path.unlink(missing_ok=True)
        job.delete()
        return job

    done_job = queued()  # warm-up: templates, fonts, first compile
    services.report_job_build(job_id=done_job.pk)
    done(done_job)
    floor()
    job = queued()
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as ctx:
        services.report_job_build(job_id=job.pk)
    queries = len(ctx.captured_queries)
    built = done(job)
    build_ms: list[float] = []
    floor_ms: list[float] = []
    for _ in range(runs):
        job = queued()
        start = time.perf_counter()
        services.report_job_build(job_id=job.pk)
        build_ms.append((time.perf_counter() - start) * 1000)
        done(job)
        start = time.perf_counter()
        floor()
        floor_ms.append((time.perf_counter() - start) * 1000)
    floor_p95 = p95(floor_ms)
    emit(
        {
            "bench": "report_pdf",
            **base,
            "path": "insights.services.report_job_build (task worker)",
            "runs": runs,
            "p50_ms": round(statistics.median(build_ms), 1),
            "p95_ms": round(p95(build_ms), 1),
            "queries": queries,
            "kb": (built.size or 0) // 1024,
            "pages": built.pages,
            "steps": built.steps_total,
            "floor_p50_ms": round(statistics.median(floor_ms), 2),
            "floor_p95_ms": round(floor_p95, 2),
            "ratio": round(p95(build_ms) / floor_p95, 1),
        }
    )


if __name__ == "__main__":
    main()
