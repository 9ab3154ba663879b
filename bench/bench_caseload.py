"""Benchmark the clinician's caseload page (DESIGN.md budget: p95 < 150 ms with 250 clients and
two years of data each, a fixed number of queries).

Seeds a throwaway database: one clinician with `--clients` clients, each with `--years` of weekly
PHQ-9 and GAD-7 answers (scored and classified by the real rules, as response_submit would),
their questionnaire occasions (mostly answered, some missed, a few overdue), a check-in on most
days with its observations, a relaxation session now and then, and open alerts for some. Rows are
written with bulk_create (the services would take hours for 2 years x 250 clients). Then renders
/clinic/ through the Django test client `--runs` times and reports p50/p95 and the query count.

    .venv/bin/python bench/bench_caseload.py                       # SQLite in a temp dir
    createdb -h 127.0.0.1 -U postgres interlude_bench_caseload
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/interlude_bench_caseload \
        .venv/bin/python bench/bench_caseload.py                   # PostgreSQL (fresh DB)

Prints a Markdown row to paste into bench/RESULTS.md. `--profile` prints where the time of one
render goes (cProfile, top 25 by cumulative time).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BATCH = 5000


def _answers(total: int, items: int, high: int, rng: random.Random) -> list[int]:
    """Item answers that add up to `total` (each 0..high), spread at random."""
    answers = [0] * items
    for _ in range(total):
        open_items = [i for i in range(items) if answers[i] < high]
        answers[rng.choice(open_items)] += 1
    return answers


def seed(*, clients: int, years: int, rng: random.Random) -> tuple[Any, int]:
    """Create the practice, the clinician and the data. Returns (clinician user, rows written)."""
    from django.db import transaction
    from django.utils import timezone

    from interlude.accounts.models import User
    from interlude.alerts.models import Alert, AlertKind, AlertStatus, Severity
    from interlude.measures.change import Classification, classify, track_status
    from interlude.measures.models import (
        DueStatus,
        Frequency,
        QuestionnaireDue,
        QuestionnaireResponse,
        QuestionnaireSchedule,
    )
    from interlude.measures.selectors import instrument_definitions
    from interlude.practices.enums import ClientStatus, Role
    from interlude.practices.models import CareTeamMember, Client, Membership, Practice
    from interlude.tracking.models import CheckIn, Observation, ObservationKind, ObservationSource

    now = timezone.now().replace(microsecond=0)
    start = now - timedelta(days=365 * years)
    weeks = 52 * years
    days = 365 * years
    written = 0

    practice = Practice.objects.create(
        name="Bench Practice", country="US", time_zone="America/New_York"
    )
    user = User.objects.create_user(
        email=f"bench-{uuid.uuid4().hex[:8]}@example.org",
        password="bench-password-1234",  # noqa: S106
        full_name="Dr Bench",
        mfa_exempt=True,
    )
    membership = Membership.objects.create(practice=practice, user=user, role=Role.CLINICIAN)
    definitions = instrument_definitions(practice=practice)
    zones = ["America/New_York", "America/Chicago", "Europe/Berlin", "Europe/London"]
    statuses = [ClientStatus.ACTIVE] * 8 + [ClientStatus.PAUSED, ClientStatus.DISCHARGED]
    with transaction.atomic():
        people = Client.objects.bulk_create(
            Client(
                practice=practice,
                full_name=f"Client {i:04d} {rng.choice(['Ellis', 'Haddad', 'Kim', 'Novak'])}",
                email=f"bench-client-{i}@example.org",
                time_zone=rng.choice(zones),
                status=statuses[i % len(statuses)],
                started_on=start.date(),
                last_activity_at=now - timedelta(hours=rng.randint(1, 24 * 20)),
                created_by=user,
                updated_by=user,
            )
            for i in range(clients)
        )
        CareTeamMember.objects.bulk_create(
            CareTeamMember(client=c, membership=membership, added_by=user) for c in people
        )
    written += 2 * clients

    # --- questionnaires: weekly PHQ-9 and GAD-7, scored and classified by the real rules ------
    code: str
    for code, items, item_high in (("phq9", 9, 3), ("gad7", 7, 3)):
        definition = definitions[code]
        schedules = QuestionnaireSchedule.objects.bulk_create(
            QuestionnaireSchedule(
                practice=practice,
                client=c,
                instrument_code=code,
                frequency=Frequency.EVERY_N_DAYS,
                interval_days=7,
                starts_at=start,
                created_by=user,
                updated_by=user,
            )
            for c in people
        )
        responses: list[QuestionnaireResponse] = []
        dues: list[QuestionnaireDue] = []
        for client, schedule in zip(people, schedules, strict=True):
            baseline = rng.randint(8, items * item_high - 4)
            slope = rng.choice([-0.25, -0.15, -0.08, 0.0, 0.05])  # points per week
            value = float(baseline)
            first_total: float | None = None
            administrations = 0
            for week in range(weeks):
                opens_at = start + timedelta(days=7 * week, hours=9)
                closes_at = opens_at + timedelta(days=3)
                answered = rng.random() < 0.85 or week == 0
                overdue = closes_at < now and week >= weeks - 1 and rng.random() < 0.3
                if overdue:
                    status = DueStatus.DUE
                elif answered:
                    status = DueStatus.COMPLETED
                else:
                    status = DueStatus.MISSED
                submitted = opens_at + timedelta(hours=rng.randint(1, 60))
                dues.append(
                    QuestionnaireDue(
                        practice=practice,
                        client=client,
                        schedule=schedule,
                        instrument_code=code,
                        opens_at=opens_at,
                        closes_at=closes_at,
                        status=status,
                        completed_at=submitted if status == DueStatus.COMPLETED else None,
                        created_by=user,
                        updated_by=user,
                    )
                )
                if status != DueStatus.COMPLETED:
                    continue
                value = min(max(value + slope + rng.gauss(0, 1.5), 0), items * item_high)
                total = round(value)
                band = definition.band_for(total)
                administrations += 1
                if first_total is None:
                    first_total = total
                    classification, reason = Classification.BASELINE, "The first answer."
                else:
                    change = classify(
                        baseline=first_total,
                        current=total,
                        direction=definition.direction,
                        reliable_change=definition.reliable_change,
                        clinical_range=definition.clinical_range,
                        short_name=definition.short_name,
                    )
                    classification, reason = change.classification, change.explanation
                track = track_status(
                    classification=classification,
                    administrations=administrations,
                    at_risk_after=8,
                    current=total,
                    clinical_range=definition.clinical_range,
                    short_name=definition.short_name,
                )
                answers = _answers(total, items, item_high, rng)
                responses.append(
                    QuestionnaireResponse(
                        practice=practice,
                        client=client,
                        instrument_code=code,
                        instrument_version=definition.version,
                        answers=answers,
                        submitted_at=submitted,
                        idempotency_key=uuid.uuid4().hex,
                        total=float(total),
                        band_code=band.code if band else "",
                        band_label=band.label if band else "",
                        complete=True,
                        flags=(
                            [{"flag": "critical_item", "item": 9, "value": 1, "critical": True}]
                            if code == "phq9" and answers[8] > 0
                            else []
                        ),
                        change_from_baseline=float(total - first_total),
                        classification=classification,
                        classification_reason=reason[:300],
                        track_status=track.status,
                        track_reason=track.reason[:300],
                        administration_number=administrations,
                        created_by=user,
                        updated_by=user,
                    )
                )
        for batch in range(0, len(dues), BATCH):
            QuestionnaireDue.objects.bulk_create(dues[batch : batch + BATCH])
        for batch in range(0, len(responses), BATCH):
            QuestionnaireResponse.objects.bulk_create(responses[batch : batch + BATCH])
        written += len(schedules) + len(dues) + len(responses)

    # --- check-ins on most days, with their observations; relaxation now and then --------------
    for client in people:
        checkins: list[CheckIn] = []
        observations: list[Observation] = []
        mood = rng.uniform(3, 7)
        for day in range(days):
            if rng.random() > 0.8:
                continue
            at = start + timedelta(days=day, hours=rng.randint(12, 23), minutes=rng.randint(0, 59))
            if at > now:
                break
            mood = min(max(mood + rng.gauss(0.01, 0.6), 0), 10)
            anxiety = rng.randint(0, 10)
            sleep = round(rng.uniform(4.5, 9), 1)
            checkin = CheckIn(
                practice=practice,
                client=client,
                recorded_at=at,
                time_zone=client.time_zone,
                mood=round(mood),
                anxiety=anxiety,
                sleep_hours=sleep,
                idempotency_key=uuid.uuid4().hex,
                created_by=user,
                updated_by=user,
            )
            checkins.append(checkin)
            for kind, value in (
                (ObservationKind.MOOD, round(mood)),
                (ObservationKind.ANXIETY, anxiety),
                (ObservationKind.SLEEP_HOURS, sleep),
            ):
                observations.append(
                    Observation(
                        practice=practice,
                        client=client,
                        kind=kind,
                        value=float(value),
                        effective_at=at,
                        time_zone=client.time_zone,
                        source=ObservationSource.CHECKIN,
                        source_type="tracking.checkin",
                        source_id=str(checkin.public_id),
                        created_by=user,
                    )
                )
            if rng.random() < 0.15:
                observations.append(
                    Observation(
                        practice=practice,
                        client=client,
                        kind=ObservationKind.RELAXATION_MINUTES,
                        value=5.0,
                        effective_at=at - timedelta(hours=2),
                        time_zone=client.time_zone,
                        source=ObservationSource.EXERCISE,
                        source_type="exercises.relaxationsession",
                        source_id=uuid.uuid4().hex,
                        created_by=user,
                    )
                )
        CheckIn.objects.bulk_create(checkins, batch_size=BATCH)
        Observation.objects.bulk_create(observations, batch_size=BATCH)
        written += len(checkins) + len(observations)

    # --- alerts: most resolved, some open ------------------------------------------------------
    alerts = []
    kinds = [
        (AlertKind.CRITICAL_ITEM, Severity.CRITICAL),
        (AlertKind.RELIABLE_DETERIORATION, Severity.HIGH),
        (AlertKind.NOT_ON_TRACK, Severity.MEDIUM),
        (AlertKind.NO_CHECKIN, Severity.LOW),
        (AlertKind.QUESTIONNAIRE_OVERDUE, Severity.LOW),
    ]
    for client in people:
        for n in range(rng.randint(0, 6)):
            alert_kind, severity = rng.choice(kinds)
            alerts.append(
                Alert(
                    practice=practice,
                    client=client,
                    kind=alert_kind,
                    severity=severity,
                    severity_rank=Severity(severity).rank,
                    reason="Bench alert.",
                    status=AlertStatus.RESOLVED if rng.random() < 0.8 else AlertStatus.OPEN,
                    dedupe_key=f"bench:{n}",
                    created_at=now - timedelta(days=rng.randint(0, days)),
                    created_by=user,
                    updated_by=user,
                )
            )
    Alert.objects.bulk_create(alerts, batch_size=BATCH)
    written += len(alerts)
    return user, written


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=250)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use the data already seeded in INTERLUDE_DATA_DIR / DATABASE_URL (for profiling)",
    )
    args = parser.parse_args()
    os.environ.setdefault("INTERLUDE_DATA_DIR", tempfile.mkdtemp(prefix="interlude-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client as HttpClient
    from django.test.utils import CaptureQueriesContext, override_settings

    # No collectstatic in a throwaway data dir: plain static URLs instead of the manifest.
    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    call_command("migrate", verbosity=0)
    rng = random.Random(20261125)  # reproducible data, not security
    began = time.perf_counter()
    if args.reuse:
        from interlude.accounts.models import User

        user, rows = User.objects.get(full_name="Dr Bench"), 0
    else:
        user, rows = seed(clients=args.clients, years=args.years, rng=rng)
    seeded_s = time.perf_counter() - began
    if connection.vendor == "postgresql":
        # What autovacuum does on a live database: statistics and the visibility map (without
        # it PostgreSQL cannot answer from an index alone).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    http = HttpClient()
    http.force_login(user)
    response = http.get("/clinic/?status=all")  # warm-up: session kind, caches, first compile
    assert response.status_code == 200, response.status_code
    # Not setup_test_environment(): the test client would then copy every template context,
    # which costs more than the page itself. Count the rows in the HTML instead.
    shown = response.content.decode().count('<tr class="need-row')
    assert shown == args.clients, shown
    with CaptureQueriesContext(connection) as ctx:
        http.get("/clinic/?status=all")
    queries = len(ctx.captured_queries)

    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        http.get("/clinic/?status=all")
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)

    timings = []
    for _ in range(args.runs):
        start = time.perf_counter()
        response = http.get("/clinic/?status=all")
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
    print(
        f"| {connection.vendor} | {args.clients} | {args.years} | {rows:,} | {seeded_s:.0f} | "
        f"{args.runs} | {p50:.0f} | {p95:.0f} | {queries} | {len(response.content) // 1024} |",
        file=sys.stdout,
    )


if __name__ == "__main__":
    main()
