"""Take screenshots of Interlude's pages from a running demo (`make run`), for review and docs.

    .venv/bin/python scripts/screenshots.py --base http://127.0.0.1:8000 --out docs/screenshots

Logs in as the demo accounts through the login form, like a person, and saves PNGs at phone
(360 px) and desktop (1280 px) widths.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "interlude-demo"  # noqa: S105 - the documented demo password
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}

PAGES = [
    # (who, path, name, viewport)
    (None, "/accounts/login/", "login-phone", PHONE),
    (None, "/help/", "help-phone", PHONE),
    ("client@demo.interlude.test", "/today/", "client-today-phone", PHONE),
    ("client@demo.interlude.test", "/progress/", "client-progress-phone", PHONE),
    ("client@demo.interlude.test", "/me/", "client-me-phone", PHONE),
    ("client@demo.interlude.test", "/me/who-has-seen/", "client-access-history-phone", PHONE),
    ("client@demo.interlude.test", "/help/", "client-help-phone", PHONE),
    ("therapist@demo.interlude.test", "/clinic/", "clinician-caseload-desktop", DESKTOP),
    (
        "therapist@demo.interlude.test",
        "/clinic/clients/new/",
        "clinician-add-client-desktop",
        DESKTOP,
    ),
    ("therapist@demo.interlude.test", "@first-client", "clinician-client-record-desktop", DESKTOP),
    ("owner@demo.interlude.test", "/practice/", "owner-practice-settings-desktop", DESKTOP),
]


def login(page: Page, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--only", default="", help="regex on screenshot names")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for who, path, name, viewport in PAGES:
            if args.only and not re.search(args.only, name):
                continue
            context = browser.new_context(viewport=viewport, device_scale_factor=1)
            page = context.new_page()
            if who:
                login(page, args.base, who)
            if path == "@first-client":
                page.goto(args.base + "/clinic/")
                page.locator("table.data-table tbody a").first.click()
            else:
                page.goto(args.base + path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out / f"{name}.png"), full_page=True)
            print(f"{name}: {page.url}")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
