"""Forms on the client record: scheduling a questionnaire and entering a paper form.

Forms check shape and turn what a person typed into values (an aware datetime in the client's
zone); the rules themselves (window length, interval) are the services'. The appointment form
lives beside its views in care/views_appointments.py. A service's
ApplicationError is put back on the form beside the field it names (`SERVICE_FIELDS`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from interlude.measures.instruments import InstrumentDefinition
from interlude.measures.models import Frequency

FREQUENCY_CHOICES = [
    (Frequency.ONCE.value, "Once"),
    (Frequency.EVERY_N_DAYS.value, "Every N days"),
    (Frequency.BEFORE_APPOINTMENT.value, "Before each appointment"),
]
# Service field name -> form field name.
SERVICE_FIELDS = {
    "instrument_code": "instrument",
    "instrument": "instrument",
    "interval_days": "interval_days",
    "window_days": "window_days",
    "starts_at": "starts_on",
    "answers": None,
    "idempotency_key": None,
}


def form_field_for(form: forms.Form, service_field: str | None) -> str | None:
    """Where a service's error goes on this form: a field it has, or the top (None)."""
    if not service_field:
        return None
    if service_field.startswith("answers[") and service_field.endswith("]"):
        index = service_field[len("answers[") : -1]
        item = f"item_{int(index) + 1}" if index.isdigit() else ""
        return item if item in form.fields else None
    name = SERVICE_FIELDS.get(service_field, service_field)
    return name if name and name in form.fields else None


def instrument_label(definition: InstrumentDefinition) -> str:
    label = f"{definition.short_name}: {definition.name}"
    if not definition.text_shipped:
        label += " (score only, paper form)"
    return label


def and_list(names: list[str]) -> str:
    """['ISI', 'CORE-10'] -> 'ISI and CORE-10'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def local_start(day: date, zone: str) -> datetime:
    """Midnight at the start of `day` in `zone`, as an aware datetime."""
    return datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(zone))


def client_today(zone: str) -> date:
    return timezone.now().astimezone(ZoneInfo(zone)).date()


class ScheduleForm(forms.Form):
    instrument = forms.ChoiceField(
        label="Questionnaire",
        error_messages={
            "required": "Choose a questionnaire.",
            "invalid_choice": "Choose a questionnaire from the list.",
        },
    )
    frequency = forms.ChoiceField(
        label="How often",
        choices=FREQUENCY_CHOICES,
        widget=forms.RadioSelect,
        initial=Frequency.EVERY_N_DAYS.value,
        error_messages={"required": "Choose how often to ask."},
    )
    interval_days = forms.IntegerField(
        label="Every how many days",
        help_text="Only for \u201cEvery N days\u201d: 14 is every two weeks.",
        required=False,
        min_value=1,
        max_value=365,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": "Enter a whole number of days, like 14.",
            "min_value": "Use 1 to 365 days.",
            "max_value": "Use 1 to 365 days.",
        },
    )
    window_days = forms.IntegerField(
        label="Open for (days)",
        help_text="How long each questionnaire stays open for the client to answer.",
        min_value=1,
        max_value=30,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Say how many days it stays open, from 1 to 30.",
            "invalid": "Enter a whole number of days, like 3.",
            "min_value": "Use 1 to 30 days.",
            "max_value": "Use 1 to 30 days.",
        },
    )
    starts_on = forms.DateField(
        label="Start date",
        help_text="The first one opens on this day (today: straight away).",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the start date.",
            "invalid": "Enter a real date, like 2026-03-02.",
        },
    )

    def __init__(
        self,
        *args: Any,
        definitions: list[InstrumentDefinition],
        default_window_days: int,
        time_zone: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone
        self.definitions = {d.code: d for d in definitions}
        instrument = self.fields["instrument"]
        assert isinstance(instrument, forms.ChoiceField)
        instrument.choices = [
            ("", "Choose a questionnaire"),
            *((d.code, instrument_label(d)) for d in definitions),
        ]
        score_only = [d.short_name for d in definitions if not d.text_shipped]
        if score_only:
            verb, its = ("are", "their") if len(score_only) > 1 else ("is", "its")
            self.fields["instrument"].help_text = (
                f"{and_list(score_only)} {verb} score only: {its} wording is licensed, so the "
                "client is not asked in the app. The schedule reminds you; enter the answers "
                "from your licensed paper form."
            )
        self.fields["window_days"].initial = default_window_days
        self.fields["starts_on"].initial = client_today(time_zone)
        self.fields["window_days"].help_text += f" The practice default is {default_window_days}."

    def clean_starts_on(self) -> date:
        day: date = self.cleaned_data["starts_on"]
        if day < client_today(self.time_zone):
            raise forms.ValidationError("The start date cannot be in the past.")
        if day > client_today(self.time_zone) + timedelta(days=366):
            raise forms.ValidationError("Start within the next year.")
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("frequency") == Frequency.EVERY_N_DAYS
            and not data.get("interval_days")
            and "interval_days" not in self.errors
        ):
            self.add_error(
                "interval_days", "Say how often, in days (1 to 365), e.g. 14 for every two weeks."
            )
        return data

    def starts_at(self) -> datetime:
        """Now for a schedule starting today; else the start of that day in the client's zone."""
        day: date = self.cleaned_data["starts_on"]
        if day <= client_today(self.time_zone):
            return timezone.now()
        return local_start(day, self.time_zone)


class PaperEntryForm(forms.Form):
    """One select per item (answer values from the definition) and the day it was completed."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)
    completed_on = forms.DateField(
        label="Date completed",
        help_text="The day the client filled in the paper form.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the date the form was completed.",
            "invalid": "Enter a real date, like 2026-03-02.",
        },
    )

    def __init__(
        self, *args: Any, definition: InstrumentDefinition, time_zone: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.time_zone = time_zone
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
            self.initial.setdefault("completed_on", client_today(time_zone))
        for item in definition.items:
            label = item.text if definition.text_shipped and item.text else f"Item {item.number}"
            if definition.text_shipped and item.text:
                label = f"{item.number}. {label}"
            choices = [("", "Not answered")]
            for option in item.options:
                shown = str(option.value)
                if option.label and option.label != shown:
                    shown = f"{option.value}: {option.label}"
                choices.append((str(option.value), shown))
            self.fields[f"item_{item.number}"] = forms.TypedChoiceField(
                label=label,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                error_messages={"invalid_choice": "Choose one of the answers in the list."},
            )

    @property
    def item_fields(self) -> list[forms.BoundField]:
        return [self[f"item_{item.number}"] for item in self.definition.items]

    def clean_completed_on(self) -> date:
        day: date = self.cleaned_data["completed_on"]
        today = client_today(self.time_zone)
        if day > today:
            raise forms.ValidationError("The date cannot be in the future.")
        if day < today - timedelta(days=3 * 366):
            raise forms.ValidationError("Enter a date in the last three years.")
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        items = [f"item_{item.number}" for item in self.definition.items]
        if not self.errors and all(data.get(name) is None for name in items):
            raise forms.ValidationError(
                "Enter at least one answer: every item is set to \u201cNot answered\u201d."
            )
        return data

    def answers(self) -> list[int | None]:
        return [self.cleaned_data.get(f"item_{item.number}") for item in self.definition.items]

    def submitted_at(self) -> datetime:
        """Now for a form completed today; else midday of that day in the client's zone."""
        day: date = self.cleaned_data["completed_on"]
        if day >= client_today(self.time_zone):
            return timezone.now()
        return datetime.combine(day, time(12, 0), tzinfo=ZoneInfo(self.time_zone))
