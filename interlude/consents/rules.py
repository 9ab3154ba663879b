"""Every privacy rule, written once: which categories a viewer sees, and which rows and fields of a
category a per-item switch hides. Plain Python over plain values; `access.CareAccess` applies it.

Models are named by label, not imported: the gate sits below the apps whose rows it scopes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q

from interlude.consents.models import ConsentStatus
from interlude.practices.enums import ShareScope

# What a client switches on the Sharing page, in the order it shows them.
SWITCHABLE: tuple[ShareScope, ...] = (
    ShareScope.CHECKINS,
    ShareScope.JOURNAL,
    ShareScope.WORKSHEETS,
    ShareScope.MEASURES,
    ShareScope.IMPORTS,
    ShareScope.RELAXATION,
)

# Never hidden from the care team, whatever the client chose (the consent document says so):
# who the client is, the safety plan, risk answers and their alerts, what clinicians record
# themselves (appointments, scores entered from paper, session notes, the treatment plan), and
# what is addressed to the care team: the message thread, homework with how it went, and the
# readiness check's answers.
ALWAYS_VISIBLE: frozenset[ShareScope] = frozenset(
    {
        ShareScope.PROFILE,
        ShareScope.SAFETY_PLAN,
        ShareScope.RISK,
        ShareScope.CARE_RECORD,
        ShareScope.MESSAGES,
        ShareScope.HOMEWORK,
        ShareScope.READINESS,
    }
)

# A new practice's defaults: everything on except the free text of notes and the journal, which a
# client shares entry by entry anyway.
DEFAULT_SHARING: Mapping[ShareScope, bool] = {
    ShareScope.CHECKINS: True,
    ShareScope.JOURNAL: False,
    ShareScope.WORKSHEETS: True,
    ShareScope.MEASURES: True,
    ShareScope.IMPORTS: True,
    ShareScope.RELAXATION: True,
}

# Consent states under which what the client records reaches the care team.
CONSENT_FLOWS: frozenset[str] = frozenset({ConsentStatus.ACCEPTED, ConsentStatus.PRIOR})


def sharing_choices(
    *, practice_defaults: Mapping[str, Any], client_choices: Mapping[str, Any]
) -> dict[ShareScope, bool]:
    """The client's switch for each category: their own choice, else the practice's default,
    else the project's default. Unknown keys and non-boolean values are ignored."""
    out: dict[ShareScope, bool] = {}
    for cat in SWITCHABLE:
        value = client_choices.get(cat.value)
        if not isinstance(value, bool):
            value = practice_defaults.get(cat.value)
        if not isinstance(value, bool):
            value = DEFAULT_SHARING[cat]
        out[cat] = value
    return out


def visible_categories(
    *,
    is_self: bool,
    consent_status: str,
    choices: Mapping[ShareScope, bool],
    hidden_from_viewer: bool,
) -> frozenset[ShareScope]:
    """The categories a viewer may see now. The client sees all of their own record; the care
    team (or an owner under break-glass) sees what never hides, plus each category the client
    shares, once consent is given, unless the client chose not to share with this clinician."""
    if is_self:
        return frozenset(ShareScope)
    visible = set(ALWAYS_VISIBLE)
    if consent_status in CONSENT_FLOWS and not hidden_from_viewer:
        visible |= {cat for cat, on in choices.items() if on}
    return frozenset(visible)


@dataclass(frozen=True)
class ItemRule:
    """A per-item switch: the row (or field) shows only when the category is shared AND the
    item's own switch is on."""

    q: Q
    test: Callable[[Any], bool]


# (model label, category) -> the item's own switch.
ITEM_RULES: dict[tuple[str, ShareScope], ItemRule] = {
    ("exercises.JournalEntry", ShareScope.JOURNAL): ItemRule(
        q=Q(shared_at__isnull=False), test=lambda o: o.shared_at is not None
    ),
    ("tracking.CheckIn", ShareScope.JOURNAL): ItemRule(
        q=Q(note_shared=True), test=lambda o: bool(o.note_shared)
    ),
}


@dataclass(frozen=True)
class SharedWhen:
    """When an item's own switch was turned on: for pages that pick what was shared in a period
    and date it ("shared on 20 Nov"). Whether the item shows at all is ITEM_RULES' answer."""

    since: Callable[[datetime], Q]  # items switched on at or after a moment
    at: Callable[[Any], datetime | None]  # when one loaded item was switched on


ITEM_SHARED_WHEN: dict[tuple[str, ShareScope], SharedWhen] = {
    ("exercises.JournalEntry", ShareScope.JOURNAL): SharedWhen(
        since=lambda moment: Q(shared_at__gte=moment), at=lambda o: o.shared_at
    ),
}

# Rows of a category that the care team recorded themselves stay visible when the category is
# off (scores entered from a paper form belong to the clinical record, as the consent says).
CARE_RECORDED: dict[tuple[str, ShareScope], Q] = {
    ("measures.QuestionnaireResponse", ShareScope.MEASURES): Q(entered_by="clinician"),
}


# Rows that came from another app or a device (interop, [7]) belong to "imported app data",
# whatever kind of record they are: model label -> the filter that picks them, and its test.
IMPORTED_SOURCES: tuple[str, ...] = ("import", "device")
IMPORTED_ROWS: dict[str, ItemRule] = {
    "tracking.CheckIn": ItemRule(
        q=Q(source__in=IMPORTED_SOURCES), test=lambda o: o.source in IMPORTED_SOURCES
    ),
    "measures.QuestionnaireResponse": ItemRule(
        q=Q(entered_by="import"), test=lambda o: o.entered_by == "import"
    ),
}


def observation_category(*, source: str, source_type: str) -> ShareScope:
    """Which category a point of the time series belongs to, from its provenance."""
    if source in IMPORTED_SOURCES:
        return ShareScope.IMPORTS
    if source_type == "exercises.relaxationsession":
        return ShareScope.RELAXATION
    if source_type.startswith("exercises."):
        return ShareScope.WORKSHEETS
    return ShareScope.CHECKINS


def observation_q(categories: Iterable[ShareScope]) -> Q:
    """A filter on `tracking.Observation` keeping the points whose category is in `categories`."""
    cats = set(categories)
    q = Q(pk__in=[])
    imported = Q(source__in=IMPORTED_SOURCES)
    if ShareScope.IMPORTS in cats:
        q |= imported
    exercise = Q(source_type__startswith="exercises.") & ~imported
    if ShareScope.RELAXATION in cats:
        q |= exercise & Q(source_type="exercises.relaxationsession")
    if ShareScope.WORKSHEETS in cats:
        q |= exercise & ~Q(source_type="exercises.relaxationsession")
    if ShareScope.CHECKINS in cats:
        q |= ~imported & ~Q(source_type__startswith="exercises.")
    return q
