"""The homework app's panels (core.panels): on the client's Today page (what is due, new
feedback), on the client record (adherence, and adherence beside the change in the main
questionnaire score), and on the pre-session brief (homework since the last session).

Homework is addressed to the care team (ShareScope.HOMEWORK, never hidden); the score side reads
through the gate (`response_series`), so questionnaires the client does not share stay out.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from interlude.consents.access import CareAccess
from interlude.core.clock import client_date, client_today
from interlude.core.panels import Page, panel_register
from interlude.homework.selectors import (
    Adherence,
    AssignmentReport,
    adherence_of,
    adherence_total,
    assignment_reports,
    feedback_recent,
)
from interlude.homework.views_client import homework_items
from interlude.measures.selectors import response_series
from interlude.practices.enums import Module

FEEDBACK_NEW_DAYS = 14
# Below this many periods between questionnaires, relating adherence to score change says only
# that there is too little to say (a rank correlation over 3 or 4 points means nothing).
MIN_PERIODS = 5


@panel_register(
    page=Page.TODAY,
    name="assignments",
    title="Homework",
    order=20,
    template="homework/_today.html",
)
def today_homework(access: CareAccess, **ctx: Any) -> dict[str, Any] | None:
    if not access.is_self or not access.module_on(Module.HOMEWORK):
        return None
    client = access.client
    today = client_today(client)
    # What to do now: overdue, due today, and one-offs open from their start to their due day
    # (so homework due tomorrow is on Today from the day it is set); repeats not yet due and
    # one-offs not yet started stay on the homework page.
    items = homework_items(client=client, today=today)
    feedback = feedback_recent(
        client=client, since=timezone.now() - timedelta(days=FEEDBACK_NEW_DAYS)
    )
    if not (items["due"] or feedback or items["done"]):
        return None
    return {"due": items["due"], "done": items["done"], "feedback": feedback}


# --- adherence and score change -------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    start: date
    end: date
    adherence: Adherence
    score_change: float


@dataclass(frozen=True)
class ScoreRelation:
    instrument: str
    periods: list[Period]
    rho: float | None  # Spearman's rank correlation, None with too few periods
    low: float | None  # approximate 95% interval (Fisher z, Bonett-Wright standard error)
    high: float | None

    @property
    def n(self) -> int:
        return len(self.periods)


def _ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(xs: list[float], ys: list[float]) -> float | None:
    """Spearman's rho (Pearson on ranks, ties averaged); None when either side is constant."""
    rx, ry = _ranks(xs), _ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sx = math.sqrt(sum((a - mx) ** 2 for a in rx))
    sy = math.sqrt(sum((b - my) ** 2 for b in ry))
    if sx == 0 or sy == 0:
        return None
    return sxy / (sx * sy)


def rho_interval(rho: float, n: int) -> tuple[float, float]:
    """Approximate 95% interval for Spearman's rho (Fisher z with Bonett and Wright's 2000
    standard error, sqrt((1 + rho^2 / 2) / (n - 3)))."""
    clipped = max(min(rho, 0.999999), -0.999999)
    z = math.atanh(clipped)
    se = math.sqrt((1 + clipped**2 / 2) / (n - 3))
    return math.tanh(z - 1.96 * se), math.tanh(z + 1.96 * se)


def score_relation(
    *, reports: list[AssignmentReport], series: list, today: date, client: Any
) -> ScoreRelation | None:
    """Adherence in each period between consecutive scores of the main questionnaire (the one
    answered most often) beside the score's change over that period."""
    if not reports or not series:
        return None
    main = max(series, key=lambda s: len(s.responses))
    first_start = min(r.assignment.starts_on for r in reports)
    points = [
        (client_date(r.submitted_at, client), float(r.total))
        for r in main.responses
        if r.total is not None
    ]
    points = [p for p in points if p[0] >= first_start]
    periods = []
    for (d0, s0), (d1, s1) in itertools.pairwise(points):
        if d1 <= d0:
            continue
        total = Adherence()
        for r in reports:
            total.add(
                adherence_of(
                    r.assignment,
                    r.occurrences,
                    today=min(d1, today),
                    since=d0,
                )
            )
        if total.n:
            periods.append(Period(d0, d1, total, s1 - s0))
    rho = low = high = None
    if len(periods) >= MIN_PERIODS:
        rho = spearman(
            [p.adherence.completed / p.adherence.n for p in periods],
            [p.score_change for p in periods],
        )
        if rho is not None:
            low, high = rho_interval(rho, len(periods))
    return ScoreRelation(main.definition.short_name, periods, rho, low, high)


@panel_register(
    page=Page.RECORD,
    name="assignments",
    title="Homework",
    order=36,
    template="homework/_record.html",
)
def record_homework(access: CareAccess, **ctx: Any) -> dict[str, Any] | None:
    client = access.client
    today = client_today(client)
    reports = assignment_reports(access=access, today=today)
    if not reports and not access.module_on(Module.HOMEWORK):
        return None
    return {
        "client": client,
        "reports": reports,
        "total": adherence_total(reports),
        "relation": score_relation(
            reports=reports, series=response_series(access=access), today=today, client=client
        ),
        "min_periods": MIN_PERIODS,
    }


@panel_register(
    page=Page.BRIEF,
    name="assignments",
    title="Homework",
    order=50,
    template="homework/_brief.html",
    region="right",
)
def brief_homework(access: CareAccess, **ctx: Any) -> dict[str, Any] | None:
    """Homework since the last attended session (the brief's period), with adherence."""
    client = access.client
    today = client_today(client)
    at = ctx.get("at")
    since = client_date(at.since, client) if at is not None else today - timedelta(days=14)
    reports = [
        r
        for r in assignment_reports(access=access, today=today, since=since)
        if r.adherence.n or r.adherence.pending or r.assignment.starts_on >= since
    ]
    if not reports:
        return None
    return {
        "client": client,
        "reports": reports,
        "total": adherence_total(reports),
        "since": since,
    }
