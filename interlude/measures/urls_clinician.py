from django.urls import path

from interlude.measures import views_clinician as views

# Only the client's public id (and an instrument code or a schedule's id) in the paths.
urlpatterns = [
    path(
        "clinic/clients/<uuid:client_id>/questionnaires/schedule/",
        views.schedule_add,
        name="measures_schedule_add",
    ),
    path(
        "clinic/clients/<uuid:client_id>/questionnaires/schedules/<uuid:schedule_id>/stop/",
        views.schedule_stop,
        name="measures_schedule_stop",
    ),
    path(
        "clinic/clients/<uuid:client_id>/questionnaires/enter/<slug:code>/",
        views.paper_entry,
        name="measures_paper_entry",
    ),
]
