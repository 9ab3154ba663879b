from django.urls import path

from interlude.care import views, views_appointments

# One version of the plan is the versions page with ?version=N (a number, not PHI): every
# clinician route then has only the client's id in its path.
urlpatterns = [
    # the client's own plan
    path("safety-plan/", views.safety_plan, name="safety_plan"),
    path("safety-plan/edit/", views.safety_plan_edit, name="safety_plan_edit"),
    path("safety-plan/print/", views.safety_plan_print, name="safety_plan_print"),
    path("safety-plan/versions/", views.safety_plan_versions_view, name="safety_plan_versions"),
    # the care team's view of a client's plan
    path(
        "clinic/clients/<uuid:client_id>/safety-plan/",
        views.clinician_safety_plan,
        name="clinician_safety_plan",
    ),
    path(
        "clinic/clients/<uuid:client_id>/safety-plan/edit/",
        views.clinician_safety_plan_edit,
        name="clinician_safety_plan_edit",
    ),
    path(
        "clinic/clients/<uuid:client_id>/safety-plan/print/",
        views.clinician_safety_plan_print,
        name="clinician_safety_plan_print",
    ),
    path(
        "clinic/clients/<uuid:client_id>/safety-plan/versions/",
        views.clinician_safety_plan_versions,
        name="clinician_safety_plan_versions",
    ),
    # appointments, on the client record
    path(
        "clinic/clients/<uuid:client_id>/appointments/add/",
        views_appointments.appointment_create_view,
        name="appointment_add",
    ),
    path(
        "clinic/clients/<uuid:client_id>/appointments/<uuid:appointment_id>/status/",
        views_appointments.appointment_status_view,
        name="appointment_status",
    ),
]
