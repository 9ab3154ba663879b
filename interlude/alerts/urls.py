from django.urls import path

from interlude.alerts import views

urlpatterns = [
    path("clinic/alerts/", views.alert_inbox, name="alert_inbox"),
]
