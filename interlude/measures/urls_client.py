from django.urls import path

from interlude.measures import views_client as views

# Only public ids and a step number appear in these paths: never an answer or a score.
urlpatterns = [
    path("questionnaires/", views.questionnaire_list, name="questionnaire_list"),
    path(
        "questionnaires/start/<slug:code>/", views.questionnaire_start, name="questionnaire_start"
    ),
    path(
        "questionnaires/result/<uuid:response_id>/",
        views.questionnaire_result,
        name="questionnaire_result",
    ),
    path("questionnaires/<uuid:due_id>/", views.questionnaire_intro, name="questionnaire_intro"),
    path(
        "questionnaires/<uuid:due_id>/review/",
        views.questionnaire_review,
        name="questionnaire_review",
    ),
    path(
        "questionnaires/<uuid:due_id>/<int:step>/",
        views.questionnaire_step,
        name="questionnaire_step",
    ),
]
