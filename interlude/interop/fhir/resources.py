"""Domain rows and instrument definitions as FHIR R4 resources (the R4B models of
`fhir.resources`, which validate every resource as it is built; CLINICAL.md 6.1-6.3).

Pure mapping: no queries. Callers (selectors.py) load the rows through the gate, with every related
row these functions touch already loaded. Ids never carry a database key: clients, answer sets,
goals, messages and consent use their public ids; a point of the time series (which has none) gets
`observation_fhir_id`, its primary key encrypted under a key derived from SECRET_KEY.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.communication import Communication
from fhir.resources.R4B.consent import Consent
from fhir.resources.R4B.goal import Goal as FhirGoal
from fhir.resources.R4B.observation import Observation as FhirObservation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse as FhirResponse

from interlude.consents.sharing_selectors import ConsentRecord
from interlude.interop import codes
from interlude.measures.instruments import AnswerOption, InstrumentDefinition, Item
from interlude.practices.enums import ShareScope

FHIR_JSON = "application/fhir+json"
FHIR_VERSION = "4.3.0"  # R4B; every resource here is also valid R4 in the fields used

LOINC = codes.LOINC_SYSTEM
UCUM = "http://unitsofmeasure.org"
# Interlude's own code systems and identifiers, beside interop.codes' observation system.
LOCAL = "https://interlude.example/fhir"
KIND_SYSTEM = codes.OBSERVATION_CODE_SYSTEM
SOURCE_SYSTEM = f"{LOCAL}/CodeSystem/source"
SOURCE_APP_SYSTEM = f"{LOCAL}/CodeSystem/source-app"
TOTAL_SYSTEM = f"{LOCAL}/CodeSystem/instrument-total"
BAND_SYSTEM = f"{LOCAL}/CodeSystem/band"
SHARE_SYSTEM = f"{LOCAL}/CodeSystem/share-scope"
CLIENT_ID_SYSTEM = f"{LOCAL}/NamingSystem/client"
QUESTIONNAIRE_BASE = f"{LOCAL}/Questionnaire"
ITEM_WEIGHT = "http://hl7.org/fhir/StructureDefinition/itemWeight"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"


@dataclass(frozen=True)
class KindCode:
    """How one kind of time-series point is coded: LOINC where one exists, else a local code."""

    system: str
    code: str
    display: str
    unit: str
    ucum: str
    category: str  # observation-category: survey or activity


_ACTIVITY = frozenset({"sleep_hours", "steps", "mindful_minutes", "relaxation_minutes"})
# Units of the kinds interop.codes does not list (it lists what apps and devices send).
_OTHER_KINDS: dict[str, tuple[str, str]] = {
    "sleep_quality": ("Sleep quality (1-5)", "{score}"),
    "sleep_efficiency": ("Sleep efficiency", "%"),
    "relaxation_minutes": ("Relaxation practised", "min"),
    "distress_before": ("Distress before an exercise (0-10)", "{score}"),
    "distress_after": ("Distress after an exercise (0-10)", "{score}"),
    "suds_peak": ("Peak distress in exposure (SUDS 0-100)", "{score}"),
    "symptom": ("Symptom severity (1-3)", "{score}"),
    "factor": ("Factor present", "{present}"),
}


def _kind_codes() -> dict[str, KindCode]:
    out: dict[str, KindCode] = {}
    for kind, reading in codes.CODE_FOR_KIND.items():
        unit = reading.stored_unit
        out[kind] = KindCode(
            reading.system,
            reading.code,
            reading.display,
            "steps" if unit == "{steps}" else unit,
            unit,
            "activity" if kind in _ACTIVITY else "survey",
        )
    for kind, (display, unit) in _OTHER_KINDS.items():
        out.setdefault(
            kind,
            KindCode(
                KIND_SYSTEM,
                kind.replace("_", "-"),
                display,
                unit,
                unit,
                "activity" if kind in _ACTIVITY else "survey",
            ),
        )
    return out


# tracking.ObservationKind value -> code: LOINC for steps and sleep duration, Interlude's own
# system (interop.codes) for the rest.
KIND_CODES: dict[str, KindCode] = _kind_codes()

SOURCE_WORDS: dict[str, str] = {
    "checkin": "Check-in",
    "import": "Imported from another app",
    "api": "Sent through the API",
    "exercise": "Exercise or worksheet",
    "device": "Sent by an app or device",
}
IMPORTED = frozenset({"import", "device"})


# --- ids -----------------------------------------------------------------------------------------
_OBS_PREFIX = "obs-"
_SCORE_PREFIX = "score-"


def _id_key() -> bytes:
    return hmac.new(
        settings.SECRET_KEY.encode("utf-8"), b"interlude.fhir.observation-id", hashlib.sha256
    ).digest()[:16]


def _block(data: bytes, *, decrypt: bool) -> bytes:
    # One 16-byte block under AES: a keyed permutation of the key, no padding, no mode needed.
    cipher = Cipher(algorithms.AES(_id_key()), modes.ECB())  # noqa: S305  # nosec B305 - one block
    op = cipher.decryptor() if decrypt else cipher.encryptor()
    return op.update(data) + op.finalize()


def observation_fhir_id(pk: int) -> str:
    """A time-series point's FHIR id: its primary key encrypted (AES, one block, key derived from
    SECRET_KEY). Stable, reveals nothing about the key or how many rows exist, and cannot be
    guessed; `observation_pk` turns it back."""
    return _OBS_PREFIX + _block(int(pk).to_bytes(16, "big"), decrypt=False).hex()


def observation_pk(fhir_id: str) -> int | None:
    """The primary key behind an `observation_fhir_id`, or None for anything else. A made-up id
    decrypts to a block whose first eight bytes are almost surely not zero."""
    if not fhir_id.startswith(_OBS_PREFIX):
        return None
    try:
        raw = bytes.fromhex(fhir_id[len(_OBS_PREFIX) :])
    except ValueError:
        return None
    if len(raw) != 16:
        return None
    plain = _block(raw, decrypt=True)
    if plain[:8] != b"\x00" * 8:
        return None
    value = int.from_bytes(plain, "big")
    return value if 0 < value < 2**63 else None


def score_fhir_id(response_public_id: uuid.UUID) -> str:
    return f"{_SCORE_PREFIX}{response_public_id}"


def score_response_id(fhir_id: str) -> uuid.UUID | None:
    if not fhir_id.startswith(_SCORE_PREFIX):
        return None
    try:
        return uuid.UUID(fhir_id[len(_SCORE_PREFIX) :])
    except ValueError:
        return None


def careplan_fhir_id(client_public_id: uuid.UUID) -> str:
    return f"plan-{client_public_id}"


def consent_fhir_id(client_public_id: uuid.UUID) -> str:
    return f"consent-{client_public_id}"


def questionnaire_url(code: str) -> str:
    return f"{QUESTIONNAIRE_BASE}/{code}"


def questionnaire_canonical(code: str, version: str) -> str:
    return f"{questionnaire_url(code)}|{version}"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _patient_ref(client: Any) -> dict[str, str]:
    return {"reference": f"Patient/{client.public_id}"}


def _source_meta(source: str, source_app: str = "") -> dict[str, Any]:
    tags: list[dict[str, str]] = [
        {"system": SOURCE_SYSTEM, "code": source, "display": SOURCE_WORDS.get(source, source)}
    ]
    if source_app:
        tags.append({"system": SOURCE_APP_SYSTEM, "code": source_app})
    return {"tag": tags}


def _imported_note(source: str, source_app: str, source_file: str) -> list[dict[str, str]]:
    if source not in IMPORTED:
        return []
    words = SOURCE_WORDS[source]
    if source_app:
        words += f" ({source_app})"
    if source_file:
        words += f", file {source_file}"
    return [{"text": words}]


# --- Patient -------------------------------------------------------------------------------------
def patient_resource(client: Any) -> Patient:
    """The client. `client.practice` must be loaded (the gate loads it with the client)."""
    data: dict[str, Any] = {
        "id": str(client.public_id),
        "identifier": [{"system": CLIENT_ID_SYSTEM, "value": str(client.public_id)}],
        "active": client.status != "discharged",
        "name": [{"text": client.full_name}],
        "managingOrganization": {"display": client.practice.name},
    }
    if client.preferred_name:
        data["name"].append({"use": "usual", "text": client.preferred_name})
    if client.email:
        data["telecom"] = [{"system": "email", "value": client.email}]
    if client.country:
        data["address"] = [{"country": client.country}]
    return Patient(**data)


# --- Observation ---------------------------------------------------------------------------------
def observation_resource(obs: Any) -> FhirObservation:
    """A point of the canonical time series (tracking.Observation)."""
    kind = KIND_CODES.get(obs.kind) or KindCode(
        KIND_SYSTEM, obs.kind.replace("_", "-"), obs.kind, "{score}", "{score}", "survey"
    )
    code: dict[str, Any] = {
        "coding": [{"system": kind.system, "code": kind.code, "display": kind.display}]
    }
    code["text"] = f"{kind.display}: {obs.label}" if obs.label else kind.display
    data: dict[str, Any] = {
        "id": observation_fhir_id(obs.pk),
        "meta": _source_meta(obs.source, obs.source_app),
        "status": "final",
        "category": [{"coding": [{"system": OBS_CATEGORY, "code": kind.category}]}],
        "code": code,
        "subject": {"reference": f"Patient/{obs.client.public_id}"},
        "effectiveDateTime": _utc(obs.effective_at),
        "valueQuantity": {
            "value": obs.value,
            "unit": kind.unit,
            "system": UCUM,
            "code": kind.ucum,
        },
    }
    note = _imported_note(obs.source, obs.source_app, obs.source_file)
    if obs.original and obs.source in IMPORTED:
        note.append({"text": f"Value as the other app wrote it: {obs.original}"})
    if note:
        data["note"] = note
    return FhirObservation(**data)


def total_coding(definition: InstrumentDefinition) -> dict[str, str]:
    if definition.loinc_total:
        return {
            "system": LOINC,
            "code": definition.loinc_total,
            "display": f"{definition.short_name} total score",
        }
    return {
        "system": TOTAL_SYSTEM,
        "code": definition.code,
        "display": f"{definition.short_name} total score",
    }


def score_observation_resource(response: Any, definition: InstrumentDefinition) -> FhirObservation:
    """A questionnaire's total as an Observation derived from its QuestionnaireResponse."""
    if response.total is None:
        raise ValueError("an answer set without a total has no score observation")
    data: dict[str, Any] = {
        "id": score_fhir_id(response.public_id),
        "meta": _source_meta(_response_source(response), response.source_app),
        "status": "final",
        "category": [{"coding": [{"system": OBS_CATEGORY, "code": "survey"}]}],
        "code": {"coding": [total_coding(definition)], "text": f"{definition.short_name} total"},
        "subject": {"reference": f"Patient/{response.client.public_id}"},
        "effectiveDateTime": _utc(response.submitted_at),
        "valueQuantity": {
            "value": response.total,
            "unit": "{score}",
            "system": UCUM,
            "code": "{score}",
        },
        "derivedFrom": [{"reference": f"QuestionnaireResponse/{response.public_id}"}],
    }
    if response.band_code:
        data["interpretation"] = [
            {
                "coding": [
                    {
                        "system": f"{BAND_SYSTEM}/{definition.code}",
                        "code": response.band_code,
                        "display": response.band_label or response.band_code,
                    }
                ],
                "text": response.band_label or response.band_code,
            }
        ]
    note = _imported_note(_response_source(response), response.source_app, response.source_file)
    if note:
        data["note"] = note
    return FhirObservation(**data)


def _response_source(response: Any) -> str:
    return "import" if response.entered_by == "import" else str(response.entered_by)


# --- Questionnaire -------------------------------------------------------------------------------
def _option_weight(item: Item, option: AnswerOption) -> int:
    return item.max_value + item.min_value - option.value if item.reverse else option.value


def answer_coding(definition: InstrumentDefinition, item: Item, value: int) -> dict[str, Any]:
    """The coding of one answer: its LOINC answer code where the definition has one, else the
    value itself under the instrument's own system, with its weight (itemWeight)."""
    option = next((o for o in item.options if o.value == value), None)
    label = option.label if option is not None else str(value)
    coding: dict[str, Any]
    if option is not None and option.loinc:
        coding = {"system": LOINC, "code": option.loinc, "display": label}
    else:
        coding = {"system": f"{LOCAL}/CodeSystem/answer-{definition.code}", "code": str(value)}
        if label != str(value):
            coding["display"] = label
    weight = _option_weight(item, option) if option is not None else value
    coding["extension"] = [{"url": ITEM_WEIGHT, "valueDecimal": weight}]
    return coding


def questionnaire_resource(definition: InstrumentDefinition) -> Questionnaire:
    """An instrument definition. Item text only where the licence lets Interlude ship it
    (`text_shipped`); the copyright line always."""
    items: list[dict[str, Any]] = []
    for item in definition.items:
        entry: dict[str, Any] = {
            "linkId": str(item.number),
            "type": "choice",
            "required": True,
            "answerOption": [
                {"valueCoding": answer_coding(definition, item, option.value)}
                for option in item.options
            ],
        }
        if item.loinc:
            entry["code"] = [{"system": LOINC, "code": item.loinc}]
        if definition.text_shipped and item.text:
            entry["text"] = item.text
        items.append(entry)
    data: dict[str, Any] = {
        "id": definition.code,
        "url": questionnaire_url(definition.code),
        "version": definition.version,
        "name": "".join(ch for ch in definition.short_name if ch.isalnum()) or definition.code,
        "title": definition.name,
        "status": "active",
        "subjectType": ["Patient"],
        "copyright": definition.attribution or "",
        "item": items,
    }
    if not data["copyright"]:
        del data["copyright"]
    if definition.loinc_panel:
        data["code"] = [
            {"system": LOINC, "code": definition.loinc_panel, "display": definition.name}
        ]
    if definition.text_shipped and definition.instructions:
        data["description"] = definition.instructions
    return Questionnaire(**data)


def questionnaire_response_resource(
    response: Any, definition: InstrumentDefinition
) -> FhirResponse:
    """One answer set, answers as the questionnaire's codings (skipped items left out)."""
    items: list[dict[str, Any]] = []
    answers = response.answers if isinstance(response.answers, list) else []
    for item, value in zip(definition.items, answers, strict=False):
        if value is None:
            continue
        entry: dict[str, Any] = {
            "linkId": str(item.number),
            "answer": [{"valueCoding": answer_coding(definition, item, int(value))}],
        }
        if definition.text_shipped and item.text:
            entry["text"] = item.text
        items.append(entry)
    source = _response_source(response)
    data: dict[str, Any] = {
        "id": str(response.public_id),
        "meta": _source_meta(source, response.source_app),
        "questionnaire": questionnaire_canonical(
            response.instrument_code, response.instrument_version
        ),
        "status": "completed",
        "subject": {"reference": f"Patient/{response.client.public_id}"},
        "authored": _utc(response.submitted_at),
    }
    if source == "client":
        data["author"] = {"reference": f"Patient/{response.client.public_id}"}
        data["source"] = {"reference": f"Patient/{response.client.public_id}"}
    elif source == "clinician":
        data["author"] = {"display": "Entered by the care team from a paper form"}
    if items:
        data["item"] = items
    return FhirResponse(**data)


# --- Consent -------------------------------------------------------------------------------------
_CONSENT_STATUS = {
    "accepted": "active",
    "prior": "active",
    "pending": "proposed",
    "withdrawn": "inactive",
}


def consent_resource(
    *,
    client: Any,
    record: ConsentRecord,
) -> Consent:
    """The client's consent and sharing choices: one nested provision per category, permit when
    the care team sees it, deny when the client keeps it to themselves."""
    consent_status, consent_at, consent_version = record.status, record.at, record.version
    choices, always_shared = record.choices, record.always_shared
    provisions: list[dict[str, Any]] = []
    for category in always_shared:
        provisions.append(_provision(category, permit=True))
    for category, on in choices.items():
        provisions.append(_provision(category, permit=on))
    data: dict[str, Any] = {
        "id": consent_fhir_id(client.public_id),
        "status": _CONSENT_STATUS.get(consent_status, "proposed"),
        "scope": {"coding": [{"system": CONSENT_SCOPE, "code": "patient-privacy"}]},
        "category": [
            {"coding": [{"system": LOINC, "code": "59284-0", "display": "Consent Document"}]}
        ],
        "patient": _patient_ref(client),
        "organization": [{"display": client.practice.name}],
        "policyRule": {"coding": [{"system": ACT_CODE, "code": "OPTIN"}]},
        "provision": {
            "type": "permit" if consent_status in ("accepted", "prior") else "deny",
            "actor": [
                {
                    "role": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                                "code": "IRCP",
                            }
                        ]
                    },
                    "reference": {"display": "The client's care team"},
                }
            ],
            "provision": provisions,
        },
    }
    if consent_at is not None:
        data["dateTime"] = _utc(consent_at)
    if consent_version is not None:
        data["policy"] = [{"uri": f"{LOCAL}/consent-document/{consent_version}"}]
    return Consent(**data)


def _provision(category: ShareScope, *, permit: bool) -> dict[str, Any]:
    return {
        "type": "permit" if permit else "deny",
        "code": [
            {
                "coding": [
                    {"system": SHARE_SYSTEM, "code": category.value, "display": str(category.label)}
                ]
            }
        ],
    }


# --- CarePlan and Goal ---------------------------------------------------------------------------
_GOAL_LIFECYCLE = {"active": "active", "achieved": "completed", "discontinued": "cancelled"}


def goal_resource(goal: Any, definitions: Mapping[str, InstrumentDefinition]) -> FhirGoal:
    data: dict[str, Any] = {
        "id": str(goal.public_id),
        "lifecycleStatus": _GOAL_LIFECYCLE.get(goal.status, "active"),
        "description": {"text": goal.description},
        "subject": {"reference": f"Patient/{goal.client.public_id}"},
        "startDate": goal.created_at.date(),
    }
    if goal.status == "achieved":
        data["achievementStatus"] = {"coding": [{"system": GOAL_ACHIEVEMENT, "code": "achieved"}]}
    if goal.closed_at is not None:
        data["statusDate"] = goal.closed_at.date()
    target: dict[str, Any] = {}
    definition = definitions.get(goal.instrument_code) if goal.instrument_code else None
    if goal.instrument_code and goal.target_value is not None:
        coding = (
            total_coding(definition)
            if definition is not None
            else {"system": TOTAL_SYSTEM, "code": goal.instrument_code}
        )
        target["measure"] = {"coding": [coding]}
        target["detailQuantity"] = {
            "value": goal.target_value,
            "comparator": "<" if goal.target_direction == "below" else ">",
            "unit": "{score}",
            "system": UCUM,
            "code": "{score}",
        }
    if goal.target_date is not None:
        target["dueDate"] = goal.target_date
    if target:
        data["target"] = [target]
    return FhirGoal(**data)


def careplan_resource(*, client: Any, problems: Sequence[Any], goals: Sequence[Any]) -> CarePlan:
    """The treatment plan: its goals by reference, each problem as a note."""
    data: dict[str, Any] = {
        "id": careplan_fhir_id(client.public_id),
        "status": "active",
        "intent": "plan",
        "title": "Treatment plan",
        "subject": _patient_ref(client),
    }
    if goals:
        data["goal"] = [{"reference": f"Goal/{g.public_id}"} for g in goals]
    notes = [
        {"text": f"Problem ({p.get_status_display().lower()}): {p.title}"}
        for p in problems
        if p.title
    ]
    if notes:
        data["note"] = notes
    return CarePlan(**data)


# --- Communication -------------------------------------------------------------------------------
def communication_resource(message: Any, *, with_text: bool) -> Communication:
    """A message of the client's thread. The text only when `with_text` (the client and their
    care team); `message.sender` must be loaded."""
    client_ref = _patient_ref(message.client)
    team = {"display": "Care team"}
    from_client = message.by == "client"
    sender = client_ref if from_client else {"display": message.sender.full_name or "Care team"}
    data: dict[str, Any] = {
        "id": str(message.public_id),
        "status": "completed",
        "subject": client_ref,
        "sender": sender,
        "recipient": [team if from_client else client_ref],
        "sent": _utc(message.sent_at),
    }
    if message.read_at is not None:
        data["received"] = _utc(message.read_at)
    if with_text and message.body:
        data["payload"] = [{"contentString": message.body}]
    return Communication(**data)
