from django.urls import path

from interlude.reminders import views

urlpatterns = [
    path("me/reminders/", views.reminders_page, name="client_reminders"),
    path("practice/reminders/", views.practice_reminders, name="practice_reminders"),
]
