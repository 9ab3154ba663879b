"""Clinician pages: the caseload and the client record. Reads go through the gate."""

from __future__ import annotations

import uuid
from datetime import datetime
from html import escape
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from interlude.clinic.forms import ClientCreateForm, ClientInviteForm
from interlude.clinic.services import client_create, invitation_create_for_client
from interlude.consents.access import CareAccess, Viewer, access_caseload, access_client
from interlude.core.errors import ApplicationError
from interlude.core.http import StaffRequest
from interlude.core.panels import Page, panels_build
from interlude.core.policy import Access, access
from interlude.core.templatetags.interlude import ago, shows_preferred_name
from interlude.insights.selectors_caseload import (
    ACTIVE_DAYS,
    ADHERENCE_DAYS,
    PAGE_SIZE,
    QUIET_DAYS,
    CaseloadFilters,
    CaseloadPage,
    CaseloadRow,
    caseload_page,
    number,
)
from interlude.measures.change import TrackStatus
from interlude.measures.instruments import band_phrase
from interlude.measures.selectors import instrument_definitions
from interlude.practices.enums import ClientStatus, ShareScope
from interlude.practices.selectors import client_record_context

# The record shows scores, check-ins and shared worksheet text (one audit event lists all three);
# what this viewer may see of each is on the CareAccess the panels receive.
RECORD_SCOPES = (ShareScope.MEASURES, ShareScope.CHECKINS, ShareScope.JOURNAL)

SORTS = {"need": "need", "name": "name", "activity": "activity", "status": "status"}


# A column whose category the client does not share: said plainly, never the content.
NOT_SHARED_HTML = (
    '<span class="not-shared muted">Not shared'
    '<span class="visually-hidden">: the client does not share {what} with you</span></span>'
)

_UNITS = ((7 * 86400, "week"), (86400, "day"), (3600, "hour"), (60, "minute"))


def _ago(value: datetime, now: datetime) -> str:
    """The `ago` filter's words ("3 days ago", "1 week ago"), computed directly for the last four
    weeks (500 of them a page; Django's timesince is calendar-aware and slow), and by the
    filter itself beyond, where months start to count."""
    seconds = (now - value).total_seconds()
    if seconds < 60 or seconds >= 28 * 86400:
        return ago(value)
    for size, unit in _UNITS:
        if seconds >= size:
            n = int(seconds // size)
            return f"{n}\xa0{unit}{'s' if n != 1 else ''} ago"
    return ago(value)  # not reached


def _time(value: datetime, now: datetime) -> str:
    return f'<time datetime="{value.isoformat()}">{escape(_ago(value, now))}</time>'


def caseload_row_html(
    row: CaseloadRow, *, record_url: str, inbox_url: str, now: datetime
) -> SafeString:
    """One caseload row as HTML (the template loops over these).

    Built here rather than in the template: with 250 clients the template engine's ~50 lookups
    a row cost more than the whole rest of the page (bench/RESULTS.md). Every value that is not
    a number or an enum value goes through `escape`. `record_url` is the client record's URL
    with "{}" for the client's public id."""
    client = row.client
    url = escape(record_url.format(client.public_id))
    name = f'<a href="{url}">{escape(client.full_name)}</a>'
    if shows_preferred_name(client):
        name += f' <span class="muted">({escape(client.preferred_name)})</span>'
    if row.need_text:
        name += f'<span class="need-text">{escape(row.need_text)}</span>'
    if row.scores_not_shared:
        scores = NOT_SHARED_HTML.format(what="questionnaires")
    elif row.scores:
        items = []
        for score in row.scores:
            reliable = (
                f' <span class="reliable reliable-{score.reliable}">'
                f"{escape(score.reliable_text)}</span>"
                if score.reliable
                else ""
            )
            band = f" {escape(band_phrase(score.band_label))}" if score.band_label else ""
            items.append(
                f'<li><span class="score-text"><span class="score-name">'
                f"{escape(score.short_name)}</span> <strong>{number(score.total)}</strong>{band}"
                f'<span class="visually-hidden">,</span> <span class="score-change">'
                f"{escape(score.change_text)}{reliable}</span></span>{score.sparkline}</li>"
            )
        scores = f'<ul class="score-list">{"".join(items)}</ul>'
    else:
        scores = '<span class="muted">No questionnaires yet</span>'
    if row.track is not None:
        hidden = " visually-hidden" if row.track is TrackStatus.ON_TRACK else ""
        track = (
            f'<span class="track track-{row.track.value}">{escape(row.track.label)}</span>'
            f'<span class="track-reason{hidden}">{escape(row.track_reason)}</span>'
        )
    else:
        track = '<span class="muted">Not rated</span>'
    if row.alerts_open and row.alert_severity is not None:
        plural = "s" if row.alerts_open != 1 else ""
        severity = row.alert_severity
        alerts = (
            f'<a class="alert-count" href="{escape(inbox_url)}">{row.alerts_open} open'
            f'<span class="visually-hidden"> alert{plural}, highest</span></a> '
            f'<span class="severity severity-{severity.value}">{escape(str(severity.label))}</span>'
        )
        if row.alerts_new:
            alerts += f'<span class="small">{row.alerts_new} not acknowledged</span>'
    else:
        alerts = '<span class="muted">None</span>'
    if row.checkins_not_shared:
        activity = f'<span class="stack">{NOT_SHARED_HTML.format(what="check-ins")}</span>'
    elif row.last_checkin_at:
        activity = f'<span class="stack">Check-in {_time(row.last_checkin_at, now)}</span>'
    else:
        activity = '<span class="stack"><span class="muted">No check-ins</span></span>'
    if client.last_activity_at:
        activity += f'<span class="stack small">Active {_time(client.last_activity_at, now)}</span>'
    elif not client.user_id:
        activity += '<span class="stack small">No account yet</span>'
    if row.scores_not_shared:
        questionnaires = '<span class="muted">not shared</span>'
    elif row.dues_total:
        questionnaires = f"{row.dues_completed}/{row.dues_total}"
    else:
        questionnaires = '<span class="muted">none due</span>'
    homework = (
        f'<span class="stack">Questionnaires {questionnaires}</span>'
        f'<span class="stack">Active {row.active_days}/{ACTIVE_DAYS} days</span>'
    )
    if row.overdue:
        homework += f'<span class="stack warning-text">{row.overdue} overdue</span>'
    status = escape(client.status)
    return mark_safe(  # noqa: S308 - every value above is escaped or a number  # nosec B308, B703
        f'<tr class="need-row need-{row.need.slug}"><th scope="row">{name}</th>'
        f'<td><span class="badge badge-{status}">{escape(client.get_status_display())}</span>'
        f"</td><td>{scores}</td><td>{track}</td><td>{alerts}</td><td>{activity}</td>"
        f"<td>{homework}</td></tr>"
    )


def _caseload_filters(request: StaffRequest) -> CaseloadFilters:
    """The filters from the address (or, with a name search, the POST body: names never go
    into an address, SR-26). An unknown sort falls back to "most need first", as it always has;
    any other value that is not one of the choices is refused, naming the problem."""
    data = request.POST if request.method == "POST" else request.GET
    status = data.get("status", "")
    if status not in ["", "all", *ClientStatus.values]:
        raise ApplicationError("Unknown status: choose one from the list.", field="status")
    attention = data.get("attention", "")
    if attention not in ("", "1"):
        raise ApplicationError("The attention filter is 1 or absent.", field="attention")
    quiet = data.get("quiet", "")
    if quiet and quiet not in [str(d) for d in QUIET_DAYS]:
        raise ApplicationError(
            f"No check-in for: choose {', '.join(str(d) for d in QUIET_DAYS)} days.", field="quiet"
        )
    show = data.get("show", "")
    if show not in ("", "all"):
        raise ApplicationError('Show is "all" or absent.', field="show")
    page = data.get("page", "1") or "1"
    if not page.isdigit() or int(page) < 1 or len(page) > 6:
        raise ApplicationError("The page is a whole number from 1.", field="page")
    search = data.get("q", "") if request.method == "POST" else ""
    if len(search) > 100:
        raise ApplicationError("Search for at most 100 characters of a name.", field="q")
    return CaseloadFilters(
        status=status,
        sort=SORTS.get(data.get("sort", ""), "need"),
        attention=attention == "1",
        quiet_days=int(quiet) if quiet else None,
        search=search,
        page=int(page),
        show_all=show == "all",
    )


def _query(filters: CaseloadFilters, **changes: object) -> str:
    """The address's query string for these filters (the name search left out)."""
    values: dict[str, object] = {
        "status": filters.status,
        "sort": filters.sort if filters.sort != "need" else "",
        "attention": "1" if filters.attention else "",
        "quiet": filters.quiet_days or "",
        "show": "all" if filters.show_all else "",
        "page": filters.page if filters.page != 1 else "",
    }
    values.update(changes)
    return urlencode({k: v for k, v in values.items() if v not in ("", None)})


@access(Access.CLINICIAN)
def caseload(request: StaffRequest) -> HttpResponse:
    """The caseload, a page at a time (PAGE_SIZE clients, "most need first" by default). GET
    with filters in the address; a name search is a POST (its body, not the address, carries
    the name). Bad filter values answer 400 with the page saying what was wrong."""
    accesses = access_caseload(user=request.user, membership=request.membership)
    problem: ApplicationError | None = None
    try:
        filters = _caseload_filters(request)
        result = caseload_page(
            accesses=accesses, practice=request.membership.practice, filters=filters
        )
    except ApplicationError as exc:
        problem, filters = exc, CaseloadFilters()
        current = sum(1 for a in accesses if a.client.status != ClientStatus.DISCHARGED)
        result = CaseloadPage([], 0, 1, 1, len(accesses), current, 0)
    rows = result.rows
    inbox_url = reverse("alert_inbox")
    now = timezone.now()
    # The record URL once, with a slot for the id: reverse() for each of 250 rows adds up.
    marker = uuid.UUID(int=0)
    record_url = reverse("client_record", args=[marker]).replace(str(marker), "{}")
    # A caseload that fits one page keeps the in-browser name filter; a bigger one searches
    # on the server (the browser only holds one page).
    paged = result.total > PAGE_SIZE
    context = {
        "rows": rows,
        "rows_html": [
            caseload_row_html(row, record_url=record_url, inbox_url=inbox_url, now=now)
            for row in rows
        ],
        "result": result,
        "filters": filters,
        "problem": problem,
        "paged": paged,
        "pages": [
            (n, f"?{_query(filters, page=n if n != 1 else '')}") for n in range(1, result.pages + 1)
        ]
        if result.pages > 1
        else [],
        "show_all_url": f"?{_query(filters, show='all', page='')}",
        "paged_url": f"?{_query(filters, show='', page='')}",
        "sort_url": {s: f"?{_query(filters, sort=s, page='')}" for s in SORTS},
        "page_size": PAGE_SIZE,
        "total": result.total,
        "current": result.current,
        "attention_count": result.attention_count,
        "status": filters.status,
        "sort": filters.sort,
        "attention": filters.attention,
        "quiet": filters.quiet_days,
        "quiet_choices": QUIET_DAYS,
        "search": filters.search,
        "statuses": ClientStatus.choices,
        "adherence_days": ADHERENCE_DAYS,
        "active_days": ACTIVE_DAYS,
        "nav": "caseload",
    }
    template = "practices/caseload.html"
    if request.htmx:
        template += "#caseload-table"
    return render(request, template, context, status=400 if problem else 200)


@access(Access.CLINICIAN)
def client_add(request: StaffRequest) -> HttpResponse:
    membership = request.membership
    initial = {"time_zone": membership.practice.time_zone, "country": membership.practice.country}
    form = ClientCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            client = client_create(actor=request.user, membership=membership, **form.cleaned_data)
            if client.email:
                invitation_create_for_client(
                    actor=request.user,
                    membership=membership,
                    client=client,
                    email=client.email,
                    base_url=request.build_absolute_uri("/"),
                )
                # Flash texts carry no names or addresses (they wait in the session); the record
                # the clinician lands on shows who it is.
                messages.success(request, "Client added, and an invitation was sent to them.")
            else:
                messages.success(
                    request, "Client added. Invite them when you have their email address."
                )
            return redirect("client_record", client_id=client.public_id)
        except ApplicationError as exc:
            form.add_error(exc.field, exc.message)
    return render(request, "practices/client_add.html", {"form": form})


def _emergency_until(care: CareAccess) -> str | None:
    """Under emergency (break-glass) access, when it ends ("14:05", the practice's time); the
    record then renders no forms, which the gate would refuse anyway."""
    grant = care.break_glass
    if care.viewer is not Viewer.BREAK_GLASS or grant is None:
        return None
    return f"{grant.expires_at.astimezone(ZoneInfo(care.client.practice.time_zone)):%H:%M}"


@access(Access.CLINICIAN)
def client_record(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    care = access_client(user=request.user, client_id=client_id, scope=RECORD_SCOPES)
    client = care.client
    emergency_until = _emergency_until(care)
    # Read once here: the questionnaires, the schedules and the timeline all name instruments.
    definitions = instrument_definitions(practice=client.practice)
    context = client_record_context(client=client)
    context.update(
        {
            "nav": "caseload",
            "access": care,
            "read_only": care.viewer is Viewer.BREAK_GLASS,
            "emergency_until": emergency_until,
            # Every other section is a panel its app registered (core.panels), built for `care`.
            "panels": panels_build(
                page=Page.RECORD, access=care, request=request, definitions=definitions
            ),
            "invite_form": ClientInviteForm(initial={"email": client.email}),
        }
    )
    return render(request, "practices/client_record.html", context)


@access(Access.CLINICIAN)
@require_POST
def client_invite(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    client = access_client(user=request.user, client_id=client_id, for_write=True).client
    form = ClientInviteForm(request.POST)
    if form.is_valid():
        try:
            invitation_create_for_client(
                actor=request.user,
                membership=request.membership,
                client=client,
                email=form.cleaned_data["email"],
                base_url=request.build_absolute_uri("/"),
            )
            messages.success(
                request,
                "A new invitation was sent. Earlier links no longer work.",
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "Enter a valid email address, like name@example.com.")
    return redirect("client_record", client_id=client.public_id)
