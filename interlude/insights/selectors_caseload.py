"""The caseload overview: for each client on a clinician's care teams, what says who needs them.

Reads for the clients the gate already returned (`consents.access.access_caseload`, one
`CareAccess` each); nothing here looks a client up. Each row shows only what that client shares
with the viewer: a category the client does not share shows "Not shared" in its column (never its
content) and does not count towards the row's need, its order or its homework.

What it reads: each client's `ClientSummary` row (insights.summary keeps it current inside every
write's transaction), not the answers, check-ins and records themselves. Time windows ("the last
14 days", "overdue") are applied here, at read time, from the dates the summary stores. A fixed
number of queries whatever the caseload size, the amount of data or the sharing:

1-2. the practice's instrument definitions (`measures.selectors.instrument_definitions`);
3.   alert settings (how many days without a check-in count as a gap);
4.   for every client, the summary's narrow columns (open and new alerts with the highest
     severity, the last check-in, each instrument's newest progress in `tracks`, from which
     `_track_rank` picks the worst of the shown instruments) and the count of overdue
     questionnaires: enough to order by need and filter, without the stored answers;
5.   for the page's rows only, the summary's stored answers (scores, sparklines) and active days;
6.   for the page's rows only, questionnaire occasions of the last 30 days (answered, missed,
     overdue): read from the occasions themselves, one bounded query through the (client,
     status, opens_at) index, since "due" moves with the clock and the summary has no column for
     it.

A client whose summary is missing (data written before summaries existed, or by a path that
bypassed the hook) or was computed in another time zone gets it rebuilt first
(`insights.summary.summaries_missing`); only then does the page read more.

`caseload_page` orders (the "most need first" order of practices.selectors.caseload_rows), filters
and pages the rows; the gate has already loaded every client row with its sharing (it must, to
audit the read), so name, status and sort keys are in memory, and only the page's rows are filled.

"Homework adherence" is defined on the page and here, the same way:
- Questionnaires: of the occasions due in the last 30 days (their window closed in those days,
  or is still open and they were already answered), how many were answered. Due = answered +
  missed + still unanswered past the window.
- Active days: of the last 14 days (the client's calendar days, today included), on how many the
  client did anything that is stored: a check-in, a relaxation session, an exposure practice, a
  sleep diary entry, a thought record, or a logged activity. Private journal writing and data
  imported from other apps (check-ins from a file or a device) are not counted, nor anything of
  a category the client does not share.

Scores and the last check-in include imported answers and check-ins, as they did when this read
the records (the summary keeps them apart so that can follow "imported app data" later).

Questionnaire scores the care team entered from paper stay on the client record when
questionnaires are not shared; the caseload shows "Not shared" for that client's scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum
from functools import cache, lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from interlude.alerts.models import Severity
from interlude.alerts.services import alert_settings_get
from interlude.consents.access import CareAccess, Category
from interlude.core.errors import ApplicationError
from interlude.insights.charts import sparkline_svg
from interlude.insights.models import ClientSummary
from interlude.insights.summary import IMPORTED_PREFIX, summaries_missing
from interlude.measures.change import Classification, TrackStatus
from interlude.measures.instruments import InstrumentDefinition
from interlude.measures.models import DueStatus, QuestionnaireDue
from interlude.measures.selectors import instrument_definitions
from interlude.practices.enums import ClientStatus
from interlude.practices.models import Client, Practice
from interlude.practices.selectors import caseload_rows

SPARK_POINTS = 12
INSTRUMENTS_SHOWN = 3
PREFERRED_INSTRUMENTS = ("phq9", "gad7")
ADHERENCE_DAYS = 30
ACTIVE_DAYS = 14
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
        return _sparkline(self.values, self.low, self.high, self.spark_label, self.cutoff)


# A caseload draws a sparkline per instrument per row, and the same ones on every visit until
# a new answer: drawn once per process (a few thousand, about 1 kB each, at most).
@lru_cache(maxsize=4096)
def _sparkline(
    values: tuple[float, ...], low: float, high: float, label: str, cutoff: float | None
) -> SafeString:
    svg = sparkline_svg(values, low=low, high=high, label=label, cutoff=cutoff, width=88, height=30)
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


# Where the stored answers keep what (insights.models.ClientSummary.scores): each answer, and
# the detail of the newest scored one.
A_ID, A_AT, A_TOTAL = 0, 1, 2
L_BAND, L_CHANGE, L_CLASS, L_TRACK, L_REASON = 1, 2, 3, 4, 5


def _answers(scores: dict[str, list[Any]]) -> tuple[dict[str, list[list[Any]]], dict[int, list]]:
    """Per instrument, the newest SPARK_POINTS answers of either origin, newest first (by time,
    then id), and the stored detail of each origin's newest scored answer, by its id. The
    summary keeps own and imported answers apart; the caseload shows both, as it did when it
    read the answers themselves."""
    merged: dict[str, list[list[Any]]] = {}
    details: dict[int, list] = {}
    for key, (answers, latest) in scores.items():
        merged.setdefault(key.removeprefix(IMPORTED_PREFIX), []).extend(answers)
        if latest is not None:
            details[latest[A_ID]] = latest
    newest = {
        code: sorted(rows, key=lambda a: (a[A_AT], a[A_ID]), reverse=True)[:SPARK_POINTS]
        for code, rows in merged.items()
    }
    return newest, details


@dataclass(frozen=True)
class _Scale:
    """What a score cell needs of its instrument's definition, worked out once a page (a
    definition's range is computed from its items each time it is asked)."""

    short_name: str
    low: float
    high: float
    cutoff: float | None


def _scales(definitions: dict[str, InstrumentDefinition]) -> dict[str, _Scale]:
    return {
        code: _Scale(d.short_name, d.total_min, d.total_max, _cutoff(d))
        for code, d in definitions.items()
    }


def _score_cells(scores: dict[str, list[Any]], scales: dict[str, _Scale]) -> list[ScoreCell]:
    """The shown instruments' cells from a summary's answers: of each instrument's last
    SPARK_POINTS answers the scored ones (an unscored answer takes a place, then is dropped).
    The newest scored answer of both origins is its own origin's newest scored one, so its
    detail is stored."""
    newest, details = _answers(scores)
    scored: dict[str, list[list[Any]]] = {}
    for code, answers in newest.items():
        kept = [a for a in answers if a[A_TOTAL] is not None]
        if kept and code in scales:
            scored[code] = kept
    cells = []
    for code in _pick_instruments({c: rows[0][A_ID] for c, rows in scored.items()}):
        rows = scored[code]
        latest = details[rows[0][A_ID]]
        scale = scales[code]
        cells.append(
            ScoreCell(
                code=code,
                short_name=scale.short_name,
                total=float(rows[0][A_TOTAL]),
                band_label=latest[L_BAND],
                change=None if latest[L_CHANGE] is None else float(latest[L_CHANGE]),
                classification=_classification(latest[L_CLASS]),
                track_status=_track(latest[L_TRACK]),
                track_reason=latest[L_REASON],
                values=tuple(float(r[A_TOTAL]) for r in reversed(rows)),
                low=scale.low,
                high=scale.high,
                cutoff=scale.cutoff,
            )
        )
    return cells


def _track_rank(tracks: list[list[Any]], codes: frozenset[str]) -> int:
    """The worst progress over the instruments the caseload shows, as TrackStatus.rank (-1
    without any): the same choice as `_score_cells` (PHQ-9 and GAD-7 first, then the most
    recent, three at most, of the instruments defined), from the summary's narrow `tracks`
    ([code, newest scored answer's id, its rank], insights.summary.tracks_from_scores)."""
    latest = {code: pk for code, pk, _ in tracks if code in codes}
    shown = set(_pick_instruments(latest))
    return max((rank for code, _, rank in tracks if code in shown), default=-1)


@dataclass(frozen=True)
class _Key:
    """What the caseload's order and filters need of one client, from its summary row."""

    zone: str
    alerts_open: int
    alerts_new: int
    alert_top_rank: int
    last_checkin_at: datetime | None  # own or imported, the newer
    track_rank: int
    overdue: int


def _keys(ids: Sequence[int], codes: frozenset[str], now: datetime) -> dict[int, _Key]:
    """The summary's narrow columns, the worst progress and the overdue questionnaires of
    every client in `ids`: one query. A summary whose `tracks` is not worked out yet is left
    out (the caller rebuilds it)."""
    since = now - timedelta(days=ADHERENCE_DAYS)
    overdue = (
        QuestionnaireDue.objects.filter(
            client_id=OuterRef("client_id"),
            status=DueStatus.DUE,
            closes_at__lt=now,
            opens_at__gte=since - timedelta(days=MAX_WINDOW_DAYS),
        )
        .order_by()
        .values("client_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = (
        ClientSummary.objects.filter(client_id__in=ids, tracks__isnull=False)
        .order_by()
        .annotate(overdue=Coalesce(Subquery(overdue), 0))
        .values_list(
            "client_id",
            "zone",
            "alerts_open",
            "alerts_new",
            "alert_top_rank",
            "last_checkin_at",
            "last_imported_checkin_at",
            "tracks",
            "overdue",
        )
    )
    result = {}
    for pk, zone, n_open, n_new, top, own, imported, tracks, late in rows:
        last = max((t for t in (own, imported) if t is not None), default=None)
        rank = _track_rank(tracks or [], codes)
        result[pk] = _Key(zone, n_open, n_new, top, last, rank, late)
    return result


def _dues(ids: Sequence[int], now: datetime) -> dict[int, tuple[int, int, int]]:
    """(answered, due, overdue) per client: one query. See the module docstring.

    Due in the last 30 days: the window closed in those days (answered, missed, or still
    unanswered past it), or it is still open and already answered. Overdue: still unanswered
    after its window closed (the sweep marks it missed and raises an alert a few days later).
    A window is at most 30 days long, so only occasions opened in the last 61 days are read,
    through the (client, status, opens_at) index."""
    if not ids:
        return {}
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


# The categories whose records make an active day (the summary keeps each one's days apart).
ACTIVE_CATEGORIES = (Category.CHECKINS, Category.RELAXATION, Category.WORKSHEETS)


def _active_days(access: CareAccess, days: dict[str, list[str]], now: datetime) -> int:
    """Distinct local days among the last ACTIVE_DAYS (the client's calendar, today included)
    with a stored record of a category the client shares with the viewer. The summary holds
    each category's newest days, already on the right calendar (a check-in on its own zone's,
    the rest on the client's)."""
    today = now.astimezone(_client_zone(access.client)).date()
    first = (today - timedelta(days=ACTIVE_DAYS - 1)).isoformat()
    last = today.isoformat()
    seen = {
        day
        for category in ACTIVE_CATEGORIES
        if access.can_see(category)
        for day in days.get(category.value, ())
        if first <= day <= last
    }
    return len(seen)


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
TRACK_BY_RANK = {t.rank: t for t in TrackStatus}


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


def _row(access: CareAccess, key: _Key | None, now: datetime, gap_days: int) -> CaseloadRow:
    """A row with what the order and the filters need (need, alerts, last check-in, progress,
    overdue); `_fill` adds the rest to the rows shown."""
    client = access.client
    row = CaseloadRow(
        client=client,
        not_shared=frozenset(c for c in CASELOAD_CATEGORIES if access.not_shared(c)),
    )
    if key is not None:
        row.alerts_open, row.alerts_new = key.alerts_open, key.alerts_new
        row.alert_severity = SEVERITY_BY_RANK.get(key.alert_top_rank) if row.alerts_open else None
        if not row.scores_not_shared:
            row.track = TRACK_BY_RANK.get(key.track_rank)
            row.overdue = key.overdue
        if not row.checkins_not_shared:
            row.last_checkin_at = key.last_checkin_at
    if not row.checkins_not_shared:
        row.no_checkin_text = _checkin_gap(client, row.last_checkin_at, now, gap_days)
    row.need, row.need_text = _need(row)
    return row


def _fill(
    rows: Sequence[CaseloadRow],
    accesses: dict[int, CareAccess],
    definitions: dict[str, InstrumentDefinition],
    now: datetime,
) -> None:
    """Scores, the progress reason and homework for the rows shown: their summary rows' JSON
    (one query) and their questionnaire occasions (one query)."""
    ids = [r.client.pk for r in rows]
    stored: dict[int, tuple[dict, dict]] = {
        pk: (scores or {}, days or {})
        for pk, scores, days in ClientSummary.objects.filter(client_id__in=ids)
        .order_by()
        .values_list("client_id", "scores", "active_days")
    }
    dues = _dues([r.client.pk for r in rows if not r.scores_not_shared], now)
    scales = _scales(definitions)
    for row in rows:
        scores, days = stored.get(row.client.pk, ({}, {}))
        if not row.scores_not_shared:
            row.scores = _score_cells(scores, scales)
            if row.scores:
                worst = max(row.scores, key=lambda s: s.track_status.rank)
                row.track, row.track_reason = worst.track_status, worst.track_reason
            row.dues_completed, row.dues_total, row.overdue = dues.get(row.client.pk, (0, 0, 0))
        row.active_days = _active_days(accesses[row.client.pk], days, now)


@dataclass(frozen=True)
class _Caseload:
    rows: list[CaseloadRow]  # every client, in the order given, need known, not yet filled
    accesses: dict[int, CareAccess]
    definitions: dict[str, InstrumentDefinition]
    now: datetime


def _caseload(accesses: Sequence[CareAccess], practice: Practice, now: datetime) -> _Caseload:
    """Every client's row as far as ordering and filtering need: definitions (2 queries), alert
    settings (1), the summaries' narrow columns (1). A client whose summary is missing or was
    computed in another time zone gets it rebuilt first (`summaries_missing`; only then more
    queries)."""
    definitions = instrument_definitions(practice=practice)
    gap_days = alert_settings_get(practice=practice).no_checkin_days
    codes = frozenset(definitions)
    ids = [a.client.pk for a in accesses]
    keys = _keys(ids, codes, now) if ids else {}
    stale = [
        a.client
        for a in accesses
        if a.client.pk not in keys or keys[a.client.pk].zone != a.client.time_zone
    ]
    if stale:
        summaries_missing(clients=stale)
        keys.update(_keys([c.pk for c in stale], codes, now))
    return _Caseload(
        rows=[_row(a, keys.get(a.client.pk), now, gap_days) for a in accesses],
        accesses={a.client.pk: a for a in accesses},
        definitions=definitions,
        now=now,
    )


def caseload_overview(
    *, accesses: Sequence[CareAccess], practice: Practice, now: datetime | None = None
) -> list[CaseloadRow]:
    """One row per client (each `CareAccess` from `access_caseload`), in the order given, with
    everything the caseload shows that the client shares with the viewer. Alerts always show
    (risk signals reach the care team whatever the sharing)."""
    if not accesses:
        return []
    caseload = _caseload(accesses, practice, now or timezone.now())
    _fill(caseload.rows, caseload.accesses, caseload.definitions, caseload.now)
    return caseload.rows


# --- the paged list -------------------------------------------------------------------------------
PAGE_SIZE = 50
QUIET_DAYS = (7, 14, 30)  # "no check-in for at least N days", the filter's choices
SORTS = ("need", "name", "activity", "status")


@dataclass(frozen=True)
class CaseloadFilters:
    """What the clinician asked the caseload for (checked by the view)."""

    status: str = ""  # "": everyone not discharged; "all"; or one ClientStatus
    sort: str = "need"
    attention: bool = False  # only clients who need attention
    quiet_days: int | None = None  # only clients with no check-in for at least this many days
    search: str = ""  # part of a name (sent in a POST body, never in the address)
    page: int = 1
    show_all: bool = False  # every matching client on one page

    @property
    def active(self) -> bool:
        """Whether anything narrows the list beyond the status."""
        return self.attention or self.quiet_days is not None or bool(self.search)


@dataclass(frozen=True)
class CaseloadPage:
    rows: list[CaseloadRow]  # this page's rows, complete
    matched: int  # rows matching the filters, on every page
    page: int
    pages: int
    total: int  # clients on the caseload
    current: int  # of them, not discharged
    attention_count: int  # current clients who need attention

    @property
    def first(self) -> int:
        """The 1-based position of this page's first row."""
        return (self.page - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


def _quiet(row: CaseloadRow, days: int, now: datetime) -> bool:
    """No check-in for at least `days` days (or none ever) by a client with an account who
    shares check-ins: a category not shared never counts."""
    if row.checkins_not_shared or not row.client.user_id:
        return False
    last = row.last_checkin_at
    return last is None or last <= now - timedelta(days=days)


def _matches(row: CaseloadRow, needle: str) -> bool:
    client = row.client
    return needle in client.full_name.casefold() or (
        bool(client.preferred_name) and needle in client.preferred_name.casefold()
    )


def caseload_page(
    *,
    accesses: Sequence[CareAccess],
    practice: Practice,
    filters: CaseloadFilters,
    now: datetime | None = None,
) -> CaseloadPage:
    """One page of the caseload as filtered and ordered, the rows shown complete. A fixed
    number of queries whatever the caseload's size (module docstring): the order and the
    filters work on the narrow summary columns of every client, and only the page's rows read
    their answers and days. Raises ApplicationError (field "page") for a page past the last."""
    now = now or timezone.now()
    if not accesses:
        return CaseloadPage([], 0, 1, 1, 0, 0, 0)
    caseload = _caseload(accesses, practice, now)
    current = [r for r in caseload.rows if r.client.status != ClientStatus.DISCHARGED]
    shown = caseload_rows(
        rows=caseload.rows, status=filters.status, sort=filters.sort, attention=filters.attention
    )
    if filters.quiet_days is not None:
        shown = [r for r in shown if _quiet(r, filters.quiet_days, now)]
    needle = filters.search.strip().casefold()
    if needle:
        shown = [r for r in shown if _matches(r, needle)]
    size = max(len(shown), 1) if filters.show_all else PAGE_SIZE
    pages = max(1, -(-len(shown) // size))
    if filters.page > pages:
        raise ApplicationError(
            f"There is no page {filters.page}: this list has {pages} page"
            f"{'s' if pages != 1 else ''}.",
            field="page",
        )
    page_rows = shown[(filters.page - 1) * size : filters.page * size]
    _fill(page_rows, caseload.accesses, caseload.definitions, now)
    return CaseloadPage(
        rows=page_rows,
        matched=len(shown),
        page=filters.page,
        pages=pages,
        total=len(caseload.rows),
        current=len(current),
        attention_count=sum(1 for r in current if r.needs_attention),
    )
