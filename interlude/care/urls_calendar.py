from django.urls import path  # noqa: F401

from interlude.care import views_calendar  # noqa: F401

urlpatterns: list = []
