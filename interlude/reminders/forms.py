"""The client's reminder settings form and the owner's web push switch."""

from __future__ import annotations

from django import forms

from interlude.reminders.models import Channel

TIME_ERRORS = {"invalid": "Enter a time like 19:00."}


class RemindersForm(forms.Form):
    channel = forms.ChoiceField(
        label="How would you like to be reminded?",
        widget=forms.RadioSelect,
        choices=Channel.choices,
        error_messages={"required": "Choose how you would like to be reminded."},
    )
    preferred_time = forms.TimeField(
        label="Usual time for reminders",
        help_text="In your own time zone, for example 19:00. Something with its own time keeps it.",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": "Enter a time like 19:00.", **TIME_ERRORS},
    )
    quiet_start = forms.TimeField(
        label="Quiet hours start (optional)",
        help_text="No reminders from this time. For example 22:00.",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages=TIME_ERRORS,
    )
    quiet_end = forms.TimeField(
        label="Quiet hours end (optional)",
        help_text="Reminders can come again from this time. For example 07:00.",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages=TIME_ERRORS,
    )
    paused = forms.BooleanField(label="Pause all reminders for now", required=False)

    def __init__(self, *args: object, push: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not push:
            self.fields["channel"].choices = [  # type: ignore[attr-defined]
                c for c in Channel.choices if c[0] != Channel.PUSH
            ]


class PracticeRemindersForm(forms.Form):
    web_push_enabled = forms.BooleanField(
        label="Offer reminders as notifications on clients' phones (web push)", required=False
    )
