"""Reads of the treatment plan through the gate's `CareAccess`, in a fixed number of queries.

The plan is what the care team records themselves (`Category.CARE_RECORD`), never hidden by the
client's sharing choices; it still reads through `access.scope(...)` so the rule stays the gate's.
How far a linked goal has come reads the client's questionnaires, which are another app's: the
screens join the two (care/views_plan.py), so this module never imports `measures`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from interlude.care.models import (
    Goal,
    GoalReview,
    GoalStatus,
    Problem,
    ProblemStatus,
    TargetDirection,
)
from interlude.consents.access import CareAccess, Category


@dataclass
class PlanProblem:
    problem: Problem
    goals: list[Goal] = field(default_factory=list)


@dataclass
class TreatmentPlan:
    """The client's plan: problems in order (each with its goals), goals under no problem, and
    every goal in one list. Goals carry their reviews oldest first (`goal.reviews.all()`)."""

    problems: list[PlanProblem]
    loose_goals: list[Goal]
    goals: list[Goal]

    @property
    def active_goals(self) -> list[Goal]:
        return [g for g in self.goals if g.status == GoalStatus.ACTIVE]

    @property
    def is_empty(self) -> bool:
        return not self.problems and not self.goals

    @property
    def instrument_codes(self) -> list[str]:
        return sorted({g.instrument_code for g in self.goals if g.instrument_code})


def _problems(care: CareAccess) -> QuerySet[Problem]:
    return care.scope(Problem.objects.all(), Category.CARE_RECORD)


def _goals(care: CareAccess) -> QuerySet[Goal]:
    return care.scope(Goal.objects.all(), Category.CARE_RECORD)


def treatment_plan_get(*, access: CareAccess, active_only: bool = False) -> TreatmentPlan:
    """The whole plan in three queries (problems, goals, their reviews), whatever its size.
    Resolved problems and closed goals come after the open ones."""
    problems = list(_problems(access).order_by("order", "created_at"))
    goals_qs = _goals(access)
    if active_only:
        goals_qs = goals_qs.filter(status=GoalStatus.ACTIVE)
        problems = [p for p in problems if p.status == ProblemStatus.ACTIVE]
    goals = list(
        goals_qs.prefetch_related(
            Prefetch("reviews", queryset=GoalReview.objects.order_by("reviewed_on", "created_at"))
        ).order_by("order", "created_at")
    )
    problems.sort(key=lambda p: p.status != ProblemStatus.ACTIVE)
    goals.sort(key=lambda g: g.status != GoalStatus.ACTIVE)
    by_problem = {p.pk: PlanProblem(problem=p) for p in problems}
    loose: list[Goal] = []
    for goal in goals:
        holder = by_problem.get(goal.problem_id) if goal.problem_id else None
        if holder is not None:
            holder.goals.append(goal)
            goal.problem = holder.problem  # already loaded: no query per goal
        else:
            loose.append(goal)
    return TreatmentPlan(problems=list(by_problem.values()), loose_goals=loose, goals=goals)


def problem_get(*, access: CareAccess, problem_id: uuid.UUID | str) -> Problem:
    found = _problems(access).filter(public_id=problem_id).first()
    if found is None:
        raise Http404
    return found


def goal_get(*, access: CareAccess, goal_id: uuid.UUID | str) -> Goal:
    found = _goals(access).select_related("problem").filter(public_id=goal_id).first()
    if found is None:
        raise Http404
    return found


def latest_review(goal: Goal) -> GoalReview | None:
    """The newest review of a goal loaded by treatment_plan_get (no query)."""
    reviews = list(goal.reviews.all())
    return reviews[-1] if reviews else None


# --- pure: is a target met? -----------------------------------------------------------------------
def target_met(*, direction: str, target: float, value: float) -> bool:
    """ "PHQ-9 below 10" is met by 9 and not by 10; "WHO-5 above 12" by 13 and not by 12."""
    if direction == TargetDirection.BELOW:
        return value < target
    if direction == TargetDirection.ABOVE:
        return value > target
    raise ValueError(f"unknown direction {direction!r}")


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def target_words(*, instrument_name: str, direction: str, target: float) -> str:
    """ "PHQ-9 below 10"."""
    return f"{instrument_name} {TargetDirection(direction).label} {_num(target)}"
