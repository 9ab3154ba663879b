"""Reads for the client's export: every kind of record, as plain rows, for the client themself.

Each read goes through the client's own `CareAccess` (`care.scope(...)` filters every query to
this client), so nothing of another client can reach an export. The rows are plain dicts of JSON
values (ISO 8601 times with the client's offset, local days through core/clock.py) that
package.py writes as CSV and JSON and the PDF template shows.

The existing per-app selectors page or cap their lists (the check-in list, the sleep table); an
export needs every row, so the reads are here, one query per kind of record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from typing import Any

from django.apps import apps
from django.utils import timezone

from interlude.audit.selectors import audit_access_history_for_client
from interlude.care.models import Appointment, SafetyPlanVersion
from interlude.care.notes_selectors import session_notes_for_own_export
from interlude.care.notes_services import TEMPLATE_SECTIONS
from interlude.care.schemas import SECTIONS as PLAN_SECTIONS
from interlude.care.selectors import safety_plan_content
from interlude.consents.access import CareAccess, Category, Viewer
from interlude.consents.models import (
    ConsentEvent,
    ConsentEventKind,
    ConsentMethod,
    PracticePrivacySettings,
)
from interlude.consents.sharing_selectors import sharing_for_client
from interlude.core.clock import client_zone, local_date, zone_named
from interlude.exercises.distortions import DISTORTIONS_BY_CODE
from interlude.exercises.models import (
    ActivityPlan,
    ExposurePractice,
    ExposureStep,
    JournalEntry,
    LifeArea,
    RelaxationKind,
    RelaxationSession,
    SleepDiaryEntry,
    ThoughtRecord,
)
from interlude.exercises.schemas import ThoughtRecordContent
from interlude.homework.models import Assignment
from interlude.measures.change import Classification
from interlude.measures.models import EnteredBy, QuestionnaireResponse
from interlude.measures.selectors import instrument_definitions
from interlude.messaging.models import Message, Side
from interlude.practices.models import CareTeamMember
from interlude.practices.selectors import care_team_for_client
from interlude.rights.models import LIVE_STATUSES, ExportJob
from interlude.tracking.models import CheckIn, Observation, ObservationKind, ObservationSource

Row = dict[str, Any]


# --- the jobs ------------------------------------------------------------------------------------
def export_job_current(*, client_id: int) -> ExportJob | None:
    """The client's live export (waiting, being prepared or ready), if any."""
    return ExportJob.objects.filter(client_id=client_id, status__in=LIVE_STATUSES).first()


def export_job_latest(*, client_id: int) -> ExportJob | None:
    return ExportJob.objects.filter(client_id=client_id).order_by("-created_at", "-pk").first()


def export_job_get(*, client_id: int, public_id: Any) -> ExportJob | None:
    """One of this client's exports by its public id; None for anyone else's (a 404)."""
    return ExportJob.objects.filter(client_id=client_id, public_id=public_id).first()


# --- values --------------------------------------------------------------------------------------
def iso(instant: datetime | None, zone: tzinfo) -> str | None:
    """ISO 8601 with the offset of the client's zone at that instant, to the second."""
    if instant is None:
        return None
    return instant.astimezone(zone).isoformat(timespec="seconds")


def _hhmm(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def _day(instant: datetime, zone: tzinfo, record_zone: str = "") -> str:
    return local_date(instant, zone, record_zone=record_zone).isoformat()


def _number(value: Any) -> float | int | None:
    if value is None:
        return None
    as_float = float(value)
    return int(as_float) if as_float.is_integer() else as_float


def _who(user: Any) -> str:
    return (user.get_full_name() or user.email) if user is not None else ""


# --- one reader per section ----------------------------------------------------------------------
def _checkins(care: CareAccess, zone: tzinfo) -> list[Row]:
    rows = []
    for c in care.scope(CheckIn.objects.order_by("recorded_at", "pk"), Category.CHECKINS):
        here = zone_named(c.time_zone, fallback=zone)
        rows.append(
            {
                "id": str(c.public_id),
                "recorded_at": iso(c.recorded_at, here),
                "local_day": _day(c.recorded_at, zone, c.time_zone),
                "time_zone": c.time_zone,
                "mood": c.mood,
                "anxiety": c.anxiety,
                "energy": c.energy,
                "sleep_hours": _number(c.sleep_hours),
                "sleep_quality": c.sleep_quality,
                "emotions": [
                    {"label": e.get("label", ""), "intensity": e.get("intensity")}
                    for e in (c.emotions or [])
                    if isinstance(e, dict)
                ],
                "activities": [str(a) for a in (c.activities or [])],
                "note": c.note or "",
                "note_shared": bool(c.note_shared),
                "source": ObservationSource(c.source).label
                if c.source in ObservationSource.values
                else c.source,
            }
        )
    return rows


def _observations(care: CareAccess, zone: tzinfo) -> list[Row]:
    labels = dict(ObservationKind.choices)
    sources = dict(ObservationSource.choices)
    qs = care.scope(Observation.objects.order_by("effective_at", "pk"), Category.CHECKINS)
    return [
        {
            "kind": o.kind,
            "kind_label": labels.get(o.kind, o.kind),
            "value": _number(o.value),
            "effective_at": iso(o.effective_at, zone_named(o.time_zone, fallback=zone)),
            "local_day": _day(o.effective_at, zone, o.time_zone),
            "time_zone": o.time_zone,
            "source": sources.get(o.source, o.source),
            "source_record": o.source_type,
            "source_id": o.source_id,
        }
        for o in qs
    ]


def _journal(care: CareAccess, zone: tzinfo) -> list[Row]:
    qs = care.scope(JournalEntry.objects.order_by("written_at", "pk"), Category.JOURNAL)
    return [
        {
            "id": str(j.public_id),
            "written_at": iso(j.written_at, zone),
            "local_day": _day(j.written_at, zone),
            "title": j.title or "",
            "body": j.body or "",
            "shared": j.shared_at is not None,
            "shared_at": iso(j.shared_at, zone),
        }
        for j in qs
    ]


def _thought_records(care: CareAccess, zone: tzinfo) -> list[Row]:
    rows = []
    qs = care.scope(ThoughtRecord.objects.order_by("occurred_at", "pk"), Category.WORKSHEETS)
    for t in qs:
        content = ThoughtRecordContent.from_stored(t.content)
        rows.append(
            {
                "id": str(t.public_id),
                "occurred_at": iso(t.occurred_at, zone),
                "local_day": _day(t.occurred_at, zone),
                "complete": bool(t.is_complete),
                "situation": content.situation,
                "automatic_thoughts": [
                    {"text": a.text, "belief": a.belief, "hot": a.hot}
                    for a in content.automatic_thoughts
                ],
                "emotions": [
                    {"label": e.label, "intensity": e.intensity} for e in content.emotions
                ],
                "thinking_traps": [
                    DISTORTIONS_BY_CODE[code].name
                    for code in (t.distortions or [])
                    if code in DISTORTIONS_BY_CODE
                ],
                "evidence_for": content.evidence_for,
                "evidence_against": content.evidence_against,
                "balanced_thought": content.balanced_thought.text,
                "balanced_thought_belief": content.balanced_thought.belief,
                "hot_thought_belief_after": content.hot_thought_belief_after,
                "emotions_after": [
                    {"label": e.label, "intensity": e.intensity} for e in content.emotions_rerated
                ],
                "action_plan": content.action_plan,
            }
        )
    return rows


def _activation(care: CareAccess, zone: tzinfo) -> list[Row]:
    areas = dict(LifeArea.choices)
    qs = care.scope(
        ActivityPlan.objects.order_by("planned_for", "planned_time", "pk"), Category.WORKSHEETS
    )
    return [
        {
            "id": str(a.public_id),
            "title": a.title or "",
            "life_area": areas.get(a.life_area, a.life_area),
            "planned_for": a.planned_for.isoformat() if a.planned_for else None,
            "planned_time": _hhmm(a.planned_time),
            "difficulty": a.difficulty,
            "done": a.done,
            "mastery": a.mastery,
            "pleasure": a.pleasure,
            "logged_at": iso(a.logged_at, zone),
        }
        for a in qs
    ]


def _exposure_steps(care: CareAccess, zone: tzinfo) -> list[Row]:
    qs = care.scope(ExposureStep.objects.order_by("created_at", "pk"), Category.WORKSHEETS)
    return [
        {
            "id": str(s.public_id),
            "description": s.description or "",
            "distress_expected": s.suds_anticipated,
            "archived": bool(s.is_archived),
            "created_at": iso(s.created_at, zone),
        }
        for s in qs
    ]


def _exposure_practice(care: CareAccess, zone: tzinfo) -> list[Row]:
    qs = care.scope(
        ExposurePractice.objects.select_related("step").order_by("practiced_at", "pk"),
        Category.WORKSHEETS,
    )
    return [
        {
            "id": str(p.public_id),
            "step_id": str(p.step.public_id),
            "step": p.step.description or "",
            "practiced_at": iso(p.practiced_at, zone),
            "local_day": _day(p.practiced_at, zone),
            "duration_minutes": p.duration_minutes,
            "distress_before": p.suds_pre,
            "distress_peak": p.suds_peak,
            "distress_after": p.suds_post,
            "safety_behaviours": p.safety_behaviours or "",
            "notes": p.notes or "",
        }
        for p in qs
        if p.step.client_id == care.client.pk
    ]


def _sleep_diary(care: CareAccess, zone: tzinfo) -> list[Row]:
    qs = care.scope(SleepDiaryEntry.objects.order_by("night_of", "pk"), Category.WORKSHEETS)
    return [
        {
            "id": str(s.public_id),
            "night_of": s.night_of.isoformat() if s.night_of else None,
            "into_bed": _hhmm(s.into_bed),
            "tried_to_sleep": _hhmm(s.tried_to_sleep),
            "minutes_to_fall_asleep": s.minutes_to_fall_asleep,
            "awakenings": s.awakenings,
            "minutes_awake_after_onset": s.minutes_awake_after_onset,
            "final_awakening": _hhmm(s.final_awakening),
            "out_of_bed": _hhmm(s.out_of_bed),
            "quality": s.quality,
            "comments": s.comments or "",
        }
        for s in qs
    ]


def _relaxation(care: CareAccess, zone: tzinfo) -> list[Row]:
    kinds = dict(RelaxationKind.choices)
    qs = care.scope(RelaxationSession.objects.order_by("started_at", "pk"), Category.RELAXATION)
    return [
        {
            "id": str(r.public_id),
            "kind": kinds.get(r.kind, r.kind),
            "started_at": iso(r.started_at, zone),
            "local_day": _day(r.started_at, zone),
            "seconds_practised": r.seconds_practised,
            "distress_before": r.distress_before,
            "distress_after": r.distress_after,
        }
        for r in qs
    ]


def _questionnaires(care: CareAccess, zone: tzinfo) -> list[Row]:
    definitions = instrument_definitions(practice=care.client.practice)
    entered = dict(EnteredBy.choices)
    qs = care.scope(QuestionnaireResponse.objects.order_by("submitted_at", "pk"), Category.MEASURES)
    rows = []
    for r in qs:
        definition = definitions.get(r.instrument_code)
        classification = (
            Classification(r.classification).label
            if r.classification in {c.value for c in Classification}
            else r.classification
        )
        rows.append(
            {
                "id": str(r.public_id),
                "questionnaire": definition.name if definition else r.instrument_code,
                "code": r.instrument_code,
                "version": r.instrument_version,
                "submitted_at": iso(r.submitted_at, zone),
                "local_day": _day(r.submitted_at, zone),
                "entered_by": entered.get(r.entered_by, r.entered_by),
                "answers": list(r.answers) if isinstance(r.answers, list) else [],
                "total": _number(r.total),
                "band": r.band_label,
                "complete": bool(r.complete),
                "prorated": bool(r.prorated),
                "change_from_first": _number(r.change_from_baseline),
                "change_from_previous": _number(r.change_from_previous),
                "classification": classification,
            }
        )
    return rows


def _plan_lines(section_kind: str, items: list[Any]) -> list[str]:
    if section_kind == "text":
        return [str(i) for i in items]
    lines = []
    for i in items:
        parts = [i.name, i.phone, getattr(i, "hours", "")]
        lines.append(", ".join(p for p in parts if p))
    return lines


def _safety_plan(care: CareAccess, zone: tzinfo) -> list[Row]:
    qs = care.scope(
        SafetyPlanVersion.objects.select_related("created_by").order_by("-version"),
        Category.SAFETY_PLAN,
    )
    rows = []
    for v in qs:
        content = safety_plan_content(v)
        row: Row = {
            "version": v.version,
            "saved_at": iso(v.created_at, zone),
            "local_day": _day(v.created_at, zone),
            "saved_by": _who(v.created_by),
            "change_note": v.change_note,
        }
        for section in PLAN_SECTIONS:
            row[section.key] = _plan_lines(section.kind, getattr(content, section.key))
        rows.append(row)
    return rows


def _appointments(care: CareAccess, zone: tzinfo) -> list[Row]:
    qs = care.scope(
        Appointment.objects.select_related("clinician__user").order_by("starts_at", "pk"),
        Category.CARE_RECORD,
    )
    return [
        {
            "id": str(a.public_id),
            "starts_at": iso(a.starts_at, zone),
            "local_day": _day(a.starts_at, zone),
            "duration_minutes": a.duration_minutes,
            "status": a.get_status_display(),
            "clinician": _who(a.clinician.user),
        }
        for a in qs
    ]


def _homework(care: CareAccess, zone: tzinfo) -> list[Row]:
    assignments = care.scope(
        Assignment.objects.prefetch_related("occurrences").order_by("starts_on", "pk"),
        Category.HOMEWORK,
    )
    rows: list[Row] = []
    for a in assignments:
        base = {
            "id": str(a.public_id),
            "title": a.title,
            "tool": a.get_tool_kind_display(),
            "instructions": a.instructions,
            "schedule": a.get_schedule_display(),
            "starts_on": a.starts_on.isoformat() if a.starts_on else "",
            "ended_at": iso(a.ended_at, zone) if a.ended_at else "",
        }
        days = sorted(a.occurrences.all(), key=lambda o: o.due_on)
        empty = {"due_day": "", "status": "", "recorded_at": "", "reason": "", "feedback": ""}
        if not days:
            rows.append({**base, **empty})
        for o in days:
            rows.append(
                {
                    **base,
                    "due_day": o.due_on.isoformat(),
                    "status": o.get_status_display(),
                    "recorded_at": iso(o.completed_at, zone),
                    "reason": o.reason or "",
                    "feedback": o.feedback or "",
                }
            )
    return rows


def _messages(care: CareAccess, zone: tzinfo) -> list[Row]:
    qs = care.scope(
        Message.objects.select_related("sender", "attachment").order_by("sent_at", "pk"),
        Category.MESSAGES,
    )
    rows: list[Row] = []
    for m in qs:
        attachment = getattr(m, "attachment", None)
        rows.append(
            {
                "id": str(m.public_id),
                "sent_at": iso(m.sent_at, zone),
                "local_day": _day(m.sent_at, zone),
                "from": "You" if m.by == Side.CLIENT else _who(m.sender),
                "body": m.body,
                "attachment": attachment.filename if attachment is not None else "",
                "read_at": iso(m.read_at, zone) if m.read_at else "",
            }
        )
    return rows


def _consent(care: CareAccess, zone: tzinfo) -> list[Row]:
    kinds = dict(ConsentEventKind.choices)
    methods = dict(ConsentMethod.choices)
    qs = care.scope(ConsentEvent.objects.order_by("at", "pk"), Category.PROFILE)
    return [
        {
            "id": str(e.public_id),
            "event": kinds.get(e.kind, e.kind),
            "at": iso(e.at, zone),
            "local_day": _day(e.at, zone),
            "document_version": e.document_version,
            "document_sha256": e.document_sha256,
            "typed_name": e.typed_name,
            "method": methods.get(e.method, e.method),
        }
        for e in qs
    ]


def _sharing(care: CareAccess, zone: tzinfo) -> list[Row]:
    """The client's switches as they stand (their choice, else the practice's default), and
    whether each clinician of the care team is shared with. This reports the client's own
    choices, as the Sharing page shows them; it decides nobody's view."""
    state = sharing_for_client(client=care.client)
    rows: list[Row] = [
        {"what": cat.value, "description": cat.label, "shared": on}
        for cat, on in state.categories.items()
    ]
    if state.per_clinician:
        rows += [
            {"what": "clinician", "description": c.name, "shared": c.shared}
            for c in state.clinicians
        ]
    return rows


def _access_history(care: CareAccess, zone: tzinfo) -> list[Row]:
    client = care.client
    team_ids = {
        m.membership.user_id
        for m in CareTeamMember.objects.filter(client_id=client.pk).select_related("membership")
    }
    rows: list[Row] = []
    page_number = 1
    while True:
        page = audit_access_history_for_client(
            client_id=client.pk,
            client_user_id=client.user_id,
            care_team_user_ids=team_ids,
            time_zone=client.time_zone,
            page_number=page_number,
            per_page=200,
        )
        rows += [
            {
                "local_day": g.day.isoformat(),
                "who": g.who,
                "refused": g.refused,
                "seen": list(g.seen),
                "did": list(g.did),
                "times": g.times,
                "first": iso(g.first, zone),
                "last": iso(g.last, zone),
            }
            for g in page.groups
        ]
        if not page.groups or not page.page.has_next():
            return rows
        page_number += 1


# --- the app catalog (floor 8, above this app): named by label, as the closure names models ----
def _catalog_model(name: str) -> Any:
    return apps.get_model("catalog", name)


def _app_recommendations(care: CareAccess, zone: tzinfo) -> list[Row]:
    qs = care.scope(
        _catalog_model("Recommendation")
        .objects.select_related("app", "recommended_by__user")
        .order_by("created_at", "pk"),
        Category.CARE_RECORD,
    )
    return [
        {
            "id": str(r.public_id),
            "app": r.app.name,
            "website": r.app.website,
            "reason": r.reason,
            "recommended_at": iso(r.created_at, zone),
            "local_day": _day(r.created_at, zone),
            "recommended_by": _who(r.recommended_by.user),
            "homework": r.assignment_id is not None,
            "withdrawn_at": iso(r.withdrawn_at, zone) if r.withdrawn_at else "",
        }
        for r in qs
    ]


def _readiness(care: CareAccess, zone: tzinfo) -> list[Row]:
    qs = care.scope(
        _catalog_model("ReadinessCheck")
        .objects.select_related("requested_by__user")
        .order_by("created_at", "pk"),
        Category.READINESS,
    )
    return [
        {
            "id": str(c.public_id),
            "asked_at": iso(c.created_at, zone),
            "asked_by": _who(c.requested_by.user) if c.requested_by else "",
            "status": c.get_status_display(),
            "answered_at": iso(c.submitted_at, zone) if c.submitted_at else "",
            "answers": c.answers or {},
            "eheals_answers": c.eheals_answers or [],
            "eheals_total": c.eheals_total,
        }
        for c in qs
    ]


def _suitability_notes(care: CareAccess, zone: tzinfo) -> list[Row]:
    qs = care.scope(
        _catalog_model("SuitabilityNote")
        .objects.select_related("author__user")
        .order_by("created_at", "pk"),
        Category.CARE_RECORD,
    )
    return [
        {
            "id": str(n.public_id),
            "written_at": iso(n.created_at, zone),
            "local_day": _day(n.created_at, zone),
            "written_by": _who(n.author.user),
            "note": n.text,
            "removed_at": iso(n.removed_at, zone) if n.removed_at else "",
        }
        for n in qs
    ]


READERS: dict[str, Callable[[CareAccess, tzinfo], list[Row]]] = {
    "checkins": _checkins,
    "observations": _observations,
    "journal": _journal,
    "thought_records": _thought_records,
    "activation": _activation,
    "exposure_steps": _exposure_steps,
    "exposure_practice": _exposure_practice,
    "sleep_diary": _sleep_diary,
    "relaxation": _relaxation,
    "questionnaires": _questionnaires,
    "safety_plan": _safety_plan,
    "appointments": _appointments,
    "homework": _homework,
    "messages": _messages,
    "app_recommendations": _app_recommendations,
    "readiness": _readiness,
    "suitability_notes": _suitability_notes,
    "consent": _consent,
    "sharing": _sharing,
    "access_history": _access_history,
}


def export_section_rows(*, care: CareAccess, key: str) -> list[Row]:
    """One section's rows for the client's own export. Only the client's own view may export."""
    if care.viewer is not Viewer.SELF:
        raise PermissionError("An export is made only for the client themself.")
    return READERS[key](care, client_zone(care.client))


@dataclass(frozen=True)
class SessionNotes:
    included: bool
    records: list[Row]
    explanation: str
    practice_exemption: str


def _note_rows(care: CareAccess) -> list[Row]:
    zone = client_zone(care.client)
    rows: list[Row] = []
    for note in session_notes_for_own_export(access=care):
        headings = dict(TEMPLATE_SECTIONS.get(note.template, ()))
        rows.append(
            {
                "session_date": note.session_date.isoformat(),
                "template": str(note.template).upper(),
                "clinician": note.author.user.get_full_name(),
                "signed_at": note.signed_at.astimezone(zone).isoformat() if note.signed_at else "",
                "sections": {
                    headings.get(key, key): text for key, text in (note.sections or {}).items()
                },
                "addenda": [
                    {
                        "added_at": a.created_at.astimezone(zone).isoformat(),
                        "clinician": a.author.user.get_full_name(),
                        "text": a.text,
                    }
                    for a in note.addenda.all()
                ],
            }
        )
    return rows


def export_session_notes(*, care: CareAccess) -> SessionNotes:
    """Clinicians' signed session notes (with their addenda), when the practice's setting
    includes them; when the practice leaves them out, its recorded reason is shown."""
    settings_row = PracticePrivacySettings.objects.filter(
        practice_id=care.client.practice_id
    ).first()
    included = settings_row.export_includes_session_notes if settings_row else True
    exemption = (settings_row.export_exemption if settings_row else "").strip()
    records = _note_rows(care) if included else []
    if included:
        explanation = (
            "Your practice includes your clinicians' signed session notes in this download "
            f"({len(records)}), each with any later additions. Drafts not yet signed are not "
            "part of your record yet."
        )
    else:
        explanation = (
            "Your practice does not include your clinicians' session notes in downloads. "
            + (
                f"The reason it gives: {exemption}"
                if exemption
                else "It has not written down a reason; you can ask your practice for one."
            )
        )
    return SessionNotes(
        included=included, records=records, explanation=explanation, practice_exemption=exemption
    )


def export_profile(*, care: CareAccess) -> Row:
    client = care.client
    zone = client_zone(client)
    team = care_team_for_client(client=client)
    return {
        "id": str(client.public_id),
        "full_name": client.full_name,
        "preferred_name": client.preferred_name,
        "email": client.email or (client.user.email if client.user else ""),
        "time_zone": client.time_zone,
        "country": client.country,
        "status": client.get_status_display(),
        "started_on": client.started_on.isoformat() if client.started_on else None,
        "joined_at": iso(client.created_at, zone),
        "practice": client.practice.name,
        "care_team": [
            {"name": _who(m.membership.user), "primary": bool(m.is_primary)} for m in team
        ],
    }


def export_now(*, care: CareAccess) -> tuple[datetime, date]:
    """Now, and today in the client's zone."""
    now = timezone.now()
    return now, local_date(now, client_zone(care.client))
