"""The caseload summary: computing, refreshing and rebuilding each client's `ClientSummary`.

`summary_refresh` recomputes the parts a write changed, from the records themselves, inside that
write's transaction (registered as the `core.hooks.client_changed` hook in InsightsConfig.ready),
with the summary row locked first so two writes for one client cannot interleave their reads.
`summaries_rebuild` recomputes every part for all clients or some, for the `summaries_rebuild`
command and for a summary the caseload finds missing or computed in another time zone.

What each part holds (nothing depends on "now"; windows are applied when read):
- scores: per instrument, the newest SPARK_POINTS answers (scored or not, as the caseload
  counts them), newest first; imported answers kept apart under "import:<code>" (which rows are
  imported is `consents.rules.IMPORTED_ROWS`' answer); and beside them `tracks`, each
  instrument's newest scored answer's id and progress rank (`tracks_from_scores`);
- checkins: the newest own and imported check-in times, and the newest own check-ins' local
  days (each on its own zone's calendar) for "active days";
- activity: the newest local days with relaxation (RELAXATION) and with exposure practice,
  sleep diary entries, thought records or logged activities (WORKSHEETS), on the client's
  calendar in the zone stored beside them;
- alerts: open (not resolved) and new (not acknowledged) alerts, and the highest severity rank.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.db.models import Case, Count, F, Max, Model, Q, QuerySet, Value, When, Window
from django.db.models.fields import BooleanField
from django.db.models.functions import RowNumber
from django.utils import timezone

from interlude.alerts.models import Alert, AlertStatus
from interlude.consents import rules
from interlude.core.clock import zone_named
from interlude.core.hooks import SUMMARY_PARTS
from interlude.exercises.models import (
    ActivityPlan,
    ExposurePractice,
    RelaxationSession,
    SleepDiaryEntry,
    ThoughtRecord,
)
from interlude.insights.models import ClientSummary
from interlude.measures.change import TrackStatus
from interlude.measures.models import QuestionnaireResponse
from interlude.practices.enums import ShareScope
from interlude.practices.models import Client
from interlude.tracking.models import CheckIn

SPARK_POINTS = 12  # the caseload's sparkline: the last 12 answers per instrument
# Distinct local days kept per category: the caseload counts the last 14, and a record may be
# dated up to a day ahead; the rest is slack.
DAYS_KEPT = 20
PAGE = 200  # rows read at a time while collecting days
IMPORTED_PREFIX = "import:"
TRACK_RANKS = {t.value: t.rank for t in TrackStatus}

# What each category's active days are read from: (model, the instant field).
ACTIVITY_SOURCES: dict[ShareScope, tuple[tuple[type[Model], str], ...]] = {
    ShareScope.RELAXATION: ((RelaxationSession, "started_at"),),
    ShareScope.WORKSHEETS: (
        (ExposurePractice, "practiced_at"),
        (SleepDiaryEntry, "created_at"),  # the morning it was filled in
        (ThoughtRecord, "created_at"),
        (ActivityPlan, "logged_at"),
    ),
}


def _imported(label: str) -> Q:
    return rules.IMPORTED_ROWS[label].q


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def _aware(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# --- the parts, for one client --------------------------------------------------------------------
def _scores(client_id: int) -> dict[str, list[Any]]:
    """The newest SPARK_POINTS answers per instrument and origin (own or imported), in the
    compact shape of `models.ClientSummary.scores`: one query."""
    imported = Case(
        When(_imported("measures.QuestionnaireResponse"), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    rows = (
        QuestionnaireResponse.objects.filter(client_id=client_id)
        .annotate(
            imported=imported,
            rank=Window(
                RowNumber(),
                partition_by=[F("instrument_code"), imported],
                order_by=[F("submitted_at").desc(), F("id").desc()],
            ),
        )
        .filter(rank__lte=SPARK_POINTS)
        .order_by("instrument_code", "imported", "-submitted_at", "-id")
        .values_list(
            "instrument_code",
            "imported",
            "id",
            "submitted_at",
            "total",
            "band_label",
            "change_from_baseline",
            "classification",
            "track_status",
            "track_reason",
        )
    )
    result: dict[str, list[Any]] = {}
    for code, imported_row, pk, at, total, *detail in rows:
        key = f"{IMPORTED_PREFIX}{code}" if imported_row else code
        answers, latest = result.setdefault(key, [[], None])
        answers.append([pk, _iso(at), total])
        if latest is None and total is not None:  # rows come newest first
            result[key][1] = [pk, *detail]
    return result


def tracks_from_scores(scores: dict[str, list[Any]]) -> list[list[Any]]:
    """Per instrument, own and imported answers merged: [code, id of the newest scored answer
    among its newest SPARK_POINTS, that answer's TrackStatus rank (an unknown status counts as
    on track)], by code. What the caseload orders by (the worst over the instruments it shows,
    chosen from these by the viewer's instrument definitions) without reading the answers."""
    merged: dict[str, list[list[Any]]] = {}
    ranks: dict[int, int] = {}
    for key, (answers, latest) in scores.items():
        merged.setdefault(key.removeprefix(IMPORTED_PREFIX), []).extend(answers)
        if latest is not None:
            ranks[latest[0]] = TRACK_RANKS.get(latest[4], 0)
    result = []
    for code in sorted(merged):
        newest = sorted(merged[code], key=lambda a: (a[1], a[0]), reverse=True)[:SPARK_POINTS]
        scored = next((a for a in newest if a[2] is not None), None)
        if scored is not None:
            # The newest scored answer of both origins is its own origin's newest scored one.
            result.append([code, scored[0], ranks[scored[0]]])
    return result


def _newest_days(qs: QuerySet, field: str, zone_field: str | None, client_zone: str) -> list[str]:
    """The newest DAYS_KEPT distinct local days of `qs`'s rows (in each row's own zone when
    `zone_field` names one, else the client's), newest first: a page of rows at a time."""
    fields = [field, zone_field] if zone_field else [field]
    ordered = qs.filter(**{f"{field}__isnull": False}).order_by(f"-{field}", "-pk")
    days: set[str] = set()
    start = 0
    while True:
        page = list(ordered.values_list(*fields)[start : start + PAGE])
        for row in page:
            zone = zone_named(row[1] or client_zone) if zone_field else zone_named(client_zone)
            days.add(_aware(row[0]).astimezone(zone).date().isoformat())
        # Rows come newest first, so once DAYS_KEPT days are seen every later row is older
        # than them (a later row can only add an older day or repeat one).
        if len(days) >= DAYS_KEPT or len(page) < PAGE:
            break
        start += PAGE
    return sorted(days, reverse=True)[:DAYS_KEPT]


def _checkins(client: Client) -> dict[str, Any]:
    imported = _imported("tracking.CheckIn")
    mine = CheckIn.objects.filter(client_id=client.pk)
    latest = mine.aggregate(
        own=Max("recorded_at", filter=~imported), imported=Max("recorded_at", filter=imported)
    )
    days = _newest_days(mine.exclude(imported), "recorded_at", "time_zone", client.time_zone)
    return {
        "last_checkin_at": latest["own"],
        "last_imported_checkin_at": latest["imported"],
        "days": {ShareScope.CHECKINS.value: days} if days else {},
    }


def _activity(client: Client) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for category, sources in ACTIVITY_SOURCES.items():
        days: set[str] = set()
        for model, field in sources:
            qs = model._default_manager.filter(client_id=client.pk)
            days.update(_newest_days(qs, field, None, client.time_zone))
        if days:
            result[category.value] = sorted(days, reverse=True)[:DAYS_KEPT]
    return result


def _alerts(client_id: int) -> dict[str, int]:
    row = (
        Alert.objects.filter(client_id=client_id)
        .exclude(status=AlertStatus.RESOLVED)
        .aggregate(
            open=Count("id"),
            new=Count("id", filter=Q(status=AlertStatus.OPEN)),
            top=Max("severity_rank"),
        )
    )
    return {
        "alerts_open": row["open"] or 0,
        "alerts_new": row["new"] or 0,
        "alert_top_rank": row["top"] if row["top"] is not None else -1,
    }


def summary_values(*, client: Client, parts: Iterable[str] = SUMMARY_PARTS) -> dict[str, Any]:
    """The summary's fields for these parts, computed from the client's records. `active_days`
    comes back whole only when both "checkins" and "activity" are among the parts; otherwise
    the caller merges the categories it got (see `_apply`)."""
    parts = frozenset(parts)
    values: dict[str, Any] = {}
    if "scores" in parts:
        values["scores"] = _scores(client.pk)
        values["tracks"] = tracks_from_scores(values["scores"])
    if "alerts" in parts:
        values.update(_alerts(client.pk))
    days: dict[str, list[str]] = {}
    if "checkins" in parts:
        checkins = _checkins(client)
        days.update(checkins.pop("days"))
        values.update(checkins)
    if "activity" in parts:
        days.update(_activity(client))
    if "checkins" in parts or "activity" in parts:
        values["active_days"] = days
    return values


def _apply(summary: ClientSummary, values: dict[str, Any], parts: frozenset[str]) -> None:
    days = values.pop("active_days", None)
    if days is not None:
        replaced = set()
        if "checkins" in parts:
            replaced.add(ShareScope.CHECKINS.value)
        if "activity" in parts:
            replaced.update(c.value for c in ACTIVITY_SOURCES)
        kept = {k: v for k, v in (summary.active_days or {}).items() if k not in replaced}
        summary.active_days = {**kept, **days}
    for name, value in values.items():
        setattr(summary, name, value)


def _fresh(client: Client) -> ClientSummary:
    summary = ClientSummary(client=client, practice_id=client.practice_id, zone=client.time_zone)
    _apply(summary, summary_values(client=client), SUMMARY_PARTS)
    return summary


# --- writes ---------------------------------------------------------------------------------------
def _checkin_merge(client_id: int, checkin: CheckIn) -> bool:
    """Merge one new check-in into the stored summary (two statements: the row locked, and an
    update when anything moved), instead of reading the client's check-ins again. Exact: the
    newest check-in time is the later of the stored one and this one, and the newest DAYS_KEPT
    days of all check-ins are those of the stored days and this one's (any day not stored is
    older than every stored day, or fewer than DAYS_KEPT are stored and they are all). False,
    with nothing written, when there is no summary or it was computed in another time zone:
    the caller recomputes."""
    client = checkin.client  # the service created it with the client: no query
    row = (
        ClientSummary.objects.select_for_update(of=("self",))
        .filter(client_id=client_id)
        .values_list("zone", "last_checkin_at", "last_imported_checkin_at", "active_days")
        .first()
    )
    if row is None or row[0] != client.time_zone:
        return False
    _, own, imported, days = row
    at = _aware(checkin.recorded_at)
    changes: dict[str, Any] = {}
    if rules.IMPORTED_ROWS["tracking.CheckIn"].test(checkin):
        if imported is None or at > imported:
            changes["last_imported_checkin_at"] = at
    else:
        if own is None or at > own:
            changes["last_checkin_at"] = at
        key = ShareScope.CHECKINS.value
        days = dict(days or {})
        day = at.astimezone(zone_named(checkin.time_zone or client.time_zone)).date().isoformat()
        kept = days.get(key, [])
        if day not in kept:
            merged = sorted({*kept, day}, reverse=True)[:DAYS_KEPT]
            if merged != kept:
                changes["active_days"] = {**days, key: merged}
    if changes:
        ClientSummary.objects.filter(client_id=client_id).update(
            **changes, updated_at=timezone.now()
        )
    return True


def summary_refresh(
    *, client_id: int, parts: Iterable[str] = SUMMARY_PARTS, added: Any = None
) -> ClientSummary | None:
    """Recompute these parts of one client's summary (all of it when there is none yet, or it
    was computed in another time zone), in the caller's transaction. The row is locked before
    the records are read, so a concurrent write for the same client waits and then reads what
    this one wrote. `added` (core.hooks.client_changed): a new check-in alone is merged into
    the stored row instead, and nothing is returned."""
    named = frozenset(parts)
    # The caller's transaction (no savepoint of our own: this runs on every check-in).
    with transaction.atomic(savepoint=False):
        # The common case, a new check-in: merged into the stored row (None: not read back).
        if (
            named == {"checkins"}
            and isinstance(added, CheckIn)
            and _checkin_merge(client_id, added)
        ):
            return None
        summary = (
            ClientSummary.objects.select_for_update(of=("self",))
            .select_related("client")
            .filter(client_id=client_id)
            .first()
        )
        if summary is None:
            client = Client.objects.get(pk=client_id)
            ClientSummary.objects.bulk_create(
                [ClientSummary(client=client, practice_id=client.practice_id)],
                ignore_conflicts=True,
            )
            summary = ClientSummary.objects.select_for_update().get(client_id=client_id)
            named = SUMMARY_PARTS
        client = summary.client
        if summary.zone != client.time_zone:
            named = SUMMARY_PARTS
        summary.zone = client.time_zone
        summary.practice_id = client.practice_id
        _apply(summary, summary_values(client=client, parts=named), named)
        summary.save()
    return summary


def client_changed(*, client_id: int, parts: frozenset[str], added: Any = None) -> None:
    """The `core.hooks.client_changed` hook (registered in InsightsConfig.ready)."""
    summary_refresh(client_id=client_id, parts=parts, added=added)


def summaries_rebuild(*, client_ids: Sequence[int] | None = None, batch: int = 100) -> int:
    """Recompute every part of the summaries of these clients (all clients when None) from
    scratch, a batch of clients per transaction. Returns how many were written."""
    ids = (
        list(client_ids)
        if client_ids is not None
        else list(Client.objects.order_by("pk").values_list("pk", flat=True))
    )
    written = 0
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        with transaction.atomic():
            clients = list(Client.objects.filter(pk__in=chunk).order_by("pk"))
            fresh = [_fresh(client) for client in clients]
            ClientSummary.objects.filter(client_id__in=[c.pk for c in clients]).delete()
            ClientSummary.objects.bulk_create(fresh)
            written += len(fresh)
    return written


def summaries_missing(*, clients: Sequence[Client]) -> dict[int, ClientSummary]:
    """Build and store the summaries these clients lack (or that were computed in another time
    zone): for the caseload meeting data written before summaries existed. Returns them."""
    if not clients:
        return {}
    with transaction.atomic():
        ids = [c.pk for c in clients]
        ClientSummary.objects.filter(client_id__in=ids).delete()
        fresh = [_fresh(client) for client in clients]
        ClientSummary.objects.bulk_create(fresh, ignore_conflicts=True)
    return {s.client_id: s for s in fresh}
