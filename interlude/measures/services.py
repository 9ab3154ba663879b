"""Writes for questionnaires: scheduling, answering (scored on the server), practice settings.

`response_submit` is the one way an answer set is stored. In one transaction it scores the answers,
compares them with the client's baseline and last answer, marks what was due as done, and runs the
hooks registered from above (the alerts app's rules, `response_submitted_hook_register`), so a risk
answer and its alert are stored together or not at all.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeIs

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from interlude.accounts.models import User
from interlude.audit.services import (
    event_instrument_settings_changed,
    event_questionnaire_schedule_ended,
    event_questionnaire_scheduled,
    event_questionnaire_submitted,
)
from interlude.care.models import Appointment, AppointmentStatus
from interlude.care.services import appointment_create, appointment_set_status
from interlude.consents.modules_selectors import module_on
from interlude.core.clock import add_local_days
from interlude.core.errors import ApplicationError, IdempotencyConflict
from interlude.core.hooks import client_changed
from interlude.measures.change import Classification, TrackStatus, classify, track_status
from interlude.measures.instruments import DefinitionError, InstrumentDefinition, definition_parse
from interlude.measures.models import (
    DueStatus,
    EnteredBy,
    Frequency,
    InstrumentSetting,
    MeasuresSettings,
    PracticeInstrument,
    QuestionnaireDraft,
    QuestionnaireDue,
    QuestionnaireResponse,
    QuestionnaireSchedule,
)
from interlude.measures.scoring import AnswerError, Score, answers_validate, score
from interlude.measures.selectors import (
    IMPORT_KEY_PREFIX,
    instrument_definition_get,
    instrument_definitions_unconfigured,
    measures_settings_get,
)
from interlude.practices.enums import Module
from interlude.practices.models import Client, Membership, Practice


# --- hooks from above --------------------------------------------------------------------------
class ResponseSubmittedHook(Protocol):
    def __call__(
        self,
        *,
        response: QuestionnaireResponse,
        definition: InstrumentDefinition,
        result: Score,
        previous_status: str | None,
    ) -> object: ...


# Work an app above measures does on every stored answer set, inside response_submit's
# transaction (the alerts app registers the rules that raise alerts, in AlertsConfig.ready): an
# answer and its alerts are stored together or not at all, and measures never imports alerts.
_RESPONSE_SUBMITTED: list[ResponseSubmittedHook] = []


def response_submitted_hook_register(hook: ResponseSubmittedHook) -> None:
    """Run `hook` after each answer set is stored (once, however often it is registered)."""
    if hook not in _RESPONSE_SUBMITTED:
        _RESPONSE_SUBMITTED.append(hook)


# --- scheduling --------------------------------------------------------------------------------
def schedule_create(
    *,
    actor: User,
    client: Client,
    instrument_code: str,
    frequency: Frequency,
    interval_days: int | None = None,
    window_days: int | None = None,
    starts_at: datetime | None = None,
) -> QuestionnaireSchedule:
    try:
        definition = instrument_definition_get(practice=client.practice, code=instrument_code)
    except DefinitionError as exc:
        raise ApplicationError(str(exc), field="instrument_code") from None
    if frequency == Frequency.EVERY_N_DAYS and not (interval_days and 1 <= interval_days <= 365):
        raise ApplicationError(
            "Say how often, in days (1 to 365), e.g. 14 for every two weeks.",
            field="interval_days",
        )
    if window_days is None:
        window_days = measures_settings_get(practice=client.practice).default_window_days
    if not 1 <= window_days <= 30:
        raise ApplicationError("The window must be 1 to 30 days.", field="window_days")
    if frequency == Frequency.EVERY_N_DAYS and interval_days and window_days > interval_days:
        raise ApplicationError(
            "The window cannot be longer than the time between questionnaires.",
            field="window_days",
        )
    with transaction.atomic():
        schedule = QuestionnaireSchedule.objects.create(
            practice=client.practice,
            client=client,
            instrument_code=definition.code,
            frequency=frequency,
            interval_days=interval_days if frequency == Frequency.EVERY_N_DAYS else None,
            window_days=window_days,
            starts_at=starts_at or timezone.now(),
            created_by=actor,
            updated_by=actor,
        )
        if frequency == Frequency.BEFORE_APPOINTMENT:
            dues_for_appointments(client=client, actor=actor)
        elif module_on(client=client, module=Module.QUESTIONNAIRES):
            # Questionnaires switched off for this client: the schedule is kept, nothing is due.
            _due_create(
                schedule=schedule, opens_at=schedule.starts_at, actor=actor, zone=client.time_zone
            )
        event_questionnaire_scheduled(actor=actor, client=client, schedule=schedule)
    return schedule


def schedule_end(*, actor: User, schedule: QuestionnaireSchedule) -> QuestionnaireSchedule:
    with transaction.atomic():
        schedule.is_active = False
        schedule.ended_at = timezone.now()
        schedule.updated_by = actor
        schedule.save(update_fields=["is_active", "ended_at", "updated_by", "updated_at"])
        QuestionnaireDue.objects.filter(schedule=schedule, status=DueStatus.DUE).update(
            status=DueStatus.CANCELLED, updated_by=actor, updated_at=timezone.now()
        )
        _drafts_delete_closed(QuestionnaireDraft.objects.filter(due__schedule=schedule))
        event_questionnaire_schedule_ended(actor=actor, client=schedule.client, schedule=schedule)
    return schedule


def _due_create(
    *,
    schedule: QuestionnaireSchedule,
    opens_at: datetime,
    actor: User,
    zone: str,
    closes_at: datetime | None = None,
    appointment: Appointment | None = None,
) -> QuestionnaireDue:
    """`zone` is the client's: a window of N days ends at the same wall-clock time N days on,
    whatever daylight saving does in between."""
    due, _ = QuestionnaireDue.objects.get_or_create(
        schedule=schedule,
        opens_at=opens_at,
        defaults={
            "practice_id": schedule.practice_id,
            "client_id": schedule.client_id,
            "instrument_code": schedule.instrument_code,
            "closes_at": closes_at or add_local_days(opens_at, schedule.window_days, zone),
            "appointment": appointment,
            "created_by": actor,
            "updated_by": actor,
        },
    )
    return due


def _due_next(*, due: QuestionnaireDue, actor: User, zone: str) -> QuestionnaireDue | None:
    """After a due is done or missed, the next occasion of a repeating schedule.

    "Every 14 days" is on the client's wall clock (`zone`): a questionnaire that opened at 09:00
    opens at 09:00 again after a daylight-saving change, not at 08:00 or 10:00."""
    schedule = due.schedule
    if not schedule.is_active or schedule.frequency != Frequency.EVERY_N_DAYS:
        return None
    step = schedule.interval_days or 1
    opens_at = add_local_days(due.opens_at, step, zone)
    # Skip occasions already wholly in the past (e.g. a long pause): never a pile of overdue ones.
    now = timezone.now()
    while add_local_days(opens_at, schedule.window_days, zone) < now:
        opens_at = add_local_days(opens_at, step, zone)
    return _due_create(schedule=schedule, opens_at=opens_at, actor=actor, zone=zone)


def dues_for_appointments(*, client: Client, actor: User) -> int:
    """Every upcoming appointment gets its questionnaires (schedules "before each appointment").

    Opens `window_days` before the appointment and closes when it starts. Idempotent."""
    now = timezone.now()
    schedules = list(
        QuestionnaireSchedule.objects.filter(
            client=client, is_active=True, frequency=Frequency.BEFORE_APPOINTMENT
        )
    )
    if not schedules or not module_on(client=client, module=Module.QUESTIONNAIRES):
        return 0
    created = 0
    appointments = Appointment.objects.filter(
        client=client, status=AppointmentStatus.SCHEDULED, starts_at__gt=now
    )
    for appointment in appointments:
        for schedule in schedules:
            opens_at = max(
                add_local_days(appointment.starts_at, -schedule.window_days, client.time_zone),
                schedule.starts_at,
            )
            exists = QuestionnaireDue.objects.filter(
                schedule=schedule, appointment=appointment
            ).exists()
            if not exists:
                _due_create(
                    schedule=schedule,
                    opens_at=opens_at,
                    closes_at=appointment.starts_at,
                    appointment=appointment,
                    actor=actor,
                    zone=client.time_zone,
                )
                created += 1
    return created


def appointment_add(
    *,
    actor: User,
    client: Client,
    clinician: Membership,
    starts_at: datetime,
    duration_minutes: int,
) -> Appointment:
    """Add a session and open its "before each appointment" questionnaires, in one transaction.

    Lives here rather than in care/services.py because `care` imports no other domain app; the
    appointment itself is still written by `care.services.appointment_create`."""
    with transaction.atomic():
        appointment = appointment_create(
            actor=actor,
            client=client,
            clinician=clinician,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
        )
        dues_for_appointments(client=client, actor=actor)
    return appointment


def appointment_status_change(
    *, actor: User, appointment: Appointment, status: AppointmentStatus
) -> Appointment:
    """Mark a session attended, cancelled or missed. Cancelling withdraws the questionnaires that
    were opened for it (a client should not be asked to prepare for a session that is off)."""
    with transaction.atomic():
        appointment = appointment_set_status(actor=actor, appointment=appointment, status=status)
        if status == AppointmentStatus.CANCELLED:
            QuestionnaireDue.objects.filter(appointment=appointment, status=DueStatus.DUE).update(
                status=DueStatus.CANCELLED, updated_by=actor, updated_at=timezone.now()
            )
            _drafts_delete_closed(QuestionnaireDraft.objects.filter(due__appointment=appointment))
    return appointment


def due_mark_missed(*, due: QuestionnaireDue, actor: User) -> QuestionnaireDue | None:
    """A due questionnaire was not answered in time: record it and open the next occasion."""
    with transaction.atomic():
        updated = QuestionnaireDue.objects.filter(pk=due.pk, status=DueStatus.DUE).update(
            status=DueStatus.MISSED, updated_by=actor, updated_at=timezone.now()
        )
        if not updated:
            return None
        QuestionnaireDraft.objects.filter(due=due).delete()
        return _due_next(due=due, actor=actor, zone=due.client.time_zone)


def dues_resume(*, client: Client, actor: User) -> int:
    """Questionnaires were switched back on for this client. While they were off the client could
    not answer and nothing was chased, so a window that has closed meanwhile is withdrawn, never
    overdue: no alert is raised for it, its schedule moves on to its next occasion, and sessions
    booked meanwhile get their questionnaires. Returns how many windows were withdrawn."""
    now = timezone.now()
    with transaction.atomic():
        closed = list(
            QuestionnaireDue.objects.filter(
                client=client, status=DueStatus.DUE, closes_at__lt=now
            ).select_related("schedule")
        )
        for due in closed:
            QuestionnaireDue.objects.filter(pk=due.pk, status=DueStatus.DUE).update(
                status=DueStatus.CANCELLED, updated_by=actor, updated_at=now
            )
            QuestionnaireDraft.objects.filter(due=due).delete()
            _due_next(due=due, actor=actor, zone=client.time_zone)
        dues_for_appointments(client=client, actor=actor)
    return len(closed)


def _drafts_delete_closed(drafts: QuerySet[QuestionnaireDraft]) -> None:
    """Answers in progress go when their due can no longer be answered (ADR 0014)."""
    drafts.exclude(due__status=DueStatus.DUE).delete()


# --- answers in progress -------------------------------------------------------------------------
def draft_usable(
    draft: QuestionnaireDraft | None, definition: InstrumentDefinition
) -> TypeIs[QuestionnaireDraft]:
    """A draft fits this definition (same questionnaire, one slot per item); one made for another
    version of the questionnaire is not resumed."""
    return (
        draft is not None
        and draft.instrument_code == definition.code
        and isinstance(draft.answers, list)
        and len(draft.answers) == definition.item_count
    )


def questionnaire_draft_start(
    *, actor: User, client: Client, due: QuestionnaireDue, definition: InstrumentDefinition
) -> QuestionnaireDraft:
    """The draft for an open due: the one in progress (started on any device), or a new one with
    no answers and a fresh idempotency key."""
    draft = QuestionnaireDraft.objects.filter(client=client, due=due).first()
    if draft_usable(draft, definition):
        return draft
    try:
        with transaction.atomic():
            if draft is not None:  # made for another version of the questionnaire
                draft.delete()
            draft = QuestionnaireDraft.objects.create(
                practice=client.practice,
                client=client,
                due=due,
                instrument_code=definition.code,
                answers=[None] * definition.item_count,
                idempotency_key=f"web-{uuid.uuid4().hex}",
                created_by=actor,
                updated_by=actor,
            )
    except IntegrityError:
        # Started at the same moment on another device: continue with that one.
        return QuestionnaireDraft.objects.get(client=client, due=due)
    return draft


def questionnaire_draft_answer(
    *,
    actor: User,
    draft: QuestionnaireDraft,
    definition: InstrumentDefinition,
    item: int,
    value: int | None,
) -> QuestionnaireDraft:
    """Keep one answer (1-based item) of the draft; the whole set is re-encrypted on save."""
    if not 1 <= item <= definition.item_count:
        raise ApplicationError(f"There is no item {item}.", field="item")
    answers = list(draft.answers)
    answers[item - 1] = value
    try:
        draft.answers = answers_validate(definition, answers)
    except AnswerError as exc:
        raise ApplicationError(exc.message, field="answer") from None
    draft.updated_by = actor
    draft.save(update_fields=["answers", "updated_by", "updated_at"])
    return draft


# --- answering ---------------------------------------------------------------------------------
def _answers_fingerprint(code: str, answers: list[Any]) -> str:
    return json.dumps([code, answers], separators=(",", ":"))


def scoring_meta(*, definition: InstrumentDefinition, at_risk_after: int) -> dict[str, Any]:
    """The thresholds an answer was scored with, stored beside it (so a later change of a
    definition or a practice setting never rewrites what an old score meant)."""
    return {
        "definition_version": definition.version,
        "reliable_change": definition.reliable_change,
        "reliable_change_source": definition.reliable_change_source,
        "clinical_range": (
            {
                "at_or_above": definition.clinical_range.at_or_above,
                "at_or_below": definition.clinical_range.at_or_below,
            }
            if definition.clinical_range
            else None
        ),
        "band_preset": definition.band_preset,
        "at_risk_after": at_risk_after,
        "missing_rule": str(definition.missing_rule),
    }


def response_submit(
    *,
    client: Client,
    actor: User,
    instrument_code: str,
    answers: list[int | None],
    idempotency_key: str,
    entered_by: EnteredBy = EnteredBy.CLIENT,
    due: QuestionnaireDue | None = None,
    submitted_at: datetime | None = None,
) -> tuple[QuestionnaireResponse, bool]:
    """Store, score and compare one answer set. Returns (response, created).

    The same idempotency key returns the stored response unchanged (a retry); a key reused for
    different answers is refused. Answers outside the instrument are refused naming the item.
    """
    existing = QuestionnaireResponse.objects.filter(
        client=client, idempotency_key=idempotency_key
    ).first()
    if existing is not None:
        return _replay(existing, instrument_code, answers)
    try:
        definition = instrument_definition_get(practice=client.practice, code=instrument_code)
    except DefinitionError as exc:
        raise ApplicationError(str(exc), field="instrument") from None
    try:
        result = score(definition, answers)
    except AnswerError as exc:
        field = f"answers[{exc.item - 1}]" if exc.item else "answers"
        raise ApplicationError(exc.message, field=field) from None
    if not any(a is not None for a in answers):
        raise ApplicationError("Answer at least one question.", field="answers")
    submitted_at = submitted_at or timezone.now()
    try:
        with transaction.atomic():
            response = _response_store(
                client=client,
                actor=actor,
                definition=definition,
                result=result,
                answers=list(answers),
                idempotency_key=idempotency_key,
                entered_by=entered_by,
                due=due,
                submitted_at=submitted_at,
            )
    except IntegrityError:
        # A concurrent retry with the same key won the race: answer with its row.
        existing = QuestionnaireResponse.objects.filter(
            client=client, idempotency_key=idempotency_key
        ).first()
        if existing is None:
            raise
        return _replay(existing, instrument_code, answers)
    return response, True


def _replay(
    existing: QuestionnaireResponse, instrument_code: str, answers: list[Any]
) -> tuple[QuestionnaireResponse, bool]:
    if _answers_fingerprint(existing.instrument_code, existing.answers) != _answers_fingerprint(
        instrument_code, list(answers)
    ):
        # Compared with the stored answers themselves, so no fingerprint table is needed here.
        raise IdempotencyConflict("set of answers")
    return existing, False


def _response_store(
    *,
    client: Client,
    actor: User,
    definition: InstrumentDefinition,
    result: Score,
    answers: list[int | None],
    idempotency_key: str,
    entered_by: EnteredBy,
    due: QuestionnaireDue | None,
    submitted_at: datetime,
) -> QuestionnaireResponse:
    settings = measures_settings_get(practice=client.practice)
    # Imported history (another system's answers) is never a live answer's baseline or previous:
    # it was not given under this care, and comparing with it could hide or invent a change.
    scored = QuestionnaireResponse.objects.filter(
        client=client, instrument_code=definition.code, total__isnull=False
    ).exclude(entered_by=EnteredBy.IMPORT)
    baseline = scored.order_by("submitted_at").first()
    previous = scored.order_by("-submitted_at").first()
    previous_status = previous.track_status if previous else None
    count_before = scored.count()

    classification = Classification.NOT_AVAILABLE
    reason = ""
    track = None
    if result.total is not None:
        if baseline is None:
            classification = Classification.BASELINE
            reason = "The first answer: later answers are compared with this one."
        else:
            assert baseline.total is not None
            change = classify(
                baseline=baseline.total,
                current=result.total,
                direction=definition.direction,
                reliable_change=definition.reliable_change,
                clinical_range=definition.clinical_range,
                short_name=definition.short_name,
            )
            classification = change.classification
            reason = change.explanation
        track = track_status(
            classification=classification,
            administrations=count_before + 1,
            at_risk_after=settings.at_risk_after,
            current=result.total,
            clinical_range=definition.clinical_range,
            short_name=definition.short_name,
        )
    else:
        reason = "Not scored: some answers are missing and this questionnaire has no rule for that."

    if due is None:
        due = (
            QuestionnaireDue.objects.select_for_update()
            .filter(
                client=client,
                instrument_code=definition.code,
                status=DueStatus.DUE,
                opens_at__lte=submitted_at,
            )
            .order_by("opens_at")
            .first()
        )
    if due is not None:
        # The answers in progress are now the stored answer set: no second copy is kept.
        QuestionnaireDraft.objects.filter(due=due).delete()
    response = QuestionnaireResponse.objects.create(
        practice=client.practice,
        client=client,
        instrument_code=definition.code,
        instrument_version=definition.version,
        answers=answers,
        submitted_at=submitted_at,
        entered_by=entered_by,
        due=due,
        idempotency_key=idempotency_key,
        total=result.total,
        band_code=result.band.code if result.band else "",
        band_label=result.band.label if result.band else "",
        complete=result.complete,
        prorated=result.prorated,
        flags=[
            {"flag": f.flag, "item": f.item, "value": f.value, "critical": f.critical}
            for f in result.flags
        ],
        baseline=baseline if result.total is not None else None,
        change_from_baseline=(
            result.total - baseline.total
            if result.total is not None and baseline is not None and baseline.total is not None
            else None
        ),
        change_from_previous=(
            result.total - previous.total
            if result.total is not None and previous is not None and previous.total is not None
            else None
        ),
        classification=classification,
        classification_reason=reason[:300],
        track_status=track.status if track else "on_track",
        track_reason=(track.reason if track else "")[:300],
        administration_number=count_before + (1 if result.total is not None else 0),
        scoring_meta=scoring_meta(definition=definition, at_risk_after=settings.at_risk_after),
        created_by=actor,
        updated_by=actor,
    )
    if due is not None and due.status == DueStatus.DUE:
        due.status = DueStatus.COMPLETED
        due.completed_at = submitted_at
        due.updated_by = actor
        due.save(update_fields=["status", "completed_at", "updated_by", "updated_at"])
        _due_next(due=due, actor=actor, zone=client.time_zone)
    Client.objects.filter(pk=client.pk).update(last_activity_at=timezone.now())
    event_questionnaire_submitted(actor=actor, client=client, response=response)
    # The caseload's summary (scores, trend) commits with the answer (core.hooks).
    client_changed(client_id=client.pk, parts=("scores",))

    for hook in _RESPONSE_SUBMITTED:
        hook(
            response=response,
            definition=definition,
            result=result,
            previous_status=previous_status,
        )
    return response


# --- imported history ([7]: interop's loader is the only caller) --------------------------------
IMPORTED_REASON = "Imported history: not compared with answers given here."


@dataclass(frozen=True)
class ImportedResponse:
    """An answer set from another system (a FHIR Bundle). `key` is the import's natural key."""

    key: str
    instrument_code: str
    answers: Sequence[int | None]
    submitted_at: datetime


def imported_responses_add(
    *,
    client: Client,
    actor: User,
    import_id: uuid.UUID,
    source_app: str,
    source_file: str,
    rows: Sequence[ImportedResponse],
) -> tuple[int, int]:
    """Store answer sets from another system, scored exactly like any other (scoring.py), in
    bulk. Returns (added, duplicates). Imported history is marked as such: entered by "import",
    never compared (classification "not available", no baseline), nothing due is completed, and
    the response hooks do not run, so an old risk answer raises no live alert. Runs inside the
    caller's transaction (the loader's)."""
    keys = [IMPORT_KEY_PREFIX + row.key for row in rows]
    present: set[str] = set()
    for start in range(0, len(keys), 500):
        present.update(
            QuestionnaireResponse.objects.filter(
                client=client, idempotency_key__in=keys[start : start + 500]
            ).values_list("idempotency_key", flat=True)
        )
    definitions: dict[str, InstrumentDefinition] = {}
    fresh: list[QuestionnaireResponse] = []
    for row, key in zip(rows, keys, strict=True):
        if key in present:
            continue
        present.add(key)
        definition = definitions.get(row.instrument_code)
        if definition is None:
            try:
                definition = instrument_definition_get(
                    practice=client.practice, code=row.instrument_code
                )
            except DefinitionError as exc:
                raise ApplicationError(str(exc), field="instrument") from None
            definitions[row.instrument_code] = definition
        answers = list(row.answers)
        try:
            result = score(definition, answers)
        except AnswerError as exc:
            raise ApplicationError(exc.message, field="answers") from None
        fresh.append(
            QuestionnaireResponse(
                practice_id=client.practice_id,
                client=client,
                instrument_code=definition.code,
                instrument_version=definition.version,
                answers=answers,
                submitted_at=row.submitted_at,
                entered_by=EnteredBy.IMPORT,
                idempotency_key=key,
                import_id=import_id,
                source_app=source_app,
                source_file=source_file[:200],
                total=result.total,
                band_code=result.band.code if result.band else "",
                band_label=result.band.label if result.band else "",
                complete=result.complete,
                prorated=result.prorated,
                flags=[
                    {"flag": f.flag, "item": f.item, "value": f.value, "critical": f.critical}
                    for f in result.flags
                ],
                classification=Classification.NOT_AVAILABLE,
                classification_reason=IMPORTED_REASON,
                track_status=TrackStatus.ON_TRACK,
                track_reason="",
                administration_number=0,
                scoring_meta={
                    "definition_version": definition.version,
                    "band_preset": definition.band_preset,
                    "missing_rule": str(definition.missing_rule),
                    "imported": True,
                },
                created_by=actor,
                updated_by=actor,
            )
        )
    with transaction.atomic():
        QuestionnaireResponse.objects.bulk_create(fresh, batch_size=500)
        if fresh:
            client_changed(client_id=client.pk, parts=("scores",))
    return len(fresh), len(rows) - len(fresh)


def imported_responses_remove(*, client: Client, import_id: uuid.UUID) -> int:
    """Remove every answer set one import added (undo). Returns how many went."""
    with transaction.atomic():
        removed, _ = QuestionnaireResponse.objects.filter(
            client=client, import_id=import_id, entered_by=EnteredBy.IMPORT
        ).delete()
        if removed:
            client_changed(client_id=client.pk, parts=("scores",))
    return removed


# --- practice settings -------------------------------------------------------------------------
def instrument_setting_save(
    *,
    actor: User,
    practice: Practice,
    instrument_code: str,
    reliable_change: float | None,
    clinical_cutoff: float | None,
    band_preset: str = "",
    norm_sd: float | None = None,
    norm_reliability: float | None = None,
) -> InstrumentSetting:
    definition = instrument_definitions_unconfigured(practice=practice).get(instrument_code)
    if definition is None:
        raise ApplicationError(f"No instrument called {instrument_code!r}.", field="instrument")
    if reliable_change is not None and reliable_change <= 0:
        raise ApplicationError(
            "Reliable change must be more than 0 points.", field="reliable_change"
        )
    if clinical_cutoff is not None and not (
        definition.total_min <= clinical_cutoff <= definition.total_max
    ):
        raise ApplicationError(
            f"The cutoff must be within the {definition.short_name} range "
            f"({definition.total_min:g} to {definition.total_max:g}).",
            field="clinical_cutoff",
        )
    if band_preset and band_preset not in definition.band_presets:
        raise ApplicationError(
            f"{definition.short_name} has no band set called {band_preset!r}.", field="band_preset"
        )
    if (norm_sd is None) != (norm_reliability is None):
        raise ApplicationError(
            "Give both the standard deviation and the reliability, or neither.", field="norm_sd"
        )
    if norm_reliability is not None and not 0 <= norm_reliability < 1:
        raise ApplicationError(
            "Reliability must be from 0 up to (not including) 1.", field="norm_reliability"
        )
    if norm_sd is not None and norm_sd <= 0:
        raise ApplicationError("The standard deviation must be more than 0.", field="norm_sd")
    with transaction.atomic():
        setting, _ = InstrumentSetting.objects.update_or_create(
            practice=practice,
            instrument_code=instrument_code,
            defaults={
                "reliable_change": reliable_change,
                "clinical_cutoff": clinical_cutoff,
                "band_preset": band_preset,
                "norm_sd": norm_sd,
                "norm_reliability": norm_reliability,
                "updated_by": actor,
            },
        )
        event_instrument_settings_changed(
            actor=actor, practice=practice, instrument_code=instrument_code
        )
    return setting


def measures_settings_save(
    *, actor: User, practice: Practice, at_risk_after: int, default_window_days: int
) -> MeasuresSettings:
    if not 2 <= at_risk_after <= 52:
        raise ApplicationError("Use a number of answers from 2 to 52.", field="at_risk_after")
    if not 1 <= default_window_days <= 30:
        raise ApplicationError("Use 1 to 30 days.", field="default_window_days")
    with transaction.atomic():
        settings, _ = MeasuresSettings.objects.update_or_create(
            practice=practice,
            defaults={"at_risk_after": at_risk_after, "default_window_days": default_window_days},
        )
        event_instrument_settings_changed(actor=actor, practice=practice, instrument_code="*")
    return settings


def practice_instrument_create(
    *, actor: User, practice: Practice, document: dict[str, Any]
) -> PracticeInstrument:
    """A practice's own Likert-style instrument. The document is checked like a shipped one."""
    from interlude.measures.instruments import shipped_definitions

    document = {**document, "licence": "practice_own"}
    try:
        definition = definition_parse(document, practice_own=True)
    except DefinitionError as exc:
        raise ApplicationError(str(exc), field="definition") from None
    if definition.code in shipped_definitions():
        raise ApplicationError(
            f"{definition.code!r} is the code of a shipped instrument; choose another.",
            field="definition",
        )
    if PracticeInstrument.objects.filter(practice=practice, code=definition.code).exists():
        raise ApplicationError(
            f"The practice already has an instrument called {definition.code!r}.",
            field="definition",
        )
    with transaction.atomic():
        own = PracticeInstrument.objects.create(
            practice=practice, code=definition.code, definition=document, created_by=actor
        )
        event_instrument_settings_changed(
            actor=actor, practice=practice, instrument_code=definition.code
        )
    return own
