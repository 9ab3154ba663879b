from django.urls import include, path

urlpatterns = [
    path("", include("interlude.measures.urls_client")),
    path("", include("interlude.measures.urls_clinician")),
    path("", include("interlude.measures.urls_settings")),
]
