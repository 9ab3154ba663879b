from django.urls import path

from interlude.consents import views_closure

urlpatterns = [
    path("me/close-account/", views_closure.closure_request_view, name="closure_request"),
    path("practice/closures/", views_closure.closure_requests, name="closure_requests"),
    path(
        "practice/closures/<uuid:closure_id>/",
        views_closure.closure_decide,
        name="closure_decide",
    ),
]
