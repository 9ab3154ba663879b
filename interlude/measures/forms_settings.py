"""Forms for the practice's questionnaire settings (owners and practice admins).

The forms only check the shape of what was typed; the rules (ranges, band sets, definition checks)
live in measures/services.py, whose errors the views put beside the field they name.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from django import forms

from interlude.measures.instruments import Direction, InstrumentDefinition

# Names for the band sets shipped in definitions/*.json; any other preset shows its code.
BAND_PRESET_LABELS = {
    "abs": "ABS (Australian Bureau of Statistics)",
    "primary_care": "Primary care (10 to 19 likely to be well)",
    "us_men": "US/VA, men (4 or more is positive)",
    "us_women": "US/VA, women (3 or more is positive)",
    "uk": "UK, units wording (5 or more is positive)",
    "standard": "Standard (31 or more)",
    "psychiatric_outpatients": "Psychiatric outpatients (45 or more)",
}

RESERVED_CODES = {"new", "rules"}  # path segments of the settings pages
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
OPTION_LINE = re.compile(r"^\s*(-?\d+)\s*=\s*(.+?)\s*$")
BAND_LINE = re.compile(r"^\s*(\d+)\s*(?:-|\u2013|to)\s*(\d+)\s+(.+?)\s*$")
MAX_ITEMS = 60
MAX_LINE = 300


def band_preset_label(code: str) -> str:
    return BAND_PRESET_LABELS.get(code, code.replace("_", " ").capitalize())


def _number(label: str, *, required: bool = False, hint: str = "") -> forms.FloatField:
    return forms.FloatField(
        label=label,
        required=required,
        help_text=hint,
        error_messages={"invalid": "Enter a number, e.g. 6 or 5.5.", "required": "Enter a number."},
    )


class MeasuresRulesForm(forms.Form):
    at_risk_after = forms.IntegerField(
        label="Mark a client \u201cat risk\u201d after this many answers without reliable "
        "improvement",
        help_text="2 to 52 answers of the same questionnaire, the first one included. Default 8: "
        "in Howard et al. (1986) about half of clients had measurably improved by 8 sessions, so "
        "no reliable improvement by then is a reason to look again. Expected-recovery curves such "
        "as the OQ system's are proprietary, so Interlude uses this transparent rule instead.",
        error_messages={
            "required": "Enter a number of answers, e.g. 8.",
            "invalid": "Enter a whole number of answers, e.g. 8.",
        },
    )
    default_window_days = forms.IntegerField(
        label="Days a questionnaire stays open",
        help_text="Used when a clinician schedules one without saying. 1 to 30 days. Default 3.",
        error_messages={
            "required": "Enter a number of days, e.g. 3.",
            "invalid": "Enter a whole number of days, e.g. 3.",
        },
    )


class InstrumentSettingForm(forms.Form):
    """Reliable change as points OR from local norms, the clinical cutoff, and the band set."""

    reliable_change = _number("Reliable change, in points")
    norm_sd = _number("Standard deviation at baseline (your clients)")
    norm_reliability = _number("Reliability (e.g. Cronbach\u2019s alpha)")
    clinical_cutoff = _number("Clinical cutoff")
    band_preset = forms.ChoiceField(label="Band set", required=False)

    def __init__(
        self,
        *args: Any,
        definition: InstrumentDefinition,
        default: InstrumentDefinition,
        **kwargs: Any,
    ) -> None:
        """`definition` has the practice's settings applied; `default` is as shipped."""
        super().__init__(*args, **kwargs)
        self.definition = definition
        unit = f"{definition.total_min:g} to {definition.total_max:g}"
        published = (
            f"The default is {default.reliable_change:g} points."
            if default.reliable_change is not None
            else "No threshold is published for this questionnaire; without one, change is shown "
            "without a rating."
        )
        self.fields["reliable_change"].help_text = (
            f"A change of at least this many points on the total ({unit}) counts as reliable. "
            f"{published} Leave blank to use the default or your local norms below."
        )
        self.fields[
            "norm_sd"
        ].help_text = (
            f"In points of the reported total ({unit}), from your own clients' first answers."
        )
        self.fields[
            "norm_reliability"
        ].help_text = "From 0 up to (not including) 1, e.g. 0.89. Give both numbers or neither."
        side = "at or below" if definition.higher_is_better else "at or above"
        cutoff = (
            f"The default is {default.clinical_range.describe()}."
            if default.clinical_range
            else "No cutoff is published, so nobody is rated \u201crecovered\u201d without one."
        )
        self.fields["clinical_cutoff"].help_text = (
            f"Totals {side} this number are in the clinical range; recovery means moving out of "
            f"it with a reliable change. {cutoff} Leave blank to use the default."
        )
        if definition.band_presets:
            preset = default.band_preset
            self.fields["band_preset"].choices = [  # type: ignore[attr-defined]
                ("", f"Default: {band_preset_label(preset)}" if preset else "Default")
            ] + [
                (code, band_preset_label(code))
                for code in definition.band_presets
                if code != preset
            ]
            self.fields[
                "band_preset"
            ].help_text = (
                "Published cut-points differ by population; choose the one that fits your clients."
            )
        else:
            del self.fields["band_preset"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        norms = data.get("norm_sd") is not None or data.get("norm_reliability") is not None
        if data.get("reliable_change") is not None and norms:
            self.add_error(
                "reliable_change",
                "Give either reliable-change points or local norms, not both: clear one of them.",
            )
        return data


class PracticeInstrumentForm(forms.Form):
    """A practice's own Likert-style questionnaire, typed as plain lines."""

    code = forms.CharField(
        label="Code",
        max_length=40,
        help_text="A short name for the system: lowercase letters, digits and underscores, "
        "starting with a letter, e.g. srs or sleep_check.",
        error_messages={"required": "Enter a code, e.g. sleep_check."},
    )
    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="As clients and clinicians will see it, e.g. Sleep check.",
        error_messages={"required": "Enter the questionnaire's name."},
    )
    short_name = forms.CharField(
        label="Short name (optional)",
        max_length=30,
        required=False,
        help_text="Used in tables and charts, e.g. SC-5. The name is used if blank.",
    )
    recall = forms.CharField(
        label="Time frame",
        max_length=100,
        help_text="What period the questions ask about, e.g. Over the last week.",
        error_messages={"required": "Enter the time frame, e.g. Over the last week."},
    )
    instructions = forms.CharField(
        label="Instructions",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown above the questions, e.g. How often have these been true for you?",
        error_messages={"required": "Enter the instructions clients read first."},
    )
    items = forms.CharField(
        label="Questions, one per line",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=f"Up to {MAX_ITEMS}. Every question uses the same answer options.",
        error_messages={"required": "Enter at least one question."},
    )
    options = forms.CharField(
        label="Answer options, one per line as value=label",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Whole-number values, e.g. 0=Not at all, then 1=Several days. The total is the "
        "sum of the values.",
        error_messages={"required": "Enter at least two answer options, e.g. 0=Not at all."},
    )
    bands = forms.CharField(
        label="Bands, one per line as min-max label",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Every possible total needs exactly one band, e.g. 0-4 Low, then 5-12 High.",
        error_messages={"required": "Enter at least one band, e.g. 0-4 Low."},
    )
    direction = forms.ChoiceField(
        label="What a higher total means",
        choices=[
            (Direction.HIGHER_IS_WORSE.value, "Worse (symptoms, like the PHQ-9)"),
            (Direction.HIGHER_IS_BETTER.value, "Better (wellbeing, like the WHO-5)"),
        ],
        widget=forms.RadioSelect,
        initial=Direction.HIGHER_IS_WORSE.value,
        error_messages={"required": "Choose what a higher total means."},
    )
    clinical_cutoff = forms.IntegerField(
        label="Clinical cutoff (optional)",
        required=False,
        help_text="Totals at or past this number are in the clinical range (at or above for "
        "\u201cworse\u201d, at or below for \u201cbetter\u201d).",
        error_messages={"invalid": "Enter a whole number, e.g. 10."},
    )
    reliable_change = _number(
        "Reliable change, in points (optional)",
        hint="A change of at least this many points counts as reliable. Without it, change is "
        "shown without a rating.",
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not CODE_PATTERN.match(code):
            raise forms.ValidationError(
                "Use 2 to 40 lowercase letters, digits or underscores, starting with a letter, "
                "e.g. sleep_check."
            )
        if code in RESERVED_CODES:
            raise forms.ValidationError(f"{code!r} is reserved; choose another code.")
        return code

    def clean_items(self) -> list[str]:
        lines = _lines(self.cleaned_data["items"])
        if not lines:
            raise forms.ValidationError("Enter at least one question.")
        if len(lines) > MAX_ITEMS:
            raise forms.ValidationError(
                f"There are {len(lines)} questions; the most is {MAX_ITEMS}."
            )
        for number, text in enumerate(lines, start=1):
            if len(text) > MAX_LINE:
                raise forms.ValidationError(
                    f"Question {number} is {len(text)} characters long; keep each under {MAX_LINE}."
                )
        return lines

    def clean_options(self) -> list[tuple[int, str]]:
        options: list[tuple[int, str]] = []
        for number, line in enumerate(_lines(self.cleaned_data["options"]), start=1):
            match = OPTION_LINE.match(line)
            if not match:
                raise forms.ValidationError(
                    f"Answer option line {number} (\u201c{line[:40]}\u201d): write it as "
                    "value=label, e.g. 2=Often."
                )
            value, label = int(match.group(1)), match.group(2)
            if value < 0:
                raise forms.ValidationError(
                    f"Answer option line {number}: values start at 0; {value} is negative."
                )
            if any(value == v for v, _ in options):
                raise forms.ValidationError(
                    f"Answer option line {number}: the value {value} is used twice."
                )
            options.append((value, label[:MAX_LINE]))
        if len(options) < 2:
            raise forms.ValidationError("Enter at least two answer options, e.g. 0=Never, 1=Often.")
        return sorted(options)

    def clean_bands(self) -> list[tuple[int, int, str]]:
        bands: list[tuple[int, int, str]] = []
        for number, line in enumerate(_lines(self.cleaned_data["bands"]), start=1):
            match = BAND_LINE.match(line)
            if not match:
                raise forms.ValidationError(
                    f"Band line {number} (\u201c{line[:40]}\u201d): write it as min-max label, "
                    "e.g. 0-4 Low."
                )
            low, high, label = int(match.group(1)), int(match.group(2)), match.group(3)
            if low > high:
                raise forms.ValidationError(
                    f"Band line {number} (\u201c{label}\u201d) starts at {low}, after its end "
                    f"{high}."
                )
            bands.append((low, high, label[:80]))
        if not bands:
            raise forms.ValidationError("Enter at least one band, e.g. 0-4 Low.")
        return sorted(bands)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        items, options, bands = data.get("items"), data.get("options"), data.get("bands")
        if not (items and options and bands):
            return data
        lowest = len(items) * options[0][0]
        highest = len(items) * options[-1][0]
        problem = _band_coverage(bands, lowest, highest)
        if problem:
            self.add_error("bands", problem)
        cutoff = data.get("clinical_cutoff")
        if cutoff is not None and not lowest <= cutoff <= highest:
            self.add_error(
                "clinical_cutoff",
                f"The cutoff must be a possible total, from {lowest} to {highest}.",
            )
        rc = data.get("reliable_change")
        if rc is not None and not 0 < rc <= highest - lowest:
            self.add_error(
                "reliable_change",
                f"Reliable change must be more than 0 and at most {highest - lowest} points "
                "(the whole range).",
            )
        return data

    def document(self) -> dict[str, Any]:
        """The definition document (the same format as definitions/*.json)."""
        data = self.cleaned_data
        direction = Direction(data["direction"])
        cutoff = data.get("clinical_cutoff")
        better = direction is Direction.HIGHER_IS_BETTER

        def clinical(low: int, high: int) -> bool:
            if cutoff is None:
                return False
            return high <= cutoff if better else low >= cutoff

        used: set[str] = set()
        bands = []
        for low, high, label in data["bands"]:
            code = _slug(label, used)
            bands.append(
                {
                    "min": low,
                    "max": high,
                    "code": code,
                    "label": label,
                    "clinical": clinical(low, high),
                }
            )
        doc: dict[str, Any] = {
            "code": data["code"],
            "version": "1",
            "name": data["name"].strip(),
            "short_name": (data.get("short_name") or "").strip() or data["name"].strip(),
            "recall": data["recall"].strip(),
            "instructions": data["instructions"].strip(),
            "licence": "practice_own",
            "attribution": "Written by the practice.",
            "text_shipped": True,
            "direction": direction.value,
            "options": [{"value": v, "label": label} for v, label in data["options"]],
            "items": [{"text": text} for text in data["items"]],
            "scoring": {"method": "sum"},
            "bands": bands,
            "missing": {"rule": "incomplete"},
            "unverified": ["A practice's own questionnaire: not validated by Interlude."],
            "sources": "Entered by the practice.",
        }
        if data.get("reliable_change") is not None:
            doc["reliable_change"] = {
                "points": data["reliable_change"],
                "source": "Set by the practice when the questionnaire was added.",
            }
        if cutoff is not None:
            doc["clinical_range"] = {
                ("at_or_below" if better else "at_or_above"): cutoff,
                "source": "Set by the practice when the questionnaire was added.",
            }
        return doc


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _slug(label: str, used: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:30] or "band"
    code, n = base, 2
    while code in used:
        code, n = f"{base}_{n}", n + 1
    used.add(code)
    return code


def _band_coverage(bands: list[tuple[int, int, str]], lowest: int, highest: int) -> str:
    """'' when every total from lowest to highest falls in exactly one band; else the problem."""
    for (_l1, h1, label1), (l2, _h2, label2) in itertools.pairwise(bands):
        if l2 <= h1:
            return f"The bands \u201c{label1}\u201d and \u201c{label2}\u201d overlap at {l2}."
        if l2 > h1 + 1:
            gap = f"{h1 + 1}" if l2 == h1 + 2 else f"{h1 + 1} to {l2 - 1}"
            return f"No band covers {gap}; every total from {lowest} to {highest} needs one."
    if bands[0][0] > lowest:
        return f"No band covers {lowest}; the first band must start at {lowest}, the lowest total."
    if bands[-1][1] != highest:
        return (
            f"The last band must end at {highest}, the highest possible total "
            f"({bands[-1][1]} given)."
        )
    if bands[0][0] < lowest:
        return f"The first band must start at {lowest}, the lowest possible total."
    return ""
