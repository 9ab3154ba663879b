from django.urls import path

from interlude.exercises import views_worksheets as views

urlpatterns = [
    # thought records
    path("tools/thought-records/", views.thought_record_list, name="thought_record_list"),
    path("tools/thought-records/new/", views.thought_record_new, name="thought_record_new"),
    path(
        "tools/thought-records/<uuid:record_id>/",
        views.thought_record_detail,
        name="thought_record_detail",
    ),
    path(
        "tools/thought-records/<uuid:record_id>/steps/<slug:step>/",
        views.thought_record_step,
        name="thought_record_step",
    ),
    path(
        "tools/thought-records/<uuid:record_id>/delete/",
        views.thought_record_discard,
        name="thought_record_discard",
    ),
    # behavioural activation
    path("tools/activities/", views.activation_week, name="activation_week"),
    path("tools/activities/new/", views.activity_new, name="activity_new"),
    path("tools/activities/<uuid:activity_id>/", views.activity_log, name="activity_log"),
    # exposure
    path("tools/exposure/", views.exposure_hierarchy, name="exposure_hierarchy"),
    path("tools/exposure/steps/new/", views.exposure_step_new, name="exposure_step_new"),
    path(
        "tools/exposure/steps/<uuid:step_id>/",
        views.exposure_step_detail,
        name="exposure_step_detail",
    ),
    path(
        "tools/exposure/steps/<uuid:step_id>/practice/",
        views.exposure_practice_new,
        name="exposure_practice_new",
    ),
    # sleep diary
    path("tools/sleep/", views.sleep_diary, name="sleep_diary"),
    path("tools/sleep/new/", views.sleep_entry_new, name="sleep_entry_new"),
    path("tools/sleep/<uuid:entry_id>/", views.sleep_entry_edit, name="sleep_entry_edit"),
    # journal
    path("tools/journal/", views.journal_list, name="journal_list"),
    path("tools/journal/new/", views.journal_new, name="journal_new"),
    path("tools/journal/<uuid:entry_id>/", views.journal_detail, name="journal_detail"),
    path("tools/journal/<uuid:entry_id>/edit/", views.journal_edit, name="journal_edit"),
    path("tools/journal/<uuid:entry_id>/share/", views.journal_share, name="journal_share"),
    # the care team's read-only view
    path(
        "clinic/clients/<uuid:client_id>/worksheets/",
        views.client_worksheets,
        name="client_worksheets",
    ),
]
