"""URLs of interop (urls_tokens)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
