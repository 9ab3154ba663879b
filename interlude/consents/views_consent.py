"""Informed consent pages: the client's onboarding (welcome, consent, sharing, time zone,
reminders), their consent page, withdrawal and history under Me, and the owner's consent
documents under Practice settings. Thin: forms check input, services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from interlude.clinic.forms import TimeZoneField, TimeZoneInput
from interlude.consents import rules
from interlude.consents.access import access_own_client
from interlude.consents.consent_selectors import (
    ConsentState,
    consent_document_get,
    consent_document_list,
    consent_history,
    consent_render,
    consent_state,
)
from interlude.consents.consent_services import (
    consent_accept,
    consent_document_current,
    consent_document_publish,
    consent_withdraw,
    onboarding_finish,
    onboarding_sharing_save,
    onboarding_time_zone_set,
)
from interlude.consents.models import ClientPrivacy, ConsentDocument, ConsentMethod, ConsentStatus
from interlude.consents.sharing_selectors import sharing_for_client
from interlude.core.errors import ApplicationError
from interlude.core.http import InterludeRequest, StaffRequest
from interlude.core.policy import Access, access
from interlude.practices.enums import ShareScope
from interlude.practices.models import Client
from interlude.practices.selectors import crisis_resources_for_request

# The onboarding steps, in order: (url name, title). "Step n of 5" counts these.
STEPS = (
    ("onboarding_welcome", "Welcome"),
    ("onboarding_consent", "Using Interlude"),
    ("onboarding_sharing", "What you share"),
    ("onboarding_time_zone", "Your time zone"),
    ("onboarding_reminders", "Reminders"),
)

# What each sharing switch means, in the client's words (the Sharing page says the same).
SHARING_HINTS: dict[ShareScope, str] = {
    ShareScope.CHECKINS: "Your mood, worry, energy and sleep numbers from each check-in.",
    ShareScope.JOURNAL: (
        "The words you write in check-in notes and your journal. Even when this is on, you "
        "choose for each note or entry whether to share it."
    ),
    ShareScope.WORKSHEETS: "Thought records, activity plans, exposure practice and sleep diary.",
    ShareScope.MEASURES: (
        "Your answers and scores. A risk answer always reaches your care team, even when this "
        "is off; they are then told only that one was given."
    ),
    ShareScope.IMPORTS: "Steps, sleep and other data you bring in from other apps.",
    ShareScope.RELAXATION: "When you practised breathing or relaxation, and how you felt.",
}


# --- forms ---------------------------------------------------------------------------------------
class ConsentAcceptForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    typed_name = forms.CharField(
        label="Type your name to agree",
        max_length=200,
        required=False,  # the service decides, so the form and the API refuse with one message
        help_text="The name you go by is fine. We keep it with the date and this version.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )


class SharingForm(forms.Form):
    def __init__(self, *args: Any, initial_choices: dict[ShareScope, bool], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for cat in rules.SWITCHABLE:
            self.fields[cat.value] = forms.BooleanField(
                label=str(cat.label),
                required=False,
                initial=initial_choices.get(cat, False),
                help_text=SHARING_HINTS.get(cat, ""),
            )

    def choices(self) -> dict[ShareScope, bool]:
        return {cat: bool(self.cleaned_data.get(cat.value)) for cat in rules.SWITCHABLE}


class TimeZoneForm(forms.Form):
    time_zone = TimeZoneField(
        label="Your time zone",
        max_length=64,
        help_text=(
            "Reminders and the days on your charts follow it. Start typing a city to search, "
            "for example London or Chicago."
        ),
        error_messages={"required": "Enter your time zone, for example Europe/London."},
    )

    def __init__(self, *args: Any, country: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].widget = TimeZoneInput(country=country)


class RemindersForm(forms.Form):
    reminders_opt_in = forms.TypedChoiceField(
        label="Would you like a gentle reminder to check in?",
        choices=[
            ("yes", "Yes, remind me"),
            ("no", "No, thank you"),
        ],
        widget=forms.RadioSelect,
        coerce=lambda v: v == "yes",
        error_messages={"required": "Choose whether you would like reminders."},
    )


class PublishForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    body = forms.CharField(
        label="Text",
        widget=forms.Textarea(attrs={"rows": 24}),
        help_text=(
            "Markdown: ## for a heading, - for a list. Clients who agreed to an older version "
            "are asked again the next time they open Interlude."
        ),
    )


# --- helpers -------------------------------------------------------------------------------------
def _privacy(client: Client) -> ClientPrivacy | None:
    return ClientPrivacy.objects.filter(client_id=client.pk).first()


def _step(name: str) -> dict[str, Any]:
    number = next(i for i, (n, _) in enumerate(STEPS, start=1) if n == name)
    return {"step_number": number, "step_total": len(STEPS), "step_title": STEPS[number - 1][1]}


def _consent_context(
    request: InterludeRequest, client: Client, form: ConsentAcceptForm | None = None
) -> dict[str, Any]:
    document = consent_document_current(practice=client.practice)
    state = consent_state(client=client, current_version=document.version)
    crisis = crisis_resources_for_request(user=request.user, practice=None, country="")
    return {
        "client": client,
        "document": document,
        "document_html": consent_render(document=document),
        "state": state,
        "accepted_current": state.accepted(document.version),
        "form": form or ConsentAcceptForm(initial={"version": document.version}),
        "emergency": crisis["emergency"],
        "crisis_lines": [r for r in crisis["resources"] if not r.is_emergency][:3],
        "nav": "me",
    }


def _accept(
    request: InterludeRequest, client: Client, form: ConsentAcceptForm
) -> ConsentAcceptForm | None:
    """Accept from a posted form; the form with its error when the service refuses."""
    if not form.is_valid():
        return form
    try:
        consent_accept(
            client=client,
            actor=request.user,
            version=form.cleaned_data["version"],
            typed_name=form.cleaned_data.get("typed_name") or "",
            method=ConsentMethod.WEB,
        )
    except ApplicationError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return form
    return None


# --- onboarding ----------------------------------------------------------------------------------
@access(Access.CLIENT)
def onboarding_welcome(request: InterludeRequest) -> HttpResponse:
    client = access_own_client(user=request.user)
    return render(
        request,
        "consents/onboarding_welcome.html",
        {"client": client, **_step("onboarding_welcome")},
    )


@access(Access.CLIENT)
@require_http_methods(["GET", "POST"])
def onboarding_consent(request: InterludeRequest) -> HttpResponse:
    client = access_own_client(user=request.user)
    if request.method == "POST":
        if request.POST.get("decline"):
            consent_withdraw(client=client, actor=request.user, method=ConsentMethod.WEB)
            messages.info(
                request,
                "You have not agreed, so your care team will not see what you record here. "
                "You can agree at any time from Me.",
            )
            return redirect("onboarding_time_zone")
        failed = _accept(request, client, ConsentAcceptForm(request.POST))
        if failed is None:
            return redirect("onboarding_sharing")
        context = _consent_context(request, client, failed)
        return render(
            request,
            "consents/onboarding_consent.html",
            {**context, **_step("onboarding_consent")},
            status=422,
        )
    return render(
        request,
        "consents/onboarding_consent.html",
        {**_consent_context(request, client), **_step("onboarding_consent")},
    )


@access(Access.CLIENT)
@require_http_methods(["GET", "POST"])
def onboarding_sharing(request: InterludeRequest) -> HttpResponse:
    client = access_own_client(user=request.user)
    state = sharing_for_client(client=client)
    form = SharingForm(
        request.POST if request.method == "POST" else None, initial_choices=state.categories
    )
    if request.method == "POST" and form.is_valid():
        onboarding_sharing_save(client=client, actor=request.user, categories=form.choices())
        return redirect("onboarding_time_zone")
    return render(
        request,
        "consents/onboarding_sharing.html",
        {"client": client, "form": form, **_step("onboarding_sharing")},
    )


@access(Access.CLIENT)
@require_http_methods(["GET", "POST"])
def onboarding_time_zone(request: InterludeRequest) -> HttpResponse:
    client = access_own_client(user=request.user)
    form = TimeZoneForm(
        request.POST if request.method == "POST" else None,
        country=client.country,
        initial={"time_zone": client.time_zone},
    )
    if request.method == "POST" and form.is_valid():
        try:
            onboarding_time_zone_set(
                client=client, actor=request.user, time_zone=form.cleaned_data["time_zone"]
            )
        except ApplicationError as exc:
            form.add_error("time_zone", exc.message)
        else:
            return redirect("onboarding_reminders")
    return render(
        request,
        "consents/onboarding_time_zone.html",
        {"client": client, "form": form, **_step("onboarding_time_zone")},
        status=422 if form.errors else 200,
    )


@access(Access.CLIENT)
@require_http_methods(["GET", "POST"])
def onboarding_reminders(request: InterludeRequest) -> HttpResponse:
    client = access_own_client(user=request.user)
    privacy = _privacy(client)
    initial = {"reminders_opt_in": "yes" if privacy and privacy.reminders_opt_in else None}
    form = RemindersForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        onboarding_finish(
            client=client,
            actor=request.user,
            reminders_opt_in=form.cleaned_data["reminders_opt_in"],
        )
        return redirect("onboarding_done")
    return render(
        request,
        "consents/onboarding_reminders.html",
        {"client": client, "form": form, **_step("onboarding_reminders")},
        status=422 if form.errors else 200,
    )


@access(Access.CLIENT)
def onboarding_done(request: InterludeRequest) -> HttpResponse:
    client = access_own_client(user=request.user)
    document = consent_document_current(practice=client.practice)
    state = consent_state(client=client, current_version=document.version)
    return render(
        request,
        "consents/onboarding_done.html",
        {"client": client, "state": state, "shared": state.accepted(document.version)},
    )


# --- the client's consent under Me ---------------------------------------------------------------
@access(Access.CLIENT)
@require_http_methods(["GET", "POST"])
def consent_overview(request: InterludeRequest) -> HttpResponse:
    """The current document, where the client stands, and the form to agree (again)."""
    client = access_own_client(user=request.user)
    if request.method == "POST":
        failed = _accept(request, client, ConsentAcceptForm(request.POST))
        if failed is None:
            messages.success(
                request, "Thank you. Your care team can now see what you choose to share."
            )
            return redirect("client_today")
        return render(
            request,
            "consents/consent_overview.html",
            _consent_context(request, client, failed),
            status=422,
        )
    return render(request, "consents/consent_overview.html", _consent_context(request, client))


def _withdraw_context(client: Client, state: ConsentState) -> dict[str, Any]:
    return {
        "client": client,
        "state": state,
        "can_withdraw": state.status in (ConsentStatus.ACCEPTED, ConsentStatus.PRIOR),
        "nav": "me",
    }


@access(Access.CLIENT)
@require_http_methods(["GET", "POST"])
def consent_withdraw_view(request: InterludeRequest) -> HttpResponse:
    """What withdrawing changes, then one button."""
    client = access_own_client(user=request.user)
    if request.method == "POST":
        consent_withdraw(client=client, actor=request.user, method=ConsentMethod.WEB)
        messages.success(
            request,
            "You have withdrawn your consent. Your care team no longer sees what you record "
            "here. You can give it again at any time.",
        )
        return redirect("client_consent")
    document = consent_document_current(practice=client.practice)
    state = consent_state(client=client, current_version=document.version)
    return render(request, "consents/consent_withdraw.html", _withdraw_context(client, state))


@access(Access.CLIENT)
def consent_history_view(request: InterludeRequest) -> HttpResponse:
    client = access_own_client(user=request.user)
    return render(
        request,
        "consents/consent_history.html",
        {"client": client, "events": consent_history(client=client), "nav": "me"},
    )


# --- the practice's consent documents ------------------------------------------------------------
@access(Access.PRACTICE_ADMIN)
@require_http_methods(["GET", "POST"])
def consent_documents(request: StaffRequest) -> HttpResponse:
    """Every version of the practice's consent text, and a form to publish a new one."""
    practice = request.practice
    current = consent_document_current(practice=practice)
    form = PublishForm(
        request.POST if request.method == "POST" else None,
        initial={"title": current.title, "body": current.body},
    )
    if request.method == "POST" and form.is_valid():
        try:
            document = consent_document_publish(
                practice=practice,
                actor=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                f"Version {document.version} is published. Clients are asked to read and "
                "agree to it the next time they open Interlude.",
            )
            return redirect("consent_documents")
    return render(
        request,
        "consents/consent_documents.html",
        {"rows": consent_document_list(practice=practice), "form": form, "current": current},
        status=422 if form.errors else 200,
    )


@access(Access.PRACTICE_ADMIN)
def consent_document_detail(request: StaffRequest, version: int) -> HttpResponse:
    document: ConsentDocument | None = consent_document_get(
        practice=request.practice, version=version
    )
    if document is None:
        raise Http404
    return render(
        request,
        "consents/consent_document.html",
        {"document": document, "document_html": consent_render(document=document)},
    )
