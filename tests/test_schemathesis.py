"""Property-based tests of the whole JSON API with Schemathesis, run in-process against the
Django WSGI app (no network server), as a signed-in client and as a signed-in clinician.

Every operation in /api/v1/openapi.json gets generated requests, valid and not; each answer must
not be a 5xx and its status code must be one the schema declares for that operation. The number
of examples per operation is bounded so each role finishes in about a minute or two.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import Client as HttpClient
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from tests.factories import clinician_with_client

# A fixed CSRF secret: sent as the cookie and as the header, as a browser would.
CSRF_SECRET = "s" * 32
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25"))


def _signed_in(user) -> dict[str, str]:
    http = HttpClient()
    http.force_login(user)
    return {"sessionid": http.cookies["sessionid"].value, "csrftoken": CSRF_SECRET}


@pytest.fixture(autouse=True)
def _no_write_limit(settings):
    """Hundreds of generated writes by one user would hit the API write limit within a minute,
    and every later operation would only ever see 429. The limit has its own tests
    (core/tests/test_api_throttling.py); here every request must reach the endpoint."""
    settings.API_WRITE_RATE_BURST = "1000000/min"
    settings.API_WRITE_RATE_SUSTAINED = "1000000/hour"


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Django closes the database connection at the end of each request; its own test client
    stops that so the test's transaction survives, and so must a test that calls the WSGI app
    directly (on PostgreSQL the next query would find the connection closed)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _run_every_operation(user) -> list[str]:
    """Generated requests for each operation as `user`; one line per operation that failed."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    cookies = _signed_in(user)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
        )
        def run(case) -> None:
            case.call_and_validate(
                cookies=cookies,
                headers={"X-CSRFToken": CSRF_SECRET},
                # What gunicorn sets from the socket; the test client sets none.
                environ_base={"REMOTE_ADDR": "127.0.0.1"},
                checks=[not_a_server_error, status_code_conformance],
            )

        try:
            run()
        except Exception as exc:
            failures.append(f"{operation.label}: {exc}")
    return failures


def test_api_as_client(db):
    _, client = clinician_with_client()
    failures = _run_every_operation(client.user)
    assert failures == [], "\n\n".join(failures)


def test_api_as_clinician(db):
    membership, _ = clinician_with_client()
    failures = _run_every_operation(membership.user)
    assert failures == [], "\n\n".join(failures)
