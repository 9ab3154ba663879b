"""Treatment plan pages over HTTP: who reaches them, a linked goal's progress with questionnaires
shared and not shared, the GAS form's strict score, the record's and the brief's panels, and a
fixed number of queries whatever the plan's size."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from interlude.care.models import Goal, GoalReview, Problem
from interlude.care.plan_services import goal_create, goal_review_add, problem_create
from interlude.care.tests.plan_notes_support import (
    logged_in,
    owner_with_grant,
    phq9,
    stop_sharing_questionnaires,
    team_access,
    text,
)
from interlude.practices.enums import Role
from tests.factories import (
    MembershipFactory,
    UserFactory,
    clinician_with_client,
)

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 18, 15, 0, tzinfo=UTC)  # 11:00 in New York


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pair():
    return clinician_with_client()


def plan_url(client) -> str:
    return f"/clinic/clients/{client.public_id}/plan/"


def _linked_goal(membership, client, *, target=10):
    care = team_access(membership, client)
    problem = problem_create(care=care, title="Low mood")
    return goal_create(
        care=care,
        problem=problem,
        description="Enjoy weekends again",
        instrument_code="phq9",
        target_direction="below",
        target_value=target,
    )


# --- who reaches the plan -------------------------------------------------------------------------
def test_the_care_team_sees_the_plan(pair):
    membership, client = pair
    _linked_goal(membership, client)

    response = logged_in(membership.user).get(plan_url(client))

    assert response.status_code == 200
    page = text(response.content.decode())
    assert "Treatment plan for" in page
    assert "Low mood" in page
    assert "Goal: Enjoy weekends again" in page
    assert "Target PHQ-9 below 10" in page


def test_the_client_an_admin_another_practice_and_a_colleague_off_the_team_get_404(pair):
    _membership, client = pair
    admin = MembershipFactory(
        practice=client.practice, role=Role.ADMIN, user=UserFactory(mfa_exempt=True)
    )
    colleague = MembershipFactory(practice=client.practice, user=UserFactory(mfa_exempt=True))
    stranger, _ = clinician_with_client()

    for user in (client.user, admin.user, colleague.user, stranger.user):
        assert logged_in(user).get(plan_url(client)).status_code == 404
        assert (
            logged_in(user).post(f"{plan_url(client)}problems/add/", {"title": "x"}).status_code
            == 404
        )
    assert Problem.objects.count() == 0


def test_break_glass_reads_the_plan_without_forms_and_cannot_write(pair):
    membership, client = pair
    goal = _linked_goal(membership, client)
    owner = owner_with_grant(client, until=NOW + timedelta(minutes=60))
    http = logged_in(owner.user)

    response = http.get(plan_url(client))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Emergency access" in html
    assert "Add a problem" not in html
    assert "Add a GAS review" not in html
    assert http.post(f"{plan_url(client)}problems/add/", {"title": "x"}).status_code == 404
    assert (
        http.post(
            f"{plan_url(client)}goals/{goal.public_id}/review/",
            {"reviewed_on": "2026-03-18", "score": "1"},
        ).status_code
        == 404
    )
    assert Problem.objects.count() == 1
    assert GoalReview.objects.count() == 0


def test_a_goal_of_another_client_in_the_url_is_a_404(pair):
    membership, client = pair
    other_membership, other_client = clinician_with_client()
    foreign = _linked_goal(other_membership, other_client)

    response = logged_in(membership.user).get(f"{plan_url(client)}goals/{foreign.public_id}/edit/")

    assert response.status_code == 404


# --- progress shows itself ------------------------------------------------------------------------
def test_a_linked_goal_shows_the_latest_score_its_day_and_that_the_target_is_met(pair):
    membership, client = pair
    _linked_goal(membership, client)
    phq9(client, total=16, at=datetime(2026, 2, 1, 23, 30, tzinfo=UTC), key="a")
    phq9(client, total=8, at=datetime(2026, 3, 17, 3, 30, tzinfo=UTC), key="b")  # 16 Mar in NY

    html = logged_in(membership.user).get(plan_url(client)).content.decode()

    assert 'data-progress="met"' in html
    assert "8 on 16 Mar 2026: target met" in text(html)


def test_a_score_at_the_target_is_not_yet_met(pair):
    membership, client = pair
    _linked_goal(membership, client)
    phq9(client, total=10, at=datetime(2026, 3, 10, 20, 0, tzinfo=UTC), key="a")

    html = logged_in(membership.user).get(plan_url(client)).content.decode()

    assert 'data-progress="not-met"' in html
    assert "10 on 10 Mar 2026: target not met yet" in text(html)


def test_questionnaires_not_shared_show_not_shared_never_the_score(pair):
    membership, client = pair
    _linked_goal(membership, client)
    phq9(client, total=8, at=datetime(2026, 3, 10, 20, 0, tzinfo=UTC), key="a")
    stop_sharing_questionnaires(client)

    html = logged_in(membership.user).get(plan_url(client)).content.decode()

    assert 'data-progress="not-shared"' in html
    assert f"Not shared by {client.display_name}." in text(html)
    assert "target met" not in html


def test_not_shared_still_shows_a_score_the_care_team_entered_from_paper(pair):
    membership, client = pair
    _linked_goal(membership, client)
    phq9(client, total=8, at=datetime(2026, 3, 10, 20, 0, tzinfo=UTC), key="a")
    phq9(
        client,
        total=12,
        at=datetime(2026, 3, 3, 20, 0, tzinfo=UTC),
        key="paper",
        paper_by=membership.user,
    )
    stop_sharing_questionnaires(client)

    page = text(logged_in(membership.user).get(plan_url(client)).content.decode())

    assert "12 on 3 Mar 2026: target not met yet (entered from a paper form)" in page
    assert f"Not shared by {client.display_name}: only scores the care team entered" in page


def test_a_linked_goal_without_scores_says_so(pair):
    membership, client = pair
    _linked_goal(membership, client)

    html = logged_in(membership.user).get(plan_url(client)).content.decode()

    assert 'data-progress="none"' in html
    assert "No score yet" in html


# --- forms ----------------------------------------------------------------------------------------
def test_adding_a_goal_with_a_target_outside_the_questionnaire_names_the_field(pair):
    membership, client = pair

    response = logged_in(membership.user).post(
        f"{plan_url(client)}goals/add/",
        {
            "description": "Feel better",
            "instrument_code": "phq9",
            "target_direction": "below",
            "target_value": "40",
        },
    )

    assert response.status_code == 422
    assert response.context["form"].errors == {
        "target_value": ["Enter a PHQ-9 score from 0 to 27."]
    }
    assert '<a href="#id_target_value">Enter a PHQ-9 score from 0 to 27.</a>' in (
        response.content.decode()
    )
    assert Goal.objects.count() == 0


def test_adding_a_problem_and_a_linked_goal_through_the_forms(pair):
    membership, client = pair
    http = logged_in(membership.user)

    response = http.post(f"{plan_url(client)}problems/add/", {"title": "Worry at night"})
    problem = Problem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{plan_url(client)}#problem-{problem.public_id}"
    response = http.post(
        f"{plan_url(client)}goals/add/",
        {
            "problem": str(problem.public_id),
            "description": "Fall asleep within 30 minutes",
            "instrument_code": "isi",
            "target_direction": "below",
            "target_value": "8",
            "target_date": "2026-06-01",
        },
    )

    goal = Goal.objects.get()
    assert response.status_code == 302
    assert (goal.problem_id, goal.instrument_code, goal.target_value) == (problem.pk, "isi", 8.0)
    assert goal.target_date == date(2026, 6, 1)


@pytest.mark.parametrize("score", ["3", "-3", "1.5", "two", ""])
def test_a_gas_review_off_the_scale_is_a_422_naming_the_score(pair, score):
    membership, client = pair
    goal = _linked_goal(membership, client)

    response = logged_in(membership.user).post(
        f"{plan_url(client)}goals/{goal.public_id}/review/",
        {"reviewed_on": "2026-03-18", "score": score},
    )

    assert response.status_code == 422
    assert response.context["form"].errors == {
        "score": [
            "Choose a score from -2 (much less than expected) to +2 (much more than expected)."
        ]
    }
    assert GoalReview.objects.count() == 0


def test_a_gas_review_from_the_plan_page_form_is_saved(pair):
    membership, client = pair
    goal = _linked_goal(membership, client)
    prefix = f"g{goal.public_id.hex}"

    response = logged_in(membership.user).post(
        f"{plan_url(client)}goals/{goal.public_id}/review/",
        {
            "form_prefix": prefix,
            f"{prefix}-reviewed_on": "2026-03-18",
            f"{prefix}-score": "-1",
            f"{prefix}-note": "Harder month",
        },
    )

    assert response.status_code == 302
    review = GoalReview.objects.get()
    assert (review.goal_id, review.score, review.reviewed_on, review.note) == (
        goal.pk,
        -1,
        date(2026, 3, 18),
        "Harder month",
    )


def test_the_plan_page_draws_a_gas_chart_and_its_table(pair):
    membership, client = pair
    goal = _linked_goal(membership, client)
    care = team_access(membership, client)
    for days_ago, score in ((42, -2), (28, -1), (14, 0), (0, 1)):
        goal_review_add(
            care=care,
            goal=goal,
            reviewed_on=date(2026, 3, 18) - timedelta(days=days_ago),
            score=score,
        )

    html = logged_in(membership.user).get(plan_url(client)).content.decode()

    assert html.count('<circle class="chart-point"') == 4
    assert f'aria-labelledby="gas-{goal.public_id}-title gas-{goal.public_id}-desc"' in html
    assert "Reviews as a table" in html
    assert "4 reviews from 4 Feb 2026 to 18 Mar 2026" in html
    assert "Latest GAS +1 (somewhat more than expected), 18 Mar 2026" in text(html)


# --- panels ---------------------------------------------------------------------------------------
def test_the_record_and_the_brief_show_active_goals_with_progress_and_latest_gas(pair):
    membership, client = pair
    goal = _linked_goal(membership, client)
    goal_review_add(
        care=team_access(membership, client), goal=goal, reviewed_on=date(2026, 3, 11), score=0
    )
    phq9(client, total=8, at=datetime(2026, 3, 10, 20, 0, tzinfo=UTC), key="a")
    http = logged_in(membership.user)

    record = text(http.get(f"/clinic/clients/{client.public_id}/").content.decode())
    brief = text(http.get(f"/clinic/clients/{client.public_id}/brief/").content.decode())

    assert "Treatment plan Active goal" in record
    assert "8 on 10 Mar 2026: target met" in record
    assert "0 (expected level) 11 Mar 2026" in record
    assert "Goals Enjoy weekends again PHQ-9 below 10: latest 8 (10 Mar), met." in brief
    assert "GAS: 0 (expected level), 11 Mar" in brief


# --- queries --------------------------------------------------------------------------------------
def _grow(membership, client, n: int) -> None:
    care = team_access(membership, client)
    for i in range(n):
        problem = problem_create(care=care, title=f"Problem {i}")
        for code in ("phq9", "gad7"):
            goal = goal_create(
                care=care,
                problem=problem,
                description=f"Goal {i} {code}",
                instrument_code=code,
                target_direction="below",
                target_value=10,
            )
            goal_review_add(care=care, goal=goal, reviewed_on=date(2026, 3, 1), score=0)
            goal_review_add(care=care, goal=goal, reviewed_on=date(2026, 3, 15), score=1)


def test_the_plan_page_reads_in_a_fixed_number_of_queries(pair, django_assert_num_queries):
    membership, client = pair
    http = logged_in(membership.user)
    _grow(membership, client, 1)
    http.get(plan_url(client))  # warm the session and the definitions
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert http.get(plan_url(client)).status_code == 200
    _grow(membership, client, 4)

    with django_assert_num_queries(len(small.captured_queries)):
        response = http.get(plan_url(client))

    assert response.status_code == 200
    assert response.content.decode().count('class="plan-goal"') == 10


def test_every_form_page_opens_with_its_fields_filled_in(pair):
    membership, client = pair
    goal = _linked_goal(membership, client, target=10)
    http = logged_in(membership.user)
    base = plan_url(client)

    pages = {
        "problems/add/": "Add a problem",
        f"problems/{goal.problem.public_id}/edit/": "Change a problem",
        "goals/add/": "Add a goal",
        f"goals/{goal.public_id}/edit/": "Change a goal",
        f"goals/{goal.public_id}/review/": "Review a goal (Goal Attainment Scaling)",
    }
    for path, heading in pages.items():
        response = http.get(base + path)
        assert response.status_code == 200, path
        assert f"<h1>{heading} " in response.content.decode()
    edit = http.get(f"{base}goals/{goal.public_id}/edit/").content.decode()
    assert '<option value="phq9" selected>PHQ-9' in edit
    assert 'value="10.0"' in edit or 'value="10"' in edit
    review = http.get(f"{base}goals/{goal.public_id}/review/").content.decode()
    assert 'value="2026-03-18"' in review
    assert "+2: Much more than expected" in review


def test_closing_a_goal_from_the_plan_page(pair):
    membership, client = pair
    goal = _linked_goal(membership, client)

    response = logged_in(membership.user).post(
        f"{plan_url(client)}goals/{goal.public_id}/status/", {"status": "achieved"}
    )

    goal.refresh_from_db()
    assert response.status_code == 302
    assert goal.status == "achieved"
