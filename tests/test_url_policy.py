"""SR-10: every URL has an explicit access rule, and a route without one is refused.

The test walks the real URL resolver, so a new route without a rule fails here before it ships.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, include, path

from interlude.clinic.middleware import route_access
from interlude.core.policy import THIRD_PARTY_ROUTES, Access, access
from tests.factories import UserFactory, clinician_with_client


def _walk(patterns, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def _routes() -> list[tuple[str, URLPattern]]:
    return list(_walk(get_resolver().url_patterns))


def test_every_url_pattern_has_an_access_rule():
    missing = [
        f"{route} (name={p.name!r}, view={p.lookup_str})"
        for route, p in _routes()
        if route_access(p.callback, p.name) is None
    ]

    assert missing == [], "URL patterns without an access rule:\n" + "\n".join(missing)


def test_resolver_walk_finds_the_routes_we_know():
    names = {p.name for _, p in _routes()}

    for name in [
        "healthz",
        "account_login",
        "mfa_activate_totp",
        "caseload",
        "client_record",
        "client_invite",
        "invitation_accept",
        "client_access_history",
        "client_detail",
        "openapi-json",
    ]:
        assert name in names, name


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("healthz", Access.PUBLIC),
        ("readyz", Access.PUBLIC),
        ("account_login", Access.PUBLIC),
        ("home", Access.AUTHENTICATED),
        ("caseload", Access.CLINICIAN),
        ("client_add", Access.CLINICIAN),
        ("client_record", Access.CLINICIAN),
        ("client_invite", Access.CLINICIAN),
        ("practice_settings", Access.PRACTICE_ADMIN),
        ("staff_invite", Access.PRACTICE_ADMIN),
        ("membership_remove", Access.PRACTICE_ADMIN),
        ("invitation_accept", Access.PUBLIC),
        ("client_today", Access.CLIENT),
        ("client_access_history", Access.CLIENT),
        ("crisis", Access.PUBLIC),
        ("onboarding_welcome", Access.CLIENT),
        ("onboarding_consent", Access.CLIENT),
        ("onboarding_sharing", Access.CLIENT),
        ("onboarding_time_zone", Access.CLIENT),
        ("onboarding_reminders", Access.CLIENT),
        ("onboarding_done", Access.CLIENT),
        ("client_consent", Access.CLIENT),
        ("consent_withdraw", Access.CLIENT),
        ("consent_history", Access.CLIENT),
        ("consent_documents", Access.PRACTICE_ADMIN),
        ("consent_document_detail", Access.PRACTICE_ADMIN),
        ("me_consent", Access.API),
        ("me_consent_accept", Access.API),
        ("me_consent_withdraw", Access.API),
        ("client_detail", Access.API),
        ("client_list", Access.API),
        ("openapi-json", Access.API),
    ],
)
def test_routes_that_hold_client_data_have_the_expected_rule(name, rule):
    matches = [p for _, p in _routes() if p.name == name]

    assert len(matches) == 1
    assert route_access(matches[0].callback, name) == rule


def test_every_third_party_rule_names_a_real_route():
    names = {p.name for _, p in _routes()}

    stale = sorted(set(THIRD_PARTY_ROUTES) - names)
    # allauth names some routes only when a feature is switched on (login by code, etc.).
    assert set(stale) <= {
        "account_login_code_confirm",
        "account_request_login_code",
        "account_reset_password_code",
        "account_confirm_password_reset_code",
        "account_email_verification_code",
        "mfa_trust",
    }, stale


@pytest.mark.django_db
def test_openapi_schema_is_served():
    response = HttpClient().get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Interlude API"


# --- a route without a rule is refused -----------------------------------------------------------
def unruled_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("secret client list")


@access(Access.PUBLIC)
def ruled_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("public page")


@access(Access.AUTHENTICATED)
def signed_in_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("signed-in page")


urlpatterns = [
    path("unruled/", unruled_view, name="unruled"),
    path("ruled/", ruled_view, name="ruled"),
    path("signed-in/", signed_in_view, name="signed_in"),
    # The real routes too, so the 404 page and the login redirect can name them.
    path("", include("config.urls")),
]

THIS_URLCONF = __name__


@pytest.fixture
def test_urls(settings):
    settings.ROOT_URLCONF = THIS_URLCONF


@pytest.mark.django_db
def test_route_without_a_rule_is_404_for_anonymous_visitors(test_urls):
    response = HttpClient().get("/unruled/")

    assert response.status_code == 404
    assert b"secret client list" not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_route_without_a_rule_is_404_even_for_a_signed_in_clinician(test_urls, method):
    membership, _ = clinician_with_client()
    http = HttpClient()
    http.force_login(membership.user)

    response = getattr(http, method)("/unruled/")

    assert response.status_code == 404
    assert b"secret client list" not in response.content


@pytest.mark.django_db
def test_routes_with_a_rule_in_the_same_urlconf_are_served(test_urls):
    http = HttpClient()
    assert http.get("/ruled/").content == b"public page"
    assert http.get("/signed-in/")["Location"] == "/accounts/login/?next=/signed-in/"
    http.force_login(UserFactory())
    assert http.get("/signed-in/").content == b"signed-in page"


def test_route_access_has_no_rule_for_an_undecorated_view():
    assert route_access(unruled_view, "unruled") is None
    assert route_access(unruled_view, None) is None
