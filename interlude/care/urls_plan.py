"""The care team's treatment plan pages, under the client record. Every id in a path is a public
UUID: the client's, a problem's or a goal's."""

from django.urls import path

from interlude.care import views_plan

BASE = "clinic/clients/<uuid:client_id>/plan/"

urlpatterns = [
    path(BASE, views_plan.treatment_plan, name="treatment_plan"),
    path(f"{BASE}problems/add/", views_plan.problem_add, name="treatment_plan_problem_add"),
    path(
        f"{BASE}problems/<uuid:problem_id>/edit/",
        views_plan.problem_edit,
        name="treatment_plan_problem_edit",
    ),
    path(
        f"{BASE}problems/<uuid:problem_id>/status/",
        views_plan.problem_status,
        name="treatment_plan_problem_status",
    ),
    path(f"{BASE}goals/add/", views_plan.goal_add, name="treatment_plan_goal_add"),
    path(
        f"{BASE}goals/<uuid:goal_id>/edit/", views_plan.goal_edit, name="treatment_plan_goal_edit"
    ),
    path(
        f"{BASE}goals/<uuid:goal_id>/status/",
        views_plan.goal_status,
        name="treatment_plan_goal_status",
    ),
    path(
        f"{BASE}goals/<uuid:goal_id>/review/",
        views_plan.goal_review,
        name="treatment_plan_goal_review",
    ),
]
