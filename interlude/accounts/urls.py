from django.urls import path

from interlude.accounts import views

urlpatterns = [
    path("session/keepalive/", views.session_keepalive, name="session_keepalive"),
]
