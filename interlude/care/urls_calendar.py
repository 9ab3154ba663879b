"""Appointments for clients and calendars: the client's list and .ics downloads, changing a
session's place or link, and a clinician's private feed (ADR 0022)."""

from __future__ import annotations

from django.urls import path

from interlude.care import views_appointments, views_calendar

urlpatterns = [
    # the client's own sessions
    path("appointments/", views_appointments.client_appointments_view, name="client_appointments"),
    path(
        "appointments/<uuid:appointment_id>/calendar.ics",
        views_appointments.client_appointment_ics_view,
        name="client_appointment_ics",
    ),
    # the care team changes how and where a session happens
    path(
        "clinic/clients/<uuid:client_id>/appointments/<uuid:appointment_id>/change/",
        views_appointments.appointment_change_view,
        name="appointment_change",
    ),
    # a clinician's private calendar feed
    path("clinic/calendar/", views_calendar.calendar_settings_view, name="calendar_settings"),
    path(
        "clinic/calendar/new/",
        views_calendar.calendar_feed_create_view,
        name="calendar_feed_create",
    ),
    path(
        "clinic/calendar/revoke/",
        views_calendar.calendar_feed_revoke_view,
        name="calendar_feed_revoke",
    ),
    path("clinic/calendar/label/", views_calendar.calendar_label_view, name="calendar_label"),
    path("calendar/<str:token>.ics", views_calendar.calendar_feed_view, name="calendar_feed"),
]
