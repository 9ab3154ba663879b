"""What a newcomer reads first is true: the README lists every demo account the seed creates,
`make run` is said to keep serving, and `make test` says what to do when Chromium is missing."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from interlude.accounts.models import User
from interlude.clinic.demo import DEMO_LOGINS, demo_seed

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def _readme_demo_emails() -> set[str]:
    section = README.split("## Demo accounts", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([^`]+@[^`]+)` \|", section, flags=re.MULTILINE))


@pytest.mark.django_db
def test_the_readme_and_the_printed_logins_list_every_account_the_demo_seed_creates():
    demo_seed()
    seeded = set(User.objects.values_list("email", flat=True))

    assert len(seeded) == 9
    assert _readme_demo_emails() == seeded
    assert {email for email, _ in DEMO_LOGINS} == seeded


def test_the_readme_says_make_run_keeps_serving_and_how_to_get_chromium():
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]

    assert "keeps serving until you stop it" in quick_start
    assert "`make test` in a second terminal" in quick_start
    assert "sudo apt-get install chromium" in quick_start


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_test_says_what_is_missing_when_chromium_is_not_installed():
    def check(chromium: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["make", "-s", "--no-print-directory", "check-chromium", f"CHROMIUM={chromium}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )

    missing = check(str(ROOT / "no-such-chromium"))
    present = check("/bin/sh")  # any executable stands in for an installed browser

    assert missing.returncode == 0  # the rest of `make test` still runs
    assert missing.stdout.splitlines() == [
        f"Chromium is not installed ({ROOT / 'no-such-chromium'} is missing): the browser tests "
        "(tests/e2e/) will be skipped.",
        "To run them, install it once: sudo apt-get install chromium",
    ]
    assert (present.returncode, present.stdout) == (0, "")
    makefile = (ROOT / "Makefile").read_text()
    # `make test` runs the suite (`make suite`), which says it first.
    assert re.search(r"^test: .*\bsuite\b", makefile, flags=re.MULTILINE)
    assert re.search(r"^suite: .*\bcheck-chromium\b", makefile, flags=re.MULTILINE)
