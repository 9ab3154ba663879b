from django.urls import path  # noqa: F401

from interlude.care import views_notes  # noqa: F401

urlpatterns: list = []
