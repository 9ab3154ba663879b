from django.urls import path

from interlude.measures import views_settings

urlpatterns = [
    path("practice/questionnaires/", views_settings.measures_settings, name="measures_settings"),
    path(
        "practice/questionnaires/rules/",
        views_settings.measures_rules_save,
        name="measures_rules_save",
    ),
    path(
        "practice/questionnaires/new/",
        views_settings.practice_instrument_add,
        name="practice_instrument_add",
    ),
    path(
        "practice/questionnaires/<slug:code>/",
        views_settings.instrument_setting_edit,
        name="instrument_setting_edit",
    ),
]
