"""Forms for homework: the clinician's assign form (recurrence in plain words, turned into an
RRULE here), feedback, and the client's "I couldn't do it"."""

from __future__ import annotations

from datetime import date

from django import forms

from interlude.core.errors import ApplicationError
from interlude.exercises.library import articles
from interlude.exercises.models import RelaxationKind
from interlude.homework.models import ScheduleKind, ToolKind, WorksheetType
from interlude.homework.schedule import rrule_for
from interlude.homework.services import AssignmentValues

REPEAT_CHOICES = [
    ("once", "Once, by a date"),
    ("daily", "Every day"),
    ("weekdays", "Every weekday (Monday to Friday)"),
    ("weekly", "On the days I choose"),
    ("times_per_week", "A number of times a week, any days"),
]
WEEKDAY_CHOICES = [
    ("MO", "Monday"),
    ("TU", "Tuesday"),
    ("WE", "Wednesday"),
    ("TH", "Thursday"),
    ("FR", "Friday"),
    ("SA", "Saturday"),
    ("SU", "Sunday"),
]
DATE = forms.DateInput(attrs={"type": "date"})


class AssignForm(forms.Form):
    tool_kind = forms.ChoiceField(
        label="What to assign", choices=ToolKind.choices, widget=forms.RadioSelect
    )
    worksheet = forms.ChoiceField(
        label="Worksheet", choices=[("", "Choose"), *WorksheetType.choices], required=False
    )
    relaxation = forms.ChoiceField(
        label="Breathing or relaxation exercise",
        # Named by what it is first, as in the list the clinician scans ("Grounding: ...").
        choices=[
            ("", "Choose"),
            *(
                (value, "Grounding: 5-4-3-2-1 with the senses" if value == "grounding" else label)
                for value, label in RelaxationKind.choices
            ),
        ],
        required=False,
    )
    article = forms.ChoiceField(label="Article", choices=(), required=False)
    questionnaire = forms.ChoiceField(label="Questionnaire", choices=(), required=False)
    app_name = forms.CharField(label="App name", max_length=80, required=False)
    app_url = forms.CharField(
        label="App web address (optional)",
        max_length=500,
        required=False,
        help_text="Starts with https://",
    )
    title = forms.CharField(
        label="Title (optional)",
        max_length=200,
        required=False,
        help_text="Shown to the client. Left empty, the tool's name is used.",
    )
    instructions = forms.CharField(
        label="Instructions",
        required=False,
        max_length=5000,
        help_text="In your words: what, when, and why it helps. The client sees this.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    starts_on = forms.DateField(label="Starts on", widget=DATE)
    repeat = forms.ChoiceField(label="How often", choices=REPEAT_CHOICES, widget=forms.RadioSelect)
    due_on = forms.DateField(label="Due by (once)", required=False, widget=DATE)
    weekdays = forms.MultipleChoiceField(
        label="On these days",
        choices=WEEKDAY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    times_per_week = forms.IntegerField(
        label="Times a week", min_value=1, max_value=7, required=False
    )
    until = forms.DateField(
        label="Until (optional)",
        required=False,
        widget=DATE,
        help_text="The last day. Leave empty to keep it going until you end it.",
    )
    reminder = forms.BooleanField(label="Send the client a reminder on due days", required=False)
    reminder_time = forms.TimeField(
        label="Reminder time (optional)",
        required=False,
        help_text="In the client's time zone, like 19:00. Empty: the client's preferred time.",
        widget=forms.TimeInput(attrs={"type": "time"}),
    )

    def __init__(self, *args, questionnaires: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        article_field = self.fields["article"]
        questionnaire_field = self.fields["questionnaire"]
        assert isinstance(article_field, forms.ChoiceField)
        assert isinstance(questionnaire_field, forms.ChoiceField)
        article_field.choices = [("", "Choose")] + [(a.slug, a.title) for a in articles()]
        questionnaire_field.choices = [("", "Choose"), *questionnaires]

    def clean(self) -> dict:
        data = super().clean() or {}
        repeat = data.get("repeat")
        if repeat == "once" and not data.get("due_on"):
            self.add_error("due_on", "Enter the date it is due.")
        if repeat == "weekly" and not data.get("weekdays"):
            self.add_error("weekdays", "Choose at least one day.")
        if repeat == "times_per_week" and not data.get("times_per_week"):
            self.add_error("times_per_week", "Enter how many times a week, from 1 to 7.")
        return data

    def values(self) -> AssignmentValues:
        data = self.cleaned_data
        kind = data["tool_kind"]
        ref = {
            ToolKind.WORKSHEET: data.get("worksheet", ""),
            ToolKind.RELAXATION: data.get("relaxation", ""),
            ToolKind.ARTICLE: data.get("article", ""),
            ToolKind.QUESTIONNAIRE: data.get("questionnaire", ""),
            ToolKind.APP: data.get("app_name", ""),
        }.get(kind, "")
        repeat = data["repeat"]
        until: date | None = data.get("until")
        schedule = {
            "once": ScheduleKind.ONCE,
            "times_per_week": ScheduleKind.WEEKLY_COUNT,
        }.get(repeat, ScheduleKind.RRULE)
        return AssignmentValues(
            tool_kind=kind,
            tool_ref=ref or "",
            title=data.get("title", ""),
            instructions=data.get("instructions", ""),
            starts_on=data["starts_on"],
            schedule=schedule,
            due_on=data.get("due_on") if repeat == "once" else None,
            rrule=(
                rrule_for(freq=repeat, weekdays=data.get("weekdays"), until=until)
                if schedule == ScheduleKind.RRULE
                else ""
            ),
            times_per_week=data.get("times_per_week") if repeat == "times_per_week" else None,
            until=until if repeat == "times_per_week" else None,
            reminder=bool(data.get("reminder")),
            reminder_time=data.get("reminder_time") if data.get("reminder") else None,
            app_url=data.get("app_url", "") if kind == ToolKind.APP else "",
        )

    def add_service_error(self, exc: ApplicationError) -> None:
        """Put a service's error beside the field the clinician filled in."""
        field = {
            "tool_ref": {
                ToolKind.WORKSHEET: "worksheet",
                ToolKind.RELAXATION: "relaxation",
                ToolKind.ARTICLE: "article",
                ToolKind.QUESTIONNAIRE: "questionnaire",
                ToolKind.APP: "app_name",
            }.get(self.cleaned_data.get("tool_kind", ""), "tool_kind"),
            "rrule": "repeat",
            "occurrence": None,
        }.get(exc.field or "", exc.field)
        self.add_error(field if field in self.fields else None, exc.message)


class FeedbackForm(forms.Form):
    feedback = forms.CharField(
        label="Feedback for the client",
        max_length=5000,
        help_text="The client sees this beside the homework.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write your feedback before sending it."},
    )


class NotPossibleForm(forms.Form):
    occurrence = forms.DateField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="What got in the way? (optional)",
        max_length=2000,
        required=False,
        help_text="Your therapist will see this. It can help you plan together.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DoneForm(forms.Form):
    occurrence = forms.DateField(widget=forms.HiddenInput)
