"""The records a homework occurrence can link, and the sharing category each still follows.

A client links the record doing the tool produced (a check-in, a thought record). Homework is
addressed to the care team, but the linked record is not: a clinician sees it only when the
gate shows that record's own category (`care.shows(obj, category)`), else "Not shared".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Model

from interlude.consents.access import CareAccess, Category
from interlude.exercises.models import (
    ActivityPlan,
    ExposurePractice,
    JournalEntry,
    RelaxationSession,
    SleepDiaryEntry,
    ThoughtRecord,
)
from interlude.measures.models import QuestionnaireResponse
from interlude.practices.models import Client
from interlude.tracking.models import CheckIn


@dataclass(frozen=True)
class RecordKind:
    model: type[Model]
    category: Category
    label: str


RECORD_TYPES: dict[str, RecordKind] = {
    "tracking.checkin": RecordKind(CheckIn, Category.CHECKINS, "Check-in"),
    "exercises.thought_record": RecordKind(ThoughtRecord, Category.WORKSHEETS, "Thought record"),
    "exercises.activity": RecordKind(ActivityPlan, Category.WORKSHEETS, "Activity"),
    "exercises.exposure_practice": RecordKind(
        ExposurePractice, Category.WORKSHEETS, "Exposure practice"
    ),
    "exercises.sleep_diary": RecordKind(SleepDiaryEntry, Category.WORKSHEETS, "Sleep diary"),
    "exercises.journal": RecordKind(JournalEntry, Category.JOURNAL, "Journal entry"),
    "exercises.relaxation_session": RecordKind(
        RelaxationSession, Category.RELAXATION, "Relaxation session"
    ),
    "measures.response": RecordKind(QuestionnaireResponse, Category.MEASURES, "Questionnaire"),
}
# Reading an article leaves no record of the client's own to link (the slug names the article).
ARTICLE_READ = "exercises.article_read"


def record_exists(*, client: Client, record_type: str, record_id: str) -> bool:
    """Whether `record_id` (a public id) names a record of this type that belongs to `client`."""
    kind = RECORD_TYPES.get(record_type)
    if kind is None:
        return False
    try:
        public_id = uuid.UUID(str(record_id))
    except ValueError:
        return False
    return kind.model._default_manager.filter(client=client, public_id=public_id).exists()


@dataclass(frozen=True)
class LinkedRecord:
    record_type: str
    label: str
    shown: bool  # False: the client does not share this record's category with this viewer
    obj: Model | None = None


def linked_records(
    *, access: CareAccess, pairs: list[tuple[str, str]]
) -> dict[tuple, LinkedRecord]:
    """Each (record_type, record_id) as this viewer may see it; one query per record type."""
    wanted: dict[str, set[str]] = {}
    for record_type, record_id in pairs:
        if record_type in RECORD_TYPES and record_id:
            wanted.setdefault(record_type, set()).add(record_id)
    found: dict[tuple, LinkedRecord] = {}
    for record_type, ids in wanted.items():
        kind = RECORD_TYPES[record_type]
        valid = [i for i in ids if _is_uuid(i)]
        # The gate narrows to what this viewer may see of the record's own category.
        rows = access.scope(kind.model._default_manager.filter(public_id__in=valid), kind.category)
        for obj in rows:
            key = (record_type, str(obj.public_id))  # type: ignore[attr-defined]
            found[key] = LinkedRecord(record_type, kind.label, True, obj)
        for record_id in ids:
            found.setdefault((record_type, record_id), LinkedRecord(record_type, kind.label, False))
    return found


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
