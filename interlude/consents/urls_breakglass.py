from django.urls import path

from interlude.consents import views_breakglass

urlpatterns = [
    path("clinic/emergency/", views_breakglass.break_glass_list, name="break_glass_list"),
    path(
        "clinic/emergency/<uuid:client_id>/",
        views_breakglass.break_glass_form,
        name="break_glass_open",
    ),
]
