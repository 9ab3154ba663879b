"""The care team's session notes, under the client record. Every id in a path is a public UUID:
the client's or a note's."""

from django.urls import path

from interlude.care import views_notes

BASE = "clinic/clients/<uuid:client_id>/notes/"

urlpatterns = [
    path(BASE, views_notes.session_notes, name="session_notes"),
    path(f"{BASE}new/", views_notes.session_note_new, name="session_note_new"),
    path(f"{BASE}<uuid:note_id>/", views_notes.session_note_detail, name="session_note"),
    path(
        f"{BASE}<uuid:note_id>/sign/", views_notes.session_note_sign_view, name="session_note_sign"
    ),
    path(
        f"{BASE}<uuid:note_id>/addenda/",
        views_notes.session_note_addendum_view,
        name="session_note_addendum",
    ),
]
