from django.urls import path

from interlude.catalog import views_catalog

# Only public ids appear in these paths; the filters are facet codes (goal=sleep), never a client.
urlpatterns = [
    path("clinic/catalog/", views_catalog.catalog_list, name="catalog"),
    path("clinic/catalog/new/", views_catalog.catalog_new, name="catalog_new"),
    path("clinic/catalog/compare/", views_catalog.catalog_compare, name="catalog_compare"),
    path("clinic/catalog/<uuid:app_id>/", views_catalog.catalog_detail, name="catalog_detail"),
    path(
        "clinic/catalog/<uuid:app_id>/review/",
        views_catalog.catalog_review,
        name="catalog_review",
    ),
    path("clinic/catalog/<uuid:app_id>/copy/", views_catalog.catalog_copy, name="catalog_copy"),
    path(
        "clinic/catalog/<uuid:app_id>/archive/",
        views_catalog.catalog_archive,
        name="catalog_archive",
    ),
]
