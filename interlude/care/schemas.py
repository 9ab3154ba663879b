"""The shape of a safety plan (CLINICAL.md 3.1), validated before it is encrypted and stored.

The plan follows the six-step structure of safety planning as data, plus reasons for living. The
wording shown to people (section titles, hints) is our own and lives in SECTIONS below; the
stored JSON uses only the keys. Every item is short text in the person's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

MAX_ITEMS = 20
MAX_ITEM_CHARS = 300
MAX_NAME_CHARS = 100
MAX_HOURS_CHARS = 100
MAX_PHONE_CHARS = 30

# Loose on purpose: people write numbers in many ways ("+44 20 7946 0958", "(555) 010-2345",
# "116 123", "112"). Digits with spaces, dots, dashes, slashes and brackets, an optional leading
# "+", and 2 to 20 digits in all. Letters (a typo, a name in the wrong box) are refused.
_PHONE_CHARS = re.compile(r"^\+?[0-9 ().\-/]+$")


def _collapse(value: Any) -> Any:
    """Trim, and turn line breaks and runs of spaces into single spaces (items are one line)."""
    if isinstance(value, str):
        return " ".join(value.split())
    return value


def _not_blank(value: str) -> str:
    if not value:
        raise ValueError("Write something here, or leave the line out.")
    return value


def _name_not_blank(value: str) -> str:
    if not value:
        raise ValueError("Add a name, or leave the line out.")
    return value


def check_phone(value: str) -> str:
    """Accept a phone number written the way people write them; "" means no number."""
    if not value:
        return value
    digits = sum(ch.isdigit() for ch in value)
    if not _PHONE_CHARS.match(value) or not 2 <= digits <= 20:
        raise ValueError(
            "Enter a phone number using digits, like 555 010 2345 or +44 20 7946 0958."
        )
    return value


def phone_href(phone: str) -> str:
    """A tel: link for a number as written: keep the digits and a leading +."""
    return "tel:" + "".join(ch for ch in phone if ch.isdigit() or ch == "+")


Item = Annotated[
    str,
    BeforeValidator(_collapse),
    Field(max_length=MAX_ITEM_CHARS),
    AfterValidator(_not_blank),
]
Name = Annotated[
    str,
    BeforeValidator(_collapse),
    Field(max_length=MAX_NAME_CHARS),
    AfterValidator(_name_not_blank),
]
Phone = Annotated[
    str, BeforeValidator(_collapse), Field(max_length=MAX_PHONE_CHARS), AfterValidator(check_phone)
]
Hours = Annotated[str, BeforeValidator(_collapse), Field(max_length=MAX_HOURS_CHARS)]


class Contact(BaseModel):
    """Someone to ask for help: a name and, ideally, a number."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    phone: Phone = ""

    @property
    def phone_href(self) -> str:
        return phone_href(self.phone)


class Service(Contact):
    """A professional or a service, with when they can be reached."""

    hours: Hours = ""


class SafetyPlanContent(BaseModel):
    """One version of a client's safety plan, as stored (JSON, encrypted at rest)."""

    model_config = ConfigDict(extra="forbid")

    warning_signs: list[Item] = Field(default_factory=list, max_length=MAX_ITEMS)
    coping_strategies: list[Item] = Field(default_factory=list, max_length=MAX_ITEMS)
    distraction: list[Item] = Field(default_factory=list, max_length=MAX_ITEMS)
    people_to_ask: list[Contact] = Field(default_factory=list, max_length=MAX_ITEMS)
    professionals: list[Service] = Field(default_factory=list, max_length=MAX_ITEMS)
    safe_environment: list[Item] = Field(default_factory=list, max_length=MAX_ITEMS)
    reasons_for_living: list[Item] = Field(default_factory=list, max_length=MAX_ITEMS)

    def is_empty(self) -> bool:
        return not any(getattr(self, s.key) for s in SECTIONS)


@dataclass(frozen=True)
class Section:
    """A part of the plan: its key in the JSON, and our own words for it."""

    key: str
    number: int | None  # the step, 1-6; None for reasons for living
    title: str
    hint: str
    kind: str  # "text", "contact" or "service"
    item_label: str  # one line of the section, for labels: "Warning sign 2"


SECTIONS: tuple[Section, ...] = (
    Section(
        "warning_signs",
        1,
        "My warning signs",
        "What tells you a hard time is starting? Thoughts, feelings, places, or things you "
        "notice yourself doing.",
        "text",
        "Warning sign",
    ),
    Section(
        "coping_strategies",
        2,
        "Things I can do on my own",
        "Small things that help you get through without needing anyone else, like a walk, a "
        "shower or a song.",
        "text",
        "Thing I can do",
    ),
    Section(
        "distraction",
        3,
        "People and places that take my mind off things",
        "Someone to be around or somewhere to go. You don't have to tell them how you feel.",
        "text",
        "Person or place",
    ),
    Section(
        "people_to_ask",
        4,
        "People I can ask for help",
        "Friends or family you could tell that you are struggling. Add their number so it is "
        "one tap away.",
        "contact",
        "Person",
    ),
    Section(
        "professionals",
        5,
        "Professionals and services",
        "Your therapist, your doctor, a crisis line. Note when each one can be reached.",
        "service",
        "Service",
    ),
    Section(
        "safe_environment",
        6,
        "Making my surroundings safer",
        "Steps that put distance between you and things you could use to hurt yourself, and "
        "who can help with that.",
        "text",
        "Safety step",
    ),
    Section(
        "reasons_for_living",
        None,
        "My reasons for living",
        "People, pets, plans, hopes: whatever matters to you and keeps you going.",
        "text",
        "Reason",
    ),
)
SECTION_BY_KEY = {s.key: s for s in SECTIONS}
SUBFIELD_LABELS = {"name": "name", "phone": "phone number", "hours": "when to reach them"}
SUBFIELD_PLURALS = {
    "name": "Names",
    "phone": "Phone numbers",
    "hours": "Notes on when to reach them",
}


@dataclass(frozen=True)
class ContentError:
    """The first problem found in a plan: where (a dotted path such as
    "people_to_ask.0.phone") and a message that says how to fix it."""

    field: str
    message: str


def _message(error: dict[str, Any]) -> str:
    kind = error["type"]
    loc = error["loc"]
    section = SECTION_BY_KEY.get(str(loc[0])) if loc else None
    where = f"“{section.title}”" if section else "this section"
    if kind == "too_long" and len(loc) == 1:
        return f"{where} can have up to {MAX_ITEMS} lines. Remove some, or combine them."
    if kind in ("string_too_long", "too_long"):
        limit = error.get("ctx", {}).get("max_length", MAX_ITEM_CHARS)
        sub = SUBFIELD_PLURALS.get(str(loc[-1])) if len(loc) == 3 else None
        what = sub or "Each line"
        return f"{what} in {where} can be up to {limit} characters."
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    if kind == "missing":
        sub = SUBFIELD_LABELS.get(str(loc[-1]), str(loc[-1]))
        return f"Add a {sub} in {where}."
    if kind == "extra_forbidden":
        return f"“{loc[-1]}” is not part of a safety plan."
    if kind in ("list_type", "model_type", "dict_type"):
        return f"{where} must be a list." if len(loc) == 1 else f"Unexpected value in {where}."
    if kind == "string_type":
        return f"Each line in {where} must be text."
    return str(error["msg"])


def content_errors(data: Any) -> tuple[SafetyPlanContent | None, list[ContentError]]:
    """Validate a plan as sent (a dict, or a SafetyPlanContent): the clean plan, or every problem
    found, each with the dotted path of its field ("people_to_ask.0.phone")."""
    from pydantic import ValidationError

    if isinstance(data, SafetyPlanContent):
        data = data.model_dump()
    if not isinstance(data, dict):
        return None, [
            ContentError("content", "The plan must be an object with one list per section.")
        ]
    try:
        return SafetyPlanContent.model_validate(data), []
    except ValidationError as exc:
        return None, [
            ContentError(
                ".".join(str(part) for part in error["loc"]) or "content",
                _message(dict(error)),
            )
            for error in exc.errors()
        ]


def validate_content(data: Any) -> SafetyPlanContent | ContentError:
    """The clean plan, or the first problem found in it."""
    content, errors = content_errors(data)
    return errors[0] if errors or content is None else content
