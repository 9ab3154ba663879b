"""The digital readiness check: its questions, their validation, the eHEALS part, and the modules
it suggests. Pure: no ORM, so every rule is easy to test and to read.

The questions ask what the care team needs to choose which parts of the app suit this client:
devices, connection, who else may see the phone, comfort with apps, reminders, privacy worries,
paper or screen, accessibility, apps already in use. An answer set is a dict of question code ->
value; a question may carry an optional short note (`<code>_note`).

`modules_suggest` turns the answers into one suggestion per `Module`, each with a one-line reason
the clinician reads. The rules are few, written out below, and conservative: nothing is turned
off without a reason in the client's own answers. The eHEALS total is shown as information only
(it has no official cutoff) and never turns anything off. The safety plan and crisis help are not
modules, so nothing here can suggest them off.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from interlude.core.errors import ApplicationError
from interlude.core.validation import text_problem
from interlude.measures.instruments import InstrumentDefinition, shipped_definition
from interlude.measures.scoring import AnswerError, score
from interlude.practices.enums import Module

EHEALS = "eheals"
NOTE_MAX = 300
LOW_COMFORT = 2  # "Not at all" or "A little" comfortable with apps: start small


class Kind(StrEnum):
    CHOICE = "choice"  # one of `choices`
    MULTI = "multi"  # one or more of `choices` (`alone` may not be combined with others)
    SCALE = "scale"  # a whole number, one of `choices` ("1".."5")
    TEXT = "text"  # a short free text


@dataclass(frozen=True)
class Question:
    code: str
    text: str  # what the client reads (the legend or label)
    short: str  # what the clinician reads beside the answer
    kind: Kind
    choices: tuple[tuple[str, str], ...] = ()  # (value, what the client reads)
    hint: str = ""
    optional: bool = False
    alone: str = ""  # MULTI: the value that cannot be combined ("none")
    note: str = ""  # the label of an optional short note under the answers ("" = no note)

    @property
    def note_code(self) -> str:
        return f"{self.code}_note"

    def label_of(self, value: str) -> str:
        return dict(self.choices).get(value, value)


Q = Question
QUESTIONS: tuple[Question, ...] = (
    Q(
        "devices",
        "Which of these do you use?",
        "Devices",
        Kind.MULTI,
        (
            ("smartphone", "A smartphone"),
            ("tablet", "A tablet"),
            ("computer", "A computer or laptop"),
            ("none", "None of these"),
        ),
        hint="Choose all that apply.",
        alone="none",
    ),
    Q(
        "connection",
        "How do you usually get online?",
        "Connection",
        Kind.CHOICE,
        (
            ("wifi", "Wi-Fi at home, most of the time"),
            ("data", "Mobile data, and I have plenty"),
            ("limited", "Mobile data that runs out, or a patchy connection"),
            ("rarely", "I am not online very often"),
        ),
    ),
    Q(
        "phone_shared",
        "Does anyone else use your phone, or might look at it?",
        "Phone shared",
        Kind.CHOICE,
        (
            ("only_me", "No, only I use it"),
            ("shared", "Yes, I share it with someone"),
            ("may_look", "Someone else may look at it"),
            ("not_sure", "I am not sure"),
        ),
        hint="Reminders can show on the lock screen, so this helps us keep them private.",
    ),
    Q(
        "comfort",
        "How comfortable are you using apps?",
        "Comfort with apps",
        Kind.SCALE,
        (
            ("1", "Not at all comfortable"),
            ("2", "A little comfortable"),
            ("3", "Fairly comfortable"),
            ("4", "Comfortable"),
            ("5", "Very comfortable"),
        ),
    ),
    Q(
        "reminders",
        "Would you like reminders on your phone?",
        "Reminders",
        Kind.CHOICE,
        (
            ("yes", "Yes, reminders help me"),
            ("few", "A few, but not many"),
            ("none", "No reminders, please"),
        ),
    ),
    Q(
        "privacy",
        "Is there anything about privacy that worries you?",
        "Privacy worries",
        Kind.MULTI,
        (
            ("others_see", "Someone else seeing what I write on my device"),
            ("companies", "What companies do with my data"),
            ("care_team", "What my care team can see"),
            ("none", "Nothing in particular"),
        ),
        hint="Choose all that apply.",
        alone="none",
        note="Anything you would like to add? (optional)",
    ),
    Q(
        "worksheets",
        "Do you prefer worksheets on paper or on a screen?",
        "Worksheets",
        Kind.CHOICE,
        (
            ("paper", "On paper"),
            ("screen", "On a screen"),
            ("either", "Either is fine"),
        ),
    ),
    Q(
        "accessibility",
        "Is there anything that would make the app easier for you to use? (optional)",
        "Accessibility",
        Kind.TEXT,
        hint="For example larger text, a screen reader, or another language.",
        optional=True,
    ),
    Q(
        "apps_used",
        "Do you already use any apps for mood, sleep or health?",
        "Apps already used",
        Kind.CHOICE,
        (("yes", "Yes"), ("no", "No")),
        hint="For example a mood diary, a sleep tracker or a step counter.",
        note="Which ones? (optional)",
    ),
)
QUESTIONS_BY_CODE: dict[str, Question] = {q.code: q for q in QUESTIONS}


class ReadinessError(ApplicationError):
    """One or more answers do not fit. `errors` maps each question code (or "eheals") to a
    message that names the question and says how to fix it; the message is the first."""

    def __init__(self, errors: dict[str, str]) -> None:
        first = next(iter(errors))
        super().__init__(errors[first], field=first)
        self.errors = errors


def _note(question: Question, raw: Mapping[str, Any]) -> tuple[str, str | None]:
    value = raw.get(question.note_code)
    if value is None:
        return "", None
    if not isinstance(value, str):
        return "", f"{question.text} The note must be text."
    value = value.strip()
    if text_problem(value) is not None:
        return "", f"{question.text} The note has characters that cannot be stored."
    if len(value) > NOTE_MAX:
        return "", f"{question.text} Keep the note under {NOTE_MAX} characters."
    return value, None


def _one(question: Question, value: Any) -> Any:
    """The value of one question, normalised; ValueError naming the question otherwise."""
    name = question.text.removesuffix(" (optional)")
    if question.kind is Kind.TEXT:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise ValueError(f"{name} Write your answer as text.")
        value = value.strip()
        if text_problem(value) is not None:
            raise ValueError(f"{name} Your answer has characters that cannot be stored.")
        if len(value) > NOTE_MAX:
            raise ValueError(f"{name} Keep your answer under {NOTE_MAX} characters.")
        return value
    allowed = [v for v, _ in question.choices]
    if question.kind is Kind.MULTI:
        values = [value] if isinstance(value, str) else (value or [])
        if not isinstance(values, list) or not values:
            raise ValueError(f"{name} Choose at least one answer.")
        if any(v not in allowed for v in values):
            raise ValueError(f"{name} Choose from the answers listed.")
        if question.alone and question.alone in values and len(set(values)) > 1:
            alone = question.label_of(question.alone)
            raise ValueError(f"{name} Choose “{alone}” on its own, or untick it.")
        return [v for v in allowed if v in values]
    if value is None or value == "" or value == []:
        raise ValueError(f"{name} Choose one answer.")
    text = str(value)
    if isinstance(value, bool) or text not in allowed:
        raise ValueError(f"{name} Choose one of the answers listed.")
    return int(text) if question.kind is Kind.SCALE else text


def answers_validate(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Every question's answer, normalised (choices in the listed order, scale as int, text
    trimmed, optional answers "" when not given, notes only where given); `ReadinessError`
    listing every problem otherwise, in the order of the questions."""
    if not isinstance(raw, Mapping):
        raise ReadinessError({"answers": "The answers must be a set of question and answer."})
    unknown = sorted(
        set(raw) - {q.code for q in QUESTIONS} - {q.note_code for q in QUESTIONS if q.note}
    )
    if unknown:
        raise ReadinessError({unknown[0]: f"'{unknown[0]}' is not one of the questions."})
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in QUESTIONS:
        try:
            cleaned[question.code] = _one(question, raw.get(question.code))
        except ValueError as exc:
            errors[question.code] = str(exc)
        if question.note:
            note, problem = _note(question, raw)
            if problem:
                errors.setdefault(question.code, problem)
            elif note:
                cleaned[question.note_code] = note
    if errors:
        raise ReadinessError(errors)
    return cleaned


# --- eHEALS -------------------------------------------------------------------------------------
def eheals_definition() -> InstrumentDefinition:
    return shipped_definition(EHEALS)


def _blank(value: Any) -> bool:
    return value is None or value == ""


def eheals_score(answers: Sequence[Any] | None) -> tuple[list[int] | None, int | None]:
    """The eHEALS part: all eight answers (each 1-5) or none (skipped: `(None, None)`). Scored by
    the measures scorer with the shipped eHEALS definition; the total is 8 to 40. Partly
    answered, or an answer out of range: `ReadinessError` naming the statement."""
    if answers is None or all(_blank(a) for a in answers):
        return None, None
    definition = eheals_definition()
    count = definition.item_count
    answers = list(answers)
    if len(answers) != count:
        raise ReadinessError(
            {
                EHEALS: f"The health information part has {count} statements; "
                f"{len(answers)} answers were given."
            }
        )
    given = count - sum(1 for a in answers if _blank(a))
    if given < count:
        raise ReadinessError(
            {
                EHEALS: (
                    f"The health information statements: you answered {given} of {count}. "
                    f"Answer the other {count - given}, or send without this part."
                )
            }
        )
    values: list[int | None] = []
    for number, value in enumerate(answers, start=1):
        if isinstance(value, bool) or not (
            isinstance(value, int) or (isinstance(value, str) and value.isdigit())
        ):
            raise ReadinessError(
                {EHEALS: f"Health information statement {number}: choose one of the answers."}
            )
        values.append(int(value))
    try:
        result = score(definition, values)
    except AnswerError as exc:
        raise ReadinessError(
            {EHEALS: f"Health information statement {exc.item}: choose one of the answers."}
        ) from None
    assert result.total is not None  # complete: every item answered
    return [int(v) for v in values if v is not None], int(result.total)


def eheals_phrase(total: int | None) -> str:
    """What the clinician reads about the eHEALS total: information, never a verdict."""
    if total is None:
        return "eHEALS skipped — the client chose not to answer this part."
    return (
        f"eHEALS {total} of 40 — no official cutoff; higher means more confident finding and "
        "using health information online."
    )


# --- the answers in plain words -------------------------------------------------------------------
def answers_summary(answers: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """(what was asked, the answer in plain words) for the clinician, in the questions' order."""
    rows: list[tuple[str, str]] = []
    answers = answers or {}
    for q in QUESTIONS:
        value = answers.get(q.code)
        if q.kind is Kind.MULTI:
            text = ", ".join(q.label_of(v) for v in value or []) or "Not answered"
        elif q.kind is Kind.TEXT:
            text = value or "Nothing given"
        elif value in (None, ""):
            text = "Not answered"
        elif q.kind is Kind.SCALE:
            text = f"{value} of 5, {q.label_of(str(value)).lower()}"
        else:
            text = q.label_of(str(value))
        note = answers.get(q.note_code)
        if note:
            text = f"{text} — “{note}”"
        rows.append((q.short, text))
    return rows


# --- suggested modules ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Suggestion:
    module: Module
    on: bool
    reason: str  # one line for the clinician


@dataclass
class _Notes:
    """What the rules said about one module: (priority, on, reason); info lines keep it as is."""

    said: list[tuple[int, bool, str]] = field(default_factory=list)
    info: list[str] = field(default_factory=list)


# Rule priorities: a higher one decides; at one priority "off" wins over "on". STATED: what the
# client said they want or worry about (privacy, reminders, paper).
NO_DEVICE, STATED, ALREADY_USES, START_SMALL = 4, 3, 2, 1
DEFAULT_REASON = "Nothing in the answers argues against it."
# "Start small": on for a client not at ease with apps; the other modules can come later.
START_SMALL_ON = frozenset({Module.CHECKINS, Module.RELAXATION, Module.QUESTIONNAIRES})
# Not switched by "start small": reminders follow their own answer (they only prompt check-ins).
START_SMALL_KEEP = frozenset({Module.REMINDERS})
WORKS_WITHOUT_A_DEVICE = {
    Module.QUESTIONNAIRES: "No device, but questionnaires can be answered on paper in sessions.",
    Module.HOMEWORK: "No device, but homework can be set and done on paper.",
}


def modules_suggest(*, answers: Mapping[str, Any], eheals_total: int | None) -> list[Suggestion]:
    """One suggestion for every module, in `Module` order. The rules:

    - no smartphone, tablet or computer: off, except what works on paper (questionnaires,
      homework);
    - the phone is shared, someone may look at it, or they worry others see what they write:
      reminders off (reminders show on the lock screen);
    - no reminders wanted: reminders off; "a few": on, kept to a few;
    - worksheets preferred on paper: worksheets off;
    - already uses an app for mood, sleep or health: imports on;
    - comfort with apps 1 or 2 of 5: start small (check-ins, relaxation, questionnaires on;
      the rest later), except imports for someone who already uses an app.

    `eheals_total` is accepted so callers pass what they have, and deliberately not used: the
    eHEALS has no official cutoff, so it never turns a module off (see `eheals_phrase`).
    """
    del eheals_total  # information only; see the docstring
    notes: dict[Module, _Notes] = {m: _Notes() for m in Module}
    devices = answers.get("devices") or []
    if devices == ["none"]:
        for m in Module:
            if m in WORKS_WITHOUT_A_DEVICE:
                notes[m].said.append((NO_DEVICE, True, WORKS_WITHOUT_A_DEVICE[m]))
            else:
                notes[m].said.append(
                    (NO_DEVICE, False, "No smartphone, tablet or computer to use it on.")
                )
    elif "smartphone" not in devices and devices:
        notes[Module.REMINDERS].info.append(
            "No smartphone: reminders reach a tablet or computer only while it is on."
        )

    shared = answers.get("phone_shared")
    worries = answers.get("privacy") or []
    if shared in ("shared", "may_look"):
        notes[Module.REMINDERS].said.append(
            (
                STATED,
                False,
                "Their phone is shared or someone may look at it, and reminders show on the "
                "lock screen.",
            )
        )
    elif "others_see" in worries:
        notes[Module.REMINDERS].said.append(
            (
                STATED,
                False,
                "They worry someone else may see their device, and reminders show on the lock "
                "screen.",
            )
        )
    reminders = answers.get("reminders")
    if reminders == "none":
        notes[Module.REMINDERS].said.append((STATED, False, "They asked for no reminders."))
    elif reminders == "few":
        notes[Module.REMINDERS].info.append("They would like a few reminders, not many.")
    elif reminders == "yes":
        notes[Module.REMINDERS].info.append("They said reminders help them.")

    if answers.get("worksheets") == "paper":
        notes[Module.WORKSHEETS].said.append((STATED, False, "They prefer worksheets on paper."))

    if answers.get("apps_used") == "yes":
        used = answers.get("apps_used_note")
        which = f" ({used})" if used else ""
        notes[Module.IMPORTS].said.append(
            (
                ALREADY_USES,
                True,
                f"They already use an app for mood, sleep or health{which}: its data can be "
                "brought in.",
            )
        )

    comfort = answers.get("comfort")
    if isinstance(comfort, int) and comfort <= LOW_COMFORT:
        for m in Module:
            if m in START_SMALL_KEEP:
                continue
            if m in START_SMALL_ON:
                reason = f"Comfort with apps {comfort} of 5: a good place to start."
                notes[m].said.append((START_SMALL, True, reason))
            else:
                reason = f"Comfort with apps {comfort} of 5: start small and add this later."
                notes[m].said.append((START_SMALL, False, reason))

    if answers.get("connection") == "rarely":
        notes[Module.MESSAGING].info.append(
            "Not online very often: agree how quickly messages will be read."
        )

    result = []
    for m in Module:
        said = notes[m].said
        if said:
            top = max(p for p, _, _ in said)
            deciding = [(on, reason) for p, on, reason in said if p == top]
            on = all(on for on, _ in deciding)
            reasons = [reason for o, reason in deciding if o == on]
        else:
            on, reasons = True, []
        if on:
            reasons += notes[m].info
        result.append(Suggestion(module=m, on=on, reason=" ".join(reasons) or DEFAULT_REASON))
    return result


def suggested_off(suggestions: Sequence[Suggestion]) -> list[str]:
    """The module values the suggestions switch off, in `Module` order."""
    return [s.module.value for s in suggestions if not s.on]
