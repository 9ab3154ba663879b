"""Instrument definitions as data (CLINICAL.md section 0, principle 1). Pure: no ORM, no Django.

A definition is a JSON document (definitions/<code>.json for the shipped ones, a database row for a
practice's own instruments) parsed and checked here into frozen dataclasses. Anything that varies
by service (bands, reliable-change threshold, clinical cutoff) can be overridden per practice with
`InstrumentDefinition.with_overrides`; the scorer only ever sees the merged result.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

DEFINITIONS_DIR = Path(__file__).parent / "definitions"


class DefinitionError(ValueError):
    """A definition document is malformed; the message names the field."""


class Licence(StrEnum):
    PUBLIC_DOMAIN = "public_domain"
    FREE_WITH_ATTRIBUTION = "free_with_attribution"
    CC_BY_NC_ND = "cc_by_nc_nd"
    LICENCE_REQUIRED = "licence_required"
    PRACTICE_OWN = "practice_own"


class Direction(StrEnum):
    HIGHER_IS_WORSE = "higher_is_worse"  # symptom scales: improvement is a decrease
    HIGHER_IS_BETTER = "higher_is_better"  # wellbeing scales (WHO-5): improvement is an increase


class MissingRule(StrEnum):
    INCOMPLETE = "incomplete"  # any missing answer: no total, marked incomplete
    PRORATE = "prorate"  # up to max_missing: mean of answered items x item count, rounded


@dataclass(frozen=True)
class AnswerOption:
    value: int
    label: str
    loinc: str = ""


@dataclass(frozen=True)
class Item:
    number: int  # 1-based, as printed on the form
    text: str  # "" when the licence does not let us ship the text
    options: tuple[AnswerOption, ...]
    reverse: bool = False
    loinc: str = ""

    @property
    def min_value(self) -> int:
        return min(o.value for o in self.options)

    @property
    def max_value(self) -> int:
        return max(o.value for o in self.options)

    def label_for(self, value: int) -> str:
        for option in self.options:
            if option.value == value:
                return option.label
        return str(value)


@dataclass(frozen=True)
class Band:
    min: float
    max: float
    code: str
    label: str
    clinical: bool = False  # shading on charts: bands at or past the clinical cutoff

    def contains(self, total: float) -> bool:
        return self.min <= total <= self.max


@dataclass(frozen=True)
class CriticalItem:
    item: int
    above: int  # flagged when the answer is greater than this
    flag: str  # e.g. "critical_item"
    reason: str  # what it means, for the clinician (never sent by email)


@dataclass(frozen=True)
class ItemFlag:
    """A non-critical rule on single items, e.g. WHO-5: any item answered 0 or 1."""

    flag: str
    at_or_below: int | None
    at_or_above: int | None
    reason: str


@dataclass(frozen=True)
class ClinicalRange:
    """Where the clinical (case) range starts. Exactly one bound is set."""

    at_or_above: float | None = None
    at_or_below: float | None = None

    def contains(self, total: float) -> bool:
        if self.at_or_above is not None:
            return total >= self.at_or_above
        if self.at_or_below is not None:
            return total <= self.at_or_below
        return False

    def describe(self) -> str:
        if self.at_or_above is not None:
            return f"{_num(self.at_or_above)} or more"
        return f"{_num(self.at_or_below or 0)} or less"


@dataclass(frozen=True)
class InstrumentDefinition:
    code: str
    version: str
    name: str
    short_name: str
    construct: str
    recall: str
    instructions: str
    licence: Licence
    attribution: str
    text_shipped: bool
    items: tuple[Item, ...]
    scoring_method: str  # "sum" or "sum_scaled"
    multiplier: float
    direction: Direction
    bands: tuple[Band, ...]
    band_presets: dict[str, tuple[Band, ...]] = field(compare=False)
    band_preset: str
    critical_items: tuple[CriticalItem, ...]
    item_flags: tuple[ItemFlag, ...]
    reliable_change: float | None  # points on the reported total; None = no published threshold
    reliable_change_source: str
    clinical_range: ClinicalRange | None
    clinical_range_source: str
    missing_rule: MissingRule
    max_missing: int
    loinc_panel: str = ""
    loinc_total: str = ""
    typical_frequency_days: int | None = None
    unverified: tuple[str, ...] = ()
    sources: str = ""
    practice_own: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    # --- derived -----------------------------------------------------------------------------
    @property
    def item_count(self) -> int:
        return len(self.items)

    @property
    def answer_min(self) -> int:
        return min(i.min_value for i in self.items)

    @property
    def answer_max(self) -> int:
        return max(i.max_value for i in self.items)

    @property
    def raw_min(self) -> int:
        return sum(i.min_value for i in self.items)

    @property
    def raw_max(self) -> int:
        return sum(i.max_value for i in self.items)

    @property
    def total_min(self) -> float:
        return self.raw_min * self.multiplier

    @property
    def total_max(self) -> float:
        return self.raw_max * self.multiplier

    @property
    def higher_is_better(self) -> bool:
        return self.direction is Direction.HIGHER_IS_BETTER

    def band_for(self, total: float) -> Band | None:
        for band in self.bands:
            if band.contains(total):
                return band
        return None

    def with_overrides(
        self,
        *,
        reliable_change: float | None = None,
        clinical_cutoff: float | None = None,
        band_preset: str = "",
    ) -> InstrumentDefinition:
        """The definition with a practice's choices applied (CLINICAL.md: never hard-code)."""
        result = self
        if reliable_change is not None and reliable_change <= 0:
            raise DefinitionError("Reliable change must be more than 0 points.")
        if reliable_change is not None:
            result = replace(
                result, reliable_change=reliable_change, reliable_change_source="practice setting"
            )
        if clinical_cutoff is not None:
            bound = (
                ClinicalRange(at_or_below=clinical_cutoff)
                if self.higher_is_better
                else ClinicalRange(at_or_above=clinical_cutoff)
            )
            result = replace(result, clinical_range=bound, clinical_range_source="practice setting")
        if band_preset and band_preset != self.band_preset:
            if band_preset not in self.band_presets:
                raise DefinitionError(f"{self.short_name} has no band set called {band_preset!r}.")
            result = replace(result, bands=self.band_presets[band_preset], band_preset=band_preset)
        return result


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# --- parsing -----------------------------------------------------------------------------------
def _require(doc: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in doc:
        raise DefinitionError(f"{where}: '{key}' is missing.")
    value = doc[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise DefinitionError(f"{where}: '{key}' has the wrong type.")
    return value


def _options(raw: list[Any], where: str) -> tuple[AnswerOption, ...]:
    if not raw:
        raise DefinitionError(f"{where}: needs at least two answer options.")
    options = tuple(
        AnswerOption(
            value=_require(o, "value", int, where),
            label=str(_require(o, "label", str, where)),
            loinc=str(o.get("loinc", "")),
        )
        for o in raw
    )
    values = [o.value for o in options]
    if len(options) < 2 or len(set(values)) != len(values):
        raise DefinitionError(f"{where}: answer values must be at least two and all different.")
    return options


def _bands(raw: list[Any], where: str) -> tuple[Band, ...]:
    bands = tuple(
        Band(
            min=float(_require(b, "min", (int, float), where)),
            max=float(_require(b, "max", (int, float), where)),
            code=str(_require(b, "code", str, where)),
            label=str(_require(b, "label", str, where)),
            clinical=bool(b.get("clinical", False)),
        )
        for b in raw
    )
    ordered = sorted(bands, key=lambda b: b.min)
    for band in ordered:
        if band.min > band.max:
            raise DefinitionError(f"{where}: band {band.code!r} starts after it ends.")
    for low, high in itertools.pairwise(ordered):
        if high.min <= low.max:
            raise DefinitionError(f"{where}: bands {low.code!r} and {high.code!r} overlap.")
    return tuple(ordered)


def definition_parse(doc: dict[str, Any], *, practice_own: bool = False) -> InstrumentDefinition:
    """Parse and check one definition document; raise DefinitionError naming the problem."""
    if not isinstance(doc, dict):
        raise DefinitionError("A definition must be a JSON object.")
    code = str(_require(doc, "code", str, "definition"))
    where = code
    shared = _options(doc["options"], f"{where} options") if doc.get("options") else ()
    raw_items = _require(doc, "items", list, where)
    if not raw_items:
        raise DefinitionError(f"{where}: needs at least one item.")
    items: list[Item] = []
    for index, raw in enumerate(raw_items, start=1):
        item_where = f"{where} item {index}"
        own = raw.get("options")
        options = _options(own, item_where) if own else shared
        if not options:
            raise DefinitionError(f"{item_where}: has no answer options.")
        items.append(
            Item(
                number=index,
                text=str(raw.get("text", "")),
                options=options,
                reverse=bool(raw.get("reverse", False)),
                loinc=str(raw.get("loinc", "")),
            )
        )
    scoring = _require(doc, "scoring", dict, where)
    method = str(scoring.get("method", "sum"))
    if method not in ("sum", "sum_scaled"):
        raise DefinitionError(f"{where}: scoring method must be 'sum' or 'sum_scaled'.")
    multiplier = float(scoring.get("multiplier", 1)) if method == "sum_scaled" else 1.0
    presets = {
        name: _bands(raw, f"{where} band set {name}")
        for name, raw in (doc.get("band_presets") or {}).items()
    }
    preset = str(doc.get("band_preset", ""))
    if preset:
        if preset not in presets:
            raise DefinitionError(f"{where}: band_preset {preset!r} is not in band_presets.")
        bands = presets[preset]
    else:
        bands = _bands(doc.get("bands", []), f"{where} bands")
    critical = tuple(
        CriticalItem(
            item=_require(c, "item", int, where),
            above=_require(c, "above", int, where),
            flag=str(c.get("flag", "critical_item")),
            reason=str(_require(c, "reason", str, where)),
        )
        for c in doc.get("critical_items", [])
    )
    for c in critical:
        if not 1 <= c.item <= len(items):
            raise DefinitionError(f"{where}: critical item {c.item} does not exist.")
        target = items[c.item - 1]
        if not target.min_value <= c.above < target.max_value:
            raise DefinitionError(
                f"{where}: critical item {c.item} 'above' must be from {target.min_value} to "
                f"{target.max_value - 1}, or the flag could never (or would always) be raised."
            )
    item_flags = tuple(
        ItemFlag(
            flag=str(_require(f, "flag", str, where)),
            at_or_below=f.get("at_or_below"),
            at_or_above=f.get("at_or_above"),
            reason=str(_require(f, "reason", str, where)),
        )
        for f in doc.get("item_flags", [])
    )
    rc = doc.get("reliable_change") or {}
    clinical = doc.get("clinical_range") or {}
    clinical_range = None
    if clinical.get("at_or_above") is not None and clinical.get("at_or_below") is not None:
        raise DefinitionError(
            f"{where}: clinical_range takes at_or_above or at_or_below, not both."
        )
    if rc.get("points") is not None and not (
        isinstance(rc["points"], (int, float)) and rc["points"] > 0
    ):
        raise DefinitionError(f"{where}: reliable_change points must be a number above 0.")
    if clinical.get("at_or_above") is not None or clinical.get("at_or_below") is not None:
        clinical_range = ClinicalRange(
            at_or_above=clinical.get("at_or_above"), at_or_below=clinical.get("at_or_below")
        )
    missing = doc.get("missing") or {"rule": "incomplete"}
    try:
        missing_rule = MissingRule(missing.get("rule", "incomplete"))
    except ValueError:
        raise DefinitionError(f"{where}: missing rule must be 'incomplete' or 'prorate'.") from None
    licence_code = _require(doc, "licence", str, where)
    try:
        licence = Licence(licence_code)
        direction = Direction(doc.get("direction", Direction.HIGHER_IS_WORSE))
    except ValueError as exc:
        raise DefinitionError(f"{where}: {exc}") from None
    for item in items:
        if item.reverse and not shared and not item.options:
            raise DefinitionError(f"{where}: reverse-scored item {item.number} needs options.")
    loinc = doc.get("loinc") or {}
    return InstrumentDefinition(
        code=code,
        version=str(_require(doc, "version", str, where)),
        name=str(_require(doc, "name", str, where)),
        short_name=str(doc.get("short_name") or doc["name"]),
        construct=str(doc.get("construct", "")),
        recall=str(doc.get("recall", "")),
        instructions=str(doc.get("instructions", "")),
        licence=licence,
        attribution=str(doc.get("attribution", "")),
        text_shipped=bool(doc.get("text_shipped", True)),
        items=tuple(items),
        scoring_method=method,
        multiplier=multiplier,
        direction=direction,
        bands=bands,
        band_presets=presets,
        band_preset=preset,
        critical_items=critical,
        item_flags=item_flags,
        reliable_change=float(rc["points"]) if rc.get("points") is not None else None,
        reliable_change_source=str(rc.get("source", "")),
        clinical_range=clinical_range,
        clinical_range_source=str(clinical.get("source", "")),
        missing_rule=missing_rule,
        max_missing=int(missing.get("max_missing", 0)),
        loinc_panel=str(loinc.get("panel", "")),
        loinc_total=str(loinc.get("total", "")),
        typical_frequency_days=doc.get("typical_frequency_days"),
        unverified=tuple(doc.get("unverified", [])),
        sources=str(doc.get("sources", "")),
        practice_own=practice_own,
    )


@cache
def shipped_definitions() -> dict[str, InstrumentDefinition]:
    """Every definition shipped with Interlude, by code (read once per process)."""
    result: dict[str, InstrumentDefinition] = {}
    for path in sorted(DEFINITIONS_DIR.glob("*.json")):
        definition = definition_parse(json.loads(path.read_text(encoding="utf-8")))
        if definition.code != path.stem:
            raise DefinitionError(
                f"{path.name}: code {definition.code!r} must match the file name."
            )
        result[definition.code] = definition
    return result


def shipped_definition(code: str) -> InstrumentDefinition:
    try:
        return shipped_definitions()[code]
    except KeyError:
        raise DefinitionError(f"No instrument called {code!r}.") from None


def band_phrase(label: str) -> str:
    """A band label inside a sentence: "Moderately severe" -> "moderately severe", but acronyms
    stay as they are ("Probable PTSD" -> "probable PTSD", "PTSD likely" unchanged)."""
    if not label:
        return label
    first = label.split(" ", 1)[0]
    if len(first) > 1 and first[1:].lower() != first[1:]:
        return label  # the first word is an acronym or a name
    return label[0].lower() + label[1:]
