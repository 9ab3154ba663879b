"""Forms for acknowledging and resolving an alert. The rules (a note is required to acknowledge,
and to resolve a critical alert nobody acknowledged) live in alerts/services.py; the form only
reads the input."""

from __future__ import annotations

from django import forms

from interlude.alerts.services import NOTE_MAX

SOURCES = (("inbox", "Inbox"), ("record", "Client record"))


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
