from django.urls import path

from interlude.tracking import views_checkin

urlpatterns = [
    path("checkin/", views_checkin.checkin_new, name="checkin_new"),
    path("checkin/<uuid:checkin_id>/edit/", views_checkin.checkin_edit, name="checkin_edit"),
]
