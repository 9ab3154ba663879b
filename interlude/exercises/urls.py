from django.urls import include, path

# Worksheets, relaxation and the library each keep their own routes.
urlpatterns = [
    path("", include("interlude.exercises.urls_worksheets")),
    path("", include("interlude.exercises.urls_relaxation")),
    path("", include("interlude.exercises.urls_library")),
]
