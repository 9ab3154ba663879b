"""Security headers on every HTML page (SR-19, SR-26, SR-9): strict CSP with nonces, nosniff,
same-origin referrers, Permissions-Policy, no-store for signed-in people, a request id."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.test import Client

from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db

BACKEND = "allauth.account.auth_backends.AuthenticationBackend"
PUBLIC_PAGES = ["/accounts/login/", "/help/", "/accounts/password/reset/"]
CLINICIAN_PAGES = ["/clinic/", "/clinic/clients/new/", "/clinic/clients/{client_id}/"]
CLIENT_PAGES = ["/today/", "/progress/", "/tools/", "/messages/", "/me/", "/me/who-has-seen/"]


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.handlers: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts.append(dict(attrs))
        for name, _ in attrs:
            if name.lower().startswith("on"):
                self.handlers.append((tag, name))


def _csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def _nonce(csp: dict[str, list[str]]) -> str:
    nonces = [v for v in csp["script-src"] if v.startswith("'nonce-")]
    assert len(nonces) == 1
    return nonces[0][len("'nonce-") : -1]


@pytest.fixture
def pages():
    """(label, signed-in browser or None, path) for every page checked."""
    membership, client = clinician_with_client()
    clinician_browser, client_browser = Client(), Client()
    # force_login would pick axes' backend, which only watches logins and loads no users.
    clinician_browser.force_login(membership.user, backend=BACKEND)
    client_browser.force_login(client.user, backend=BACKEND)
    found = [("anonymous", Client(), path, False) for path in PUBLIC_PAGES]
    found += [
        ("clinician", clinician_browser, p.format(client_id=client.public_id), True)
        for p in CLINICIAN_PAGES
    ]
    found += [("client", client_browser, path, True) for path in CLIENT_PAGES]
    found += [("client", client_browser, "/help/", True)]
    found += [("clinician", clinician_browser, "/help/", True)]
    return found


def _each_html_response(pages):
    for label, browser, path, signed_in in pages:
        response = browser.get(path)
        assert response.status_code == 200, (label, path, response.status_code)
        assert response["Content-Type"].startswith("text/html"), (label, path)
        yield label, path, signed_in, response


def test_every_page_has_a_strict_content_security_policy(pages):
    checked = 0
    for label, path, _, response in _each_html_response(pages):
        csp = _csp(response)
        where = f"{label} {path}"
        assert csp["default-src"] == ["'self'"], where
        assert "'self'" in csp["script-src"], where
        _nonce(csp)
        assert "'unsafe-inline'" not in csp["script-src"], where
        assert "'unsafe-eval'" not in csp["script-src"], where
        assert csp["object-src"] == ["'none'"], where
        assert csp["base-uri"] == ["'none'"], where
        assert csp["frame-ancestors"] == ["'none'"], where
        # No foreign hosts anywhere in the policy (SR-19, SR-20).
        for directive, values in csp.items():
            for value in values:
                assert value.startswith("'") or value in {"data:"}, (where, directive, value)
        checked += 1
    assert checked == len(pages)


def test_every_page_has_the_other_security_headers(pages):
    for label, path, _, response in _each_html_response(pages):
        where = f"{label} {path}"
        assert response["X-Content-Type-Options"] == "nosniff", where
        assert response["Referrer-Policy"] == "same-origin", where
        assert response["X-Frame-Options"] == "DENY", where
        policy = response["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()"):
            assert feature in policy, where


def test_pages_for_signed_in_people_are_never_stored(pages):
    for label, path, signed_in, response in _each_html_response(pages):
        if signed_in:
            assert "no-store" in response["Cache-Control"], f"{label} {path}"


def test_every_response_has_a_request_id(pages):
    ids = set()
    for label, path, _, response in _each_html_response(pages):
        request_id = response["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", request_id), f"{label} {path}"
        ids.add(request_id)
    assert len(ids) == len(pages)


def test_request_id_from_the_proxy_is_kept_when_plain():
    response = Client().get("/help/", headers={"X-Request-ID": "nginx0123abc"})
    assert response["X-Request-ID"] == "nginx0123abc"


@pytest.mark.parametrize(
    "incoming", ["abc\r\nSet-Cookie: x=1", "a" * 65, "<script>", "id with spaces", ""]
)
def test_request_id_from_outside_is_replaced_when_not_plain(incoming):
    response = Client().get("/help/", headers={"X-Request-ID": incoming})
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_redirects_and_json_carry_a_request_id_too():
    assert Client().get("/clinic/")["X-Request-ID"]
    assert Client().get("/healthz")["X-Request-ID"]


def test_every_script_is_same_origin_or_carries_the_nonce(pages):
    total = 0
    for label, path, _, response in _each_html_response(pages):
        nonce = _nonce(_csp(response))
        parser = _Scripts()
        parser.feed(response.content.decode())
        assert parser.scripts, f"{label} {path}: no scripts at all?"
        for attrs in parser.scripts:
            total += 1
            src = attrs.get("src")
            if src:
                parts = urlsplit(src)
                same_origin = not parts.scheme and not parts.netloc and src.startswith("/")
                assert same_origin or attrs.get("nonce") == nonce, (label, path, attrs)
            else:
                assert attrs.get("nonce") == nonce, (label, path, attrs)
        # Inline event handlers would be blocked by the CSP: none may be relied on.
        assert parser.handlers == [], (label, path, parser.handlers)
    assert total > 0


def test_the_nonce_changes_on_every_response():
    nonces = {_nonce(_csp(Client().get("/accounts/login/"))) for _ in range(5)}
    assert len(nonces) == 5
