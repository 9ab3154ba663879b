"""Scoring an answer set against a definition. Pure: the server's scores come only from here.

The raw answers are kept as given (reverse scoring happens here, never in stored answers), a
missing answer is `None`, and the published missing-data rule of the instrument decides whether a
total exists: where no rule is published the result is incomplete and carries no total.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from interlude.measures.instruments import Band, InstrumentDefinition, MissingRule

CRITICAL_UNANSWERED = "critical_item_unanswered"


class AnswerError(ValueError):
    """An answer set does not fit the definition. `item` is 1-based (None: the whole set)."""

    def __init__(self, message: str, *, item: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.item = item


@dataclass(frozen=True)
class Flag:
    flag: str
    item: int
    value: int | None
    reason: str
    critical: bool


@dataclass(frozen=True)
class Score:
    raw_total: int | None  # after reverse scoring and any prorating; None when incomplete
    total: float | None  # the reported total (WHO-5: raw x 4); None when incomplete
    band: Band | None
    complete: bool  # every item answered
    scorable: bool  # a total exists (complete, or prorated within the published rule)
    prorated: bool
    missing_items: tuple[int, ...]
    flags: tuple[Flag, ...]

    @property
    def critical(self) -> bool:
        return any(f.critical for f in self.flags)

    @property
    def flag_codes(self) -> list[str]:
        return sorted({f.flag for f in self.flags})


def answers_validate(
    definition: InstrumentDefinition, answers: Sequence[int | None]
) -> list[int | None]:
    """Check the shape and every value; raise AnswerError naming the first bad item."""
    if isinstance(answers, (str, bytes)) or not isinstance(answers, Sequence):
        raise AnswerError("Answers must be a list, one per item.")
    if len(answers) != definition.item_count:
        raise AnswerError(
            f"{definition.short_name} has {definition.item_count} items; "
            f"{len(answers)} answers were given."
        )
    cleaned: list[int | None] = []
    for item, value in zip(definition.items, answers, strict=True):
        if value is None:
            cleaned.append(None)
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise AnswerError(
                f"Item {item.number}: answer must be a whole number.", item=item.number
            )
        allowed = sorted(o.value for o in item.options)
        if value not in allowed:
            raise AnswerError(
                f"Item {item.number}: {value} is not an answer to this item; "
                f"answers are {allowed[0]} to {allowed[-1]}.",
                item=item.number,
            )
        cleaned.append(value)
    return cleaned


def _round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def score(definition: InstrumentDefinition, answers: Sequence[int | None]) -> Score:
    """Score one answer set. Raises AnswerError for values outside the instrument's range."""
    cleaned = answers_validate(definition, answers)
    scored: list[int] = []
    missing: list[int] = []
    for item, value in zip(definition.items, cleaned, strict=True):
        if value is None:
            missing.append(item.number)
            continue
        scored.append(item.min_value + item.max_value - value if item.reverse else value)

    complete = not missing
    raw_total: int | None
    prorated = False
    if complete:
        raw_total = sum(scored)
    elif (
        definition.missing_rule is MissingRule.PRORATE
        and scored
        and len(missing) <= definition.max_missing
    ):
        # Mean of the answered items times the item count, rounded half up.
        raw_total = _round_half_up(Decimal(sum(scored)) * definition.item_count / len(scored))
        prorated = True
    else:
        raw_total = None

    total: float | None = None
    band: Band | None = None
    if raw_total is not None:
        total = raw_total * definition.multiplier
        if float(total).is_integer():
            total = float(int(total))
        band = definition.band_for(total)

    flags: list[Flag] = []
    for rule in definition.critical_items:
        value = cleaned[rule.item - 1]
        if value is None:
            flags.append(
                Flag(
                    flag=CRITICAL_UNANSWERED,
                    item=rule.item,
                    value=None,
                    reason=f"Item {rule.item} was left unanswered. {rule.reason}",
                    critical=False,
                )
            )
        elif value > rule.above:
            flags.append(
                Flag(flag=rule.flag, item=rule.item, value=value, reason=rule.reason, critical=True)
            )
    for item_rule in definition.item_flags:
        for item, value in zip(definition.items, cleaned, strict=True):
            if value is None:
                continue
            low = item_rule.at_or_below is not None and value <= item_rule.at_or_below
            high = item_rule.at_or_above is not None and value >= item_rule.at_or_above
            if low or high:
                flags.append(
                    Flag(
                        flag=item_rule.flag,
                        item=item.number,
                        value=value,
                        reason=item_rule.reason,
                        critical=False,
                    )
                )
    return Score(
        raw_total=raw_total,
        total=total,
        band=band,
        complete=complete,
        scorable=raw_total is not None,
        prorated=prorated,
        missing_items=tuple(missing),
        flags=tuple(flags),
    )
