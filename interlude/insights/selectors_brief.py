"""Reads for the pre-session brief and the progress report, for a client the gate returned.

`brief_inputs` reads everything "since the last session" into the plain values of `brief.py`, in a
fixed number of queries whatever the amount of data (test_brief.py asserts it). Only what the
viewer's `CareAccess` lets through is read out (`access.scope`, `access.shows`): scores when
questionnaires are shared (and scores the care team entered from paper), mood and sleep when
check-ins are, a note's text only when the note and the category are shared, journal entries
only when shared, completed thought records when worksheets are. Alerts always (risk signals
reach the care team), each saying only what the viewer may read of its reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Count, Min, Q, Subquery, Sum
from django.utils import timezone

from interlude.alerts.access import alert_reason_for
from interlude.alerts.models import Alert, AlertKind, AlertStatus, Severity
from interlude.care.models import SafetyPlanVersion
from interlude.care.selectors import (
    appointment_last_attended,
    appointment_next,
    crisis_resources_for_client,
)
from interlude.consents import rules
from interlude.consents.access import CareAccess, Category
from interlude.consents.markers import NotShared, not_shared_marker
from interlude.core.clock import local_date
from interlude.exercises.models import (
    ActivityPlan,
    ExposurePractice,
    JournalEntry,
    RelaxationSession,
    SleepDiaryEntry,
    ThoughtRecord,
)
from interlude.exercises.schemas import ThoughtRecordContent
from interlude.insights.brief import (
    FALLBACK_DAYS,
    AlertIn,
    AppointmentIn,
    BriefIn,
    DayValue,
    HomeworkIn,
    JournalIn,
    NoteIn,
    PeriodIn,
    ScoreIn,
    ThoughtRecordIn,
)
from interlude.measures.instruments import shipped_definitions
from interlude.measures.models import (
    DueStatus,
    PracticeInstrument,
    QuestionnaireDue,
    QuestionnaireResponse,
)
from interlude.measures.selectors import InstrumentSeries, instrument_definitions, response_series
from interlude.practices.models import Client, CrisisResource
from interlude.tracking.charts import daily_means
from interlude.tracking.models import CheckIn, Observation, ObservationKind

BRIEF_KINDS = (ObservationKind.MOOD, ObservationKind.ANXIETY, ObservationKind.SLEEP_HOURS)
MAX_ALERTS = 20
MAX_NOTES = 50
MAX_THOUGHT_RECORDS = 5
MAX_JOURNAL = 5
# The categories the brief and the report read, in the order their "not shared" notes show.
BRIEF_CATEGORIES = (
    Category.CHECKINS,
    Category.JOURNAL,
    Category.WORKSHEETS,
    Category.MEASURES,
    Category.RELAXATION,
)


def brief_not_shared(*, access: CareAccess) -> list[NotShared]:
    """What the brief leaves out because the client does not share it with this viewer."""
    return [
        marker
        for category in BRIEF_CATEGORIES
        if (marker := not_shared_marker(access=access, category=category)) is not None
    ]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _local_day(at: datetime, zone_name: str, fallback: ZoneInfo) -> date:
    zone = _zone(zone_name) if zone_name else fallback
    return at.astimezone(zone).date()


def _days_with_values(points: Iterable[tuple[date, float | None]]) -> list[DayValue]:
    return [DayValue(day=d, value=v) for d, v in points if v is not None]


# --- the brief -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class BriefPeriod:
    """What every brief panel reads for: since when, and the client's and practice's zones."""

    period: PeriodIn
    since: datetime
    now: datetime
    client_zone: ZoneInfo
    practice_zone: ZoneInfo


def brief_period(*, access: CareAccess, now: datetime | None = None) -> BriefPeriod:
    """Since the last attended session (or the last 14 days when there is none). One query."""
    client = access.client
    now = now or timezone.now()
    client_zone = _zone(client.time_zone)
    today = now.astimezone(client_zone).date()
    last = appointment_last_attended(client=client, before=now)
    since = last.starts_at if last is not None else now - timedelta(days=FALLBACK_DAYS)
    start_day = since.astimezone(client_zone).date()
    return BriefPeriod(
        period=PeriodIn(
            start_day=start_day,
            today=today,
            session_day=start_day if last is not None else None,
        ),
        since=since,
        now=now,
        client_zone=client_zone,
        practice_zone=_zone(client.practice.time_zone),
    )


def brief_alerts(*, access: CareAccess, at: BriefPeriod) -> list[AlertIn]:
    """Alerts raised in the period or still open (one query)."""
    return _alerts(access=access, since=at.since, zone=at.practice_zone)


def brief_scores(*, access: CareAccess, at: BriefPeriod) -> list[ScoreIn]:
    """The latest score of each instrument answered in the period (three queries)."""
    return _scores(access=access, since=at.since, zone=at.client_zone)


def brief_series(*, access: CareAccess, at: BriefPeriod) -> dict[str, list[DayValue]]:
    """Daily means of mood, anxiety and sleep hours in the period (one query)."""
    p = at.period
    return _series(access=access, since=at.since, now=at.now, start_day=p.start_day, today=p.today)


def brief_notable(*, access: CareAccess, at: BriefPeriod) -> dict[str, Any]:
    """Check-in notes, thought records and journal entries of the period, as `BriefIn` fields
    (three queries)."""
    notes, private_days = _notes(access=access, since=at.since, fallback=at.client_zone)
    return {
        "shared_notes": notes,
        "private_note_days": private_days,
        "thought_records": _thought_records(access=access, since=at.since, zone=at.client_zone),
        "journal": _journal(access=access, since=at.since, zone=at.client_zone),
    }


def brief_homework(*, access: CareAccess, at: BriefPeriod) -> HomeworkIn:
    """Homework in the period (seven queries)."""
    p = at.period
    return _homework(
        access=access, since=at.since, now=at.now, start_day=p.start_day, today=p.today
    )


def brief_next_appointment(*, access: CareAccess, at: BriefPeriod) -> AppointmentIn | None:
    """The next booked session (one query)."""
    upcoming = appointment_next(client=access.client, after=at.now)
    if upcoming is None:
        return None
    return AppointmentIn(
        starts_at=upcoming.starts_at.astimezone(at.practice_zone),
        duration_minutes=upcoming.duration_minutes,
        clinician=upcoming.clinician.user.get_full_name(),
    )


def brief_inputs(*, access: CareAccess, now: datetime | None = None) -> BriefIn:
    """Everything the brief says about the client that this viewer may see, since the last
    attended session (or the last 14 days when there is none). 17 queries at most, whatever the
    amount of data (fewer when categories are not shared). The brief page reads the same through
    its panels (insights/panels.py), one panel per section."""
    at = brief_period(access=access, now=now)
    series = brief_series(access=access, at=at)
    return BriefIn(
        period=at.period,
        alerts=brief_alerts(access=access, at=at),
        scores=brief_scores(access=access, at=at),
        mood=series[ObservationKind.MOOD],
        anxiety=series[ObservationKind.ANXIETY],
        sleep_hours=series[ObservationKind.SLEEP_HOURS],
        homework=brief_homework(access=access, at=at),
        next_appointment=brief_next_appointment(access=access, at=at),
        **brief_notable(access=access, at=at),
    )


def brief_crisis_resources(*, client: Client) -> list[CrisisResource]:
    """The client's crisis lines (for the next steps of a critical alert). One query."""
    return crisis_resources_for_client(client=client)


def _alerts(*, access: CareAccess, since: datetime, zone: ZoneInfo) -> list[AlertIn]:
    rows = (
        Alert.objects.filter(client_id=access.client.pk)
        .filter(Q(created_at__gte=since) | ~Q(status=AlertStatus.RESOLVED))
        .order_by("-severity_rank", "-created_at")[:MAX_ALERTS]
    )
    return [
        AlertIn(
            severity=a.severity,
            severity_label=str(Severity(a.severity).label),
            kind_label=str(AlertKind(a.kind).label),
            reason=alert_reason_for(alert=a, care=access),
            status=a.status,
            status_label=str(AlertStatus(a.status).label),
            raised_at=a.created_at.astimezone(zone),
            in_period=a.created_at >= since,
        )
        for a in rows
    ]


def _scores(*, access: CareAccess, since: datetime, zone: ZoneInfo) -> list[ScoreIn]:
    definitions = instrument_definitions(practice=access.client.practice)
    rows = (
        access.scope(QuestionnaireResponse.objects.filter(total__isnull=False), Category.MEASURES)
        .order_by("submitted_at", "id")
        .only(
            "instrument_code",
            "submitted_at",
            "total",
            "band_label",
            "classification",
            "track_status",
            "track_reason",
            # flags is encrypted: its row's public_id and practice bind the ciphertext.
            "flags",
            "public_id",
            "practice",
        )
    )
    by_code: dict[str, list[QuestionnaireResponse]] = {}
    for row in rows:
        by_code.setdefault(row.instrument_code, []).append(row)
    scores = []
    for code, answers in by_code.items():
        in_period = [r for r in answers if r.submitted_at >= since]
        if not in_period:
            continue
        latest = in_period[-1]
        before = [r for r in answers if r.submitted_at < since]
        previous = before[-1] if before else None
        baseline = answers[0] if answers[0] is not latest else None
        definition = definitions.get(code)
        assert latest.total is not None
        scores.append(
            ScoreIn(
                code=code,
                short_name=definition.short_name if definition else code.upper(),
                total=latest.total,
                band=latest.band_label,
                answered_on=latest.submitted_at.astimezone(zone).date(),
                answers_in_period=len(in_period),
                previous_total=previous.total if previous else None,
                previous_day=previous.submitted_at.astimezone(zone).date() if previous else None,
                baseline_total=baseline.total if baseline else None,
                baseline_day=baseline.submitted_at.astimezone(zone).date() if baseline else None,
                classification=latest.classification,
                track_status=latest.track_status,
                track_reason=latest.track_reason,
                critical=any(r.is_critical for r in in_period),
            )
        )
    return scores


def _series(
    *, access: CareAccess, since: datetime, now: datetime, start_day: date, today: date
) -> dict[str, list[DayValue]]:
    """Daily means of mood, anxiety and sleep hours in the period (days with a value only), from
    the points this viewer may see (none when check-ins are not shared)."""
    client = access.client
    rows = access.scope(
        Observation.objects.filter(
            kind__in=BRIEF_KINDS, effective_at__gte=since, effective_at__lte=now
        ),
        Category.CHECKINS,
    ).values_list("kind", "effective_at", "time_zone", "value")
    by_kind: dict[str, list[tuple[datetime, str, float]]] = {str(k): [] for k in BRIEF_KINDS}
    for kind, effective_at, zone_name, value in rows:
        by_kind[kind].append((effective_at, zone_name, value))
    days = (today - start_day).days + 1
    return {
        kind: _days_with_values(
            daily_means(values, start=start_day, days=days, fallback_zone=client.time_zone)
        )
        for kind, values in by_kind.items()
    }


def _notes(
    *, access: CareAccess, since: datetime, fallback: ZoneInfo
) -> tuple[list[NoteIn], list[date]]:
    """Check-in notes in the period: the text of those this viewer may see (`access.shows`), and
    the days of the others. None at all when check-ins are not shared.

    A note the viewer may not see is never decrypted here."""
    rows = access.scope(
        CheckIn.objects.filter(recorded_at__gte=since, note__isnull=False), Category.CHECKINS
    ).order_by("recorded_at")[:MAX_NOTES]
    shared, private = [], []
    for c in rows:
        day = _local_day(c.recorded_at, c.time_zone, fallback)
        if access.shows(c, Category.JOURNAL):
            text = c.note or ""
            if text.strip():
                shared.append(NoteIn(day=day, text=text))
        else:
            private.append(day)
    return shared, private


def _thought_records(
    *, access: CareAccess, since: datetime, zone: ZoneInfo
) -> list[ThoughtRecordIn]:
    rows = (
        access.scope(ThoughtRecord.objects.filter(is_complete=True), Category.WORKSHEETS)
        .filter(Q(occurred_at__gte=since) | Q(created_at__gte=since))
        .order_by("-occurred_at", "-id")[:MAX_THOUGHT_RECORDS]
    )
    result = []
    for r in rows:
        # Completed thought records reach the care team when worksheets are shared.
        content = ThoughtRecordContent.from_stored(r.content)
        result.append(
            ThoughtRecordIn(
                day=local_date(r.occurred_at, zone),
                situation=content.situation,
                belief_before=r.belief_before,
                belief_after=r.belief_after,
                emotion_before=r.emotion_before,
                emotion_after=r.emotion_after,
                # Selected by when it happened; one stored late is shown as such, not as new.
                added_on=local_date(r.created_at, zone) if r.occurred_at < since else None,
            )
        )
    # What happened in the period first, newest first; old entries added late after them.
    return sorted(result, key=lambda t: (t.added_on is not None, -t.day.toordinal()))


def _journal(*, access: CareAccess, since: datetime, zone: ZoneInfo) -> list[JournalIn]:
    # Which entries show is the gate's rule (`scope`); when an entry was shared (a rule beside
    # it) only selects those shared in the period and dates them ("shared on 20 Nov").
    shared = rules.ITEM_SHARED_WHEN[(JournalEntry._meta.label, Category.JOURNAL)]
    rows = (
        access.scope(JournalEntry.objects.all(), Category.JOURNAL)
        .filter(Q(written_at__gte=since) | shared.since(since))
        .order_by("-written_at", "-id")[:MAX_JOURNAL]
    )
    entries = [
        JournalIn(
            day=local_date(e.written_at, zone),
            title=e.title or "",
            body=e.body,
            added_on=(
                local_date(max(shared.at(e) or e.created_at, e.created_at), zone)
                if e.written_at < since
                else None
            ),
        )
        for e in rows
    ]
    return sorted(entries, key=lambda j: (j.added_on is not None, -j.day.toordinal()))


def _homework(
    *, access: CareAccess, since: datetime, now: datetime, start_day: date, today: date
) -> HomeworkIn:
    """Homework in the period, each kind counted only when its category is shared (a count of
    zero for the others, which the page marks "not shared")."""
    client = access.client
    scope = access.scope
    worksheets = Category.WORKSHEETS
    dues = (
        scope(QuestionnaireDue.objects.filter(opens_at__lte=now), Category.MEASURES)
        .filter(Q(closes_at__gte=since) | Q(completed_at__gte=since))
        .aggregate(
            completed=Count("id", filter=Q(status=DueStatus.COMPLETED)),
            missed=Count("id", filter=Q(status=DueStatus.MISSED)),
            still_open=Count("id", filter=Q(status=DueStatus.DUE)),
        )
    )
    # Homework done since the last session: by when it happened, not when it was stored.
    thought_records = scope(
        ThoughtRecord.objects.filter(is_complete=True, occurred_at__gte=since), worksheets
    ).count()
    activities = scope(
        ActivityPlan.objects.filter(planned_for__gte=start_day, planned_for__lte=today), worksheets
    ).aggregate(planned=Count("id"), done=Count("id", filter=Q(done=True)))
    exposure = scope(ExposurePractice.objects.filter(practiced_at__gte=since), worksheets).count()
    sleep = scope(SleepDiaryEntry.objects.filter(night_of__gte=start_day), worksheets).count()
    relaxation = scope(
        RelaxationSession.objects.filter(started_at__gte=since), Category.RELAXATION
    ).aggregate(sessions=Count("id"), seconds=Sum("seconds_practised"))
    plan = (
        SafetyPlanVersion.objects.filter(client=client)
        .order_by("-version")
        .values_list("version", "created_at")
        .first()
    )
    zone = _zone(client.time_zone)
    return HomeworkIn(
        questionnaires_completed=dues["completed"],
        questionnaires_missed=dues["missed"],
        questionnaires_open=dues["still_open"],
        thought_records=thought_records,
        activities_planned=activities["planned"],
        activities_done=activities["done"],
        exposure_practices=exposure,
        sleep_diary_nights=sleep,
        relaxation_sessions=relaxation["sessions"],
        relaxation_seconds=relaxation["seconds"] or 0,
        safety_plan_version=plan[0] if plan else None,
        safety_plan_updated=plan[1].astimezone(zone).date() if plan else None,
    )


# --- the progress report -------------------------------------------------------------------------
def report_first_day(*, access: CareAccess, zone: ZoneInfo) -> date | None:
    """The client's day of the first scored answer this viewer may see, of an instrument the
    practice uses (the report's default start; `report.first_answer_day` of `report_series`, in
    one query)."""
    practice_codes = PracticeInstrument.objects.filter(
        practice_id=access.client.practice_id, is_active=True
    ).values("code")
    first = (
        access.scope(QuestionnaireResponse.objects.filter(total__isnull=False), Category.MEASURES)
        .filter(
            Q(instrument_code__in=list(shipped_definitions()))
            | Q(instrument_code__in=Subquery(practice_codes))
        )
        .aggregate(first=Min("submitted_at"))["first"]
    )
    return first.astimezone(zone).date() if first is not None else None


def report_series(*, access: CareAccess) -> list[InstrumentSeries]:
    """Every instrument the client has scored answers for that this viewer may see, oldest answer
    first (three queries: the practice's instruments and settings, then the answers). With
    questionnaires not shared, only the scores the care team entered from paper (the gate's
    rule); the client's own answers are not even read."""
    if access.can_see(Category.MEASURES):
        return response_series(access=access)
    definitions = instrument_definitions(practice=access.client.practice)
    by_code: dict[str, list[QuestionnaireResponse]] = {}
    rows = access.scope(
        QuestionnaireResponse.objects.filter(total__isnull=False), Category.MEASURES
    ).order_by("submitted_at")
    for r in rows:
        by_code.setdefault(r.instrument_code, []).append(r)
    return [
        InstrumentSeries(definition=definitions[code], responses=answers)
        for code, answers in sorted(by_code.items())
        if code in definitions
    ]
