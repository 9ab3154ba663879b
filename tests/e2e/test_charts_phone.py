"""Charts read on a 390 px phone: no chart text renders under 12 CSS px, and every band name sits
wholly inside its chart (never clipped), on the client's Progress and Questionnaires pages and on
the care team's client record.

A chart is an SVG scaled to its box, so its text is as big as its font-size (in the SVG's own
units) times the scale; the browser measures both, as a person's phone would render them.
"""

from __future__ import annotations

from typing import Any

import pytest

from interlude.clinic.demo import demo_seed
from interlude.practices.models import Client
from tests.e2e.conftest import check_axe, goto, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THERAPIST = "therapist@demo.interlude.test"
CLIENT = "client@demo.interlude.test"
MIN_PX = 12

# Per visible chart: its width on screen, and each text's rendered size and box (in CSS px,
# relative to the chart's own box) so that clipping shows as a box outside the chart.
MEASURE_JS = """() => [...document.querySelectorAll('svg.chart')]
  .filter((svg) => svg.getBoundingClientRect().width > 0)
  .map((svg) => {
    const box = svg.getBoundingClientRect();
    const scale = box.width / svg.viewBox.baseVal.width;
    return {
      id: svg.getAttribute('aria-labelledby') || svg.id || '',
      width: box.width,
      texts: [...svg.querySelectorAll('text')].map((t) => {
        const r = t.getBoundingClientRect();
        return {
          text: t.textContent,
          cls: t.getAttribute('class') || '',
          px: parseFloat(getComputedStyle(t).fontSize) * scale,
          left: r.left - box.left, right: r.right - box.left,
          top: r.top - box.top, bottom: r.bottom - box.top,
          boxWidth: box.width, boxHeight: box.height,
        };
      }),
    };
  })"""


def _problems(page: Any) -> tuple[int, list[str]]:
    charts = page.evaluate(MEASURE_JS)
    problems = []
    for chart in charts:
        for t in chart["texts"]:
            where = f"{chart['id'].split()[0]} {t['text']!r} ({t['cls']})"
            if t["px"] < MIN_PX - 0.01:
                problems.append(f"{where}: {t['px']:.1f}px")
            if (
                t["left"] < -0.5
                or t["top"] < -0.5
                or t["right"] > t["boxWidth"] + 0.5
                or t["bottom"] > t["boxHeight"] + 0.5
            ):
                problems.append(
                    f"{where}: outside the chart ({t['right']:.0f}/{t['boxWidth']:.0f})"
                )
    return len(charts), problems


def test_client_charts_are_legible_on_a_390px_phone(new_page):
    demo_seed()
    page = new_page("phone-390")
    login(page, CLIENT)

    for path, name in (("/progress/", "progress"), ("/questionnaires/", "questionnaires")):
        goto(page, path)
        count, problems = _problems(page)
        screenshot(page, f"charts-390-{name}")
        assert count >= 2, f"{path} shows {count} charts"
        assert problems == [], f"{path}: " + "; ".join(problems)
        check_axe(page)


def test_the_care_teams_record_chart_is_legible_on_a_390px_phone(new_page):
    demo_seed()
    client = Client.objects.get(user__email=CLIENT)
    page = new_page("phone-390")
    login(page, THERAPIST)

    goto(page, f"/clinic/clients/{client.public_id}/")
    count, problems = _problems(page)
    screenshot(page, "charts-390-record")

    assert count >= 2
    assert problems == [], "; ".join(problems)

    goto(page, f"/clinic/clients/{client.public_id}/report/")  # the report's preview
    count, problems = _problems(page)
    screenshot(page, "charts-390-report")

    assert count >= 2
    assert problems == [], "report: " + "; ".join(problems)


def test_the_record_chart_on_a_desktop_is_the_wide_one_and_legible(new_page):
    demo_seed()
    client = Client.objects.get(user__email=CLIENT)
    page = new_page("desktop")
    login(page, THERAPIST)

    goto(page, f"/clinic/clients/{client.public_id}/")
    charts = page.evaluate(MEASURE_JS)
    _count, problems = _problems(page)

    instrument = [c for c in charts if "instrument-" in c["id"]]
    assert instrument and all("-narrow" not in c["id"] for c in instrument)
    assert problems == [], "; ".join(problems)
