"""The treatment plan's writes and pure parts: problems and goals with a questionnaire target,
Goal Attainment Scaling reviews validated strictly, the GAS chart, encryption at rest, audit."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.http import Http404

from interlude.audit.enums import AuditAction
from interlude.audit.models import AuditEvent
from interlude.care.charts import GasPoint, gas_chart_svg, gas_description
from interlude.care.models import Goal, GoalReview, GoalStatus, Problem, ProblemStatus
from interlude.care.plan_selectors import target_met, target_words, treatment_plan_get
from interlude.care.plan_services import (
    GAS_RANGE_MESSAGE,
    goal_create,
    goal_review_add,
    goal_set_status,
    goal_update,
    problem_create,
    problem_set_status,
)
from interlude.care.tests.plan_notes_support import (
    break_glass_access,
    own_access,
    owner_with_grant,
    team_access,
)
from interlude.core.errors import ApplicationError
from tests.factories import clinician_with_client

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 18, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def care():
    membership, client = clinician_with_client()
    return team_access(membership, client)


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


# --- problems and goals ---------------------------------------------------------------------------
def test_a_problem_and_its_goal_are_stored_encrypted_and_audited(care):
    problem = problem_create(care=care, title="Low mood since the bereavement CANARY-P1")
    goal = goal_create(
        care=care,
        problem=problem,
        description="Back to the choir on Thursdays CANARY-G1",
        instrument_code="phq9",
        target_direction="below",
        target_value=10,
        target_date=date(2026, 6, 30),
    )

    assert "CANARY-P1" not in _raw("care_problem", "title", problem.pk)
    assert "CANARY-G1" not in _raw("care_goal", "description", goal.pk)
    stored = Goal.objects.get(pk=goal.pk)
    assert stored.description == "Back to the choir on Thursdays CANARY-G1"
    assert (stored.instrument_code, stored.target_direction, stored.target_value) == (
        "phq9",
        "below",
        10.0,
    )
    events = list(
        AuditEvent.objects.filter(action=AuditAction.TREATMENT_PLAN_CHANGED).order_by("seq")
    )
    assert [(e.object_type, e.detail["change"]) for e in events] == [
        ("problem", "added"),
        ("goal", "added"),
    ]
    assert all("CANARY" not in str(e.detail) for e in events)


def test_a_target_needs_its_questionnaire_direction_and_value(care):
    with pytest.raises(ApplicationError) as no_code:
        goal_create(care=care, description="Sleep better", target_direction="below", target_value=8)
    with pytest.raises(ApplicationError) as no_direction:
        goal_create(care=care, description="Sleep better", instrument_code="isi", target_value=8)
    with pytest.raises(ApplicationError) as no_value:
        goal_create(
            care=care, description="Sleep better", instrument_code="isi", target_direction="below"
        )
    with pytest.raises(ApplicationError) as infinite:
        goal_create(
            care=care,
            description="Sleep better",
            instrument_code="isi",
            target_direction="below",
            target_value=float("inf"),
        )

    assert no_code.value.field == "instrument_code"
    assert no_direction.value.field == "target_direction"
    assert no_value.value.field == "target_value"
    assert infinite.value.field == "target_value"
    assert Goal.objects.count() == 0


def test_text_with_a_nul_byte_or_empty_is_refused_naming_the_field(care):
    with pytest.raises(ApplicationError) as nul:
        problem_create(care=care, title="Low\x00 mood")
    with pytest.raises(ApplicationError) as empty:
        goal_create(care=care, description="   ")

    assert nul.value.field == "title"
    assert empty.value.field == "description"


def test_closing_a_goal_and_resolving_a_problem_keep_them_on_the_plan(care):
    problem = problem_create(care=care, title="Panic in shops")
    goal = goal_create(care=care, problem=problem, description="Shop alone for 20 minutes")

    goal_set_status(care=care, goal=goal, status=GoalStatus.ACHIEVED)
    problem_set_status(care=care, problem=problem, status=ProblemStatus.RESOLVED)

    plan = treatment_plan_get(access=care)
    assert [p.problem.status for p in plan.problems] == ["resolved"]
    assert [(g.status, g.closed_at) for g in plan.problems[0].goals] == [("achieved", NOW)]
    assert plan.active_goals == []
    assert treatment_plan_get(access=care, active_only=True).goals == []


def test_a_goal_of_another_client_is_a_404(care):
    other_membership, other_client = clinician_with_client()
    foreign = goal_create(
        care=team_access(other_membership, other_client), description="Someone else's"
    )

    with pytest.raises(Http404):
        goal_update(
            care=care,
            goal=foreign,
            description="Taken over",
            problem=None,
            instrument_code="",
            target_direction="",
            target_value=None,
            target_date=None,
            order=0,
        )
    with pytest.raises(Http404):
        goal_review_add(care=care, goal=foreign, reviewed_on=date(2026, 3, 18), score=0)


def test_break_glass_and_the_client_cannot_write_the_plan(care):
    client = care.client
    owner = owner_with_grant(client, until=datetime(2026, 3, 18, 16, 0, tzinfo=UTC))

    with pytest.raises(Http404):
        problem_create(care=break_glass_access(owner, client), title="Emergency edit")
    with pytest.raises(Http404):
        problem_create(care=own_access(client), title="My own problem")
    assert Problem.objects.count() == 0


# --- Goal Attainment Scaling ----------------------------------------------------------------------
def test_a_review_is_stored_with_its_note_encrypted_and_audited_without_it(care):
    goal = goal_create(care=care, description="Walk the dog every morning")

    review = goal_review_add(
        care=care, goal=goal, reviewed_on=date(2026, 3, 17), score=1, note="CANARY-R1 went well"
    )

    assert "CANARY-R1" not in _raw("care_goalreview", "note", review.pk)
    assert GoalReview.objects.get(pk=review.pk).note == "CANARY-R1 went well"
    event = AuditEvent.objects.get(action=AuditAction.GOAL_REVIEWED)
    assert (event.object_id, event.detail) == (str(goal.public_id), {"gas": 1})


@pytest.mark.parametrize("score", [3, -3, 2.5, "1", True, None, 10**9])
def test_a_gas_score_outside_minus_two_to_plus_two_is_refused(care, score):
    goal = goal_create(care=care, description="Walk the dog every morning")

    with pytest.raises(ApplicationError) as refused:
        goal_review_add(care=care, goal=goal, reviewed_on=date(2026, 3, 17), score=score)

    assert refused.value.field == "score"
    assert refused.value.message == GAS_RANGE_MESSAGE
    assert GoalReview.objects.count() == 0


def test_a_review_dated_in_the_future_is_refused(care):
    goal = goal_create(care=care, description="Walk the dog every morning")

    with pytest.raises(ApplicationError) as refused:
        goal_review_add(care=care, goal=goal, reviewed_on=date(2026, 5, 1), score=0)

    assert refused.value.field == "reviewed_on"


def test_the_database_refuses_a_score_outside_the_scale(care):
    from django.db import IntegrityError

    goal = goal_create(care=care, description="Walk the dog every morning")
    with pytest.raises(IntegrityError):
        GoalReview.objects.create(
            practice=care.client.practice,
            client=care.client,
            goal=goal,
            reviewed_on=date(2026, 3, 1),
            score=3,
            created_by=care.user,
            updated_by=care.user,
        )


# --- pure parts -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("direction", "target", "value", "met"),
    [
        ("below", 10, 9, True),
        ("below", 10, 10, False),
        ("below", 10, 14, False),
        ("above", 12, 13, True),
        ("above", 12, 12, False),
    ],
)
def test_a_target_is_met_strictly_below_or_above(direction, target, value, met):
    assert target_met(direction=direction, target=target, value=value) is met


def test_target_words_read_like_a_clinician_says_them():
    assert target_words(instrument_name="PHQ-9", direction="below", target=10.0) == "PHQ-9 below 10"
    assert (
        target_words(instrument_name="WHO-5", direction="above", target=12.5) == "WHO-5 above 12.5"
    )


def test_the_gas_chart_is_accessible_and_draws_one_point_per_review():
    points = [
        GasPoint(day=date(2026, 1, 5), score=-2),
        GasPoint(day=date(2026, 1, 19), score=-1),
        GasPoint(day=date(2026, 2, 2), score=1),
    ]

    svg = gas_chart_svg(points, chart_id="gas-1", title="Reviews <of> a goal")

    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 480 180"')
    assert 'role="img" aria-labelledby="gas-1-title gas-1-desc"' in svg
    assert '<title id="gas-1-title">Reviews &lt;of&gt; a goal</title>' in svg
    assert (
        '<desc id="gas-1-desc">3 reviews from 5 Jan 2026 to 2 Feb 2026: first \u22122 '
        "(much less than expected), latest +1 (somewhat more than expected).</desc>"
    ) in svg
    assert svg.count('<circle class="chart-point"') == 3
    assert "<title>19 Jan 2026: \u22121, somewhat less than expected</title>" in svg
    assert svg.count('class="chart-line"') == 1
    # The expected level (0) is the reference line; the other four levels are grid lines.
    assert svg.count('class="chart-cutoff"') == 1
    assert svg.count('class="chart-grid"') == 4


def test_the_gas_chart_refuses_a_score_off_the_scale():
    with pytest.raises(ValueError, match="from -2 to \\+2"):
        gas_chart_svg([GasPoint(day=date(2026, 1, 5), score=3)], chart_id="g", title="t")


def test_the_gas_description_of_one_review_and_of_none():
    assert gas_description([]) == "No reviews yet."
    assert (
        gas_description([GasPoint(day=date(2026, 3, 2), score=0)])
        == "1 review, on 2 Mar 2026: 0, expected level."
    )
