"""The client's pages for bringing in data from other apps. Only an import's random id appears
in these paths: never a file name, an app's data or a mood."""

from django.urls import path

from interlude.interop import views

urlpatterns = [
    path("imports/", views.imports, name="imports"),
    path("imports/<uuid:job_id>/", views.import_detail, name="import_detail"),
    path("imports/<uuid:job_id>/columns/", views.import_columns, name="import_columns"),
    path("imports/<uuid:job_id>/add/", views.import_add, name="import_add"),
    path("imports/<uuid:job_id>/discard/", views.import_discard, name="import_discard"),
    path("imports/<uuid:job_id>/undo/", views.import_undo, name="import_undo"),
]
