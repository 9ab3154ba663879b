"""A plain-language privacy summary of a catalog app, for the client it is recommended to.

Built only from the entry's evaluation answers (models.EvaluationAnswer): a known answer becomes
one short sentence, an answer marked unknown (or not given) says plainly that we do not know yet.
Nothing is guessed. Cost is not repeated here: the client's page shows it beside the platforms,
from the same answer (`CatalogApp.cost`). Pure: reads the answers it is given (prefetched by the
selectors), never the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from interlude.catalog.models import CatalogApp, EvaluationAnswer

# The answers the summary is built from, in the order the sentences appear.
SUMMARY_QUESTIONS = (
    "privacy_policy",
    "sells_or_advertises",
    "data_deletable",
    "account_required",
    "where_data_lives",
    "crisis_help",
)
# Older than this, the summary says it may have changed (as the catalog marks it for review).
STALE_AFTER = timedelta(days=365)

YES_NO_SENTENCES: dict[str, dict[str | None, str]] = {
    "privacy_policy": {
        "yes": "You can read its privacy policy before you sign up.",
        "partly": "Only part of its privacy policy can be read before you sign up.",
        "no": "Its privacy policy cannot be read before you sign up.",
        None: "We don't know yet whether you can read its privacy policy before you sign up.",
    },
    "sells_or_advertises": {
        "no": "We found no sign that it sells your data or uses it for advertising.",
        "partly": "It uses some of your data for advertising or shares it with other companies.",
        "yes": "It sells data or uses it for advertising, so think about what you put in it.",
        None: "We don't know yet whether it sells your data or uses it for advertising.",
    },
    "data_deletable": {
        "yes": "You can delete your data from it.",
        "partly": "You can delete some of your data from it, but not all.",
        "no": "It does not let you delete your data.",
        None: "We don't know yet whether you can delete your data.",
    },
    "account_required": {
        "yes": "You need to create an account to use it.",
        "partly": "Some parts need an account; the rest works without one.",
        "no": "You can use it without creating an account.",
        None: "We don't know yet whether it needs an account.",
    },
    "crisis_help": {
        "yes": "It points you to crisis help if you need it.",
        "partly": "It points to some crisis help. Your safety plan is always in Interlude too.",
        "no": "It does not point to crisis help. Your safety plan is always in Interlude.",
        None: "We don't know yet whether it points to crisis help. "
        "Your safety plan is always in Interlude.",
    },
}
WHERE_UNKNOWN = "We don't know yet where it keeps your data."


def _answer_map(answers: Iterable[EvaluationAnswer]) -> dict[str, EvaluationAnswer]:
    return {a.question: a for a in answers}


def _value(row: EvaluationAnswer | None) -> Any:
    return None if row is None or row.unknown else row.value


def _where(row: EvaluationAnswer | None) -> str:
    text = _value(row)
    if not isinstance(text, str) or not text.strip():
        return WHERE_UNKNOWN
    text = text.strip()
    return f"Where your data is kept: {text}{'' if text.endswith(('.', '!', '?')) else '.'}"


def checked_sentence(rows: list[EvaluationAnswer], *, today: date) -> str:
    """When these facts were last checked: the oldest review date among them (each fact was
    checked on or after it), and a plain warning when that is more than a year ago."""
    if not rows:
        return "We have not checked its privacy yet."
    oldest = min(r.reviewed_on for r in rows)
    when = f"{oldest:%B %Y}"
    if today - oldest > STALE_AFTER:
        return f"We last checked this in {when}, so some of it may have changed."
    return f"We last checked this in {when}."


def privacy_summary(app: CatalogApp, *, today: date | None = None) -> list[str]:
    """Six short sentences about the app's privacy and safety, then when they were checked.

    Reads `app.answers.all()` (prefetch it for lists). `today` is the reader's day (default: the
    server's local date), used only to say whether the check is more than a year old."""
    answers = _answer_map(app.answers.all())
    sentences = []
    for code in SUMMARY_QUESTIONS:
        row = answers.get(code)
        if code == "where_data_lives":
            sentences.append(_where(row))
            continue
        value = _value(row)
        table = YES_NO_SENTENCES[code]
        sentences.append(table.get(value, table[None]))
    rows = [answers[c] for c in SUMMARY_QUESTIONS if c in answers]
    sentences.append(checked_sentence(rows, today=today or timezone.localdate()))
    return sentences
