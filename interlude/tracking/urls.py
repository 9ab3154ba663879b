from django.urls import path

from interlude.tracking import views

urlpatterns = [
    path("progress/", views.progress, name="client_progress"),
]
