"""The pre-session brief in words. Pure: plain values in, sentences out (no ORM, no Django).

`selectors_brief.brief_inputs` reads a client's data "since the last session" into the plain
dataclasses below; `brief_build` turns them into the sentences a clinician reads in a minute
before the session. Every number comes with its meaning ("PHQ-9 9 (mild), down 3 since last
session; down 7 since intake (16): recovered.").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

FALLBACK_DAYS = 14
HEADLINE_CHARS = 80

# Jacobson-Truax classifications (measures.change.Classification values) in words.
CLASSIFICATION_WORDS = {
    "recovered": "recovered",
    "reliably_improved": "reliable improvement",
    "no_reliable_change": "no reliable change",
    "reliably_deteriorated": "reliable deterioration",
    "not_available": "no reliable-change threshold for this instrument",
}
TRACK_LABELS = {"on_track": "On track", "at_risk": "At risk", "not_on_track": "Not on track"}


# --- numbers and dates --------------------------------------------------------------------------
def number(value: float) -> str:
    """9.0 -> "9", 5.75 -> "5.8": a whole number as it is, anything else to one decimal."""
    if float(value).is_integer():
        return str(int(value))
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def day_label(day: date, *, today: date | None = None) -> str:
    """ "Tue 4 Nov", with the year when it is not this year ("Tue 4 Nov 2025")."""
    text = f"{day:%a} {day.day} {day:%b}"
    if today is not None and day.year != today.year:
        text += f" {day.year}"
    return text


def time_label(at: datetime) -> str:
    """ "14:05" (24-hour clock, in whatever zone `at` is in)."""
    return f"{at:%H:%M}"


def change_words(change: float) -> str:
    """ "down 3", "up 2.5" or "no change": the direction on the scale, not better or worse."""
    if change == 0:
        return "no change"
    return f"{'down' if change < 0 else 'up'} {number(abs(change))}"


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def headline(text: str, limit: int = HEADLINE_CHARS) -> str:
    """The first line of a piece of writing, cut at a word boundary to about `limit` characters."""
    first = " ".join(text.strip().splitlines()[0].split()) if text.strip() else ""
    if len(first) <= limit:
        return first
    cut = first[: limit - 1].rsplit(" ", 1)[0].rstrip(",.;:-")
    return f"{cut}…"


# --- inputs (what the selectors read) -------------------------------------------------------------
@dataclass(frozen=True)
class PeriodIn:
    start_day: date  # the client's local day the period starts
    today: date  # the client's local today
    session_day: date | None  # the last attended session (None: the fallback period)


@dataclass(frozen=True)
class AlertIn:
    severity: str  # alerts.models.Severity value
    severity_label: str
    kind_label: str
    reason: str
    status: str  # alerts.models.AlertStatus value
    status_label: str
    raised_at: datetime  # in the zone to show
    in_period: bool


@dataclass(frozen=True)
class ScoreIn:
    """One instrument answered in the period: its latest scored answer and what it compares with."""

    code: str
    short_name: str
    total: float
    band: str  # band label, "" when the instrument has no bands
    answered_on: date
    answers_in_period: int
    previous_total: float | None  # the last answer before the period
    previous_day: date | None
    baseline_total: float | None  # intake: the first scored answer (None if this is it)
    baseline_day: date | None
    classification: str  # measures.change.Classification value, against intake
    track_status: str  # measures.change.TrackStatus value
    track_reason: str
    critical: bool


@dataclass(frozen=True)
class DayValue:
    day: date
    value: float


@dataclass(frozen=True)
class NoteIn:
    day: date
    text: str


@dataclass(frozen=True)
class ThoughtRecordIn:
    day: date  # when the situation happened (the client's day)
    situation: str  # "" when the care team may not see the text
    belief_before: int | None
    belief_after: int | None
    emotion_before: int | None
    emotion_after: int | None
    # Set when it happened before the period but was stored in it (written up, synced or
    # imported late): the day it was added, so the brief does not show an old event as new.
    added_on: date | None = None


@dataclass(frozen=True)
class JournalIn:
    day: date  # when it was written
    title: str
    body: str
    added_on: date | None = None  # written before the period, shared (or added) in it


@dataclass(frozen=True)
class HomeworkIn:
    questionnaires_completed: int = 0
    questionnaires_missed: int = 0
    questionnaires_open: int = 0
    thought_records: int = 0
    activities_planned: int = 0
    activities_done: int = 0
    exposure_practices: int = 0
    sleep_diary_nights: int = 0
    relaxation_sessions: int = 0
    relaxation_seconds: int = 0
    safety_plan_version: int | None = None
    safety_plan_updated: date | None = None


@dataclass(frozen=True)
class AppointmentIn:
    starts_at: datetime  # in the zone to show
    duration_minutes: int
    clinician: str


@dataclass(frozen=True)
class BriefIn:
    period: PeriodIn
    alerts: Sequence[AlertIn] = ()
    scores: Sequence[ScoreIn] = ()
    mood: Sequence[DayValue] = ()  # daily means, days with a value only, oldest first
    anxiety: Sequence[DayValue] = ()
    sleep_hours: Sequence[DayValue] = ()
    shared_notes: Sequence[NoteIn] = ()  # shared check-in notes in the period
    private_note_days: Sequence[date] = ()  # days with a note the client kept private
    thought_records: Sequence[ThoughtRecordIn] = ()
    journal: Sequence[JournalIn] = ()
    homework: HomeworkIn = field(default_factory=HomeworkIn)
    next_appointment: AppointmentIn | None = None


# --- outputs (what the template shows) ----------------------------------------------------------
@dataclass(frozen=True)
class AlertLine:
    severity: str
    title: str  # "Critical: Risk item endorsed"
    when: str  # "raised Tue 4 Nov, 14:05; open"
    reason: str
    is_open: bool
    is_critical: bool


@dataclass(frozen=True)
class ScoreLine:
    code: str
    sentence: str
    track: str  # "On track: PHQ-9 is outside the clinical range now."
    track_status: str
    track_label: str  # "On track"
    track_reason: str
    critical: bool


@dataclass(frozen=True)
class Notable:
    day: str
    text: str
    quote: str = ""
    late: str = ""  # "From before this period; added Mon 16 Nov." for an old entry added late


@dataclass(frozen=True)
class Brief:
    period: str
    is_fallback: bool
    alerts_summary: str
    alerts: list[AlertLine]
    has_open_critical: bool
    scores: list[ScoreLine]
    scores_empty: str
    series: list[str]  # mood, anxiety, sleep
    low_days: list[Notable]
    thought_records: list[Notable]
    journal: list[Notable]
    homework: list[tuple[str, str]]  # (what, sentence)
    next_session: str


# --- sentences ----------------------------------------------------------------------------------
def period_sentence(period: PeriodIn) -> str:
    days = (period.today - period.start_day).days
    start = day_label(period.start_day, today=period.today)
    if period.session_day is None:
        return (
            f"No attended session on record, so this covers the last {FALLBACK_DAYS} days "
            f"(since {start})."
        )
    if days == 0:
        return f"Since the last session, today ({start})."
    return f"Since the last session on {start} ({plural(days, 'day')} ago)."


def alert_line(alert: AlertIn, *, today: date) -> AlertLine:
    when = f"raised {day_label(alert.raised_at.date(), today=today)}, {time_label(alert.raised_at)}"
    is_open = alert.status != "resolved"
    return AlertLine(
        severity=alert.severity,
        title=f"{alert.severity_label}: {alert.kind_label}",
        when=f"{when}; {alert.status_label.lower()}",
        reason=alert.reason,
        is_open=is_open,
        is_critical=alert.severity == "critical",
    )


def alerts_summary(alerts: Sequence[AlertIn], *, fallback: bool) -> str:
    since = "in these 14 days" if fallback else "since the last session"
    raised = sum(1 for a in alerts if a.in_period)
    still_open = [a for a in alerts if a.status != "resolved"]
    if not alerts:
        return f"No alerts {since}, and none open."
    parts = [f"{plural(raised, 'alert')} raised {since}" if raised else f"No alerts raised {since}"]
    if still_open:
        critical = sum(1 for a in still_open if a.severity == "critical")
        text = f"{len(still_open)} still open"
        if critical:
            text += f" ({critical} critical)"
        parts.append(text)
    else:
        parts.append("none open")
    return "; ".join(parts) + "."


def score_sentence(score: ScoreIn, *, fallback: bool, today: date) -> str:
    """ "PHQ-9 9 (mild), down 3 since last session; down 7 since intake (16): recovered." """
    head = f"{score.short_name} {number(score.total)}"
    if score.band:
        head += f" ({score.band.lower()})"
    if score.baseline_total is None:
        return f"{head}: first answer, the baseline for later change."
    clauses = []
    if score.previous_total is not None:
        since = (
            f"since {day_label(score.previous_day, today=today)}"
            if fallback and score.previous_day is not None
            else "since last session"
        )
        clauses.append(f"{change_words(score.total - score.previous_total)} {since}")
    meaning = CLASSIFICATION_WORDS.get(score.classification, score.classification)
    intake = (
        f"{change_words(score.total - score.baseline_total)} since intake "
        f"({number(score.baseline_total)}): {meaning}"
    )
    if clauses:
        return f"{head}, {clauses[0]}; {intake}."
    return f"{head}; {intake}."


def track_sentence(score: ScoreIn) -> str:
    label = TRACK_LABELS.get(score.track_status, score.track_status)
    return f"{label}: {score.track_reason}" if score.track_reason else f"{label}."


@dataclass(frozen=True)
class SeriesWords:
    name: str  # "Mood"
    unit: str = ""  # " hours"
    days: str = "with a check-in"
    low: str = "lowest"
    high: str = "highest"


MOOD = SeriesWords("Mood")
ANXIETY = SeriesWords("Anxiety")
SLEEP = SeriesWords("Sleep", unit=" hours", days="logged", low="shortest", high="longest")


def series_sentence(values: Sequence[DayValue], words: SeriesWords, *, today: date) -> str:
    """ "Mood averaged 5.8 on 9 days with a check-in; lowest 3 on Tue 4 Nov, highest 8 on ..." """
    if not values:
        return f"No {words.name.lower()} values in this period."
    unit = words.unit

    def at(v: DayValue) -> str:
        return f"{number(v.value)}{unit} on {day_label(v.day, today=today)}"

    if len(values) == 1:
        return f"{words.name} was {at(values[0])}, the only day {words.days}."
    mean = sum(v.value for v in values) / len(values)
    days = f"{len(values)} days {words.days}"
    low = min(values, key=lambda v: (v.value, v.day))
    high = max(values, key=lambda v: (v.value, -v.day.toordinal()))
    if low.value == high.value:
        return f"{words.name} was {number(low.value)}{unit} on each of the {days}."
    return (
        f"{words.name} averaged {number(round(mean, 1))}{unit} on {days}; "
        f"{words.low} {at(low)}, {words.high} {at(high)}."
    )


def low_days(
    mood: Sequence[DayValue],
    notes: Sequence[NoteIn],
    private_days: Sequence[date],
    *,
    today: date,
    count: int = 2,
) -> list[Notable]:
    """The lowest mood days (up to `count`), each with the notes the client shared that day."""
    if len(mood) < 2:
        return []
    lowest = sorted(mood, key=lambda v: (v.value, v.day))[:count]
    result = []
    for value in sorted(lowest, key=lambda v: v.day):
        shared = [n.text for n in notes if n.day == value.day]
        text = f"Mood {number(value.value)}"
        if not shared and value.day in private_days:
            text += "; a note was kept private"
        result.append(
            Notable(
                day=day_label(value.day, today=today),
                text=text,
                quote=" / ".join(headline(s, 160) for s in shared),
            )
        )
    return result


def thought_record_line(record: ThoughtRecordIn, *, today: date) -> Notable:
    numbers = []
    if record.belief_before is not None and record.belief_after is not None:
        numbers.append(f"belief {record.belief_before} → {record.belief_after}")
    if record.emotion_before is not None and record.emotion_after is not None:
        numbers.append(f"strongest feeling {record.emotion_before} → {record.emotion_after}")
    return Notable(
        day=day_label(record.day, today=today),
        text="; ".join(numbers).capitalize() if numbers else "Thought record completed",
        quote=headline(record.situation),
        late=late_words(record.added_on, "added", today=today),
    )


def journal_line(entry: JournalIn, *, today: date) -> Notable:
    return Notable(
        day=day_label(entry.day, today=today),
        text="Journal entry shared",
        quote=headline(entry.title or entry.body),
        late=late_words(entry.added_on, "shared", today=today),
    )


def late_words(added_on: date | None, verb: str, *, today: date) -> str:
    """What an old entry that reached the care team in this period is labelled with."""
    if added_on is None:
        return ""
    return f"From before this period; {verb} {day_label(added_on, today=today)}."


def questionnaires_sentence(h: HomeworkIn) -> str:
    total = h.questionnaires_completed + h.questionnaires_missed + h.questionnaires_open
    if not total:
        return "None were due."
    parts = [f"{h.questionnaires_completed} completed"]
    if h.questionnaires_missed:
        parts.append(f"{h.questionnaires_missed} missed")
    if h.questionnaires_open:
        parts.append(f"{h.questionnaires_open} still open")
    return f"{total} due: {', '.join(parts)}."


def worksheets_sentence(h: HomeworkIn) -> str:
    parts = []
    if h.thought_records:
        parts.append(plural(h.thought_records, "thought record"))
    if h.activities_planned:
        noun = "activity" if h.activities_planned == 1 else "activities"
        parts.append(f"{h.activities_done} of {h.activities_planned} planned {noun} done")
    if h.exposure_practices:
        parts.append(plural(h.exposure_practices, "exposure practice"))
    if h.sleep_diary_nights:
        parts.append(plural(h.sleep_diary_nights, "sleep diary night"))
    if not parts:
        return "None completed."
    return ", ".join(parts) + "."


def relaxation_sentence(h: HomeworkIn) -> str:
    if not h.relaxation_sessions:
        return "No sessions."
    minutes = round(h.relaxation_seconds / 60)
    return f"{plural(h.relaxation_sessions, 'session')}, {plural(minutes, 'minute')} in all."


def safety_plan_sentence(h: HomeworkIn, *, period_start: date, today: date) -> str:
    if h.safety_plan_version is None or h.safety_plan_updated is None:
        return "No safety plan yet."
    updated = day_label(h.safety_plan_updated, today=today)
    if h.safety_plan_updated >= period_start:
        return f"Updated on {updated} (version {h.safety_plan_version})."
    return f"Not changed in this period (version {h.safety_plan_version}, {updated})."


def next_session_sentence(appointment: AppointmentIn | None, *, today: date) -> str:
    if appointment is None:
        return "No next session booked."
    day = day_label(appointment.starts_at.date(), today=today)
    return (
        f"{day}, {time_label(appointment.starts_at)} ({appointment.duration_minutes} minutes) "
        f"with {appointment.clinician}."
    )


# --- the whole brief ----------------------------------------------------------------------------
def brief_build(data: BriefIn) -> Brief:
    period = data.period
    today = period.today
    fallback = period.session_day is None
    alerts = sorted(
        data.alerts,
        key=lambda a: (
            a.status == "resolved",
            -_severity_rank(a.severity),
            -a.raised_at.timestamp(),
        ),
    )
    lines = [alert_line(a, today=today) for a in alerts]
    scores = [
        ScoreLine(
            code=s.code,
            sentence=score_sentence(s, fallback=fallback, today=today),
            track=track_sentence(s),
            track_status=s.track_status,
            track_label=TRACK_LABELS.get(s.track_status, s.track_status),
            track_reason=s.track_reason,
            critical=s.critical,
        )
        for s in sorted(data.scores, key=lambda s: s.short_name)
    ]
    series = [series_sentence(data.mood, MOOD, today=today)]
    if data.anxiety:
        series.append(series_sentence(data.anxiety, ANXIETY, today=today))
    if data.sleep_hours:
        series.append(series_sentence(data.sleep_hours, SLEEP, today=today))
    h = data.homework
    return Brief(
        period=period_sentence(period),
        is_fallback=fallback,
        alerts_summary=alerts_summary(data.alerts, fallback=fallback),
        alerts=lines,
        has_open_critical=any(line.is_critical and line.is_open for line in lines),
        scores=scores,
        scores_empty="No questionnaires answered in this period.",
        series=series,
        low_days=low_days(data.mood, data.shared_notes, data.private_note_days, today=today),
        thought_records=[thought_record_line(r, today=today) for r in data.thought_records],
        journal=[journal_line(j, today=today) for j in data.journal],
        homework=[
            ("Questionnaires", questionnaires_sentence(h)),
            ("Worksheets", worksheets_sentence(h)),
            ("Relaxation", relaxation_sentence(h)),
            ("Safety plan", safety_plan_sentence(h, period_start=period.start_day, today=today)),
        ],
        next_session=next_session_sentence(data.next_appointment, today=today),
    )


def _severity_rank(severity: str) -> int:
    return {"critical": 3, "high": 2, "medium": 1, "low": 0}.get(severity, 0)
