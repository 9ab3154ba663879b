"""The installable web app: manifest and service worker, served from the site root so the
worker's scope covers every page."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from interlude.core.policy import Access, access

# Pages kept for offline use. Only the client's own tools and crisis help: no clinician pages.
OFFLINE_PAGES = [
    "/today/",
    "/checkin/",
    "/help/",
    "/safety-plan/",
    "/tools/",
    "/tools/breathe/box/",
    "/tools/breathe/478/",
    "/tools/breathe/paced/",
    "/tools/grounding/",
    "/tools/relax/muscles/",
    "/offline/",
]
OFFLINE_ASSETS = [
    "css/app.css",
    "css/tracking.css",
    "css/worksheets.css",
    "css/relaxation.css",
    "css/care.css",
    "css/charts.css",
    "css/measures.css",
    "css/insights.css",
    "css/alerts.css",
    "css/clinic.css",
    "css/brief.css",
    "css/homework.css",
    "css/messaging.css",
    "css/care_plan.css",
    "css/interop.css",
    "js/app.js",
    "js/offline.js",
    "js/breathing.js",
    "js/relaxation.js",
    "img/icon.svg",
    "django_htmx/htmx-2.min.js",
]
CACHE_VERSION = "v1"


@access(Access.PUBLIC)
@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    data = {
        "name": "Interlude",
        "short_name": "Interlude",
        "description": "Your space between therapy sessions.",
        "start_url": "/today/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f7f5f0",
        "theme_color": "#2f5d62",
        "icons": [{"src": static("img/icon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    response = JsonResponse(data)
    response["Content-Type"] = "application/manifest+json"
    return response


@access(Access.PUBLIC)
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    response = render(
        request,
        "pwa/sw.js",
        {
            "pages": json.dumps(OFFLINE_PAGES),
            "assets": json.dumps([static(a) for a in OFFLINE_ASSETS]),
            "version": CACHE_VERSION,
            "icon": static("img/icon.svg"),  # for reminder notifications (web push)
        },
        content_type="text/javascript",
    )
    # Browsers re-check the worker on each visit; never serve a stale one from a cache.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@access(Access.PUBLIC)
@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "pwa/offline.html")
