"""Practice settings for the alert rules (owners and practice admins).

The numbers behind the time-based rules (alerts/services.py) and the mood-drop rule
(alerts/rules.py), each with what it does in plain words. `alert_settings_save` checks the ranges
and writes the audit event.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from interlude.alerts.services import alert_settings_get, alert_settings_save
from interlude.core.errors import ApplicationError
from interlude.core.http import StaffRequest
from interlude.core.policy import Access, access

FIELDS = (
    "escalation_minutes",
    "no_checkin_days",
    "overdue_days",
    "mood_recent_days",
    "mood_baseline_days",
    "mood_min_baseline_days",
    "mood_drop_sd",
    "mood_drop_min_points",
)


def _whole(label: str, hint: str, unit: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        help_text=hint,
        error_messages={
            "required": f"Enter a number of {unit}.",
            "invalid": f"Enter a whole number of {unit}.",
        },
    )


def _decimal(label: str, hint: str) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        help_text=hint,
        error_messages={"required": "Enter a number.", "invalid": "Enter a number, e.g. 1.5."},
    )


class AlertSettingsForm(forms.Form):
    escalation_minutes = _whole(
        "Escalate an unacknowledged critical alert after (minutes)",
        "5 to 10080 (a week). Default 120.",
        "minutes",
    )
    no_checkin_days = _whole("No check-in for (days)", "1 to 90. Default 7.", "days")
    overdue_days = _whole(
        "Questionnaire overdue after its window closed (days)", "0 to 30. Default 2.", "days"
    )
    mood_recent_days = _whole("Recent window (days)", "2 to 14. Default 3.", "days")
    mood_baseline_days = _whole(
        "Baseline: the days before the recent window", "7 to 90. Default 28.", "days"
    )
    mood_min_baseline_days = _whole(
        "Days with a check-in needed in the baseline",
        "3 to 90, and no more than the baseline days. Default 10.",
        "days",
    )
    mood_drop_sd = _decimal(
        "Drop of at least this many of the client's standard deviations", "0.5 to 5. Default 1.5."
    )
    mood_drop_min_points = _decimal(
        "And of at least this many points (0 to 10 scale)", "0.5 to 10. Default 2."
    )


@access(Access.PRACTICE_ADMIN)
def alert_settings(request: StaffRequest) -> HttpResponse:
    current = alert_settings_get(practice=request.practice)
    form = AlertSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={name: getattr(current, name) for name in FIELDS},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            values: dict[str, Any] = {name: form.cleaned_data[name] for name in FIELDS}
            try:
                alert_settings_save(actor=request.user, practice=request.practice, **values)
            except ApplicationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, "Saved the alert rules. They apply from now on.")
                return redirect("alert_settings")
        status = 400
    return render(request, "alerts/settings.html", {"form": form, "nav": "practice"}, status=status)
