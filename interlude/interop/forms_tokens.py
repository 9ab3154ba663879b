"""The form a client fills in to make an access token for an app or device."""

from __future__ import annotations

from django import forms

from interlude.interop.enums import TokenScope

EXPIRY_CHOICES = [("30", "30 days"), ("90", "90 days"), ("365", "One year")]


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=60,
        help_text="So you can tell your tokens apart, like \u201cMy watch\u201d.",
        error_messages={
            "required": "Give the token a name, like \u201cMy watch\u201d.",
            "max_length": "Use at most 60 characters for the name.",
        },
    )
    scopes = forms.MultipleChoiceField(
        label="What the app or device may do",
        choices=TokenScope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one thing the app or device may do."},
    )
    days = forms.TypedChoiceField(
        label="How long it works",
        choices=EXPIRY_CHOICES,
        coerce=int,
        initial="90",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how long the token works."},
    )
