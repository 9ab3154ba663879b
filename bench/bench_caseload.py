"""Benchmark the clinician's caseload page (DESIGN.md budget: p95 < 150 ms with 250 clients and
two years of data each, a fixed number of queries).

Seeds a throwaway database: one clinician with `--clients` clients, each an onboarded client
with an account, consent given and sharing chosen (most share everything; 10% keep check-ins to
themselves, 5% share nothing switchable), and `--years` of weekly PHQ-9 and GAD-7 answers (scored
and classified by the real rules, as response_submit would), their questionnaire occasions
(mostly answered, some missed, a few overdue), a check-in on most days with its observations, a
relaxation session now and then, open alerts for some, and each client's caseload summary. The
big tables are written as plain rows (COPY on PostgreSQL, executemany on SQLite): the services
would take hours, bulk_create most of an hour at 2,000 clients x 2 years. Then renders
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
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BATCH = 20_000  # rows per COPY / executemany: large batches, bounded memory at 2,000 clients

# Who shares what with the care team (ClientPrivacy.categories), as fractions of the caseload:
# most clients, after onboarding, leave every switch on; a minority keep their check-ins to
# themselves, and a few share nothing beyond what never hides (risk, safety plan, messages).
SHARE_NOTHING = 0.05
SHARE_NO_CHECKINS = 0.10
# Clients for whom the clinician switched off bringing in data from other apps (suitability).
IMPORTS_OFF = 0.05


def _answers(total: int, items: int, high: int, rng: random.Random) -> list[int]:
    """Item answers that add up to `total` (each 0..high), spread at random: `total` points
    drawn without replacement from `high` points per item."""
    answers = [0] * items
    for item in rng.sample(range(items * high), total):
        answers[item % items] += 1
    return answers


def sharing_groups(*, clients: int, rng: random.Random) -> tuple[set[int], set[int], set[int]]:
    """Indexes of the clients who share nothing, who share all but check-ins, and whose imports
    module is off. Client 0 is in none: the record, brief and report benchmarks read it
    (bench/pages.py takes the first active client), so they time a full record."""
    pool = list(range(1, clients))
    rng.shuffle(pool)
    nothing = round(clients * SHARE_NOTHING)
    no_checkins = round(clients * SHARE_NO_CHECKINS)
    imports_off = set(rng.sample(range(1, clients), min(round(clients * IMPORTS_OFF), len(pool))))
    return set(pool[:nothing]), set(pool[nothing : nothing + no_checkins]), imports_off


class _Table:
    """Rows of one model written as plain tuples: COPY on PostgreSQL, executemany on SQLite.

    bulk_create builds a model instance per row and compiles every value: most of the seed's
    time at 2,000 clients x 2 years (~5.5 million rows). Columns not given take the field's
    default, computed once (so a callable default such as uuid4 must be given per row)."""

    def __init__(self, model: Any, columns: tuple[str, ...]) -> None:
        from django.db import connection, models
        from django.utils import timezone

        self.connection = connection
        self.table = model._meta.db_table
        self.written = 0
        self.rows: list[tuple[Any, ...]] = []
        meta = model._meta
        given = [meta.get_field(name) for name in columns]
        names = {f.attname for f in given}
        now = timezone.now()
        sqlite = connection.vendor == "sqlite"
        self.converters: list[Any] = []
        for f in given:
            if isinstance(f, models.JSONField):
                self.converters.append(json.dumps)
            elif isinstance(f, models.DecimalField):
                self.converters.append(lambda v, f=f: f.get_db_prep_save(v, connection))
            elif sqlite and isinstance(f, models.DateTimeField):
                # Django's SQLite format: naive UTC text (what adapt_datetimefield_value writes,
                # at a tenth of its cost). psycopg adapts these types itself.
                self.converters.append(lambda v: str(v.astimezone(UTC).replace(tzinfo=None)))
            elif sqlite and isinstance(f, models.UUIDField):
                self.converters.append(lambda v: v.hex)
            else:
                self.converters.append(None)
        constants: list[tuple[str, Any]] = []
        for f in meta.concrete_fields:
            if f.attname in names or f.primary_key:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value: Any = now
            elif f.has_default() and callable(f.default) and f.unique:
                raise ValueError(f"{meta.label}.{f.name}: give it per row")
            else:  # the field's default, or "" for text and None for nullable fields
                value = f.get_default()
            if isinstance(f, models.JSONField):
                value = json.dumps(value)
            elif value is not None:
                value = f.get_db_prep_save(value, connection)
            constants.append((f.column, value))
        self.constant = tuple(v for _, v in constants)
        self.columns = [f.column for f in given] + [c for c, _ in constants]

    def add(self, *values: Any) -> None:
        row = tuple(
            v if convert is None or v is None else convert(v)
            for v, convert in zip(values, self.converters, strict=True)
        )
        self.rows.append(row + self.constant)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        columns = ", ".join(f'"{c}"' for c in self.columns)
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                with cursor.cursor.copy(f'COPY "{self.table}" ({columns}) FROM STDIN') as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(
                    f'INSERT INTO "{self.table}" ({columns}) VALUES ({marks})',  # noqa: S608
                    self.rows,
                )
        self.written += len(self.rows)
        self.rows = []


def seed(*, clients: int, years: int, rng: random.Random) -> tuple[Any, int]:
    """Create the practice, the clinician and the data, then the clients' caseload summaries.
    Returns (clinician user, rows written)."""
    from types import SimpleNamespace

    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from interlude.accounts.models import User
    from interlude.alerts.models import Alert, AlertKind, AlertStatus, Severity
    from interlude.consents.consent_services import consent_default_text, consent_text_sha256
    from interlude.consents.models import (
        ClientPrivacy,
        ConsentDocument,
        ConsentEvent,
        ConsentEventKind,
        ConsentMethod,
        ConsentStatus,
    )
    from interlude.consents.rules import SWITCHABLE
    from interlude.core.crypto import encrypt_with_data_key
    from interlude.core.data_keys import data_key_for_client
    from interlude.core.fields import row_aad
    from interlude.insights.summary import summaries_rebuild
    from interlude.measures.change import Classification, classify, track_status
    from interlude.measures.models import (
        DueStatus,
        Frequency,
        QuestionnaireDue,
        QuestionnaireResponse,
        QuestionnaireSchedule,
    )
    from interlude.measures.selectors import instrument_definitions
    from interlude.measures.services import scoring_meta
    from interlude.practices.enums import ClientStatus, Module, Role, ShareScope
    from interlude.practices.models import CareTeamMember, Client, Membership, Practice
    from interlude.tracking.models import CheckIn, Observation, ObservationKind, ObservationSource

    now = timezone.now().replace(microsecond=0)
    start = now - timedelta(days=365 * years)
    weeks = 52 * years
    days = 365 * years
    written = 0
    tag = uuid.uuid4().hex[:8]

    practice = Practice.objects.create(
        name="Bench Practice", country="US", time_zone="America/New_York"
    )
    user = User.objects.create_user(
        email=f"bench-{tag}@example.org",
        password="bench-password-1234",  # noqa: S106
        full_name="Dr Bench",
        mfa_exempt=True,
    )
    membership = Membership.objects.create(practice=practice, user=user, role=Role.CLINICIAN)
    definitions = instrument_definitions(practice=practice)
    zones = ["America/New_York", "America/Chicago", "Europe/Berlin", "Europe/London"]
    statuses = [ClientStatus.ACTIVE] * 8 + [ClientStatus.PAUSED, ClientStatus.DISCHARGED]
    names = [
        f"Client {i:04d} {rng.choice(['Ellis', 'Haddad', 'Kim', 'Novak'])}" for i in range(clients)
    ]
    nothing, no_checkins, imports_off = sharing_groups(clients=clients, rng=rng)
    # One hash for every client's account: hashing 2,000 passwords would take minutes.
    password = make_password("bench-password-1234")
    with transaction.atomic():
        # --- clients with an account, onboarded: consent given, sharing chosen -------------
        accounts = User.objects.bulk_create(
            User(
                email=f"bench-client-{i}-{tag}@example.org",
                full_name=names[i],
                password=password,
                date_joined=start,
            )
            for i in range(clients)
        )
        people = Client.objects.bulk_create(
            Client(
                practice=practice,
                user=accounts[i],
                full_name=names[i],
                email=accounts[i].email,
                time_zone=rng.choice(zones),
                status=statuses[i % len(statuses)],
                started_on=start.date(),
                last_activity_at=now - timedelta(hours=rng.randint(1, 24 * 20)),
                created_at=start,
                created_by=user,
                updated_by=user,
            )
            for i in range(clients)
        )
        CareTeamMember.objects.bulk_create(
            CareTeamMember(client=c, membership=membership, is_primary=True, added_by=user)
            for c in people
        )
        body = consent_default_text(practice=practice)
        document = ConsentDocument.objects.create(
            practice=practice,
            version=1,
            title="Consent",
            body=body,
            sha256=consent_text_sha256(body),
            published_at=start - timedelta(days=30),
        )
        agreed = [start + timedelta(hours=rng.randint(1, 48)) for _ in people]
        ConsentEvent.objects.bulk_create(
            (
                ConsentEvent(
                    practice=practice,
                    client=c,
                    kind=ConsentEventKind.ACCEPTED,
                    document=document,
                    document_version=document.version,
                    document_sha256=document.sha256,
                    typed_name=c.full_name,
                    method=ConsentMethod.WEB,
                    at=agreed[i],
                    actor=accounts[i],
                )
                for i, c in enumerate(people)
            ),
            batch_size=BATCH,
        )

        def choices(i: int) -> dict[str, bool]:
            # Onboarding stores every switch as the client's own choice (sharing_update).
            if i in nothing:
                return {cat.value: False for cat in SWITCHABLE}
            return {
                cat.value: not (cat == ShareScope.CHECKINS and i in no_checkins)
                for cat in SWITCHABLE
            }

        ClientPrivacy.objects.bulk_create(
            (
                ClientPrivacy(
                    client=c,
                    consent_status=ConsentStatus.ACCEPTED,
                    consent_version=document.version,
                    consent_at=agreed[i],
                    categories=choices(i),
                    modules_off=[Module.IMPORTS.value] if i in imports_off else [],
                    reminders_opt_in=i % 3 != 0,
                    onboarded_at=agreed[i] + timedelta(minutes=5),
                )
                for i, c in enumerate(people)
            ),
            batch_size=BATCH,
        )
    written += 5 * clients + 1

    # --- questionnaires, check-ins, observations: streamed per client, written in big batches -
    created = ("public_id", "practice_id", "client_id", "created_at", "updated_at")
    by = ("created_by_id", "updated_by_id")
    due_rows = _Table(
        QuestionnaireDue,
        (
            *created,
            *by,
            "schedule_id",
            "instrument_code",
            "opens_at",
            "closes_at",
            "status",
            "completed_at",
        ),
    )
    response_rows = _Table(
        QuestionnaireResponse,
        (
            *created,
            *by,
            "instrument_code",
            "instrument_version",
            "answers",
            "submitted_at",
            "idempotency_key",
            "total",
            "band_code",
            "band_label",
            "complete",
            "flags",
            "change_from_baseline",
            "change_from_previous",
            "classification",
            "classification_reason",
            "track_status",
            "track_reason",
            "administration_number",
            "scoring_meta",
        ),
    )
    checkin_rows = _Table(
        CheckIn,
        (
            *created,
            *by,
            "recorded_at",
            "time_zone",
            "mood",
            "anxiety",
            "sleep_hours",
            "idempotency_key",
        ),
    )
    observation_rows = _Table(
        Observation,
        (
            "practice_id",
            "client_id",
            "kind",
            "value",
            "effective_at",
            "time_zone",
            "source",
            "source_type",
            "source_id",
            "created_at",
            "created_by_id",
        ),
    )
    instruments = (("phq9", 9, 3), ("gad7", 7, 3))
    schedules: dict[str, list[QuestionnaireSchedule]] = {}
    meta: dict[str, dict[str, Any]] = {}
    for code, _, _ in instruments:
        definition = definitions[code]
        schedules[code] = QuestionnaireSchedule.objects.bulk_create(
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
        written += clients
        # What response_submit stores: the thresholds used (measures/services.py).
        meta[code] = scoring_meta(definition=definition, at_risk_after=8)
    pid, uid = practice.pk, user.pk
    checkin_source = ObservationSource.CHECKIN.value
    exercise_source = ObservationSource.EXERCISE.value
    kinds = (
        ObservationKind.MOOD.value,
        ObservationKind.ANXIETY.value,
        ObservationKind.SLEEP_HOURS.value,
    )
    relaxation = ObservationKind.RELAXATION_MINUTES.value
    answers_at = SimpleNamespace(_meta=QuestionnaireResponse._meta, practice_id=pid)
    with transaction.atomic():
        for index, client in enumerate(people):
            cid = client.pk
            # The client's data key, once: inside the transaction the gate's cache of it is only
            # filled at commit, so encrypt_for_client would look it up for every value.
            found = data_key_for_client(client_id=cid)
            assert found is not None
            key_id, key = found
            # Weekly PHQ-9 and GAD-7, scored and classified by the real rules.
            for code, items, item_high in instruments:
                definition = definitions[code]
                schedule_id = schedules[code][index].pk
                baseline = rng.randint(8, items * item_high - 4)
                slope = rng.choice([-0.25, -0.15, -0.08, 0.0, 0.05])  # points per week
                value = float(baseline)
                first_total: int | None = None
                previous: int | None = None
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
                    done = status == DueStatus.COMPLETED
                    due_rows.add(
                        uuid.uuid4(),
                        pid,
                        cid,
                        opens_at,
                        submitted if done else opens_at,
                        uid,
                        uid,
                        schedule_id,
                        code,
                        opens_at,
                        closes_at,
                        status.value,
                        submitted if done else None,
                    )
                    if not done:
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
                    flags = (
                        [{"flag": "critical_item", "item": 9, "value": 1, "critical": True}]
                        if code == "phq9" and answers[8] > 0
                        else []
                    )
                    answers_at.public_id = public_id = uuid.uuid4()
                    response_rows.add(
                        public_id,
                        pid,
                        cid,
                        submitted,
                        submitted,
                        uid,
                        uid,
                        code,
                        definition.version,
                        encrypt_with_data_key(
                            json.dumps(answers, separators=(",", ":")),
                            aad=row_aad(answers_at, "answers"),  # type: ignore[arg-type]
                            key_id=key_id,
                            key=key,
                        ),
                        submitted,
                        uuid.uuid4().hex,
                        float(total),
                        band.code if band else "",
                        band.label if band else "",
                        True,
                        encrypt_with_data_key(
                            json.dumps(flags, separators=(",", ":")),
                            aad=row_aad(answers_at, "flags"),  # type: ignore[arg-type]
                            key_id=key_id,
                            key=key,
                        ),
                        float(total - first_total),
                        float(total - previous) if previous is not None else None,
                        str(classification),
                        reason[:300],
                        str(track.status),
                        track.reason[:300],
                        administrations,
                        meta[code],
                    )
                    previous = total

            # A check-in on most days, with its observations; relaxation now and then.
            zone = client.time_zone
            mood = rng.uniform(3, 7)
            for day in range(days):
                if rng.random() > 0.8:
                    continue
                at = start + timedelta(
                    days=day, hours=rng.randint(12, 23), minutes=rng.randint(0, 59)
                )
                if at > now:
                    break
                mood = min(max(mood + rng.gauss(0.01, 0.6), 0), 10)
                anxiety = rng.randint(0, 10)
                sleep = round(rng.uniform(4.5, 9), 1)
                public_id = uuid.uuid4()
                checkin_rows.add(
                    public_id,
                    pid,
                    cid,
                    at,
                    at,
                    uid,
                    uid,
                    at,
                    zone,
                    round(mood),
                    anxiety,
                    Decimal(str(sleep)),
                    uuid.uuid4().hex,
                )
                source_id = str(public_id)
                for kind, point in zip(kinds, (round(mood), anxiety, sleep), strict=True):
                    observation_rows.add(
                        pid,
                        cid,
                        kind,
                        float(point),
                        at,
                        zone,
                        checkin_source,
                        "tracking.checkin",
                        source_id,
                        at,
                        uid,
                    )
                if rng.random() < 0.15:
                    observation_rows.add(
                        pid,
                        cid,
                        relaxation,
                        5.0,
                        at - timedelta(hours=2),
                        zone,
                        exercise_source,
                        "exercises.relaxationsession",
                        uuid.uuid4().hex,
                        at - timedelta(hours=2),
                        uid,
                    )
        for table in (due_rows, response_rows, checkin_rows, observation_rows):
            table.flush()
            written += table.written

    # --- alerts: most resolved, some open ------------------------------------------------------
    alerts = []
    alert_kinds = [
        (AlertKind.CRITICAL_ITEM, Severity.CRITICAL),
        (AlertKind.RELIABLE_DETERIORATION, Severity.HIGH),
        (AlertKind.NOT_ON_TRACK, Severity.MEDIUM),
        (AlertKind.NO_CHECKIN, Severity.LOW),
        (AlertKind.QUESTIONNAIRE_OVERDUE, Severity.LOW),
    ]
    for client in people:
        for n in range(rng.randint(0, 6)):
            alert_kind, severity = rng.choice(alert_kinds)
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

    # The rows above bypassed the services that keep each client's caseload summary current.
    summaries_rebuild(client_ids=[c.pk for c in people])
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
