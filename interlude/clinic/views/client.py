"""The client's own app: Today, Progress, Tools, Messages, Me. Clients read only themselves."""

from __future__ import annotations

import math
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from interlude.audit.selectors import audit_access_history_for_client
from interlude.consents.access import CareAccess, access_own, access_own_client
from interlude.core.http import InterludeRequest
from interlude.core.panels import Page, panels_build
from interlude.core.policy import Access, access
from interlude.measures.selectors import due_list_open, instrument_definitions
from interlude.practices.enums import Module
from interlude.practices.models import Client
from interlude.practices.selectors import care_team_for_client, crisis_resources_for_request
from interlude.tracking.selectors import checkin_list


def _greeting(hour: int) -> str:
    if hour < 12:
        return "Good morning"
    if hour < 18:
        return "Good afternoon"
    return "Good evening"


def _questionnaires_to_answer(client: Client) -> list[dict[str, object]]:
    """Open questionnaires the client can answer in the app (not the paper-only ones)."""
    dues = due_list_open(client=client)
    if not dues:
        return []
    definitions = instrument_definitions(practice=client.practice)
    rows: list[dict[str, object]] = []
    for due in dues:
        definition = definitions.get(due.instrument_code)
        if definition is None or not definition.text_shipped:
            continue
        # About 12 seconds a question on a phone, in whole minutes.
        minutes = max(1, math.ceil(definition.item_count * 12 / 60))
        rows.append({"due": due, "definition": definition, "minutes": minutes})
    return rows


def _modules_on(care: CareAccess) -> set[str]:
    """The parts of the app that are on for this client (templates hide the others). The safety
    plan and crisis help are not modules: they always show."""
    return {m.value for m in Module if care.module_on(m)}


@access(Access.CLIENT)
def today(request: InterludeRequest) -> HttpResponse:
    care = access_own(user=request.user)
    client = care.client
    modules_on = _modules_on(care)
    local_now = timezone.localtime(timezone=ZoneInfo(client.time_zone))
    start_of_day = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    return render(
        request,
        "practices/client/today.html",
        {
            "client": client,
            "greeting": _greeting(local_now.hour),
            "local_now": local_now,
            "care_team": care_team_for_client(client=client),
            "todays_checkins": checkin_list(client=client, since=start_of_day)
            if Module.CHECKINS in modules_on
            else [],
            "questionnaires": _questionnaires_to_answer(client)
            if Module.QUESTIONNAIRES in modules_on
            else [],
            "modules_on": modules_on,
            # What other apps put on Today (homework due, the next appointment), each deciding
            # from the client's own access whether its module is on.
            "panels": panels_build(
                page=Page.TODAY, access=care, request=request, local_now=local_now
            ),
            "nav": "today",
        },
    )


@access(Access.CLIENT)
def tools(request: InterludeRequest) -> HttpResponse:
    care = access_own(user=request.user)
    return render(
        request,
        "practices/client/tools.html",
        {"client": care.client, "modules_on": _modules_on(care), "nav": "tools"},
    )


@access(Access.CLIENT)
def me(request: InterludeRequest) -> HttpResponse:
    care = access_own(user=request.user)
    client = care.client
    return render(
        request,
        "practices/client/me.html",
        {
            "client": client,
            "care_team": care_team_for_client(client=client),
            "reminders_on": care.module_on(Module.REMINDERS),
            "modules_on": _modules_on(care),
            "nav": "me",
        },
    )


@access(Access.CLIENT)
def access_history(request: InterludeRequest) -> HttpResponse:
    """Who has seen my information. Reading it writes no audit event (a client reading their own
    data), so the page cannot change by being looked at."""
    client = access_own_client(user=request.user)
    raw_page = request.GET.get("page", "1")
    if not raw_page.isdigit() or int(raw_page) < 1:
        return render(
            request,
            "practices/client/access_history.html",
            {"client": client, "page_error": True, "nav": "me"},
            status=422,
        )
    history = audit_access_history_for_client(
        client_id=client.pk,
        client_user_id=client.user_id,
        care_team_user_ids={m.membership.user_id for m in care_team_for_client(client=client)},
        time_zone=client.time_zone,
        page_number=int(raw_page),
    )
    return render(
        request,
        "practices/client/access_history.html",
        {"client": client, "groups": history.groups, "page": history.page, "nav": "me"},
    )


@access(Access.PUBLIC)
def crisis(request: InterludeRequest) -> HttpResponse:
    """Crisis resources: for everyone, signed in or not, and cached offline later."""
    context = crisis_resources_for_request(
        user=request.user,
        practice=getattr(request, "practice", None),
        country=request.GET.get("country", ""),
    )
    context["nav"] = "help"
    return render(request, "practices/crisis.html", context)
