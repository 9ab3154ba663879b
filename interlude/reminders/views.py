"""The client's reminder settings page and the owner's web push switch. Thin: the gate, a form,
one service."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from interlude.consents.access import access_own_client
from interlude.core.errors import ApplicationError
from interlude.core.http import InterludeRequest, StaffRequest
from interlude.core.policy import Access, access
from interlude.practices.enums import Module
from interlude.reminders.forms import PracticeRemindersForm, RemindersForm
from interlude.reminders.push import push_configured
from interlude.reminders.selectors import reminder_reach
from interlude.reminders.services import (
    practice_settings_for,
    practice_settings_save,
    preferences_for,
    preferences_save,
    push_available,
)

FIELDS = ("channel", "preferred_time", "quiet_start", "quiet_end", "paused")


@access(Access.CLIENT)
@require_http_methods(["GET", "POST"])
def reminders_page(request: InterludeRequest) -> HttpResponse:
    client = access_own_client(user=request.user, module=Module.REMINDERS)
    push = push_available(practice=client.practice)
    prefs = preferences_for(client=client)
    form = RemindersForm(
        request.POST if request.method == "POST" else None,
        push=push,
        initial={name: getattr(prefs, name) for name in FIELDS},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                preferences_save(client=client, actor=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, "Saved your reminder settings.")
                return redirect("client_reminders")
        status = 400
    context = {
        "form": form,
        "nav": "me",
        "push": push,
        "vapid_public_key": settings.VAPID_PUBLIC_KEY if push else "",
        "reach": reminder_reach(client=client),
    }
    return render(request, "reminders/settings.html", context, status=status)


@access(Access.PRACTICE_ADMIN)
@require_http_methods(["GET", "POST"])
def practice_reminders(request: StaffRequest) -> HttpResponse:
    current = practice_settings_for(practice=request.practice)
    form = PracticeRemindersForm(
        request.POST if request.method == "POST" else None,
        initial={"web_push_enabled": current.web_push_enabled},
    )
    if request.method == "POST" and form.is_valid():
        practice_settings_save(
            practice=request.practice,
            actor=request.user,
            web_push_enabled=form.cleaned_data["web_push_enabled"],
        )
        messages.success(request, "Saved the reminder settings.")
        return redirect("practice_reminders")
    context = {"form": form, "nav": "practice", "configured": push_configured()}
    return render(request, "reminders/practice_settings.html", context)
