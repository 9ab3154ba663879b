from django.urls import path

from interlude.consents import views_sharing

urlpatterns = [
    path("me/sharing/", views_sharing.sharing_page, name="client_sharing"),
    path("practice/sharing/", views_sharing.sharing_defaults, name="sharing_defaults"),
    path(
        "clinic/clients/<uuid:client_id>/modules/",
        views_sharing.client_modules,
        name="client_modules",
    ),
]
