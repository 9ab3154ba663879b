"""The installable app: manifest and service worker at the site root."""

from __future__ import annotations

import json

import pytest

from interlude.core.pwa import OFFLINE_PAGES

pytestmark = pytest.mark.django_db


def test_manifest_is_served_at_the_root_with_its_media_type(client):
    response = client.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert (data["name"], data["start_url"], data["scope"], data["display"]) == (
        "Interlude",
        "/today/",
        "/",
        "standalone",
    )
    assert data["icons"][0]["type"] == "image/svg+xml"


def test_service_worker_is_served_at_the_root_and_never_cached(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript"
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    assert f"const OFFLINE_PAGES = {json.dumps(OFFLINE_PAGES)};" in body
    assert "/static/js/offline.js" in body


def test_offline_pages_are_the_clients_own_tools_and_crisis_help_only():
    assert "/help/" in OFFLINE_PAGES
    assert "/safety-plan/" in OFFLINE_PAGES
    assert not [p for p in OFFLINE_PAGES if p.startswith(("/clinic", "/practice", "/api"))]


def test_every_page_links_the_manifest(client):
    assert (
        '<link rel="manifest" href="/manifest.webmanifest">'
        in client.get("/accounts/login/").content.decode()
    )
