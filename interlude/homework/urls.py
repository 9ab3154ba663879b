from django.urls import path

from interlude.homework import views_client, views_clinician

# Only public ids and dates appear in these paths: never a title, an instruction or a reason.
urlpatterns = [
    path("homework/", views_client.homework, name="homework"),
    path("homework/<uuid:assignment_id>/done/", views_client.homework_done, name="homework_done"),
    path(
        "homework/<uuid:assignment_id>/not-possible/",
        views_client.homework_not_possible,
        name="homework_not_possible",
    ),
    path(
        "clinic/clients/<uuid:client_id>/homework/",
        views_clinician.client_homework,
        name="client_homework",
    ),
    path(
        "clinic/clients/<uuid:client_id>/homework/<uuid:assignment_id>/end/",
        views_clinician.client_homework_end,
        name="client_homework_end",
    ),
    path(
        "clinic/clients/<uuid:client_id>/homework/feedback/<uuid:occurrence_id>/",
        views_clinician.client_homework_feedback,
        name="client_homework_feedback",
    ),
]
