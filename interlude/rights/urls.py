from django.urls import path

from interlude.rights import views

urlpatterns = [
    path("me/download-my-data/", views.export_page, name="client_export"),
    path(
        "me/download-my-data/<uuid:export_id>/file/",
        views.export_download,
        name="client_export_download",
    ),
]
