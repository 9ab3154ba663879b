"""The measures app's panel on the client record (core.panels): the questionnaires scheduled for
the client, with the scheduling form. The schedules are the clinician's own; when the client does
not share questionnaires, the panel leaves out when each was last answered. And its timeline
source: the questionnaire answers the viewer may see (the gate keeps paper answers the care team
entered when questionnaires are not shared)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from interlude.consents.access import CareAccess, Category
from interlude.consents.markers import not_shared_marker
from interlude.core.panels import Page, panel_register
from interlude.core.timeline import TimelineItem, timeline_source_register
from interlude.interop.enums import ImportSource
from interlude.measures.change import Classification
from interlude.measures.instruments import InstrumentDefinition, band_phrase, shipped_definitions
from interlude.measures.models import EnteredBy, QuestionnaireResponse
from interlude.measures.views_clinician import schedules_panel_context

MINUS = "\u2212"


@panel_register(
    page=Page.RECORD,
    name="schedules",
    title="Scheduled questionnaires",
    order=25,
    template="measures/_record_schedules_panel.html",
)
def record_schedules(access: CareAccess, **ctx: Any) -> dict[str, Any]:
    context = schedules_panel_context(access=access, definitions=ctx.get("definitions"))
    hidden = not_shared_marker(access=access, category=Category.MEASURES)
    if hidden is not None:
        # The rows' "last answered" comes from the client's answers: the plain list instead.
        context["schedule_rows"] = []
    context["not_shared"] = hidden
    return context


# --- the record's timeline ------------------------------------------------------------------------
def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _signed(value: float) -> str:
    """+4, \u22126 (a real minus sign), 0."""
    if value > 0:
        return f"+{_number(value)}"
    return f"{MINUS}{_number(-value)}" if value < 0 else "0"


def response_item(r: QuestionnaireResponse, zone: tzinfo, names: dict[str, str]) -> TimelineItem:
    name = names.get(r.instrument_code, r.instrument_code)
    if r.total is None:
        title, detail = f"{name}: not scored", "Some answers were missing."
    else:
        band = f", {band_phrase(r.band_label)}" if r.band_label else ""
        title = f"{name} {_number(r.total)}{band}"
        try:
            detail = str(Classification(r.classification).label)
        except ValueError:
            detail = str(Classification.NOT_AVAILABLE.label)
        if r.change_from_baseline is not None:
            detail += f" ({_signed(r.change_from_baseline)} since intake)"
    kind_label, flag = "Questionnaire", "Critical item endorsed" if r.is_critical else ""
    if r.entered_by == EnteredBy.IMPORT:
        # History from another system: shown, never compared, never alerted on (ADR 0024).
        try:
            app = str(ImportSource(r.source_app).label)
        except ValueError:
            app = "another app"
        kind_label = f"Questionnaire from {app}"
        detail = f"Imported history ({r.source_file or app}): not compared, no alert raised."
        if r.is_critical:
            flag = "Critical item endorsed in imported history: no alert was raised"
    return TimelineItem(
        day=r.submitted_at.astimezone(zone).date(),
        at=r.submitted_at.astimezone(zone),
        kind="questionnaire",
        kind_label=kind_label,
        title=title,
        detail=detail,
        flag=flag,
    )


@timeline_source_register(name="questionnaires", order=40, reads=(Category.MEASURES,))
def timeline_questionnaires(
    access: CareAccess,
    *,
    since: datetime,
    until: datetime,
    definitions: dict[str, InstrumentDefinition] | None = None,
    **ctx: Any,
) -> list[TimelineItem]:
    """Answer sets submitted in [since, until), one query. `definitions` (the page read them)
    name the instruments; without them, the shipped ones do."""
    assert since.tzinfo is not None
    names = {code: d.short_name for code, d in (definitions or shipped_definitions()).items()}
    rows = access.scope(
        QuestionnaireResponse.objects.filter(submitted_at__gte=since, submitted_at__lt=until),
        Category.MEASURES,
    ).defer("answers")
    return [response_item(r, since.tzinfo, names) for r in rows]
