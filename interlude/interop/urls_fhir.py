"""URLs of interop (urls_fhir)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
