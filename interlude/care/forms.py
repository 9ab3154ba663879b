"""The safety plan form: one page, one fieldset per section, no JavaScript.

Each section shows its lines plus empty ones (EXTRA_ROWS); saving and editing again gives more.
Empty lines are left out. The rules themselves are the schema's
(care/schemas.py): the form only maps each problem back to the line it is about.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms

from interlude.care.schemas import (
    MAX_ITEMS,
    SECTIONS,
    SafetyPlanContent,
    Section,
    content_errors,
)

# Empty lines offered after the filled ones: two for a line of text, one for a contact (which
# takes two or three fields), and at least three lines (two contacts) in all.
EXTRA_ROWS = {"text": 2, "contact": 1, "service": 1}
MIN_ROWS = {"text": 3, "contact": 2, "service": 2}
# A posted form never has more lines than this; anything past it is not looked at (the schema
# refuses more than MAX_ITEMS filled lines anyway).
MAX_ROWS = MAX_ITEMS + 10
SUBFIELDS = {"text": (), "contact": ("name", "phone"), "service": ("name", "phone", "hours")}
SUBFIELD_TEXT = {"name": "Name", "phone": "Phone number", "hours": "When they can be reached"}


@dataclass
class Row:
    number: int  # 1-based, for labels
    label: str  # "Person 2"
    fields: list[tuple[forms.BoundField, str]]  # (field, its short visible label)


@dataclass
class SectionRows:
    section: Section
    rows: list[Row]
    error: str  # a problem with the whole section ("up to 20 lines")


def _field_name(section: Section, row: int, sub: str = "") -> str:
    return f"{section.key}-{row}" + (f"-{sub}" if sub else "")


class SafetyPlanForm(forms.Form):
    base_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(
        self,
        data: Any = None,
        *,
        content: SafetyPlanContent | None = None,
        base_version: int = 0,
    ) -> None:
        super().__init__(data, initial={"base_version": base_version})
        content = content or SafetyPlanContent()
        self.row_counts: dict[str, int] = {}
        self.section_errors: dict[str, str] = {}
        self.content: SafetyPlanContent | None = None
        self.stale = False  # set when someone else saved while this form was open
        # For each section, which form row each kept (non-empty) line came from.
        self._kept_rows: dict[str, list[int]] = {}
        for section in SECTIONS:
            items = getattr(content, section.key)
            if data is not None:
                count = self._posted_rows(data, section)
            else:
                count = min(
                    max(len(items) + EXTRA_ROWS[section.kind], MIN_ROWS[section.kind]), MAX_ITEMS
                )
                count = max(count, len(items))
            self.row_counts[section.key] = count
            for row in range(count):
                item = items[row] if row < len(items) else None
                self._add_row(section, row, item)

    @staticmethod
    def _posted_rows(data: Any, section: Section) -> int:
        first = SUBFIELDS[section.kind][0] if SUBFIELDS[section.kind] else ""
        count = 0
        while count < MAX_ROWS and _field_name(section, count, first) in data:
            count += 1
        return count

    def _add_row(self, section: Section, row: int, item: Any) -> None:
        label = f"{section.item_label} {row + 1}"
        if section.kind == "text":
            self.fields[_field_name(section, row)] = forms.CharField(
                label=label,
                required=False,
                initial=item or "",
                strip=True,
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )
            return
        for sub in SUBFIELDS[section.kind]:
            widget: forms.Widget
            if sub == "phone":
                widget = forms.TextInput(attrs={"type": "tel", "autocomplete": "off"})
            else:
                widget = forms.TextInput(attrs={"autocomplete": "off"})
            self.fields[_field_name(section, row, sub)] = forms.CharField(
                label=f"{label}: {SUBFIELD_TEXT[sub].lower()}",
                required=False,
                initial=getattr(item, sub, "") if item is not None else "",
                strip=True,
                widget=widget,
            )

    # --- cleaning --------------------------------------------------------------------------------
    def _collect(self) -> dict[str, list[Any]]:
        data: dict[str, list[Any]] = {}
        for section in SECTIONS:
            kept: list[Any] = []
            rows: list[int] = []
            for row in range(self.row_counts[section.key]):
                if section.kind == "text":
                    value = self.cleaned_data.get(_field_name(section, row), "")
                    if value.strip():
                        kept.append(value)
                        rows.append(row)
                    continue
                entry = {
                    sub: self.cleaned_data.get(_field_name(section, row, sub), "")
                    for sub in SUBFIELDS[section.kind]
                }
                if any(v.strip() for v in entry.values()):
                    kept.append(entry)
                    rows.append(row)
            data[section.key] = kept
            self._kept_rows[section.key] = rows
        return data

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        content, errors = content_errors(self._collect())
        for error in errors:
            self.add_content_error(error.field, error.message)
        self.content = content
        return cleaned

    def add_content_error(self, path: str, message: str) -> None:
        """Put a problem reported for `path` ("people_to_ask.1.phone", as the schema and the
        service name fields) beside the line it is about."""
        parts = path.split(".")
        section = next((s for s in SECTIONS if s.key == parts[0]), None)
        if section is None:
            self.add_error(None, message)
            return
        if len(parts) == 1 or not parts[1].isdigit():
            self.section_errors[section.key] = message
            self.add_error(None, message)
            return
        kept = self._kept_rows.get(section.key, [])
        index = int(parts[1])
        if index >= len(kept):
            self.add_error(None, message)
            return
        row = kept[index]
        sub = parts[2] if len(parts) > 2 and section.kind != "text" else ""
        name = _field_name(section, row, sub)
        if name not in self.fields:
            self.add_error(None, message)
            return
        self.add_error(name, f"{section.item_label} {row + 1}: {message}")

    # --- layout for the template -----------------------------------------------------------------
    def sections(self) -> list[SectionRows]:
        out = []
        for section in SECTIONS:
            rows = []
            for row in range(self.row_counts[section.key]):
                subs = SUBFIELDS[section.kind] or ("",)
                fields = [
                    (self[_field_name(section, row, sub)], SUBFIELD_TEXT.get(sub, ""))
                    for sub in subs
                ]
                rows.append(Row(row + 1, f"{section.item_label} {row + 1}", fields))
            out.append(SectionRows(section, rows, self.section_errors.get(section.key, "")))
        return out
