"""The export's shape and its files, as pure functions: which sections there are, what each column
means, spreadsheet-safe CSV, the documented `data.json`, the file names and the zip.

No queries and no Django here: selectors.py reads the rows (plain dicts of JSON values), and this
module turns them into bytes. The same column list writes the CSV header, the JSON documentation
and the README, so the three cannot disagree.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

FORMAT = "interlude-client-export"
FORMAT_VERSION = 1
JSON_NAME = "data.json"
# The same record as a FHIR R4 Bundle (type collection), for health records systems (SR-46).
FHIR_NAME = "fhir.json"
README_NAME = "README.txt"

# Text a spreadsheet would run as a formula (or an old DDE command) if a cell starts with it. A tab
# or carriage return first hides the sign from a quick look; the full-width signs are read as the
# ASCII ones by some spreadsheets.
_FORMULA_STARTS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def spreadsheet_safe(text: str) -> str:
    """`text` as a spreadsheet will show it and never run it: a cell starting with = + - @ (or a
    tab, a carriage return, or a full-width = + - @) gets a single quote in front, which
    spreadsheets display as text. Anything else is returned unchanged."""
    if text and text[0] in _FORMULA_STARTS:
        return "'" + text
    return text


@dataclass(frozen=True)
class Column:
    key: str  # the CSV header and the key in data.json
    description: str


@dataclass(frozen=True)
class Section:
    key: str  # the key under "records" in data.json
    title: str  # plain words, for the PDF and the README
    file_name: str  # the CSV's name in the zip
    description: str
    columns: tuple[Column, ...]

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]


def _c(key: str, description: str) -> Column:
    return Column(key, description)


_ID = _c("id", "The record's own identifier in Interlude (stays the same across exports).")
_DAY = _c("local_day", "The day it belongs to, in your time zone (YYYY-MM-DD).")

SECTIONS: tuple[Section, ...] = (
    Section(
        "checkins",
        "Check-ins",
        "checkins.csv",
        "Your quick check-ins: mood and the other ratings, feelings, activities and note.",
        (
            _ID,
            _c("recorded_at", "When you checked in (ISO 8601, with your offset from UTC)."),
            _DAY,
            _c("time_zone", "Your time zone when you checked in."),
            _c("mood", "Mood, 0 (very low) to 10 (very good)."),
            _c("anxiety", "Anxiety, 0 (none) to 10 (extreme); empty if not given."),
            _c("energy", "Energy, 0 to 10; empty if not given."),
            _c("sleep_hours", "Hours slept; empty if not given."),
            _c("sleep_quality", "Sleep quality, 1 (very poor) to 5 (very good)."),
            _c("emotions", "Feelings you picked, each with its strength (1-5) when given."),
            _c("activities", "Activities you picked."),
            _c("note", "Your note."),
            _c("note_shared", "Whether you shared this note with your care team."),
            _c("source", "How it was recorded (check-in, imported, API)."),
        ),
    ),
    Section(
        "observations",
        "Measurements over time",
        "observations.csv",
        "Every single value behind your charts (from check-ins, exercises and imports).",
        (
            _c("kind", "What was measured (a short code)."),
            _c("kind_label", "What was measured, in words, with its scale."),
            _c("value", "The value."),
            _c("effective_at", "When it applies (ISO 8601, with your offset from UTC)."),
            _DAY,
            _c("time_zone", "Your time zone at the time."),
            _c("source", "Where it came from (check-in, exercise, import, API)."),
            _c("source_record", "The kind of record it came from."),
            _c("source_id", "The identifier of the record it came from."),
        ),
    ),
    Section(
        "journal",
        "Journal",
        "journal.csv",
        "Your journal entries.",
        (
            _ID,
            _c("written_at", "When you wrote it (ISO 8601, with your offset from UTC)."),
            _DAY,
            _c("title", "The title, if you gave one."),
            _c("body", "What you wrote."),
            _c("shared", "Whether you shared this entry with your care team."),
            _c("shared_at", "When you shared it (empty if not shared)."),
        ),
    ),
    Section(
        "thought_records",
        "Thought records",
        "thought_records.csv",
        "Your thought records: situation, thoughts, feelings, evidence and a balanced view.",
        (
            _ID,
            _c("occurred_at", "When the situation happened (ISO 8601, with offset)."),
            _DAY,
            _c("complete", "Whether you finished it."),
            _c("situation", "The situation."),
            _c("automatic_thoughts", "Your thoughts, with how much you believed each (0-100)."),
            _c("emotions", "Your feelings and their strength (0-100)."),
            _c("thinking_traps", "Thinking traps you spotted."),
            _c("evidence_for", "Evidence for the thought."),
            _c("evidence_against", "Evidence against the thought."),
            _c("balanced_thought", "Your balanced thought."),
            _c("balanced_thought_belief", "How much you believed the balanced thought (0-100)."),
            _c("hot_thought_belief_after", "How much you believed the hot thought after (0-100)."),
            _c("emotions_after", "Your feelings afterwards and their strength (0-100)."),
            _c("action_plan", "What you planned to do."),
        ),
    ),
    Section(
        "activation",
        "Planned activities",
        "activities.csv",
        "Activities you planned (behavioural activation), and how they went.",
        (
            _ID,
            _c("title", "The activity."),
            _c("life_area", "The part of life it belongs to."),
            _c("planned_for", "The day you planned it for (YYYY-MM-DD)."),
            _c("planned_time", "The time you planned (HH:MM), if any."),
            _c("difficulty", "How hard you expected it to be, 1-5."),
            _c("done", "Whether you did it (empty: not logged yet)."),
            _c("mastery", "Sense of achievement, 0-10."),
            _c("pleasure", "Enjoyment, 0-10."),
            _c("logged_at", "When you logged how it went (ISO 8601, with offset)."),
        ),
    ),
    Section(
        "exposure_steps",
        "Exposure steps",
        "exposure_steps.csv",
        "The steps of your exposure ladder.",
        (
            _ID,
            _c("description", "The step."),
            _c("distress_expected", "The distress you expected, 0-100."),
            _c("archived", "Whether you archived the step."),
            _c("created_at", "When you added it (ISO 8601, with offset)."),
        ),
    ),
    Section(
        "exposure_practice",
        "Exposure practice",
        "exposure_practice.csv",
        "Each time you practised a step.",
        (
            _ID,
            _c("step_id", "The step you practised (its id in exposure_steps)."),
            _c("step", "The step you practised."),
            _c("practiced_at", "When you practised (ISO 8601, with offset)."),
            _DAY,
            _c("duration_minutes", "How long, in minutes."),
            _c("distress_before", "Distress before, 0-100."),
            _c("distress_peak", "Highest distress, 0-100."),
            _c("distress_after", "Distress after, 0-100."),
            _c("safety_behaviours", "Safety behaviours you noticed."),
            _c("notes", "Your notes."),
        ),
    ),
    Section(
        "sleep_diary",
        "Sleep diary",
        "sleep_diary.csv",
        "Your sleep diary, one row per night (times are your local clock times).",
        (
            _ID,
            _c("night_of", "The date the night began (YYYY-MM-DD)."),
            _c("into_bed", "Time you got into bed (HH:MM)."),
            _c("tried_to_sleep", "Time you tried to sleep (HH:MM)."),
            _c("minutes_to_fall_asleep", "Minutes it took to fall asleep."),
            _c("awakenings", "How many times you woke."),
            _c("minutes_awake_after_onset", "Minutes awake in the night."),
            _c("final_awakening", "Time you woke for the last time (HH:MM)."),
            _c("out_of_bed", "Time you got out of bed (HH:MM)."),
            _c("quality", "Sleep quality, 1 (very poor) to 5 (very good)."),
            _c("comments", "Your comments."),
        ),
    ),
    Section(
        "relaxation",
        "Relaxation practice",
        "relaxation.csv",
        "Breathing, muscle relaxation and grounding sessions.",
        (
            _ID,
            _c("kind", "The exercise."),
            _c("started_at", "When you started (ISO 8601, with offset)."),
            _DAY,
            _c("seconds_practised", "How long you practised, in seconds."),
            _c("distress_before", "Distress before, 0-10."),
            _c("distress_after", "Distress after, 0-10."),
        ),
    ),
    Section(
        "questionnaires",
        "Questionnaires",
        "questionnaires.csv",
        "Your questionnaire answers and their scores.",
        (
            _ID,
            _c("questionnaire", "The questionnaire's name."),
            _c("code", "The questionnaire's short code."),
            _c("version", "The version of the questionnaire."),
            _c("submitted_at", "When it was answered (ISO 8601, with offset)."),
            _DAY,
            _c("entered_by", "Who entered the answers: you, or a clinician from a paper form."),
            _c("answers", "Your answer to each question, in order (empty: not answered)."),
            _c("total", "The total score."),
            _c("band", "What the score means on the questionnaire's scale."),
            _c("complete", "Whether every question was answered."),
            _c("prorated", "Whether the total was estimated from the questions answered."),
            _c("change_from_first", "Change in total since your first answer."),
            _c("change_from_previous", "Change in total since your previous answer."),
            _c("classification", "How the change compares with a reliable change."),
        ),
    ),
    Section(
        "safety_plan",
        "Safety plan versions",
        "safety_plan_versions.csv",
        "Every saved version of your safety plan, newest first.",
        (
            _c("version", "The version number."),
            _c("saved_at", "When it was saved (ISO 8601, with offset)."),
            _DAY,
            _c("saved_by", "Who saved it."),
            _c("change_note", "What changed, if noted."),
            _c("warning_signs", "My warning signs."),
            _c("coping_strategies", "Things I can do on my own."),
            _c("distraction", "People and places that take my mind off things."),
            _c("people_to_ask", "People I can ask for help."),
            _c("professionals", "Professionals and services I can contact."),
            _c("safe_environment", "Making my surroundings safer."),
            _c("reasons_for_living", "My reasons for living."),
        ),
    ),
    Section(
        "appointments",
        "Appointments",
        "appointments.csv",
        "Your sessions with your care team.",
        (
            _ID,
            _c("starts_at", "When it starts (ISO 8601, with offset)."),
            _DAY,
            _c("duration_minutes", "Planned length in minutes."),
            _c("status", "Scheduled, attended, cancelled or did not attend."),
            _c("clinician", "Who the session is with."),
        ),
    ),
    Section(
        "homework",
        "Homework",
        "homework.csv",
        "What your care team suggested between sessions, and how each day went that you recorded.",
        (
            _ID,
            _c("title", "What it was."),
            _c("tool", "The kind of tool (worksheet, relaxation, article, questionnaire, ...)."),
            _c("instructions", "Your therapist's instructions."),
            _c("schedule", "When it was due, in words."),
            _c("starts_on", "The first day (YYYY-MM-DD)."),
            _c("ended_at", "When it was ended (ISO 8601, with offset; empty if still going)."),
            _c("due_day", "A day you recorded something for (YYYY-MM-DD; empty: none yet)."),
            _c("status", "Done, or could not do it."),
            _c("recorded_at", "When you recorded it (ISO 8601, with offset)."),
            _c("reason", "Why it was not possible, in your words."),
            _c("feedback", "Your therapist's feedback on that day."),
        ),
    ),
    Section(
        "messages",
        "Messages",
        "messages.csv",
        "Your message thread with your care team, oldest first (attachments are listed by name).",
        (
            _ID,
            _c("sent_at", "When it was sent (ISO 8601, with offset)."),
            _DAY,
            _c("from", "You, or the member of your care team who wrote it."),
            _c("body", "The message."),
            _c("attachment", "The name of the attached file, if any."),
            _c("read_at", "When the other side read it (ISO 8601, with offset; empty if not yet)."),
        ),
    ),
    Section(
        "app_recommendations",
        "Apps your therapist suggested",
        "app_recommendations.csv",
        "Apps from outside Interlude that your care team suggested, and why.",
        (
            _ID,
            _c("app", "The app's name."),
            _c("website", "The app's website."),
            _c("reason", "Why your therapist suggested it, in their words."),
            _c("recommended_at", "When it was suggested (ISO 8601, with offset)."),
            _DAY,
            _c("recommended_by", "Who suggested it."),
            _c("homework", "Whether it was also set as homework (yes or no)."),
            _c("withdrawn_at", "When the suggestion was withdrawn (empty if it still stands)."),
        ),
    ),
    Section(
        "readiness",
        "How you use apps and devices",
        "readiness_checks.csv",
        "Your answers to the questions about apps and devices (the readiness check).",
        (
            _ID,
            _c("asked_at", "When the questions were asked (ISO 8601, with offset)."),
            _c("asked_by", "Who asked (empty: offered when you started)."),
            _c("status", "Waiting for you, answered, or no longer needed."),
            _c("answered_at", "When you answered (ISO 8601, with offset)."),
            _c("answers", "Your answers, as question: answer pairs."),
            _c("eheals_answers", "Your eight eHEALS answers, 1 (strongly disagree) to 5."),
            _c("eheals_total", "Their total, 8 to 40 (empty if you skipped that part)."),
        ),
    ),
    Section(
        "suitability_notes",
        "Notes on what suits you",
        "suitability_notes.csv",
        "What your care team noted about which tools suit you (for example, paper worksheets).",
        (
            _ID,
            _c("written_at", "When it was written (ISO 8601, with offset)."),
            _DAY,
            _c("written_by", "Who wrote it."),
            _c("note", "The note."),
            _c("removed_at", "When it was removed (empty if it still stands)."),
        ),
    ),
    Section(
        "consent",
        "Consent history",
        "consent_history.csv",
        "Every time you gave or withdrew consent, oldest first.",
        (
            _ID,
            _c("event", "Given, withdrawn, or given before digital consent existed."),
            _c("at", "When (ISO 8601, with offset)."),
            _DAY,
            _c("document_version", "The version of the consent text."),
            _c("document_sha256", "A fingerprint of that exact text (SHA-256)."),
            _c("typed_name", "The name you typed to agree."),
            _c("method", "How it was given."),
        ),
    ),
    Section(
        "sharing",
        "Sharing choices",
        "sharing.csv",
        "What you share with your care team now (and with each clinician, when there are several).",
        (
            _c("what", "A kind of information, or a clinician."),
            _c("description", "In words."),
            _c("shared", "Whether it is shared with your care team."),
        ),
    ),
    Section(
        "access_history",
        "Who has seen your information",
        "access_history.csv",
        "Everyone other than you who opened or changed your record, one row per person and day.",
        (
            _DAY,
            _c("who", "Who it was."),
            _c("refused", "Whether they were refused (they tried but were not allowed)."),
            _c("seen", "What they looked at."),
            _c("did", "What else they did."),
            _c("times", "How many times they looked that day (or tried, when refused)."),
            _c("first", "The first time that day (ISO 8601, with offset)."),
            _c("last", "The last time that day (ISO 8601, with offset)."),
        ),
    ),
)
SECTIONS_BY_KEY: dict[str, Section] = {s.key: s for s in SECTIONS}


# --- CSV -----------------------------------------------------------------------------------------
def cell(value: Any) -> str | int | float:
    """One CSV cell: numbers stay numbers, yes/no for booleans, lists joined with "; ", and every
    piece of text made spreadsheet-safe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    if isinstance(value, Mapping):
        return spreadsheet_safe(", ".join(f"{k}: {_plain(v)}" for k, v in value.items()))
    if isinstance(value, list | tuple):
        return spreadsheet_safe("; ".join(_plain(v) for v in value))
    return spreadsheet_safe(str(value))


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        return " ".join(_plain(v) for v in value.values() if v not in (None, ""))
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value)
    return str(value)


def csv_bytes(section: Section, rows: Iterable[Mapping[str, Any]]) -> bytes:
    """The section as CSV: a header of column keys, then one line per row (UTF-8 with a byte-order
    mark so spreadsheets read accents right; CRLF line ends as RFC 4180 says)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(section.keys)
    for row in rows:
        writer.writerow([cell(row.get(key)) for key in section.keys])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- JSON ----------------------------------------------------------------------------------------
def documentation() -> dict[str, Any]:
    """What every section and key of `records` means (also written into data.json)."""
    return {
        s.key: {
            "title": s.title,
            "csv_file": s.file_name,
            "description": s.description,
            "fields": {c.key: c.description for c in s.columns},
        }
        for s in SECTIONS
    }


def json_bytes(
    *,
    generated_at: str,
    time_zone: str,
    profile: Mapping[str, Any],
    session_notes: Mapping[str, Any],
    records: Mapping[str, Sequence[Mapping[str, Any]]],
) -> bytes:
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generated_at": generated_at,
        "time_zone": time_zone,
        "about": (
            "Everything Interlude holds about you. Times are ISO 8601 with their offset from "
            "UTC; days are your local days. `documentation` explains every key of `records`."
        ),
        "profile": dict(profile),
        "session_notes": dict(session_notes),
        "records": {s.key: [dict(r) for r in records.get(s.key, ())] for s in SECTIONS},
        "documentation": documentation(),
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


# --- names and the zip ---------------------------------------------------------------------------
_UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def pdf_name(*, full_name: str, day: date) -> str:
    """`Interlude export - <name> - <YYYY-MM-DD>.pdf`, with characters no file system accepts
    taken out of the name."""
    name = " ".join(_UNSAFE_IN_NAME.sub(" ", full_name).split()).strip(". ") or "client"
    return f"Interlude export - {name} - {day.isoformat()}.pdf"


def download_name(day: date) -> str:
    """The zip's name when downloaded: no client name (it shows in download lists)."""
    return f"interlude-export-{day.isoformat()}.zip"


def readme_text(*, pdf_file: str, session_notes: Mapping[str, Any]) -> str:
    lines = [
        "Your data from Interlude",
        "",
        f"{pdf_file}: everything below, to read or print.",
        f"{JSON_NAME}: all of it in one structured file, for another app or service. Its "
        "`documentation` part explains every field.",
        f"{FHIR_NAME}: your record as a FHIR R4 Bundle, the format health records systems read "
        "(check-ins and scores as Observations, questionnaires, your care plan and goals, your "
        "consent and sharing choices, and messages).",
        "",
        "One spreadsheet file (CSV) per kind of record:",
    ]
    lines += [f"  {s.file_name}: {s.description}" for s in SECTIONS]
    lines += [
        "",
        "Times are written as ISO 8601 with their offset from UTC (for example "
        "2026-03-02T09:15:00-05:00); days are your local days.",
        "Text in the spreadsheets that starts with =, +, - or @ has a ' in front, so that a "
        "spreadsheet shows it as text instead of running it as a formula.",
        "",
        "Session notes: " + str(session_notes.get("explanation", "")),
        "",
    ]
    return "\r\n".join(lines)


def zip_write(
    target: Any, files: Sequence[tuple[str, bytes]], *, local_time: tuple[int, ...]
) -> None:
    """Write the files into a zip at `target` (a path or an open binary file), in the given order,
    each dated `local_time` (year, month, day, hour, minute, second: the client's wall clock)."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=local_time[:6])  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            archive.writestr(info, data)


def file_names(*, pdf_file: str) -> list[str]:
    """The zip's contents, in order."""
    return [pdf_file, README_NAME, JSON_NAME, FHIR_NAME, *(s.file_name for s in SECTIONS)]
