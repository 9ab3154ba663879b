"""Questionnaires on the client record: schedule one, stop a schedule, enter a paper form.

Every view loads the client through the gate (`access_client`, MEASURES scope, audited) and calls
one service. The schedules panel itself is `measures/_record_schedules.html`, included in the
client record; `schedules_panel_context` gives it everything it shows in a fixed number of
queries, and the pages here render the same panel's form when there is something to fix.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from interlude.consents.access import CareAccess, access_client
from interlude.core.errors import ApplicationError
from interlude.core.http import StaffRequest
from interlude.core.policy import Access, access
from interlude.measures.forms_clinician import PaperEntryForm, ScheduleForm, form_field_for
from interlude.measures.instruments import InstrumentDefinition
from interlude.measures.models import (
    EnteredBy,
    Frequency,
)
from interlude.measures.selectors import (
    frequency_words,
    instrument_definitions,
    measures_settings_get,
    response_get_for_clinician,
    schedule_list,
    schedule_rows,
)
from interlude.measures.services import response_submit, schedule_create, schedule_end
from interlude.practices.enums import ShareScope
from interlude.practices.models import Client

PANEL_ANCHOR = "#questionnaire-schedules"


def _schedule_form(client: Client, definitions: dict[str, InstrumentDefinition], data=None):
    settings = measures_settings_get(practice=client.practice)
    return ScheduleForm(
        data,
        definitions=list(definitions.values()),
        default_window_days=settings.default_window_days,
        time_zone=client.time_zone,
    )


def schedules_panel_context(
    *, access: CareAccess, definitions: dict[str, InstrumentDefinition] | None = None
) -> dict[str, object]:
    """Everything `measures/_record_schedules.html` shows, for the viewer the gate returned."""
    client = access.client
    definitions = (
        definitions if definitions is not None else instrument_definitions(practice=client.practice)
    )
    return {
        "schedules": schedule_list(client=client),
        "schedule_rows": schedule_rows(access=access, definitions=definitions),
        "instruments": list(definitions.values()),
        "schedule_form": _schedule_form(client, definitions),
    }


def _record_url(client: Client) -> str:
    return reverse("client_record", kwargs={"client_id": client.public_id}) + PANEL_ANCHOR


def _care(request: StaffRequest, client_id: uuid.UUID) -> CareAccess:
    # A POST changes the record: emergency (break-glass) access only reads, so the gate refuses.
    return access_client(
        user=request.user,
        client_id=client_id,
        scope=ShareScope.MEASURES,
        for_write=request.method not in ("GET", "HEAD"),
    )


def _client(request: StaffRequest, client_id: uuid.UUID) -> Client:
    return _care(request, client_id).client


@access(Access.CLINICIAN)
def schedule_add(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    """GET: the scheduling form on its own page. POST: schedule, then back to the record."""
    client = _client(request, client_id)
    definitions = instrument_definitions(practice=client.practice)
    form = _schedule_form(client, definitions, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            schedule = schedule_create(
                actor=request.user,
                client=client,
                instrument_code=data["instrument"],
                frequency=Frequency(data["frequency"]),
                interval_days=data.get("interval_days"),
                window_days=data["window_days"],
                starts_at=form.starts_at(),
            )
        except ApplicationError as exc:
            form.add_error(form_field_for(form, exc.field), exc.message)
        else:
            definition = definitions[schedule.instrument_code]
            messages.success(
                request, f"{definition.short_name} scheduled {frequency_words(schedule)}."
            )
            return redirect(_record_url(client))
    return render(
        request,
        "measures/clinician/schedule.html",
        {"client": client, "schedule_form": form, "nav": "caseload"},
    )


@access(Access.CLINICIAN)
def schedule_stop(
    request: StaffRequest, client_id: uuid.UUID, schedule_id: uuid.UUID
) -> HttpResponse:
    """GET: ask to confirm. POST: stop the schedule; open occasions are withdrawn."""
    client = _client(request, client_id)
    schedule = next((s for s in schedule_list(client=client) if s.public_id == schedule_id), None)
    if schedule is None:
        raise Http404
    definition = instrument_definitions(practice=client.practice).get(schedule.instrument_code)
    name = definition.short_name if definition else schedule.instrument_code
    if request.method == "POST":
        schedule_end(actor=request.user, schedule=schedule)
        messages.success(request, f"Stopped {name} ({frequency_words(schedule)}).")
        return redirect(_record_url(client))
    return render(
        request,
        "measures/clinician/schedule_stop.html",
        {
            "client": client,
            "schedule": schedule,
            "name": name,
            "frequency_words": frequency_words(schedule),
            "nav": "caseload",
        },
    )


@access(Access.CLINICIAN)
def paper_entry(request: StaffRequest, client_id: uuid.UUID, code: str) -> HttpResponse:
    """Answers copied from a paper form, scored like any other (this is how ISI and CORE-10,
    whose wording is licensed, get scored). After saving, the same page shows the result."""
    care = _care(request, client_id)
    client = care.client
    definition = instrument_definitions(practice=client.practice).get(code)
    if definition is None:
        raise Http404
    context: dict[str, object] = {"client": client, "definition": definition, "nav": "caseload"}
    saved_id = request.GET.get("saved", "")
    if request.method == "GET" and saved_id:
        try:
            response = response_get_for_clinician(access=care, response_id=str(uuid.UUID(saved_id)))
        except ValueError:
            response = None
        if response is None or response.instrument_code != definition.code:
            raise Http404
        context["saved"] = response
        return render(request, "measures/clinician/paper_entry_saved.html", context)
    form = PaperEntryForm(
        request.POST if request.method == "POST" else None,
        definition=definition,
        time_zone=client.time_zone,
    )
    if request.method == "POST" and form.is_valid():
        try:
            response, _created = response_submit(
                client=client,
                actor=request.user,
                instrument_code=definition.code,
                answers=form.answers(),
                idempotency_key=form.cleaned_data["idempotency_key"],
                entered_by=EnteredBy.CLINICIAN,
                submitted_at=form.submitted_at(),
            )
        except ApplicationError as exc:
            if exc.field == "idempotency_key":
                form.add_error(
                    None,
                    "This form was already saved with other answers. To enter another paper "
                    "form, start a new one.",
                )
                context["stale"] = True
            else:
                form.add_error(form_field_for(form, exc.field), exc.message)
        else:
            url = reverse(
                "measures_paper_entry",
                kwargs={"client_id": client.public_id, "code": definition.code},
            )
            return redirect(f"{url}?saved={response.public_id}")
    context["form"] = form
    return render(request, "measures/clinician/paper_entry.html", context)
