"""Writes for the treatment plan: problems, goals (optionally linked to a questionnaire target)
and their Goal Attainment Scaling reviews.

Every function takes the `CareAccess` the gate returned for a write (`for_write=True`) and
refuses anyone but the care team: emergency (break-glass) access only reads. Each write and its
audit event share one transaction. A broken rule raises `ApplicationError` naming the field.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from interlude.audit.services import event_goal_reviewed, event_treatment_plan_changed
from interlude.care.models import (
    GasScore,
    Goal,
    GoalReview,
    GoalStatus,
    Problem,
    ProblemStatus,
    TargetDirection,
)
from interlude.consents.access import CareAccess, Viewer
from interlude.core.errors import ApplicationError
from interlude.core.validation import (
    MSG_BAD_TEXT,
    BoundError,
    check_past_date,
    check_planned_date,
    text_problem,
)
from interlude.practices.models import Membership

MAX_TITLE_CHARS = 200
MAX_TEXT_CHARS = 4000
MAX_ORDER = 999
INSTRUMENT_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


def care_team_writer(care: CareAccess) -> Membership:
    """The membership writing to the care team's record. Only a care-team clinician writes:
    the client never reaches these records, and emergency (break-glass) access only reads; the
    gate already refuses both for `for_write=True`, so this is the second lock."""
    if care.viewer is not Viewer.CARE_TEAM or care.membership is None:
        raise Http404
    return care.membership


def clean_text(value: object, *, field: str, label: str, required: bool, limit: int) -> str:
    if not isinstance(value, str):
        raise ApplicationError(f"{label} must be text.", field=field)
    if text_problem(value) is not None:
        raise ApplicationError(MSG_BAD_TEXT, field=field)
    text = value.strip()
    if required and not text:
        raise ApplicationError(f"Enter {label.lower()}.", field=field)
    if len(text) > limit:
        raise ApplicationError(
            f"{label} must be {limit} characters or fewer (it has {len(text)}).", field=field
        )
    return text


def _clean_order(order: int) -> int:
    if isinstance(order, bool) or not isinstance(order, int) or not 0 <= order <= MAX_ORDER:
        raise ApplicationError(
            f"The position must be a whole number from 0 to {MAX_ORDER}.", field="order"
        )
    return order


# --- problems -------------------------------------------------------------------------------------
def problem_create(
    *, care: CareAccess, title: str, description: str = "", order: int = 0
) -> Problem:
    care_team_writer(care)
    actor = care.user
    problem = Problem(
        practice_id=care.client.practice_id,
        client=care.client,
        title=clean_text(
            title, field="title", label="The problem", required=True, limit=MAX_TITLE_CHARS
        ),
        description=clean_text(
            description,
            field="description",
            label="The description",
            required=False,
            limit=MAX_TEXT_CHARS,
        ),
        order=_clean_order(order),
        created_by=actor,
        updated_by=actor,
    )
    with transaction.atomic():
        problem.save()
        event_treatment_plan_changed(
            actor=actor,
            client=care.client,
            object_type="problem",
            object_id=str(problem.public_id),
            change="added",
        )
    return problem


def problem_update(
    *, care: CareAccess, problem: Problem, title: str, description: str, order: int
) -> Problem:
    care_team_writer(care)
    _own(care, problem)
    problem.title = clean_text(
        title, field="title", label="The problem", required=True, limit=MAX_TITLE_CHARS
    )
    problem.description = clean_text(
        description,
        field="description",
        label="The description",
        required=False,
        limit=MAX_TEXT_CHARS,
    )
    problem.order = _clean_order(order)
    problem.updated_by = care.user
    with transaction.atomic():
        problem.save()
        event_treatment_plan_changed(
            actor=care.user,
            client=care.client,
            object_type="problem",
            object_id=str(problem.public_id),
            change="changed",
        )
    return problem


def problem_set_status(*, care: CareAccess, problem: Problem, status: ProblemStatus) -> Problem:
    care_team_writer(care)
    _own(care, problem)
    status = _choice(ProblemStatus, status, field="status", words="active or resolved")
    problem.status = status
    problem.resolved_at = timezone.now() if status == ProblemStatus.RESOLVED else None
    problem.updated_by = care.user
    with transaction.atomic():
        problem.save(update_fields=["status", "resolved_at", "updated_by", "updated_at"])
        event_treatment_plan_changed(
            actor=care.user,
            client=care.client,
            object_type="problem",
            object_id=str(problem.public_id),
            change="resolved" if status == ProblemStatus.RESOLVED else "reopened",
        )
    return problem


# --- goals ----------------------------------------------------------------------------------------
def _own(care: CareAccess, row: Problem | Goal) -> None:
    """A row of another client never reaches a write for this one (a swapped id is a 404)."""
    if row.client_id != care.client.pk:
        raise Http404


def _choice(enum: type, value: object, *, field: str, words: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        raise ApplicationError(f"Choose {words}.", field=field) from None


def _clean_link(
    instrument_code: str, target_direction: str, target_value: float | None
) -> tuple[str, str, float | None]:
    """The link to a questionnaire: a code, a direction and a value, or none of them. That the
    code names an instrument the practice uses is checked by the form, which knows them."""
    code = (instrument_code or "").strip()
    if not code:
        if target_direction or target_value is not None:
            raise ApplicationError(
                "Choose the questionnaire the target is for, or clear the target.",
                field="instrument_code",
            )
        return "", "", None
    if not INSTRUMENT_CODE.match(code):
        raise ApplicationError("Choose a questionnaire from the list.", field="instrument_code")
    direction = _choice(
        TargetDirection, target_direction, field="target_direction", words="below or above"
    )
    if (
        target_value is None
        or isinstance(target_value, bool)
        or not isinstance(target_value, int | float)
        or not math.isfinite(target_value)
    ):
        raise ApplicationError("Enter the target score as a number, like 10.", field="target_value")
    return code, str(direction), float(target_value)


def _clean_target_date(value: date | None) -> date | None:
    if value is None:
        return None
    try:
        return check_planned_date(value)
    except BoundError as exc:
        raise ApplicationError(str(exc), field="target_date") from None


def _problem_of(care: CareAccess, problem: Problem | None) -> Problem | None:
    if problem is not None:
        _own(care, problem)
    return problem


def goal_create(
    *,
    care: CareAccess,
    description: str,
    problem: Problem | None = None,
    instrument_code: str = "",
    target_direction: str = "",
    target_value: float | None = None,
    target_date: date | None = None,
    order: int = 0,
) -> Goal:
    care_team_writer(care)
    code, direction, value = _clean_link(instrument_code, target_direction, target_value)
    goal = Goal(
        practice_id=care.client.practice_id,
        client=care.client,
        problem=_problem_of(care, problem),
        description=clean_text(
            description,
            field="description",
            label="The goal",
            required=True,
            limit=MAX_TEXT_CHARS,
        ),
        instrument_code=code,
        target_direction=direction,
        target_value=value,
        target_date=_clean_target_date(target_date),
        order=_clean_order(order),
        created_by=care.user,
        updated_by=care.user,
    )
    with transaction.atomic():
        goal.save()
        event_treatment_plan_changed(
            actor=care.user,
            client=care.client,
            object_type="goal",
            object_id=str(goal.public_id),
            change="added",
        )
    return goal


def goal_update(
    *,
    care: CareAccess,
    goal: Goal,
    description: str,
    problem: Problem | None,
    instrument_code: str,
    target_direction: str,
    target_value: float | None,
    target_date: date | None,
    order: int,
) -> Goal:
    care_team_writer(care)
    _own(care, goal)
    code, direction, value = _clean_link(instrument_code, target_direction, target_value)
    goal.problem = _problem_of(care, problem)
    goal.description = clean_text(
        description, field="description", label="The goal", required=True, limit=MAX_TEXT_CHARS
    )
    goal.instrument_code, goal.target_direction, goal.target_value = code, direction, value
    goal.target_date = _clean_target_date(target_date)
    goal.order = _clean_order(order)
    goal.updated_by = care.user
    with transaction.atomic():
        goal.save()
        event_treatment_plan_changed(
            actor=care.user,
            client=care.client,
            object_type="goal",
            object_id=str(goal.public_id),
            change="changed",
        )
    return goal


def goal_set_status(*, care: CareAccess, goal: Goal, status: GoalStatus) -> Goal:
    """Close a goal as achieved or discontinued, or make it active again."""
    care_team_writer(care)
    _own(care, goal)
    status = _choice(GoalStatus, status, field="status", words="active, achieved or discontinued")
    goal.status = status
    goal.closed_at = None if status == GoalStatus.ACTIVE else timezone.now()
    goal.updated_by = care.user
    with transaction.atomic():
        goal.save(update_fields=["status", "closed_at", "updated_by", "updated_at"])
        event_treatment_plan_changed(
            actor=care.user,
            client=care.client,
            object_type="goal",
            object_id=str(goal.public_id),
            change=str(status),
        )
    return goal


# --- Goal Attainment Scaling ----------------------------------------------------------------------
GAS_RANGE_MESSAGE = (
    "Choose a score from -2 (much less than expected) to +2 (much more than expected)."
)


def gas_score_clean(score: object) -> GasScore:
    """The score, strictly: a whole number from -2 to +2 (not 2.5, not "2", not True)."""
    if isinstance(score, bool) or not isinstance(score, int) or not -2 <= score <= 2:
        raise ApplicationError(GAS_RANGE_MESSAGE, field="score")
    return GasScore(score)


def goal_review_add(
    *, care: CareAccess, goal: Goal, reviewed_on: date, score: int, note: str = ""
) -> GoalReview:
    care_team_writer(care)
    _own(care, goal)
    checked = gas_score_clean(score)
    if not isinstance(reviewed_on, date):
        raise ApplicationError("Enter the date of the review.", field="reviewed_on")
    try:
        check_past_date(reviewed_on)
    except BoundError as exc:
        raise ApplicationError(str(exc), field="reviewed_on") from None
    review = GoalReview(
        practice_id=care.client.practice_id,
        client=care.client,
        goal=goal,
        reviewed_on=reviewed_on,
        score=int(checked),
        note=clean_text(note, field="note", label="The note", required=False, limit=MAX_TEXT_CHARS),
        created_by=care.user,
        updated_by=care.user,
    )
    with transaction.atomic():
        review.save()
        event_goal_reviewed(
            actor=care.user, client=care.client, goal_id=str(goal.public_id), score=int(checked)
        )
    return review
