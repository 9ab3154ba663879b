"""URLs of interop (urls)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
