from __future__ import annotations

from typing import Any

from django import forms

from interlude.tracking.vocabulary import EMOTIONS

SCALE_0_10 = [(str(n), str(n)) for n in range(11)]
SLEEP_QUALITY = [
    ("1", "Very poor"),
    ("2", "Poor"),
    ("3", "Fair"),
    ("4", "Good"),
    ("5", "Very good"),
]


class CheckInForm(forms.Form):
    """The check-in: mood is the only required answer; everything else is optional."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)
    mood = forms.TypedChoiceField(
        label="Mood",
        help_text="0 is the worst you could feel, 10 the best.",
        choices=SCALE_0_10,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a number for your mood, from 0 to 10."},
    )
    anxiety = forms.TypedChoiceField(
        label="Anxiety or worry",
        help_text="0 is none at all, 10 the most you can imagine.",
        choices=SCALE_0_10,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    energy = forms.TypedChoiceField(
        label="Energy",
        help_text="0 is exhausted, 10 full of energy.",
        choices=SCALE_0_10,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    sleep_hours = forms.DecimalField(
        label="Hours of sleep last night",
        min_value=0,
        max_value=24,
        max_digits=4,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
        error_messages={
            "min_value": "Hours of sleep must be from 0 to 24.",
            "max_value": "Hours of sleep must be from 0 to 24.",
            "invalid": "Enter hours as a number, like 7 or 6.5.",
        },
    )
    sleep_quality = forms.TypedChoiceField(
        label="How well did you sleep?",
        choices=SLEEP_QUALITY,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    emotions = forms.MultipleChoiceField(
        label="Feelings",
        help_text="Pick any that fit. You can leave this empty.",
        choices=EMOTIONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    activities = forms.MultipleChoiceField(
        label="What have you been doing?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    new_activity = forms.CharField(
        label="Add your own activity (optional)",
        max_length=60,
        required=False,
    )
    note = forms.CharField(
        label="Note (optional)",
        help_text="Only you can read it, unless you choose to share it below.",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    note_shared = forms.BooleanField(label="Share this note with my therapist", required=False)

    def __init__(self, *args: Any, activity_labels: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activities"].choices = [(label, label) for label in activity_labels]  # type: ignore[attr-defined]
