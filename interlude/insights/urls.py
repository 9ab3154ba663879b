from django.urls import include, path

urlpatterns = [
    path("", include("interlude.insights.urls_brief")),
]
