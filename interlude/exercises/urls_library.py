from django.urls import path

from interlude.exercises import views_library

urlpatterns = [
    path("library/", views_library.library_index, name="library_index"),
    path("library/<slug:slug>/", views_library.article_detail, name="article_detail"),
    path("library/<slug:slug>/read/", views_library.article_read, name="article_read"),
]
