"""Take screenshots of Interlude's pages from a running demo (`make run`), for review and docs.

    .venv/bin/python scripts/screenshots.py --base http://127.0.0.1:8000 --out /tmp/shots
    .venv/bin/python scripts/screenshots.py --readme   # refresh the README's images

Logs in as the demo accounts through the login form, like a person, and saves PNGs at phone
(360 px) and desktop (1280 px) widths. `--readme` takes only the README's pictures, the first
screen of each page, into docs/screenshots/ (run it against a fresh `make run`, so the demo data
is what the README describes).
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
DESKTOP_TALL = {"width": 1280, "height": 1000}
THERAPIST = "therapist@demo.interlude.test"
JORDAN = "client@demo.interlude.test"
OWNER = "owner@demo.interlude.test"

# The README's pictures: (who, path, name, viewport). "@client:<name>" opens that client's record
# from the caseload (ids are random), "@client:<name>/brief/" their pre-session brief.
README_PAGES = [
    (JORDAN, "/today/", "readme-client-today-phone", PHONE),
    (JORDAN, "/progress/", "readme-client-progress-phone", PHONE),
    (THERAPIST, "/clinic/", "readme-clinician-caseload-desktop", DESKTOP),
    (THERAPIST, "@client:Sam", "readme-clinician-client-record-desktop", DESKTOP_TALL),
    (THERAPIST, "@client:Jordan/brief/", "readme-clinician-brief-desktop", DESKTOP_TALL),
]

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
    (THERAPIST, "/clinic/alerts/", "clinician-alerts-desktop", DESKTOP),
    (THERAPIST, "@client:Jordan/brief/", "clinician-brief-desktop", DESKTOP),
    (THERAPIST, "@client:Jordan/report/", "clinician-report-desktop", DESKTOP),
    (JORDAN, "/questionnaires/", "client-questionnaires-phone", PHONE),
    (OWNER, "/practice/questionnaires/", "owner-questionnaires-desktop", DESKTOP),
    ("owner@demo.interlude.test", "/practice/alerts/", "owner-alert-rules-desktop", DESKTOP),
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
    parser.add_argument("--readme", action="store_true", help="only the README's pictures")
    args = parser.parse_args()
    pages = README_PAGES if args.readme else PAGES
    out = Path("docs/screenshots" if args.readme else args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for who, path, name, viewport in pages:
            if args.only and not re.search(args.only, name):
                continue
            context = browser.new_context(viewport=viewport, device_scale_factor=1)
            page = context.new_page()
            if who:
                login(page, args.base, who)
            if path == "@first-client":
                page.goto(args.base + "/clinic/")
                page.locator("table.data-table tbody a").first.click()
            elif path.startswith("@client:"):
                client_name, _, rest = path.removeprefix("@client:").partition("/")
                page.goto(args.base + "/clinic/?status=all")
                page.locator("table tbody a", has_text=client_name).first.click()
                page.wait_for_load_state("networkidle")
                if rest:
                    page.goto(page.url.rstrip("/") + "/" + rest)
            else:
                page.goto(args.base + path)
            page.wait_for_load_state("networkidle")
            page.screenshot(
                path=str(out / f"{name}.png"), full_page=not args.readme, caret="initial"
            )
            print(f"{name}: {page.url}")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
