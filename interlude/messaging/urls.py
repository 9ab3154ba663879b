from django.urls import path

from interlude.messaging import views

urlpatterns = [
    # the client's own thread
    path("messages/", views.client_messages, name="client_messages"),
    path(
        "messages/attachments/<uuid:attachment_id>/",
        views.client_attachment,
        name="client_message_attachment",
    ),
    # the care team
    path("clinic/messages/", views.clinician_inbox, name="clinician_inbox"),
    path("clinic/messages/settings/", views.messaging_settings, name="messaging_settings"),
    path(
        "clinic/clients/<uuid:client_id>/messages/",
        views.clinician_thread,
        name="clinician_thread",
    ),
    path(
        "clinic/clients/<uuid:client_id>/messages/attachments/<uuid:attachment_id>/",
        views.clinician_attachment,
        name="clinician_message_attachment",
    ),
]
