"""A FHIR R4 Bundle (JSON) from another system: PHQ-9 and GAD-7 answers, steps, sleep and mood
(CLINICAL.md 6.1). Plain Python, no ORM.

Each resource Interlude uses is first validated with `fhir.resources` (R4B models, the R4
structure); a resource that fails becomes an `Unreadable` naming the entry (line = entry index +
1) and the field, never its content.

- QuestionnaireResponse (status completed or amended; `authored` with a time zone): PHQ-9 or
  GAD-7, recognised by the LOINC panel (44249-1, 69737-5) in its `questionnaire` canonical, or
  by a Questionnaire (contained, or in the bundle under that canonical) with that panel `code`,
  or by its items' LOINC codes. Answers are matched to the instrument's items by LOINC item code
  (linkId, definition or the Questionnaire's item code), else by position; an answer's value is
  its valueInteger, its valueCoding's LOINC answer code (LA...) or numeric code, or the coding's
  itemWeight / ordinalValue extension. -> `Answers`.
- Observation: steps (LOINC 55423-8) -> steps; sleep duration (LOINC 93832-4, UCUM h or min) ->
  hours of sleep; mood (MOOD_CODE_SYSTEM, code "mood", 0-10) -> a mood reading. Total scores of
  PHQ-9 / GAD-7 (44261-6, 70274-6) arrive without their answers, which Interlude needs to score
  and to check item 9: they are skipped.
- Every other resource (Patient, Questionnaire, ...) is skipped, counted by its type.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any

import pydantic

from interlude.interop.canonical import (
    Answers,
    ImportFileError,
    Item,
    ParseOptions,
    Reading,
    Skipped,
    Unreadable,
)
from interlude.interop.codes import MOOD_CODE_SYSTEM
from interlude.interop.enums import StagedKind

# A mood rating on 0-10 in Interlude's own code system (interop/codes.py, shared with the push
# API and the FHIR API): {"system": MOOD_CODE_SYSTEM, "code": "mood"}.
MOOD_CODE = "mood"

LOINC = "http://loinc.org"
STEPS_LOINC = "55423-8"
SLEEP_LOINC = "93832-4"
INSTRUMENTS = ("phq9", "gad7")
WEIGHT_EXTENSIONS = (
    "http://hl7.org/fhir/StructureDefinition/itemWeight",
    "http://hl7.org/fhir/StructureDefinition/ordinalValue",
    "http://hl7.org/fhir/StructureDefinition/iso21090-CO-value",
)
USED_STATUSES = frozenset({"completed", "amended"})
DROPPED_OBSERVATION_STATUSES = frozenset({"entered-in-error", "cancelled"})
_RESOURCE_TYPE = re.compile(r"[A-Z][A-Za-z]{0,63}")
_LOINC_CODE = re.compile(r"\d{1,8}-\d")
DEFINITIONS = Path(__file__).resolve().parents[2] / "measures" / "definitions"


class Instrument:
    def __init__(self, definition: Mapping[str, Any]) -> None:
        self.code: str = definition["code"]
        self.panel: str = definition["loinc"]["panel"]
        self.total: str = definition["loinc"]["total"]
        self.items: tuple[str, ...] = tuple(item["loinc"] for item in definition["items"])
        self.values = frozenset(int(option["value"]) for option in definition["options"])
        self.answer_codes = {
            option["loinc"]: int(option["value"]) for option in definition["options"]
        }


@cache
def instruments() -> tuple[Instrument, ...]:
    """PHQ-9 and GAD-7 as measures defines them (its JSON files, read directly: no ORM)."""
    found = []
    for code in INSTRUMENTS:
        with (DEFINITIONS / f"{code}.json").open(encoding="utf-8") as handle:
            found.append(Instrument(json.load(handle)))
    return tuple(found)


def parse(path: Path, *, options: ParseOptions) -> Iterator[Item]:
    from django.conf import settings

    return _parse(path, options=options, max_bytes=settings.IMPORT_MAX_TEXT_BYTES)


def _parse(path: Path, *, options: ParseOptions, max_bytes: int) -> Iterator[Item]:
    bundle = read_bundle(path, max_bytes=max_bytes)
    entries = bundle.get("entry", [])
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        raise ImportFileError("The Bundle's entries are not a list, so it cannot be read.")
    questionnaires = _bundle_questionnaires(entries)
    total = len(entries)
    for index, entry in enumerate(entries):
        yield from _entry(index + 1, entry, questionnaires)
        if options.on_progress is not None and (index % 500 == 499 or index + 1 == total):
            options.on_progress(index + 1, total)


def read_bundle(path: Path, *, max_bytes: int) -> dict[str, Any]:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ImportFileError(
                f"The file is larger than Interlude accepts ({max_bytes // 1024**2:,} MB)."
            )
        raw = path.read_bytes()
    except OSError as error:
        raise ImportFileError("The file could not be opened. Upload it again.") from error
    if not raw.strip():
        raise ImportFileError("The file is empty.")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise ImportFileError("The file is not a FHIR Bundle: it is not UTF-8 text.") from error
    except json.JSONDecodeError as error:
        raise ImportFileError(
            f"The file is not a FHIR Bundle: its JSON is broken (line {error.lineno})."
        ) from error
    if not isinstance(data, dict):
        raise ImportFileError("The file is JSON but not a FHIR Bundle.")
    kind = data.get("resourceType")
    if kind == "Bundle":
        return data
    if isinstance(kind, str) and _RESOURCE_TYPE.fullmatch(kind):
        raise ImportFileError(
            f"The file is a FHIR {kind}, not a Bundle. Export a Bundle and upload that."
        )
    raise ImportFileError("The file is JSON but not a FHIR Bundle (it has no resourceType Bundle).")


def _type_name(resource: Mapping[str, Any]) -> str:
    kind = resource.get("resourceType")
    return kind if isinstance(kind, str) and _RESOURCE_TYPE.fullmatch(kind) else "Unknown resource"


def _entry(
    line: int, entry: Any, questionnaires: Mapping[str, Mapping[str, Any]]
) -> Iterator[Item]:
    resource = entry.get("resource") if isinstance(entry, dict) else None
    if not isinstance(resource, dict):
        yield Unreadable(line=line, message=f"Entry {line} has no resource.")
        return
    kind = _type_name(resource)
    if kind == "QuestionnaireResponse":
        yield _questionnaire_response(line, resource, questionnaires)
    elif kind == "Observation":
        yield _observation(line, resource)
    else:
        yield Skipped(line=line, reason=kind)


def _invalid(line: int, kind: str, error: pydantic.ValidationError) -> Unreadable:
    """Which field is wrong, never what it holds."""
    first = error.errors()[0]
    field = "".join(
        f"[{part}]" if isinstance(part, int) else (f".{part}" if index else str(part))
        for index, part in enumerate(first.get("loc") or ())
    )
    error_type = str(first.get("type") or "")
    if "missing" in error_type:
        problem = "is missing"
    elif error_type == "extra_forbidden":
        problem = "is not a FHIR field"
    else:
        problem = "has the wrong form"
    where = f"{field} {problem}" if field else "its structure is wrong"
    return Unreadable(line=line, message=f"Entry {line} ({kind}) is not valid FHIR: {where}.")


def _validate(line: int, kind: str, resource: Mapping[str, Any]) -> Unreadable | None:
    if kind == "QuestionnaireResponse":
        from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse as Model
    else:
        from fhir.resources.R4B.observation import Observation as Model  # type: ignore[assignment]
    try:
        Model.model_validate(resource)
    except pydantic.ValidationError as error:
        return _invalid(line, kind, error)
    except (ValueError, TypeError):
        return Unreadable(line=line, message=f"Entry {line} ({kind}) is not valid FHIR.")
    return None


def _aware(text: Any) -> datetime | None:
    """A FHIR dateTime with a time and a zone, else None."""
    if not isinstance(text, str) or "T" not in text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def _when(text: Any) -> datetime | None:
    """A FHIR dateTime: aware with a zone, naive (local) without; a bare date is its noon."""
    if not isinstance(text, str):
        return None
    if "T" in text:
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            return None
    try:
        return datetime.combine(date.fromisoformat(text), time(12))
    except ValueError:
        return None


def _codes(concept: Any) -> list[tuple[str, str]]:
    if not isinstance(concept, dict):
        return []
    return [
        (str(coding.get("system") or ""), str(coding.get("code") or ""))
        for coding in concept.get("coding") or []
        if isinstance(coding, dict)
    ]


# --- QuestionnaireResponse ----------------------------------------------------------------------


def _bundle_questionnaires(entries: Sequence[Any]) -> dict[str, Mapping[str, Any]]:
    """Questionnaires in the bundle by their url (and url|version)."""
    found: dict[str, Mapping[str, Any]] = {}
    for entry in entries:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and resource.get("resourceType") == "Questionnaire":
            url = resource.get("url")
            if isinstance(url, str):
                found[url] = resource
                if isinstance(resource.get("version"), str):
                    found[f"{url}|{resource['version']}"] = resource
    return found


def _questionnaire_for(
    resource: Mapping[str, Any], questionnaires: Mapping[str, Mapping[str, Any]]
) -> Mapping[str, Any] | None:
    canonical = resource.get("questionnaire")
    if not isinstance(canonical, str):
        return None
    if canonical.startswith("#"):
        for contained in resource.get("contained") or []:
            if isinstance(contained, dict) and contained.get("id") == canonical[1:]:
                return contained
        return None
    return questionnaires.get(canonical) or questionnaires.get(canonical.split("|")[0])


def _questionnaire_item_codes(questionnaire: Mapping[str, Any] | None) -> dict[str, str]:
    """linkId -> LOINC item code, from the Questionnaire's items."""
    codes: dict[str, str] = {}
    if questionnaire is None:
        return codes

    def walk(items: Any) -> None:
        for item in items or []:
            if not isinstance(item, dict):
                continue
            for coding in item.get("code") or []:
                if isinstance(coding, dict) and coding.get("system") == LOINC:
                    codes[str(item.get("linkId"))] = str(coding.get("code"))
            walk(item.get("item"))

    walk(questionnaire.get("item"))
    return codes


def _flatten(items: Any) -> list[Mapping[str, Any]]:
    flat: list[Mapping[str, Any]] = []
    for item in items or []:
        if not isinstance(item, dict):
            continue
        if item.get("answer"):
            flat.append(item)
        flat.extend(_flatten(item.get("item")))
        for answer in item.get("answer") or []:
            if isinstance(answer, dict):
                flat.extend(_flatten(answer.get("item")))
    return flat


def _item_code(item: Mapping[str, Any], link_codes: Mapping[str, str]) -> str | None:
    link_id = str(item.get("linkId") or "")
    if link_id in link_codes:
        return link_codes[link_id]
    for text in (link_id, str(item.get("definition") or "")):
        tail = re.split(r"[/#.]", text.strip("/"))[-1] if text else ""
        if _LOINC_CODE.fullmatch(tail):
            return tail
        if _LOINC_CODE.fullmatch(text.strip("/")):
            return text.strip("/")
    return None


def _identify(
    resource: Mapping[str, Any],
    questionnaire: Mapping[str, Any] | None,
    item_codes: Sequence[str | None],
) -> Instrument | None:
    canonical = resource.get("questionnaire")
    panel_codes = {code for _system, code in _codes({"coding": (questionnaire or {}).get("code")})}
    for instrument in instruments():
        if isinstance(canonical, str) and instrument.panel in canonical:
            return instrument
        if instrument.panel in panel_codes:
            return instrument
    known = {code for code in item_codes if code}
    for instrument in instruments():
        if known and len(known & set(instrument.items)) * 2 > len(instrument.items):
            return instrument
    return None


def _answer_value(item: Mapping[str, Any], instrument: Instrument) -> int | str | None:
    """The item's score, None if unanswered, or a message if the answer cannot be read."""
    answers = [answer for answer in item.get("answer") or [] if isinstance(answer, dict)]
    if not answers:
        return None
    answer = answers[0]
    value: Any = None
    if "valueInteger" in answer:
        value = answer["valueInteger"]
    elif isinstance(answer.get("valueCoding"), dict):
        coding = answer["valueCoding"]
        for extension in coding.get("extension") or []:
            if isinstance(extension, dict) and extension.get("url") in WEIGHT_EXTENSIONS:
                value = extension.get("valueDecimal", extension.get("valueInteger"))
                break
        if value is None:
            code = str(coding.get("code") or "")
            if code in instrument.answer_codes:
                value = instrument.answer_codes[code]
            elif code.isdigit():
                value = int(code)
    for extension in answer.get("extension") or []:
        if (
            value is None
            and isinstance(extension, dict)
            and extension.get("url") in WEIGHT_EXTENSIONS
        ):
            value = extension.get("valueDecimal", extension.get("valueInteger"))
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        return "an answer Interlude cannot score"
    if int(value) not in instrument.values:
        return "an answer outside the questionnaire's scale"
    return int(value)


def _questionnaire_response(
    line: int, resource: Mapping[str, Any], questionnaires: Mapping[str, Mapping[str, Any]]
) -> Item:
    status = resource.get("status")
    if status not in USED_STATUSES:
        shown = status if isinstance(status, str) and re.fullmatch(r"[a-z-]{1,20}", status) else "?"
        return Unreadable(
            line=line,
            message=f"Entry {line} is a questionnaire that was not finished (status {shown}).",
        )
    when = _aware(resource.get("authored"))
    if when is None:
        return Unreadable(
            line=line,
            message=f"Entry {line} has no time with a time zone (authored), so it cannot be dated.",
        )
    invalid = _validate(line, "QuestionnaireResponse", resource)
    if invalid is not None:
        return invalid
    questionnaire = _questionnaire_for(resource, questionnaires)
    link_codes = _questionnaire_item_codes(questionnaire)
    items = _flatten(resource.get("item"))
    codes = [_item_code(item, link_codes) for item in items]
    instrument = _identify(resource, questionnaire, codes)
    if instrument is None:
        return Skipped(line=line, reason="Questionnaire Interlude does not score")
    scored: list[Mapping[str, Any]]
    if any(code in instrument.items for code in codes):
        by_code = {code: item for code, item in zip(codes, items, strict=True) if code}
        scored_or_none = [by_code.get(code) for code in instrument.items]
    else:
        scored = [item for item, code in zip(items, codes, strict=True) if code != instrument.total]
        if len(scored) not in (len(instrument.items), len(instrument.items) + 1):
            return Unreadable(
                line=line,
                message=f"Entry {line}: its items could not be matched to the "
                f"{instrument.code.upper()} questions.",
            )
        scored_or_none = list(scored[: len(instrument.items)])
    answers: list[int | None] = []
    for number, item in enumerate(scored_or_none, start=1):
        value = None if item is None else _answer_value(item, instrument)
        if isinstance(value, str):
            return Unreadable(line=line, message=f"Entry {line}, question {number}: {value}.")
        answers.append(value)
    resource_id = str(resource.get("id") or "")
    return Answers(
        line=line,
        key=f"{resource_id or f'entry-{line}'}|{resource['authored']}",
        when=when,
        instrument_code=instrument.code,
        answers=tuple(answers),
        original=resource_id,
    )


# --- Observation --------------------------------------------------------------------------------


def _effective(resource: Mapping[str, Any]) -> datetime | None:
    if "effectiveDateTime" in resource:
        return _when(resource["effectiveDateTime"])
    if "effectiveInstant" in resource:
        return _when(resource["effectiveInstant"])
    period = resource.get("effectivePeriod")
    if isinstance(period, dict):
        return _when(period.get("end") or period.get("start"))
    return None


def _quantity(resource: Mapping[str, Any]) -> tuple[float, str] | None:
    quantity = resource.get("valueQuantity")
    if isinstance(quantity, dict) and isinstance(quantity.get("value"), int | float):
        unit = str(quantity.get("code") or quantity.get("unit") or "")
        return float(quantity["value"]), unit
    if isinstance(resource.get("valueInteger"), int) and not isinstance(
        resource.get("valueInteger"), bool
    ):
        return float(resource["valueInteger"]), ""
    return None


def _observation(line: int, resource: Mapping[str, Any]) -> Item:
    kind = "Observation"
    codes = _codes(resource.get("code"))
    loinc = {code for system, code in codes if system == LOINC}
    is_mood = (MOOD_CODE_SYSTEM, MOOD_CODE) in codes
    totals = {instrument.total for instrument in instruments()}
    if loinc & totals:
        return Skipped(line=line, reason="Score without its answers")
    if not (is_mood or STEPS_LOINC in loinc or SLEEP_LOINC in loinc):
        return Skipped(line=line, reason="Other observation")
    invalid = _validate(line, kind, resource)
    if invalid is not None:
        return invalid
    if resource.get("status") in DROPPED_OBSERVATION_STATUSES:
        return Skipped(line=line, reason="Cancelled or entered in error")
    when = _effective(resource)
    if when is None:
        return Unreadable(line=line, message=f"Entry {line} has no date Interlude can read.")
    quantity = _quantity(resource)
    if quantity is None:
        return Unreadable(line=line, message=f"Entry {line} has no value Interlude can read.")
    value, unit = quantity
    resource_id = str(resource.get("id") or "")
    effective = when.isoformat()
    key = f"{resource_id or f'entry-{line}'}|{effective}"
    if is_mood:
        if not 0 <= value <= 10:
            return Unreadable(line=line, message=f"Entry {line}: a mood outside 0-10.")
        staged, observation_kind, label, original = (
            StagedKind.MEASUREMENT,
            "mood",
            "",
            f"{value:g}",
        )
    elif STEPS_LOINC in loinc:
        if value < 0:
            return Unreadable(line=line, message=f"Entry {line}: a negative step count.")
        staged, observation_kind, label, original = StagedKind.STEPS, "steps", "", f"{value:g}"
    else:
        if unit in ("h", "hour", "hours", "hr"):
            hours = value
        elif unit in ("min", "minute", "minutes"):
            hours = value / 60
        else:
            return Unreadable(
                line=line,
                message=f"Entry {line}: a sleep duration in a unit Interlude does not know.",
            )
        if not 0 <= hours <= 24:
            return Unreadable(
                line=line, message=f"Entry {line}: a sleep duration outside 0-24 hours."
            )
        staged, observation_kind, label = StagedKind.SLEEP, "sleep_hours", ""
        original = f"{value:g} {unit}"
        value = round(hours, 2)
    return Reading(
        line=line,
        key=key,
        when=when,
        staged_kind=staged,
        observation_kind=observation_kind,
        value=value,
        label=label,
        original=original,
    )
