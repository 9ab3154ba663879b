"""The caseload overview: for each client on a clinician's care teams, what says who needs them.

Reads for the clients the gate already returned (`consents.access.access_caseload`, one
`CareAccess` each); nothing here looks a client up. Each row shows only what that client shares
with the viewer: a category the client does not share shows "Not shared" in its column (never its
content) and does not count towards the row's need or its homework. A fixed number of queries
whatever the caseload size, the amount of data or the clients' sharing choices (at most):

1-2. the practice's instrument definitions (`measures.selectors.instrument_definitions`);
3.   alert settings (how many days without a check-in count as a gap);
4.   the last 12 answers per client and instrument (see `_recent_answers_sql`: a LATERAL
     join on PostgreSQL, portable SQL elsewhere);
5.   open alerts, counted per client with their highest severity;
6.   the last check-in per client;
7.   questionnaire occasions of the last 30 days (answered, missed, overdue);
8.   activity of the last 14 days (check-ins, relaxation, exposure, sleep diary, thought records,
     logged activities) in one UNION.

"Homework adherence" is defined on the page and here, the same way:
- Questionnaires: of the occasions due in the last 30 days (their window closed in those days,
  or is still open and they were already answered), how many were answered. Due = answered +
  missed + still unanswered past the window.
- Active days: of the last 14 days (the client's calendar days, today included), on how many the
  client did anything that is stored: a check-in, a relaxation session, an exposure practice, a
  sleep diary entry, a thought record, or a logged activity. Private journal writing and data
  imported from other apps are not counted, nor anything of a category the client does not share.

Questionnaire scores the care team entered from paper stay on the client record when
questionnaires are not shared; the caseload shows "Not shared" for that client's scores.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import IntEnum
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import connection
from django.db.models import (
    CharField,
    Count,
    Field,
    Max,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from interlude.alerts.models import Alert, AlertStatus, Severity
from interlude.alerts.services import alert_settings_get
from interlude.consents.access import CareAccess, Category
from interlude.exercises.models import (
    ActivityPlan,
    ExposurePractice,
    RelaxationSession,
    SleepDiaryEntry,
    ThoughtRecord,
)
from interlude.insights.charts import sparkline_svg
from interlude.measures.change import Classification, TrackStatus
from interlude.measures.instruments import InstrumentDefinition
from interlude.measures.models import DueStatus, QuestionnaireDue, QuestionnaireResponse
from interlude.measures.selectors import instrument_definitions
from interlude.practices.enums import ClientStatus
from interlude.practices.models import Client, Practice
from interlude.tracking.models import CheckIn, ObservationSource

SPARK_POINTS = 12
INSTRUMENTS_SHOWN = 3
PREFERRED_INSTRUMENTS = ("phq9", "gad7")
ADHERENCE_DAYS = 30
ACTIVE_DAYS = 14
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_WINDOW_DAYS = 31  # a questionnaire's window is 1 to 30 days (measures.services)
MINUS = "\u2212"


class Need(IntEnum):
    """Why a client is where they are in the default order: lower comes first."""

    CRITICAL_ALERT = 0
    HIGH_ALERT = 1
    NOT_ON_TRACK = 2
    AT_RISK = 3
    OTHER_ALERT = 4
    OVERDUE = 5
    NO_CHECKIN = 6
    NONE = 7

    @property
    def slug(self) -> str:
        return self.name.lower().replace("_", "-")


def number(value: float) -> str:
    """12.0 -> "12", 2.5 -> "2.5"."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def signed(value: float) -> str:
    """+4, \u22126 (a real minus sign, U+2212), 0."""
    if value > 0:
        return f"+{number(value)}"
    if value < 0:
        return f"{MINUS}{number(-value)}"
    return "0"


def _track(value: str) -> TrackStatus:
    try:
        return TrackStatus(value)
    except ValueError:
        return TrackStatus.ON_TRACK


def _classification(value: str) -> Classification:
    try:
        return Classification(value)
    except ValueError:
        return Classification.NOT_AVAILABLE


RELIABLE = {
    Classification.RECOVERED: "recovered",
    Classification.IMPROVED: "improved",
    Classification.DETERIORATED: "deteriorated",
}


@dataclass(frozen=True)
class ScoreCell:
    """One instrument's latest total for the caseload, with its meaning and recent trend."""

    code: str
    short_name: str
    total: float
    band_label: str
    change: float | None  # since intake (the first scored answer); None for the first answer
    classification: Classification
    track_status: TrackStatus
    track_reason: str
    values: tuple[float, ...]  # the last totals, oldest first
    low: float
    high: float
    cutoff: float | None

    @property
    def intake(self) -> float | None:
        return None if self.change is None else self.total - self.change

    @property
    def change_text(self) -> str:
        if self.change is None:
            return "first answer"
        if self.change == 0:
            return "no change since intake"
        return f"{signed(self.change)} since intake"

    @property
    def summary(self) -> str:
        """ "12 moderate, \u22126 since intake" (with a real minus sign)."""
        band = f" {self.band_label.lower()}" if self.band_label else ""
        return f"{number(self.total)}{band}, {self.change_text}"

    @property
    def reliable(self) -> str:
        """ "recovered", "improved", "deteriorated" or "" (no reliable change to speak of)."""
        return RELIABLE.get(self.classification, "")

    @property
    def reliable_text(self) -> str:
        return self.classification.label.lower() if self.reliable else ""

    @property
    def spark_label(self) -> str:
        n = len(self.values)
        totals = ", ".join(number(v) for v in self.values)
        if n == 1:
            return f"{self.short_name}: one total so far, {totals}"
        return f"{self.short_name}, last {n} totals, oldest first: {totals}"

    @property
    def sparkline(self) -> SafeString:
        svg = sparkline_svg(
            self.values,
            low=self.low,
            high=self.high,
            label=self.spark_label,
            cutoff=self.cutoff,
            width=88,
            height=30,
        )
        return mark_safe(svg)  # noqa: S308 - sparkline_svg escapes all text it writes  # nosec B308, B703


@dataclass
class CaseloadRow:
    client: Client
    # What the client does not share with this viewer, among the caseload's columns.
    not_shared: frozenset[Category] = frozenset()
    scores: list[ScoreCell] = field(default_factory=list)
    track: TrackStatus | None = None  # the worst across instruments; None: no questionnaires
    track_reason: str = ""
    alerts_open: int = 0  # not yet resolved (acknowledged ones included)
    alerts_new: int = 0  # not yet acknowledged
    alert_severity: Severity | None = None
    last_checkin_at: datetime | None = None
    dues_completed: int = 0
    dues_total: int = 0
    overdue: int = 0
    active_days: int = 0
    no_checkin_text: str = ""  # set when the gap counts as one (see `_checkin_gap`)
    need: Need = Need.NONE
    need_text: str = ""

    @property
    def full_name(self) -> str:
        return self.client.full_name

    @property
    def scores_not_shared(self) -> bool:
        return Category.MEASURES in self.not_shared

    @property
    def checkins_not_shared(self) -> bool:
        return Category.CHECKINS in self.not_shared

    @property
    def needs_attention(self) -> bool:
        return self.need is not Need.NONE

    @property
    def severity_key(self) -> tuple[int, int, int, int]:
        """Within a need group, the more severe first (sorts ascending)."""
        return (
            -(self.alert_severity.rank if self.alert_severity else -1),
            -(self.track.rank if self.track else -1),
            -self.alerts_open,
            -self.overdue,
        )


@cache
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _client_zone(client: Client) -> ZoneInfo:
    return _zone(client.time_zone) or ZoneInfo("UTC")


def _pick_instruments(latest_ids: dict[str, int]) -> list[str]:
    """PHQ-9 and GAD-7 first when the client has them, then the most recently entered."""
    preferred = [c for c in PREFERRED_INSTRUMENTS if c in latest_ids]
    others = sorted(
        (c for c in latest_ids if c not in PREFERRED_INSTRUMENTS),
        key=lambda c: latest_ids[c],
        reverse=True,
    )
    return (preferred + others)[:INSTRUMENTS_SHOWN]


def _cutoff(definition: InstrumentDefinition) -> float | None:
    bound = definition.clinical_range
    if bound is None:
        return None
    return bound.at_or_above if bound.at_or_above is not None else bound.at_or_below


SCORE_COLUMNS = (
    "client_id",
    "instrument_code",
    "id",
    "total",
    "band_label",
    "change_from_baseline",
    "classification",
    "track_status",
    "track_reason",
)


def _recent_answers_sql(ids: Sequence[int]) -> tuple[str, list[int | datetime]]:
    """Each client's last SPARK_POINTS answers per instrument (the scored ones among them):
    SQL and parameters.

    PostgreSQL: the client's instruments (DISTINCT over the (client, instrument_code,
    submitted_at) index), then for each pair a LATERAL subquery reads its newest SPARK_POINTS
    rows backwards through that index: about 12 index entries per pair. The portable query
    below runs there too, but with every answer in the table belonging to the caseload the
    planner (rightly, on its estimates) hash-joins a sequential scan of all answers instead,
    three times slower (bench/RESULTS.md).

    Elsewhere (SQLite has no LATERAL), plain standard SQL: for each pair a scalar subquery
    finds the SPARK_POINTS-th newest answer's time with ORDER BY ... LIMIT 1 OFFSET n, and the
    answers at or after it are joined through the same index. Ties at that cutoff may let a
    row or two more through; the caller keeps the newest. Both return the same rows (LATERAL
    without the ties): unscored answers take a place among the last SPARK_POINTS, then are
    dropped. Identifiers come from the model and are quoted; every value is a parameter."""
    meta = QuestionnaireResponse._meta
    quote = connection.ops.quote_name

    def column(name: str) -> str:
        field = meta.get_field(name)
        assert isinstance(field, Field) and field.column
        return quote(field.column)

    table = quote(meta.db_table)
    client, code, at, total, pk = (
        column(n) for n in ("client", "instrument_code", "submitted_at", "total", "id")
    )
    selected = ", ".join(f"r.{column(name.removesuffix('_id'))}" for name in SCORE_COLUMNS)
    marks = ", ".join(["%s"] * len(ids))
    order = f"ORDER BY r.{client}, r.{code}, r.{at} DESC, r.{pk} DESC"
    if connection.vendor == "postgresql":
        return (
            f"SELECT {selected} FROM ("  # noqa: S608  # nosec B608 # column and table names from the model, ids bound
            f"SELECT DISTINCT p.{client}, p.{code} FROM {table} p WHERE p.{client} IN ({marks})"
            f") k CROSS JOIN LATERAL ("
            f"SELECT * FROM {table} q WHERE q.{client} = k.{client} AND q.{code} = k.{code} "
            f"ORDER BY q.{at} DESC, q.{pk} DESC LIMIT {SPARK_POINTS:d}"
            f") r WHERE r.{total} IS NOT NULL {order}"
        ), [*ids]
    return (
        f"SELECT {selected} FROM {table} r INNER JOIN ("  # noqa: S608  # nosec B608 # names from the model, ids bound
        f"SELECT p.{client} AS c, p.{code} AS i, COALESCE(("
        f"SELECT q.{at} FROM {table} q WHERE q.{client} = p.{client} AND q.{code} = p.{code} "
        f"ORDER BY q.{at} DESC LIMIT 1 OFFSET {SPARK_POINTS - 1:d}"
        f"), %s) AS cutoff FROM {table} p WHERE p.{client} IN ({marks}) "
        f"GROUP BY p.{client}, p.{code}"
        f") k ON r.{client} = k.c AND r.{code} = k.i AND r.{at} >= k.cutoff "
        f"WHERE r.{total} IS NOT NULL {order}"
    ), [EPOCH, *ids]


def _scores(
    ids: Sequence[int], definitions: dict[str, InstrumentDefinition]
) -> dict[int, list[ScoreCell]]:
    """The last SPARK_POINTS answers per client and instrument, scored ones: one query.

    A plain cursor, not the ORM: the rows come back as tuples without timestamp conversion
    (the database sorts them, newest first), which on SQLite saves a third of the time."""
    by_client: dict[int, dict[str, list[tuple]]] = defaultdict(dict)
    if ids:
        with connection.cursor() as cursor:
            sql, params = _recent_answers_sql(ids)
            cursor.execute(sql, params)
            for row in cursor.fetchall():
                if row[1] in definitions:
                    by_client[row[0]].setdefault(row[1], []).append(row)
    result: dict[int, list[ScoreCell]] = {}
    for client_id, codes in by_client.items():
        cells = []
        for code in _pick_instruments({c: rows[0][2] for c, rows in codes.items()}):
            rows = codes[code][:SPARK_POINTS]  # ties at the cutoff may bring one or two more
            latest = rows[0]
            definition = definitions[code]
            cells.append(
                ScoreCell(
                    code=code,
                    short_name=definition.short_name,
                    total=float(latest[3]),
                    band_label=latest[4],
                    change=None if latest[5] is None else float(latest[5]),
                    classification=_classification(latest[6]),
                    track_status=_track(latest[7]),
                    track_reason=latest[8],
                    values=tuple(float(r[3]) for r in reversed(rows)),
                    low=definition.total_min,
                    high=definition.total_max,
                    cutoff=_cutoff(definition),
                )
            )
        result[client_id] = cells
    return result


def _alerts(ids: Sequence[int]) -> dict[int, tuple[int, int, int]]:
    """(open, not yet acknowledged, highest severity rank) per client: one query."""
    rows = (
        Alert.objects.filter(client_id__in=ids)
        .exclude(status=AlertStatus.RESOLVED)
        .order_by()
        .values("client_id")
        .annotate(
            open=Count("id"),
            new=Count("id", filter=Q(status=AlertStatus.OPEN)),
            top=Max("severity_rank"),
        )
        .values_list("client_id", "open", "new", "top")
    )
    return {client_id: (n_open, n_new, top) for client_id, n_open, n_new, top in rows}


def _last_checkins(ids: Sequence[int]) -> dict[int, datetime]:
    """The newest check-in per client: one query, an index lookup per client (not a scan of
    every check-in, as a GROUP BY with MAX would be)."""
    newest = (
        CheckIn.objects.filter(client_id=OuterRef("pk"))
        .order_by("-recorded_at")
        .values("recorded_at")[:1]
    )
    rows = (
        Client.objects.filter(pk__in=ids)
        .order_by()
        .annotate(last=Subquery(newest))
        .values_list("pk", "last")
    )
    return {client_id: last for client_id, last in rows if last is not None}


def _dues(ids: Sequence[int], now: datetime) -> dict[int, tuple[int, int, int]]:
    """(answered, due, overdue) per client: one query. See the module docstring.

    Due in the last 30 days: the window closed in those days (answered, missed, or still
    unanswered past it), or it is still open and already answered. Overdue: still unanswered
    after its window closed (the sweep marks it missed and raises an alert a few days later).
    A window is at most 30 days long, so only occasions opened in the last 61 days are read,
    through the (client, status, opens_at) index."""
    since = now - timedelta(days=ADHERENCE_DAYS)
    closed_recently = Q(closes_at__gte=since, closes_at__lte=now)
    overdue = Q(status=DueStatus.DUE, closes_at__lt=now)
    answered = Q(status=DueStatus.COMPLETED) & (closed_recently | Q(closes_at__gt=now))
    missed = (Q(status=DueStatus.MISSED) | overdue) & closed_recently
    rows = (
        QuestionnaireDue.objects.filter(
            client_id__in=ids,
            status__in=[DueStatus.COMPLETED, DueStatus.MISSED, DueStatus.DUE],
            opens_at__gte=since - timedelta(days=MAX_WINDOW_DAYS),
        )
        .order_by()
        .values("client_id")
        .annotate(
            answered=Count("id", filter=answered),
            missed=Count("id", filter=missed),
            overdue=Count("id", filter=overdue),
        )
        .values_list("client_id", "answered", "missed", "overdue")
    )
    return {c: (done, done + missed, late) for c, done, missed, late in rows}


def _active_days(accesses: Sequence[CareAccess], now: datetime) -> dict[int, int]:
    """Distinct local days with any stored activity in the last ACTIVE_DAYS days: one query.

    Read from the records themselves (a UNION of check-ins, relaxation sessions, exposure
    practice, sleep diary entries, thought records and logged activities), not from the
    observation series: thought records and activities write no observations, imported data
    is not homework, and check-ins have a (client, recorded_at) index where observations would
    need one probe per client and kind. A check-in counts on its own calendar day (its zone);
    the rest on the client's. Each source is tagged with its category, and a day counts only
    from sources the client shares with the viewer (`access.can_see`)."""
    clients = [a.client for a in accesses]
    shares = {a.client.pk: a for a in accesses}
    ids = [c.pk for c in clients]
    since = now - timedelta(days=ACTIVE_DAYS + 1)  # a day of slack for time zones
    blank = Value("", output_field=CharField())

    def tag(category: Category) -> Value:
        return Value(category.value, output_field=CharField())

    def when(model: type[Model], field: str, category: Category) -> QuerySet:
        return (
            model._default_manager.filter(client_id__in=ids, **{f"{field}__gte": since})
            .order_by()
            .annotate(zone=blank, category=tag(category))
            .values_list("client_id", field, "zone", "category")
        )

    checkins = (
        CheckIn.objects.filter(client_id__in=ids, recorded_at__gte=since)
        .exclude(source=ObservationSource.IMPORT)  # data from other apps is not homework
        .order_by()
        .annotate(category=tag(Category.CHECKINS))
        .values_list("client_id", "recorded_at", "time_zone", "category")
    )
    others = [
        when(RelaxationSession, "started_at", Category.RELAXATION),
        when(ExposurePractice, "practiced_at", Category.WORKSHEETS),
        when(SleepDiaryEntry, "created_at", Category.WORKSHEETS),  # the morning it was filled in
        when(ThoughtRecord, "created_at", Category.WORKSHEETS),
        when(ActivityPlan, "logged_at", Category.WORKSHEETS),
    ]
    zones = {c.pk: _client_zone(c) for c in clients}
    days: dict[int, set[date]] = defaultdict(set)
    # The compiled UNION through a plain cursor, skipping the ORM's per-row converters (3,000
    # rows). SQLite's driver hands back naive UTC datetimes (or text); PostgreSQL aware ones.
    sql, params = checkins.union(*others).order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for client_id, instant, zone_name, category in rows:
        if not shares[client_id].can_see(Category(category)):
            continue
        if isinstance(instant, str):
            instant = datetime.fromisoformat(instant)
        if instant.tzinfo is None:  # stored in UTC (USE_TZ)
            instant = instant.replace(tzinfo=UTC)
        days[client_id].add(instant.astimezone(_zone(zone_name) or zones[client_id]).date())
    result = {}
    for client in clients:
        today = now.astimezone(zones[client.pk]).date()
        first = today - timedelta(days=ACTIVE_DAYS - 1)
        result[client.pk] = sum(1 for d in days.get(client.pk, ()) if first <= d <= today)
    return result


def _checkin_gap(client: Client, last: datetime | None, now: datetime, gap_days: int) -> str:
    """ "No check-in for 9 days" when an active client with an account has gone `gap_days`
    without one (the same rule as the no-check-in alert); "" otherwise."""
    if client.status != ClientStatus.ACTIVE or not client.user_id:
        return ""
    stale_since = now - timedelta(days=gap_days)
    if last is not None:
        return f"No check-in for {(now - last).days} days" if last < stale_since else ""
    zone = _client_zone(client)
    started = client.started_on or client.created_at.astimezone(zone).date()
    if started <= stale_since.astimezone(zone).date():
        days = (now.astimezone(zone).date() - started).days
        return f"No check-in yet, {days} days after starting"
    return ""


SEVERITY_BY_RANK = {Severity(s).rank: Severity(s) for s in Severity.values}


def _need(row: CaseloadRow) -> tuple[Need, str]:
    """The row's need group and its name, shown under the client's name."""
    severity = row.alert_severity
    if severity is Severity.CRITICAL:
        return Need.CRITICAL_ALERT, "Critical alert"
    if severity is Severity.HIGH:
        return Need.HIGH_ALERT, "High alert"
    if row.track is TrackStatus.NOT_ON_TRACK:
        return Need.NOT_ON_TRACK, "Not on track"
    if row.track is TrackStatus.AT_RISK:
        return Need.AT_RISK, "At risk of not improving"
    if row.alerts_open:
        return (
            Need.OTHER_ALERT,
            f"{row.alerts_open} open alert{'s' if row.alerts_open != 1 else ''}",
        )
    if row.overdue:
        return Need.OVERDUE, (
            "Questionnaire overdue" if row.overdue == 1 else f"{row.overdue} questionnaires overdue"
        )
    if row.no_checkin_text:
        return Need.NO_CHECKIN, row.no_checkin_text
    return Need.NONE, ""


# The caseload's columns that come from a category the client may not share.
CASELOAD_CATEGORIES = (Category.MEASURES, Category.CHECKINS)


def caseload_overview(
    *, accesses: Sequence[CareAccess], practice: Practice, now: datetime | None = None
) -> list[CaseloadRow]:
    """One row per client (each `CareAccess` from `access_caseload`), in the order given, with
    everything the caseload shows that the client shares with the viewer. Alerts always show
    (risk signals reach the care team whatever the sharing)."""
    now = now or timezone.now()
    if not accesses:
        return []
    ids = [a.client.pk for a in accesses]
    measures = [a.client.pk for a in accesses if a.can_see(Category.MEASURES)]
    checkins = [a.client.pk for a in accesses if a.can_see(Category.CHECKINS)]
    definitions = instrument_definitions(practice=practice)
    gap_days = alert_settings_get(practice=practice).no_checkin_days
    scores = _scores(measures, definitions)
    alerts = _alerts(ids)
    last_checkins = _last_checkins(checkins)
    dues = _dues(measures, now)
    active = _active_days(accesses, now)
    rows = []
    for access in accesses:
        client = access.client
        row = CaseloadRow(
            client=client,
            scores=scores.get(client.pk, []),
            not_shared=frozenset(c for c in CASELOAD_CATEGORIES if access.not_shared(c)),
        )
        if row.scores:
            worst = max(row.scores, key=lambda s: s.track_status.rank)
            row.track, row.track_reason = worst.track_status, worst.track_reason
        row.alerts_open, row.alerts_new, top = alerts.get(client.pk, (0, 0, -1))
        row.alert_severity = SEVERITY_BY_RANK.get(top) if row.alerts_open else None
        row.last_checkin_at = last_checkins.get(client.pk)
        row.dues_completed, row.dues_total, row.overdue = dues.get(client.pk, (0, 0, 0))
        row.active_days = active.get(client.pk, 0)
        if not row.checkins_not_shared:
            row.no_checkin_text = _checkin_gap(client, row.last_checkin_at, now, gap_days)
        row.need, row.need_text = _need(row)
        rows.append(row)
    return rows
