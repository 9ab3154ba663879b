from django.urls import path

from interlude.catalog import views_recommend

# Only public ids appear in these paths: never an app's reason or a client's name.
urlpatterns = [
    path(
        "clinic/catalog/<uuid:app_id>/recommend/",
        views_recommend.catalog_recommend,
        name="catalog_recommend",
    ),
    path(
        "clinic/clients/<uuid:client_id>/recommendations/<uuid:recommendation_id>/withdraw/",
        views_recommend.client_recommendation_withdraw,
        name="client_recommendation_withdraw",
    ),
    path("apps/", views_recommend.client_apps, name="client_apps"),
]
