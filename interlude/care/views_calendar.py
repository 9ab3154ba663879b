"""A clinician's private calendar feed (ADR 0022): the settings page where they make, see and
revoke their link, and the feed itself.

The feed URL carries its own credential (a random token; only its SHA-256 is stored), because a
calendar app cannot sign in: the route is `Access.PUBLIC`, so neither the sign-in redirect nor
the consent onboarding (which only redirects `Access.CLIENT` pages) touches it, and the view
itself answers 404 for an unknown or revoked token. The read goes through the gate
(`access_caseload`), which audits it once per fetch.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from interlude.care.calendar_selectors import (
    calendar_event_label,
    calendar_feed_active,
    calendar_feed_events,
    calendar_feed_find,
    token_hash,
)
from interlude.care.calendar_services import (
    MAX_LABEL_CHARS,
    calendar_event_label_set,
    calendar_feed_create,
    calendar_feed_revoke,
    calendar_feed_used,
)
from interlude.care.ics import calendar_bytes
from interlude.care.views_appointments import calendar_domain
from interlude.core.errors import ApplicationError
from interlude.core.http import InterludeRequest, StaffRequest
from interlude.core.middleware import client_ip
from interlude.core.policy import Access, access
from interlude.practices.enums import Role

# Calendar apps fetch every 15 minutes to a few hours. Per feed: 30 fetches in 10 minutes; per
# address (any token, known or not): 120 in 10 minutes.
RATE_WINDOW_SECONDS = 600
RATE_PER_FEED = 30
RATE_PER_ADDRESS = 120
REFRESH = timedelta(hours=1)


class EventLabelForm(forms.Form):
    event_label = forms.CharField(
        label="What sessions are called in feeds",
        help_text="Leave empty to show each client's initials (like J.E.). A label, like "
        "“Client session”, shows the same words for every client. Never use a name.",
        required=False,
        max_length=MAX_LABEL_CHARS,
    )


def _page(
    request: StaffRequest,
    *,
    token: str = "",
    label_form: EventLabelForm | None = None,
    status: int = 200,
) -> HttpResponse:
    is_owner = request.membership.role == Role.OWNER
    label = calendar_event_label(practice_id=request.membership.practice_id)
    if is_owner and label_form is None:
        label_form = EventLabelForm(initial={"event_label": label})
    feed_url = (
        request.build_absolute_uri(reverse("calendar_feed", kwargs={"token": token}))
        if token
        else ""
    )
    response = render(
        request,
        "care/calendar_settings.html",
        {
            "feed": calendar_feed_active(membership=request.membership),
            "feed_url": feed_url,
            "is_owner": is_owner,
            "event_label": label,
            "label_form": label_form if is_owner else None,
            "nav": "calendar",
        },
        status=status,
    )
    # The page with a new link is the only place the token ever appears: keep it out of caches.
    response["Cache-Control"] = "private, no-store"
    return response


@access(Access.CLINICIAN)
def calendar_settings_view(request: StaffRequest) -> HttpResponse:
    return _page(request)


@access(Access.CLINICIAN)
@require_POST
def calendar_feed_create_view(request: StaffRequest) -> HttpResponse:
    """Make a new link (revoking any earlier one) and show it once."""
    _feed, token = calendar_feed_create(actor=request.user, membership=request.membership)
    return _page(request, token=token)


@access(Access.CLINICIAN)
@require_POST
def calendar_feed_revoke_view(request: StaffRequest) -> HttpResponse:
    feed = calendar_feed_active(membership=request.membership)
    if feed is not None:
        calendar_feed_revoke(actor=request.user, feed=feed)
        messages.success(request, "Your calendar link is switched off. It no longer works.")
    return redirect("calendar_settings")


@access(Access.CLINICIAN)
@require_POST
def calendar_label_view(request: StaffRequest) -> HttpResponse:
    if request.membership.role != Role.OWNER:
        raise Http404
    form = EventLabelForm(request.POST)
    if form.is_valid():
        try:
            calendar_event_label_set(
                actor=request.user,
                membership=request.membership,
                label=form.cleaned_data["event_label"],
            )
        except ApplicationError as exc:
            form.add_error("event_label", exc.message)
        else:
            messages.success(request, "Saved. Feeds show the new wording from their next update.")
            return redirect("calendar_settings")
    return _page(request, label_form=form, status=422)


def _over_limit(key: str, limit: int) -> bool:
    """A fixed window counter in the shared cache (every worker sees the same count)."""
    cache.add(key, 0, timeout=RATE_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=RATE_WINDOW_SECONDS)
        count = 1
    return count > limit


def _client_address(request: InterludeRequest) -> str:
    # The project's one rule for the caller's address (the proxy's header when configured).
    return client_ip(request) or "unknown"


@access(Access.PUBLIC)
def calendar_feed_view(request: InterludeRequest, token: str) -> HttpResponse:
    """The clinician's sessions as iCalendar, for a calendar app to subscribe to. No sign-in: the
    token is the credential. 404 for an unknown or revoked token, 429 past the rate limit."""
    if request.method not in ("GET", "HEAD"):
        raise Http404
    if _over_limit(f"calfeed:ip:{_client_address(request)}", RATE_PER_ADDRESS) or _over_limit(
        f"calfeed:token:{token_hash(token)}", RATE_PER_FEED
    ):
        response = HttpResponse("Too many requests.", status=429, content_type="text/plain")
        response["Retry-After"] = str(RATE_WINDOW_SECONDS)
        return response
    feed = calendar_feed_find(token=token)
    if feed is None:
        raise Http404
    read = calendar_feed_events(feed=feed, domain=calendar_domain(request))
    calendar_feed_used(feed=feed)
    body = calendar_bytes(read.events, stamp=timezone.now(), name="Interlude", refresh=REFRESH)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-cache"
    response["Content-Disposition"] = 'inline; filename="interlude.ics"'
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
