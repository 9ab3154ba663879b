from django.urls import URLPattern, path

from interlude.catalog import views_readiness

# Only public ids appear in these paths: never an answer.
urlpatterns: list[URLPattern] = [
    path("readiness/", views_readiness.readiness, name="readiness"),
    path("readiness/thanks/", views_readiness.readiness_thanks, name="readiness_thanks"),
    path(
        "clinic/clients/<uuid:client_id>/readiness/",
        views_readiness.client_readiness,
        name="client_readiness",
    ),
    path(
        "clinic/clients/<uuid:client_id>/readiness/request/",
        views_readiness.client_readiness_request,
        name="client_readiness_request",
    ),
    path(
        "clinic/clients/<uuid:client_id>/readiness/cancel/",
        views_readiness.client_readiness_cancel,
        name="client_readiness_cancel",
    ),
    path(
        "clinic/clients/<uuid:client_id>/readiness/modules/",
        views_readiness.client_readiness_modules,
        name="client_readiness_modules",
    ),
]
