from django.urls import path

from interlude.alerts import views

urlpatterns = [
    path("clinic/alerts/", views.alert_inbox, name="alert_inbox"),
    path("clinic/alerts/<uuid:alert_id>/", views.alert_detail, name="alert_detail"),
    path(
        "clinic/alerts/<uuid:alert_id>/handover/",
        views.alert_handover_view,
        name="alert_handover",
    ),
    path(
        "clinic/alerts/<uuid:alert_id>/acknowledge/",
        views.alert_acknowledge_view,
        name="alert_acknowledge",
    ),
    path(
        "clinic/alerts/<uuid:alert_id>/resolve/",
        views.alert_resolve_view,
        name="alert_resolve",
    ),
]
