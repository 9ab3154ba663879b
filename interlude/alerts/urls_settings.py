from django.urls import path

from interlude.alerts import views_settings

urlpatterns = [
    path("practice/alerts/", views_settings.alert_settings, name="alert_settings"),
]
