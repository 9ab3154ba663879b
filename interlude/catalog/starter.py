"""The shared starter set of the app catalog: read from content/starter_apps.json, written to the
database as entries without a practice.

`starter_load` reads the file and refuses it, with a message naming the app and the question,
unless every app answers every question of `questions.QUESTIONS` and every answer is either a
valid value with an evidence note and at least one https link, or marked unknown (no value).
`starter_sync` writes the starter entries: it creates or updates them by slug, replaces their
answers and derives their facets. It is given the model classes, so the data migration can pass
its historical models; it changes nothing when the database already matches the file.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from interlude.catalog.models import STARTER_REVIEWER
from interlude.catalog.questions import (
    QUESTIONS,
    QUESTIONS_BY_CODE,
    Kind,
    facets_from_answers,
)

STARTER_FILE = Path(__file__).resolve().parent / "content" / "starter_apps.json"

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
APP_KEYS = {"slug", "name", "website", "summary", "importer", "answers"}
ANSWER_KEYS = {"value", "unknown", "evidence", "links"}


def _https(url: Any) -> bool:
    return isinstance(url, str) and url.startswith("https://") and len(url) > len("https://")


def _answer(label: str, code: str, raw: Any, reviewed_on: date) -> dict[str, Any]:
    where = f"{label}, question '{code}'"
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: write the answer as an object with a value or unknown.")
    extra = sorted(set(raw) - ANSWER_KEYS)
    if extra:
        raise ValueError(f"{where}: '{extra[0]}' is not a field of an answer.")
    evidence = raw.get("evidence", "")
    links = raw.get("links", [])
    if not isinstance(evidence, str):
        raise ValueError(f"{where}: the evidence note must be text.")
    if not isinstance(links, list) or not all(_https(link) for link in links):
        raise ValueError(f"{where}: links must be a list of https addresses.")
    if raw.get("unknown") is True:
        if "value" in raw:
            raise ValueError(f"{where}: an answer marked unknown has no value.")
        value = None
    else:
        if "unknown" in raw and raw["unknown"] is not False:
            raise ValueError(f"{where}: unknown is true or false.")
        if "value" not in raw or raw["value"] is None:
            raise ValueError(f"{where}: give a value or mark the answer unknown.")
        question = QUESTIONS_BY_CODE[code]
        if question.kind is Kind.CHOICE and raw["value"] == "unknown":
            raise ValueError(f"{where}: mark the answer unknown instead of choosing 'unknown'.")
        try:
            value = question.validate(raw["value"])
        except ValueError as error:
            raise ValueError(f"{where}: {error}") from None
        if not links:
            raise ValueError(f"{where}: a filled answer needs at least one https link.")
        if not evidence.strip():
            raise ValueError(f"{where}: a filled answer needs an evidence note.")
    return {
        "value": value,
        "unknown": value is None,
        "evidence": evidence.strip(),
        "links": list(links),
        "reviewed_on": reviewed_on,
    }


def starter_parse(data: Any) -> list[dict[str, Any]]:
    """The starter entries of `data` (the file's parsed JSON), checked; ValueError otherwise."""
    if not isinstance(data, dict) or not isinstance(data.get("apps"), list) or not data["apps"]:
        raise ValueError("The starter set needs a non-empty list of apps under 'apps'.")
    try:
        reviewed_on = date.fromisoformat(data.get("reviewed_on", ""))
    except (TypeError, ValueError):
        raise ValueError(
            "The starter set needs its review date as 'reviewed_on': YYYY-MM-DD."
        ) from None
    entries: list[dict[str, Any]] = []
    seen: set[str] = set()
    for position, app in enumerate(data["apps"], start=1):
        if not isinstance(app, dict):
            raise ValueError(f"Starter app {position}: write it as an object.")
        slug = app.get("slug")
        if not isinstance(slug, str) or not SLUG.match(slug) or len(slug) > 60:
            raise ValueError(f"Starter app {position}: its slug must be lower-case words and -.")
        label = f"Starter app '{slug}'"
        if slug in seen:
            raise ValueError(f"{label}: the slug is used twice.")
        seen.add(slug)
        extra = sorted(set(app) - APP_KEYS)
        if extra:
            raise ValueError(f"{label}: '{extra[0]}' is not a field of an app.")
        for field, limit in (("name", 120), ("summary", 600)):
            text = app.get(field)
            if not isinstance(text, str) or not text.strip() or len(text) > limit:
                raise ValueError(f"{label}: write its {field} (at most {limit} characters).")
        if not _https(app.get("website")) or len(app["website"]) > 500:
            raise ValueError(f"{label}: its website must be an https address.")
        importer = app.get("importer", "")
        if not isinstance(importer, str) or len(importer) > 30:
            raise ValueError(f"{label}: the importer is an import source's value, or empty.")
        answers = app.get("answers")
        if not isinstance(answers, dict):
            raise ValueError(f"{label}: its answers must be an object, question code -> answer.")
        unasked = sorted(set(answers) - set(QUESTIONS_BY_CODE))
        if unasked:
            raise ValueError(f"{label}: '{unasked[0]}' is not a question.")
        for question in QUESTIONS:
            if question.code not in answers:
                raise ValueError(f"{label}, question '{question.code}': not answered.")
        entries.append(
            {
                "slug": slug,
                "name": app["name"].strip(),
                "website": app["website"],
                "summary": app["summary"].strip(),
                "importer": importer,
                "answers": {
                    q.code: _answer(label, q.code, answers[q.code], reviewed_on) for q in QUESTIONS
                },
            }
        )
    return entries


def starter_load(path: Path | None = None) -> list[dict[str, Any]]:
    """The starter entries of the file, checked (see `starter_parse`)."""
    with (path or STARTER_FILE).open(encoding="utf-8") as handle:
        return starter_parse(json.load(handle))


def _answer_row(answer: Any) -> tuple[Any, ...]:
    return (
        answer.question,
        answer.value,
        answer.unknown,
        answer.evidence,
        list(answer.links),
        answer.reviewer_id,
        answer.reviewer_name,
        answer.reviewed_on,
    )


def starter_sync(*, app_model: Any, answer_model: Any, path: Path | None = None) -> int:
    """Create or update the starter entries (practice None) by slug from the file, replace their
    answers and set their facets. Returns how many entries were created or changed: 0 when the
    database already matched the file."""
    changed = 0
    for entry in starter_load(path):
        answers = entry["answers"]
        facets = facets_from_answers({code: a["value"] for code, a in answers.items()})
        fields = {
            "name": entry["name"],
            "website": entry["website"],
            "summary": entry["summary"],
            "importer": entry["importer"],
            "available": facets.available,
            "platforms": facets.platforms,
            "cost": facets.cost,
            "goals": facets.goals,
            "evidence": facets.evidence,
            "privacy": facets.privacy,
            "reviewed_on": min(a["reviewed_on"] for a in answers.values()),
        }
        app = app_model.objects.filter(practice__isnull=True, slug=entry["slug"]).first()
        touched = False
        if app is None:
            app = app_model.objects.create(practice=None, slug=entry["slug"], **fields)
            touched = True
        else:
            stale = [name for name, value in fields.items() if getattr(app, name) != value]
            if stale:
                for name in stale:
                    setattr(app, name, fields[name])
                app.save(update_fields=[*stale, "updated_at"])
                touched = True
        wanted = [
            answer_model(
                app=app,
                question=code,
                value=a["value"],
                unknown=a["unknown"],
                evidence=a["evidence"],
                links=a["links"],
                reviewer=None,
                reviewer_name=STARTER_REVIEWER,
                reviewed_on=a["reviewed_on"],
            )
            for code, a in answers.items()
        ]
        current = answer_model.objects.filter(app=app).order_by("question")
        if sorted(map(_answer_row, current)) != sorted(map(_answer_row, wanted)):
            answer_model.objects.filter(app=app).delete()
            answer_model.objects.bulk_create(wanted)
            touched = True
        changed += touched
    return changed
