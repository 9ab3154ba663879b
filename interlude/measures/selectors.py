"""Reads for questionnaires.

The client's own reads take the `Client` from `access_own_client`. What the care team sees takes
the gate's `CareAccess` and reads answers through `access.scope(..., Category.MEASURES)`: when the
client does not share questionnaires, only the scores the care team entered from paper remain (the
gate's rule, consents.rules.CARE_RECORDED), never decided here."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Max, QuerySet
from django.utils import timezone

from interlude.consents.access import CareAccess, Category
from interlude.consents.markers import NotShared, not_shared_marker
from interlude.measures.instruments import (
    DefinitionError,
    InstrumentDefinition,
    definition_parse,
    shipped_definitions,
)
from interlude.measures.models import (
    DueStatus,
    Frequency,
    InstrumentSetting,
    MeasuresSettings,
    PracticeInstrument,
    QuestionnaireDraft,
    QuestionnaireDue,
    QuestionnaireResponse,
    QuestionnaireSchedule,
)
from interlude.measures.scoring import AnswerError, score
from interlude.practices.models import Client, Practice


def measures_settings_get(*, practice: Practice) -> MeasuresSettings:
    """The practice's rules, with defaults when it never changed them (not saved until then)."""
    found = MeasuresSettings.objects.filter(practice=practice).first()
    return found or MeasuresSettings(practice=practice)


def _apply_setting(definition: InstrumentDefinition, setting: InstrumentSetting | None):
    if setting is None:
        return definition
    reliable_change = setting.reliable_change
    if reliable_change is None and setting.norm_sd and setting.norm_reliability is not None:
        from interlude.measures.change import jt_threshold_points, jt_whole_points

        exact = jt_threshold_points(sd_pre=setting.norm_sd, reliability=setting.norm_reliability)
        reliable_change = float(jt_whole_points(exact))
    return definition.with_overrides(
        reliable_change=reliable_change,
        clinical_cutoff=setting.clinical_cutoff,
        band_preset=setting.band_preset,
    )


def instrument_definitions_unconfigured(*, practice: Practice) -> dict[str, InstrumentDefinition]:
    """Shipped definitions plus the practice's own, before its settings are applied. One query."""
    result: dict[str, InstrumentDefinition] = dict(shipped_definitions())
    for own in PracticeInstrument.objects.filter(practice=practice, is_active=True):
        try:
            result[own.code] = definition_parse(own.definition, practice_own=True)
        except DefinitionError:
            continue  # checked when saved; a broken row must not take the page down
    return result


def instrument_definitions(*, practice: Practice) -> dict[str, InstrumentDefinition]:
    """Every instrument the practice can use, by code, with its settings applied. Two queries."""
    result = instrument_definitions_unconfigured(practice=practice)
    settings_by_code = {
        s.instrument_code: s for s in InstrumentSetting.objects.filter(practice=practice)
    }
    return {
        code: _apply_setting(d, settings_by_code.get(code)) for code, d in sorted(result.items())
    }


def instrument_definition_get(*, practice: Practice, code: str) -> InstrumentDefinition:
    try:
        return instrument_definitions(practice=practice)[code]
    except KeyError:
        raise DefinitionError(f"No instrument called {code!r}.") from None


def schedule_list(*, client: Client) -> list[QuestionnaireSchedule]:
    return list(QuestionnaireSchedule.objects.filter(client=client, is_active=True))


def due_list_open(*, client: Client, now=None) -> list[QuestionnaireDue]:
    """Questionnaires the client can answer now (open, including late ones not yet missed)."""
    now = now or timezone.now()
    return list(
        QuestionnaireDue.objects.filter(client=client, status=DueStatus.DUE, opens_at__lte=now)
        .select_related("schedule")
        .order_by("closes_at")
    )


def due_get_open(*, client: Client, due_id: str) -> QuestionnaireDue | None:
    return (
        QuestionnaireDue.objects.filter(client=client, public_id=due_id, status=DueStatus.DUE)
        .select_related("schedule")
        .first()
    )


def response_list(
    *, client: Client, instrument_code: str | None = None
) -> QuerySet[QuestionnaireResponse]:
    rows = QuestionnaireResponse.objects.filter(client=client)
    if instrument_code:
        rows = rows.filter(instrument_code=instrument_code)
    return rows.order_by("-submitted_at")


def response_get(*, client: Client, response_id: str) -> QuestionnaireResponse | None:
    return QuestionnaireResponse.objects.filter(client=client, public_id=response_id).first()


def response_get_for_clinician(
    *, access: CareAccess, response_id: str
) -> QuestionnaireResponse | None:
    """One answer set this viewer may see (with questionnaires not shared: only paper forms the
    care team entered); None for anything else."""
    return (
        access.scope(QuestionnaireResponse.objects.all(), Category.MEASURES)
        .filter(public_id=response_id)
        .first()
    )


CLINICIAN_RESPONSES_LIMIT = 200


@dataclass(frozen=True)
class ClinicianResponses:
    """The answers a clinician sees, newest first. With questionnaires not shared, `not_shared`
    is the marker and `items` holds only what the care team entered from paper forms."""

    items: list[QuestionnaireResponse]
    not_shared: NotShared | None

    @property
    def shared(self) -> bool:
        return self.not_shared is None


def responses_for_clinician(
    *,
    access: CareAccess,
    instrument_code: str | None = None,
    limit: int = CLINICIAN_RESPONSES_LIMIT,
) -> ClinicianResponses:
    """The client's answered questionnaires this viewer may see, in one query."""
    rows = access.scope(QuestionnaireResponse.objects.all(), Category.MEASURES)
    if instrument_code:
        rows = rows.filter(instrument_code=instrument_code)
    return ClinicianResponses(
        items=list(rows.order_by("-submitted_at")[:limit]),
        not_shared=not_shared_marker(access=access, category=Category.MEASURES),
    )


def response_for_due(*, client: Client, due_id: str) -> QuestionnaireResponse | None:
    """The answer set sent for one due occasion (from any of the client's devices), if any."""
    return (
        QuestionnaireResponse.objects.filter(client=client, due__public_id=due_id)
        .order_by("submitted_at")
        .first()
    )


def questionnaire_draft_get(*, client: Client, due: QuestionnaireDue) -> QuestionnaireDraft | None:
    """The client's answers in progress for an open due, from whichever device they started on."""
    return QuestionnaireDraft.objects.filter(
        client=client, due=due, due__status=DueStatus.DUE
    ).first()


@dataclass(frozen=True)
class InstrumentSeries:
    """One instrument's scored answers for a client, oldest first (charts and summaries)."""

    definition: InstrumentDefinition
    responses: list[QuestionnaireResponse]

    @property
    def latest(self) -> QuestionnaireResponse | None:
        return self.responses[-1] if self.responses else None

    @property
    def baseline(self) -> QuestionnaireResponse | None:
        return self.responses[0] if self.responses else None


def response_series(*, access: CareAccess) -> list[InstrumentSeries]:
    """Every instrument with scored answers this viewer may see (with questionnaires not shared:
    only paper forms the care team entered), oldest first, in one query plus definitions."""
    definitions = instrument_definitions(practice=access.client.practice)
    by_code: dict[str, list[QuestionnaireResponse]] = {}
    rows = access.scope(
        QuestionnaireResponse.objects.filter(total__isnull=False), Category.MEASURES
    )
    for r in rows.order_by("submitted_at"):
        by_code.setdefault(r.instrument_code, []).append(r)
    return [
        InstrumentSeries(definition=definitions[code], responses=rows)
        for code, rows in sorted(by_code.items())
        if code in definitions
    ]


# --- the schedules panel of the client record --------------------------------------------------
def frequency_words(schedule: QuestionnaireSchedule) -> str:
    """'once', 'every 14 days', 'before each appointment'."""
    if schedule.frequency == Frequency.EVERY_N_DAYS:
        days = schedule.interval_days or 1
        return "every day" if days == 1 else f"every {days} days"
    if schedule.frequency == Frequency.BEFORE_APPOINTMENT:
        return "before each appointment"
    return "once"


@dataclass(frozen=True)
class ScheduleRow:
    """One active schedule as the panel shows it."""

    schedule: QuestionnaireSchedule
    definition: InstrumentDefinition | None
    next_due: QuestionnaireDue | None  # the earliest occasion still to be answered
    last_answered_at: datetime | None  # the latest answer to this instrument, from any source

    @property
    def name(self) -> str:
        return self.definition.short_name if self.definition else self.schedule.instrument_code

    @property
    def frequency_words(self) -> str:
        return frequency_words(self.schedule)


def schedule_rows(
    *, access: CareAccess, definitions: dict[str, InstrumentDefinition]
) -> list[ScheduleRow]:
    """Active schedules with their next occasion and last answer: three queries, any number.
    The schedules are the care team's own; "last answered" counts only answers this viewer may
    see (with questionnaires not shared: paper forms the care team entered)."""
    client = access.client
    schedules = schedule_list(client=client)
    if not schedules:
        return []
    next_due: dict[int, QuestionnaireDue] = {}
    # The client was loaded by the gate; these rows are all that client's.
    for due in QuestionnaireDue.objects.filter(
        client=client, status=DueStatus.DUE, schedule__in=schedules
    ).order_by("opens_at"):
        next_due.setdefault(due.schedule_id, due)
    last = dict(
        access.scope(QuestionnaireResponse.objects.all(), Category.MEASURES)
        .order_by()
        .values("instrument_code")
        .annotate(last=Max("submitted_at"))
        .values_list("instrument_code", "last")
    )
    return [
        ScheduleRow(
            schedule=s,
            definition=definitions.get(s.instrument_code),
            next_due=next_due.get(s.pk),
            last_answered_at=last.get(s.instrument_code),
        )
        for s in schedules
    ]


# --- imported history ([7]) ----------------------------------------------------------------------
# An imported answer set's idempotency key is this prefix and the import's natural key.
IMPORT_KEY_PREFIX = "import:"


def imported_answers_problem(
    *, client: Client, instrument_code: str, answers: Sequence[Any]
) -> str:
    """Why an imported answer set cannot be stored ("" when it can): an instrument the practice
    does not have, or answers outside it. Plain words, never the answers themselves."""
    try:
        definition = instrument_definition_get(practice=client.practice, code=instrument_code)
    except DefinitionError:
        return "This questionnaire is not one Interlude knows."
    try:
        score(definition, list(answers))
    except AnswerError as exc:
        return exc.message
    if not any(a is not None for a in answers):
        return "No question was answered."
    return ""


def imported_keys_present(*, client: Client, keys: Collection[str]) -> set[str]:
    """Which of an import's natural keys are already stored as answer sets (for the preview)."""
    wanted = [IMPORT_KEY_PREFIX + k for k in keys]
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        found.update(
            key.removeprefix(IMPORT_KEY_PREFIX)
            for key in QuestionnaireResponse.objects.filter(
                client=client, idempotency_key__in=wanted[start : start + 500]
            ).values_list("idempotency_key", flat=True)
        )
    return found
