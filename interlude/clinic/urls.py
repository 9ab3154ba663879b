from django.urls import path

from interlude.clinic.views import client, clinician, common, invitations, practice

urlpatterns = [
    path("", common.home, name="home"),
    # clinicians
    path("clinic/", clinician.caseload, name="caseload"),
    path("clinic/clients/new/", clinician.client_add, name="client_add"),
    path("clinic/clients/<uuid:client_id>/", clinician.client_record, name="client_record"),
    path("clinic/clients/<uuid:client_id>/invite/", clinician.client_invite, name="client_invite"),
    # practice settings
    path("practice/", practice.practice_settings, name="practice_settings"),
    path("practice/invite/", practice.staff_invite, name="staff_invite"),
    path(
        "practice/members/<int:membership_id>/remove/",
        practice.membership_remove,
        name="membership_remove",
    ),
    path(
        "practice/crisis-resources/<int:resource_id>/",
        practice.crisis_resource_edit,
        name="crisis_resource_edit",
    ),
    # invitations
    path("invite/<str:token>/", invitations.invitation_accept_view, name="invitation_accept"),
    # clients
    path("today/", client.today, name="client_today"),
    path("tools/", client.tools, name="client_tools"),
    path("me/", client.me, name="client_me"),
    path("me/who-has-seen/", client.access_history, name="client_access_history"),
    path("help/", client.crisis, name="crisis"),
]
