from django.urls import path  # noqa: F401

from interlude.care import views_plan  # noqa: F401

urlpatterns: list = []
