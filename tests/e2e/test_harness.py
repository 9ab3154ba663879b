"""The browser harness itself: its checks must catch what they promise to catch."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.conftest import check_axe, goto, watch_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_check_axe_fails_on_a_critical_violation_and_names_rule_and_target(new_page):
    page = new_page("phone")
    goto(page, "/accounts/login/")
    page.evaluate(
        "() => { const i = document.createElement('img'); i.id = 'no-alt';"
        " i.src = '/static/img/icon.svg'; document.querySelector('main').append(i); }"
    )
    with pytest.raises(pytest.fail.Exception) as failure:
        check_axe(page)
    message = str(failure.value)
    assert "image-alt (critical)" in message
    assert "#no-alt" in message
    assert "at 360px" in message


def test_watch_records_and_blocks_third_party_requests(new_page):
    page = new_page("desktop")
    goto(page, "/accounts/login/")
    # CSP stops scripts from fetching elsewhere; a navigation is not covered by CSP.
    with pytest.raises(PlaywrightError, match="ERR_BLOCKED_BY_CLIENT"):
        page.goto("https://cdn.example.com/x.js")
    watch = watch_of(page)
    assert watch.foreign_requests == ["GET https://cdn.example.com/x.js"]
    with pytest.raises(AssertionError, match="request to a third party"):
        watch.assert_clean()
    watch.clear()


def test_watch_records_csp_violations_as_console_errors(new_page):
    page = new_page("desktop")
    goto(page, "/accounts/login/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.x = 1';"
        " document.body.append(s); }"
    )
    page.wait_for_timeout(200)
    watch = watch_of(page)
    assert len(watch.console_errors) == 1
    assert "Content Security Policy" in watch.console_errors[0]
    assert page.evaluate("() => window.x") is None
    watch.clear()


def test_unexpected_error_status_is_a_console_error(new_page):
    page = new_page("desktop")
    goto(page, "/accounts/login/")
    page.evaluate("() => fetch('/static/missing.css').catch(() => 0)")
    page.wait_for_timeout(200)
    watch = watch_of(page)
    assert [e.split(" (at")[0] for e in watch.console_errors] == [
        "Failed to load resource: the server responded with a status of 404 (Not Found)"
    ]
    watch.clear()


def test_check_axe_fails_when_the_page_scrolls_sideways_on_a_phone(new_page):
    page = new_page("phone")
    goto(page, "/accounts/login/")
    page.evaluate(
        "() => { const d = document.createElement('div'); d.id = 'too-wide';"
        " d.style.width = '600px'; d.textContent = 'x'; document.querySelector('main').append(d); }"
    )
    with pytest.raises(pytest.fail.Exception) as failure:
        check_axe(page)
    message = str(failure.value)
    assert "scrolls sideways at 360px" in message
    assert "div#too-wide" in message


def test_check_axe_includes_wcag22_target_size(new_page):
    page = new_page("phone")
    goto(page, "/accounts/login/")
    # Styles set through the CSSOM, not style attributes, which the CSP refuses.
    page.evaluate(
        """() => {
          const p = document.createElement("p");
          for (const name of ["a", "b"]) {
            const b = document.createElement("button");
            b.textContent = name;
            Object.assign(b.style, {all: "unset", width: "10px", height: "10px"});
            p.append(b);
          }
          document.querySelector("main").append(p);
        }"""
    )
    with pytest.raises(pytest.fail.Exception) as failure:
        check_axe(page)
    assert "target-size (serious)" in str(failure.value)
