"""Forms for bringing in data from other apps: the upload (which app, which file), the mood
levels chosen in the preview, and the spreadsheet's columns. Forms only check their fields; the
services (interop.services) decide everything else and raise ApplicationError naming the field."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms

from interlude.interop.enums import ImportSource
from interlude.interop.importers.generic_csv import DATE_FORMATS, mapping_errors
from interlude.interop.selectors import MoodChoice

# The apps as the client knows them, each with where its export lives (plain words, short).
SOURCE_CHOICES: list[tuple[str, str]] = [
    (ImportSource.DAYLIO.value, "Daylio"),
    (ImportSource.BEARABLE.value, "Bearable"),
    (ImportSource.APPLE_HEALTH.value, "Apple Health"),
    (ImportSource.FHIR.value, "FHIR file from another service"),
    (ImportSource.CSV.value, "Another app's spreadsheet (CSV)"),
]
SOURCE_HINTS: dict[str, str] = {
    ImportSource.DAYLIO.value: (
        "In Daylio: More, then Export entries, then CSV. Choose the .csv file it makes."
    ),
    ImportSource.BEARABLE.value: (
        "In Bearable: Settings, then Export data. Choose the .csv file it emails or saves."
    ),
    ImportSource.APPLE_HEALTH.value: (
        "In the Health app: your picture, then Export All Health Data. Choose export.zip "
        "(or export.xml from inside it). Large files can take a few minutes to read."
    ),
    ImportSource.FHIR.value: (
        "A .json file (a FHIR Bundle) that another clinic or health service gave you."
    ),
    ImportSource.CSV.value: (
        "Any spreadsheet saved as .csv with a date on each row. You will match its columns next."
    ),
}

# Levels 1-5 for mood names, in words: the best first, as people read a list.
LEVEL_CHOICES: list[tuple[str, str]] = [
    ("", "Choose a level"),
    ("5", "5 · the best"),
    ("4", "4 · good"),
    ("3", "3 · in between"),
    ("2", "2 · bad"),
    ("1", "1 · the worst"),
]

KIND_CHOICES: list[tuple[str, str]] = [
    ("mood", "Mood"),
    ("energy", "Energy"),
    ("anxiety", "Anxiety or worry"),
    ("sleep_hours", "Hours of sleep"),
    ("steps", "Steps"),
]
# Shown as an example of the date written that way (2 March 2026).
DATE_FORMAT_CHOICES: list[tuple[str, str]] = [
    (fmt, f"Like {example}") for fmt, example in DATE_FORMATS.items()
]
SEPARATOR_CHOICES: list[tuple[str, str]] = [
    (",", "Comma ( , )"),
    (";", "Semicolon ( ; )"),
    ("|", "Bar ( | )"),
    (" ", "Space"),
]


class UploadForm(forms.Form):
    source = forms.ChoiceField(
        label="Which app is the file from?",
        choices=SOURCE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the app your file comes from"},
    )
    file = forms.FileField(
        label="Your file",
        help_text="A .csv, .zip, .xml or .json file, as the app saved it.",
        error_messages={
            "required": "Choose the file to bring in",
            "empty": "The file you chose is empty. Choose the file the app exported",
            "invalid": "Choose the file to bring in",
        },
    )


def mood_field_name(index: int) -> str:
    """Mood names are the client's own words: they never become field names or URLs."""
    return f"mood_{index}"


class MoodLevelsForm(forms.Form):
    """One select per mood name found in the file (interop.selectors.MoodChoice), preset to the
    client's choice or the app's default level; a name with neither must be given one."""

    def __init__(self, *args: Any, moods: Sequence[MoodChoice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.moods = list(moods)
        for i, mood in enumerate(self.moods):
            level = mood.chosen_level if mood.chosen_level is not None else mood.default_level
            field = forms.TypedChoiceField(
                label=mood.name,
                choices=LEVEL_CHOICES,
                coerce=int,
                required=True,
                initial=str(level) if level is not None else "",
                error_messages={"required": f"Choose a level for “{mood.name}”"},
            )
            field.mood_count = mood.count  # type: ignore[attr-defined]
            field.has_default = mood.default_level is not None  # type: ignore[attr-defined]
            self.fields[mood_field_name(i)] = field

    def levels(self) -> dict[str, int]:
        return {
            mood.name: int(self.cleaned_data[mood_field_name(i)])
            for i, mood in enumerate(self.moods)
        }


class ColumnsForm(forms.Form):
    """Which column holds what in a spreadsheet from an app Interlude has no importer for."""

    profile = forms.ChoiceField(
        label="Use a saved set of columns (optional)",
        required=False,
        help_text="Choose one you saved before and leave the rest as it is.",
    )
    date = forms.ChoiceField(label="Date column")
    date_format = forms.ChoiceField(label="How the dates are written", choices=DATE_FORMAT_CHOICES)
    time = forms.ChoiceField(label="Time column (optional)", required=False)
    value = forms.ChoiceField(label="Value column")
    value_kind = forms.ChoiceField(label="What the value is", choices=KIND_CHOICES)
    scale_min = forms.IntegerField(
        label="Lowest possible value",
        required=False,
        help_text="For mood, energy and anxiety: the bottom of the app's scale, such as 1.",
    )
    scale_max = forms.IntegerField(
        label="Highest possible value",
        required=False,
        help_text="The top of the app's scale, such as 5 or 10.",
    )
    tags = forms.ChoiceField(label="Tags or activities column (optional)", required=False)
    tag_separator = forms.ChoiceField(
        label="What separates the tags", choices=SEPARATOR_CHOICES, required=False
    )
    note = forms.ChoiceField(label="Note column (optional)", required=False)
    save_as = forms.CharField(
        label="Save these columns as (optional)",
        max_length=60,
        required=False,
        help_text="A name such as “My mood app”, to use them again next time.",
    )

    def __init__(
        self, *args: Any, headers: Sequence[str], profiles: Sequence[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.headers = list(headers)
        columns = [(h, h) for h in headers]
        optional = [("", "None"), *columns]
        self._choices("date", [("", "Choose a column"), *columns])
        self._choices("value", [("", "Choose a column"), *columns])
        for name in ("time", "tags", "note"):
            self._choices(name, optional)
        self._choices("profile", [("", "None: I'll match them below"), *profiles])
        if not profiles:
            del self.fields["profile"]

    def _choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        cast(forms.ChoiceField, self.fields[name]).choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("profile"):
            # A saved profile stands for the whole mapping: the other fields' errors don't count.
            for name in list(self.errors):
                if name != "profile":
                    del self.errors[name]
            return data
        if not self.errors:
            for name, message in mapping_errors(self.mapping(), self.headers).items():
                self.add_error(name if name in self.fields else None, message)
        return data

    def mapping(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "date": d["date"],
            "date_format": d["date_format"],
            "time": d.get("time") or None,
            "value": d["value"],
            "value_kind": d["value_kind"],
            "scale_min": d.get("scale_min"),
            "scale_max": d.get("scale_max"),
            "tags": d.get("tags") or None,
            "tag_separator": d.get("tag_separator") or ",",
            "note": d.get("note") or None,
        }
