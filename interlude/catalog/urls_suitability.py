"""Suitability notes, under the client record. Every id in a path is a public UUID."""

from django.urls import path

from interlude.catalog import views_suitability

BASE = "clinic/clients/<uuid:client_id>/suitability/"

urlpatterns = [
    path(BASE, views_suitability.suitability_notes, name="suitability_notes"),
    path(
        f"{BASE}<uuid:suitability_note_id>/remove/",
        views_suitability.suitability_note_remove_view,
        name="suitability_note_remove",
    ),
]
