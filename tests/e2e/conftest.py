"""Browser harness: Playwright (sync API) drives Debian's Chromium against the live server.

Every page opened through `new_page` is watched: a request to any host other than the live server
(SR-20: no third-party requests), a console error (which includes CSP violations) or an uncaught
script error fails the test. `check_axe(page)` runs axe-core on the page as it is now and fails on
serious or critical violations.

Without /usr/bin/chromium the browser tests skip with a reason, unless INTERLUDE_REQUIRE_BROWSER=1
(CI), where they fail instead.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--disable-quic",
]
VIEWPORTS: dict[str, dict[str, Any]] = {
    "phone": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
    # A common larger phone (iPhone 12 to 15): the width the chart legibility checks use.
    "phone-390": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}
BLOCKING_IMPACTS = {"serious", "critical"}
# axe's defaults, plus WCAG 2.2's target size (2.5.8), which axe leaves off unless asked.
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}
# Schemes that never leave the browser.
LOCAL_SCHEMES = {"data", "blob", "about", "chrome", "chrome-extension", "devtools"}
# Chromium logs every 4xx/5xx response as a console error; tests that expect one say so.
FAILED_RESOURCE = re.compile(
    r"Failed to load resource: the server responded with a status of (\d+)"
)

DEMO_PASSWORD = "interlude-demo"
OVERFLOWING_JS = r"""() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > width + 0.5)
    .slice(-5)
    .map((el) => {
      const classes = typeof el.className === "string" && el.className
        ? "." + el.className.trim().split(/\s+/).join(".") : "";
      const id = el.id ? "#" + el.id : "";
      const right = Math.round(el.getBoundingClientRect().right);
      return `${el.tagName.toLowerCase()}${id}${classes} (right edge ${right}px)`;
    });
}"""


# --- browser -------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        reason = (
            f"{CHROMIUM} is not installed: browser tests need Debian's chromium package "
            "(sudo apt-get install chromium)."
        )
        if os.environ.get("INTERLUDE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason} INTERLUDE_REQUIRE_BROWSER=1 forbids skipping them.")
        print(f"\nSKIP browser tests: {reason}")
        pytest.skip(reason)
    # Playwright's sync API keeps an asyncio loop running on the main thread, so Django would
    # refuse ORM calls from test code ("You cannot call this from an async context"). The test
    # code is synchronous; the live server answers from its own threads.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class PageWatch:
    """What one page did that a test must not let pass unnoticed."""

    origin: str
    foreign_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    allowed_statuses: set[int] = field(default_factory=set)

    def on_request(self, request: Any) -> None:
        url = request.url
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES:
            return
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.foreign_requests.append(f"{request.method} {url}")

    def on_console(self, message: Any) -> None:
        if message.type != "error":
            return
        text = message.text
        status = FAILED_RESOURCE.search(text)
        if status and int(status.group(1)) in self.allowed_statuses:
            return
        location = message.location or {}
        self.console_errors.append(f"{text} (at {location.get('url', '?')})")

    def on_page_error(self, error: Any) -> None:
        self.page_errors.append(str(error))

    def problems(self) -> list[str]:
        out = [f"request to a third party (SR-20): {r}" for r in self.foreign_requests]
        out += [f"console error: {e}" for e in self.console_errors]
        out += [f"uncaught script error: {e}" for e in self.page_errors]
        return out

    def clear(self) -> None:
        self.foreign_requests.clear()
        self.console_errors.clear()
        self.page_errors.clear()

    def assert_clean(self) -> None:
        problems = self.problems()
        assert not problems, "The browser saw problems:\n  " + "\n  ".join(problems)


WATCHES: dict[int, PageWatch] = {}


def watch_of(page: Any) -> PageWatch:
    return WATCHES[id(page)]


@pytest.fixture
def new_page(browser: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    """new_page("phone" | "desktop", service_workers=False) -> a Page in a fresh context.

    Third-party requests are blocked as well as recorded, so nothing ever leaves the machine.
    """
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(live_server.url))
    contexts: list[Any] = []
    watches: list[PageWatch] = []

    def make(device: str = "desktop", *, service_workers: bool = False) -> Any:
        # The service worker fetches pages in the background, in parallel with the test's own
        # navigation; only the offline tests need it, so elsewhere it stays off and the live
        # server (on in-memory SQLite) sees one request at a time.
        watch = PageWatch(origin=origin)
        context = browser.new_context(
            **VIEWPORTS[device],
            base_url=live_server.url,
            service_workers="allow" if service_workers else "block",
        )
        context.set_default_timeout(10_000)
        context.on("request", watch.on_request)

        def route(route: Any) -> None:
            parts = urlsplit(route.request.url)
            if parts.scheme in LOCAL_SCHEMES or f"{parts.scheme}://{parts.netloc}" == origin:
                route.continue_()
            else:
                route.abort("blockedbyclient")

        context.route("**/*", route)
        page = context.new_page()
        page.on("console", watch.on_console)
        page.on("pageerror", watch.on_page_error)
        WATCHES[id(page)] = watch
        contexts.append(context)
        watches.append(watch)
        return page

    yield make
    for context in contexts:
        for page in context.pages:
            WATCHES.pop(id(page), None)
        context.close()
    problems = [p for w in watches for p in w.problems()]
    assert not problems, "The browser saw problems:\n  " + "\n  ".join(problems)


# --- checks --------------------------------------------------------------------------------------
def check_axe(page: Any) -> None:
    """Run axe-core on the page as it is now; fail on serious or critical violations.

    Also fails if the page scrolls sideways (WCAG 1.4.10 Reflow; wide tables scroll in their own
    box instead), or has so far made a third-party request or logged a console error.
    """
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        width = page.viewport_size["width"] if page.viewport_size else "?"
        lines = [f"axe: {len(blocking)} serious/critical violation(s) on {page.url} at {width}px"]
        for v in blocking:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']}  {v.get('helpUrl', '')}")
            for node in v["nodes"]:
                target = " ".join(str(t) for t in node["target"])
                lines.append(f"    {target}: {node.get('failureSummary', '').strip()}")
        pytest.fail("\n".join(lines))
    widths = page.evaluate(
        "() => [document.documentElement.clientWidth, document.documentElement.scrollWidth]"
    )
    if widths[1] > widths[0]:
        wide = page.evaluate(OVERFLOWING_JS)
        pytest.fail(
            f"{page.url} scrolls sideways at {widths[0]}px: content is {widths[1]}px wide "
            f"(WCAG 1.4.10). Widest elements: {wide}"
        )
    if id(page) in WATCHES:
        watch_of(page).assert_clean()


def expect_status(page: Any, status: int) -> None:
    """Tell the page watch that a response with this HTTP status is part of the test."""
    watch_of(page).allowed_statuses.add(status)


def goto(page: Any, path: str, *, status: int = 200) -> Any:
    """Open a path on the live server and assert the HTTP status of the final response."""
    if status >= 400:
        expect_status(page, status)
    response = page.goto(path)
    assert response is not None, f"no response for {path}"
    assert response.status == status, f"{path} answered {response.status}, expected {status}"
    return response


def login(page: Any, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login form, as a person would."""
    goto(page, "/accounts/login/")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert "/accounts/login/" not in page.url, f"login as {email} failed: still on {page.url}"


def screenshot(page: Any, name: str) -> None:
    """Save a full-page screenshot when INTERLUDE_SCREENSHOTS names a directory (for reviews)."""
    directory = os.environ.get("INTERLUDE_SCREENSHOTS")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        # caret="initial" leaves inputs untouched (the default adds style="" which htmx may copy,
        # and the strict CSP then reports it).
        page.screenshot(path=str(Path(directory) / f"{name}.png"), full_page=True, caret="initial")
