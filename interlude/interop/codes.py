"""The codes Interlude uses for readings from other apps and devices: LOINC where one exists, and
Interlude's own code system for the rest. One table, shared by the push API, the FHIR importer
and the FHIR export, so a reading means the same thing whichever way it came in or goes out.

Plain Python (no ORM): `kind` values are tracking.ObservationKind values as strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LOINC_SYSTEM = "http://loinc.org"
# Interlude's own codes (mood, anxiety, energy, mindful minutes: no LOINC code fits them).
OBSERVATION_CODE_SYSTEM = "https://interlude.example/fhir/CodeSystem/observation"
# Alias for the importers' name of the same system.
MOOD_CODE_SYSTEM = OBSERVATION_CODE_SYSTEM

LOINC_STEPS = "55423-8"  # Number of steps in unspecified time Pedometer
LOINC_SLEEP_DURATION = "93832-4"  # Sleep duration

CODE_MOOD = "mood"
CODE_ANXIETY = "anxiety"
CODE_ENERGY = "energy"
CODE_MINDFUL_MINUTES = "mindful-minutes"


@dataclass(frozen=True)
class ReadingCode:
    """One code a reading may carry: what it becomes and which values make sense."""

    code: str
    system: str
    display: str
    kind: str  # tracking.ObservationKind value
    # unit as sent -> factor to the stored unit (the first key is the stored, canonical unit)
    units: dict[str, float] = field(default_factory=dict)
    minimum: float = 0.0
    maximum: float = 0.0  # in the stored unit
    whole: bool = False  # only whole numbers (steps)

    @property
    def stored_unit(self) -> str:
        return next(iter(self.units))


READING_CODES: dict[str, ReadingCode] = {
    c.code: c
    for c in (
        ReadingCode(
            code=LOINC_STEPS,
            system=LOINC_SYSTEM,
            display="Steps",
            kind="steps",
            units={"{steps}": 1.0, "count": 1.0},
            maximum=200_000,
            whole=True,
        ),
        ReadingCode(
            code=LOINC_SLEEP_DURATION,
            system=LOINC_SYSTEM,
            display="Sleep duration",
            kind="sleep_hours",
            units={"h": 1.0, "min": 1 / 60},
            maximum=24,
        ),
        ReadingCode(
            code=CODE_MOOD,
            system=OBSERVATION_CODE_SYSTEM,
            display="Mood (0 lowest, 10 best)",
            kind="mood",
            units={"{score}": 1.0},
            maximum=10,
        ),
        ReadingCode(
            code=CODE_ANXIETY,
            system=OBSERVATION_CODE_SYSTEM,
            display="Anxiety (0 none, 10 worst)",
            kind="anxiety",
            units={"{score}": 1.0},
            maximum=10,
        ),
        ReadingCode(
            code=CODE_ENERGY,
            system=OBSERVATION_CODE_SYSTEM,
            display="Energy (0 lowest, 10 highest)",
            kind="energy",
            units={"{score}": 1.0},
            maximum=10,
        ),
        ReadingCode(
            code=CODE_MINDFUL_MINUTES,
            system=OBSERVATION_CODE_SYSTEM,
            display="Mindful minutes",
            kind="mindful_minutes",
            units={"min": 1.0},
            maximum=24 * 60,
        ),
    )
}

# tracking.ObservationKind value -> its code (for the FHIR export).
CODE_FOR_KIND: dict[str, ReadingCode] = {c.kind: c for c in READING_CODES.values()}


def reading_code(code: str) -> ReadingCode | None:
    return READING_CODES.get(code)
