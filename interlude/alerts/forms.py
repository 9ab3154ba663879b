"""Forms for acknowledging and resolving an alert. The rules (a note is required to acknowledge,
and to resolve a critical alert nobody acknowledged) live in alerts/services.py; the form only
reads the input."""

from __future__ import annotations

from django import forms

from interlude.alerts.services import NOTE_MAX

SOURCES = (("inbox", "Inbox"), ("record", "Client record"), ("detail", "Alert page"))


class AlertNoteForm(forms.Form):
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": f"Keep the note under {NOTE_MAX} characters."},
    )
    # Which page the form was on: where to go back to without JavaScript, and which row to render.
    source = forms.ChoiceField(choices=SOURCES, required=False)
    show = forms.ChoiceField(choices=(("open", "Open"), ("all", "All")), required=False)


class HandoverForm(forms.Form):
    """Hand an alert to a named clinician: `to` is a membership id of the alert's practice (the
    service checks it is an active clinician there); the note is optional."""

    to = forms.IntegerField(
        required=False, error_messages={"invalid": "Choose a clinician to hand it to."}
    )
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX,
        strip=True,
        error_messages={"max_length": f"Keep the note under {NOTE_MAX} characters."},
    )
    source = forms.ChoiceField(choices=SOURCES, required=False)
