"""Forms for answering questionnaires: one question per screen."""

from __future__ import annotations

from typing import Any

from django import forms

from interlude.measures.instruments import Item


class AnswerForm(forms.Form):
    """One item of a questionnaire: a single answer from the item's options (radios)."""

    answer = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect)
    return_to_review = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, item: Item, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        message = f"Choose one answer for question {item.number}"
        field = self.fields["answer"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(str(o.value), o.label) for o in item.options]
        field.label = item.text
        field.error_messages = {"required": message, "invalid_choice": message}
